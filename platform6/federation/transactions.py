"""The lifecycle of a Credit Commons transaction across nodes (FEDERATION.md §3): validate and hold, relay,
complete downstream first, post; erase on refusal; and a member's payment to another installation (pay_remote).
What a crash or a timeout leaves unfinished, recovery.py finishes.

This module is a coordinator, like a job: each step runs in a unit of work of its own and commits, and every call to
a peer happens between steps, with no database transaction open (client.call refuses otherwise). Steps carry plain
values (row ids, client.Peer) from one to the next, never ORM objects, whose attributes would reopen a transaction.

Why it holds (§3.4): a node posts only after its downstream has; it forwards C only while `completing`, and then
erases only if the downstream says erased or unknown; it erases a `validated` row only if it never forwarded C;
each transition is a conditional UPDATE, so it happens once. Every hold is posted or released exactly once.
"""

import hashlib
import hmac
import logging
import random
import time
import uuid as uuidlib
from dataclasses import asdict, dataclass, replace
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from ..credit import queries as credit_queries
from ..credit.models import Account, Network
from ..credit.service import PlannedLeg
from ..errors import Conflict, DomainError, Forbidden, NotFound, RuleViolation, invalid
from ..extensions import db
from ..formatting import money
from ..limits import is_whole
from ..notifications.service import notify
from ..timeutil import iso, utcnow
from ..transaction import unit_of_work
from . import alerts, client, discrepancies, hashing, holds, links, routing, signing, wire
from .faults import fault
from .models import CCTransaction, Link
from .peer_auth import authenticated_link, is_current

log = logging.getLogger(__name__)

#: the one workflow P6 originates: a payer-initiated credit, validated then completed
WORKFLOW = "|P-PC+CX+"
#: uuids of member payments with an Idempotency-Key: uuid5(this, HMAC(SECRET_KEY, "<actor>:<key>:<attempt>"))
PAYMENT_NAMESPACE = uuidlib.UUID("7b0e7a3c-6f51-4b0c-9a55-2f0c6e1d9a17")
#: R2: ask a silent neighbour again after 5 s, doubling up to 10 minutes; its admins hear of it after an hour
FIRST_CHECK, LAST_CHECK, ALERT_AFTER = 5, 600, 3600


class PeerUnavailable(DomainError):
    status, code = 503, "peer_unavailable"


@dataclass(frozen=True)
class Reply:
    """What a Credit Commons route answers: a status and a JSON body (None: empty)."""

    status: int
    body: dict | None = None


@dataclass(frozen=True)
class Outgoing:
    peer: client.Peer
    body: bytes


def _window() -> timedelta:
    return timedelta(seconds=current_app.config["FEDERATION_WINDOW_SECONDS"])


def call_peer(peer: client.Peer, method: str, path: str, body: bytes = b"") -> client.Answer | None:
    """The peer's answer, or None if none came within the hop's timeout."""
    try:
        return client.call(peer, method, path, body=body)
    except client.Unreachable as err:
        log.warning("federation: %s %s%s had no answer: %s", method, peer.url, path, err)
        return None


def peer_of(link: Link) -> client.Peer:
    """Everything a call on `link` needs, read now (inside a unit of work)."""
    network = credit_queries.network_by_id(link.network_id)
    secret = None
    if link.profile == "p6" and link.secret:
        secret = signing.unseal(current_app.config["SECRET_KEY"], link.secret)
    return client.Peer(link.id, link.peer_url, link.profile, network.cc_name, tuple(links.our_path(network)),
                       link.head or "", secret, link.quant_decimals)  # fmt: skip


def node_network(node: str) -> Network:
    network = links.network_named(node)
    if network is None:
        raise wire.CCError(404, "DoesNotExistViolation", f"no node {node[:32]} here")
    return network


def _row(uuid: str, network_id: int) -> CCTransaction | None:
    if not wire.is_uuid(uuid):
        return None
    return db.session.scalar(
        select(CCTransaction).where(CCTransaction.uuid == uuid, CCTransaction.network_id == network_id)
    )


def _transition(row: CCTransaction, from_states: tuple[str, ...], to: str, **values) -> bool:
    """Move the row to `to` if it is still in one of `from_states` (one conditional UPDATE: it happens once)."""
    changed = db.session.execute(
        update(CCTransaction)
        .where(CCTransaction.id == row.id, CCTransaction.state.in_(from_states))
        .values(state=to, updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(row)
    return changed == 1


# --- phase 1: validate ----------------------------------------------------------------------------------------------


def _open(
    *,
    network: Network,
    uuid: str,
    upstream: Link | None,
    found: routing.Exit,
    entry_account: Account,
    amount: int,
    in_quant: int | None,
    payer_address: str,
    payee_address: str,
    description: str,
    metadata: dict,
    workflow: str,
    digest: str | None,
    actor_id: int | None = None,
    idempotency_key: str | None = None,
    received: wire.Relay | None = None,
) -> tuple[CCTransaction, Outgoing | None]:
    """Plan the local legs, hold them and write the `validated` row (flushed; the caller commits before relaying).
    Returns the row and the relay to send onward (None at the last node). RuleViolation/Conflict if refused.
    `received`: the upstream's relay, whose every entry (fees included) is kept for the link's hash and status."""
    downstream = found.link
    if downstream is not None and downstream.status != "active":
        raise RuleViolation(
            "link_suspended",
            "to",
            _("The link to %(node)s is suspended or not active yet: nothing was paid.", node=downstream.peer_name),
        )
    exit_account = found.account or db.session.get(Account, downstream.vostro_account_id)
    legs, out_quant = routing.plan(entry_account, exit_account, amount, entry_quant=in_quant, exit_link=downstream)
    entry = {"payer": payer_address, "payee": payee_address, "description": description, "metadata": metadata}
    entries = _received_entries(upstream, received) if upstream else []
    if downstream is not None:
        entries.append({"link_id": downstream.id, "quant": out_quant, **entry})
    row = CCTransaction(
        uuid=uuid,
        network_id=network.id,
        state="validated",
        workflow=workflow,
        version=0,
        upstream_link_id=upstream.id if upstream else None,
        downstream_link_id=downstream.id if downstream else None,
        payer_address=payer_address,
        payee_address=payee_address,
        description=description,
        amount=amount,
        legs=[asdict(leg) for leg in legs],
        entries=entries,
        metadata_json=metadata,
        body_sha256=digest,
        deadline=utcnow() + _window(),
        head_before={str(upstream.id): upstream.head} if upstream else {},
        actor_id=actor_id,
        idempotency_key=idempotency_key,
    )
    db.session.add(row)
    db.session.flush()
    holds.hold(row, legs)
    if downstream is None or commits_on_relay(downstream):
        return row, None
    return row, Outgoing(peer_of(downstream), _relay_body(row, downstream))


def _received_entries(upstream: Link, relay: wire.Relay) -> list[dict]:
    """The upstream's entries as it sent them, with the version it sent (Komunitin hashes that, §4)."""
    return [
        {"link_id": upstream.id, "quant": e.quant, "payer": e.payer, "payee": e.payee, "description": e.description,
         "metadata": e.metadata, "message_version": relay.version}
        for e in relay.entries
    ]  # fmt: skip


def commits_on_relay(link: Link) -> bool:
    """Komunitin cannot hold: it commits what it is relayed (§3.3). So it is not relayed to in phase 1; the node
    before it validates its own legs, and in phase 2 its "forward C" is the relay."""
    return link.profile == "komunitin"


def _relay_body(row: CCTransaction, downstream: Link) -> bytes:
    (entry,) = [entry for entry in row.entries if entry["link_id"] == downstream.id]
    return wire.relay_body(
        uuid=row.uuid,
        state="validated",
        workflow=row.workflow,
        entries=[
            wire.WireEntry(entry["payer"], entry["payee"], entry["quant"], entry["description"], entry["metadata"])
        ],
        # Komunitin hashes the version it is sent (its own relays send 1); holding peers get none
        version=1 if commits_on_relay(downstream) else None,
        decimals=downstream.quant_decimals,
        profile=downstream.profile,
    )


def _held_answer(row: CCTransaction, downstream: client.Answer | None = None) -> dict:
    left = int((row.deadline - utcnow()).total_seconds())
    theirs = (downstream.payload or {}).get("meta", {}) if downstream and isinstance(downstream.payload, dict) else {}
    if isinstance(theirs, dict) and isinstance(theirs.get("secs_valid_left"), int):
        left = min(left, theirs["secs_valid_left"])
    return {"status": 200, "body": {"data": [], "meta": {"secs_valid_left": max(0, left - 10)}}}


_LIMIT_CLASSES = {"insufficient_credit": "MinLimitViolation", "over_debit_limit": "MaxLimitViolation"}


def _cc_refusal(err: DomainError) -> wire.CCError:
    """A local refusal, as a peer reads it (machine-facing English, like wire.CCError's messages)."""
    if err.code in _LIMIT_CLASSES:
        return wire.CCError(400, _LIMIT_CLASSES[err.code], "the transaction would pass an account's limit")
    if err.code == "no_route":
        return wire.CCError(400, "PathViolation", "no route to the payee")
    if err.code == "account_frozen":
        return wire.CCError(400, "PermissionViolation", "an account on the way is frozen")
    return wire.CCError(400, "CCViolation", "the transaction breaks a rule of this node")


def receive_relay(node: str, *, headers, method: str, path: str, body: bytes) -> Reply:
    """POST transaction/relay: validate and hold here, then relay onward (§3.2). From a peer that commits on relay
    (Komunitin) the relay is also its C: we complete it at once (§3.3)."""
    try:
        with unit_of_work():
            network = node_network(node)
            link = authenticated_link(network, headers=headers, method=method, path=path, body=body)
            fresh = is_current(link, wire.read_auth(headers)[1], method=method, path=path)
            relay = wire.read_relay(body, decimals=link.quant_decimals)
            digest = wire.body_sha256(relay)
            known = _row(relay.uuid, network.id)
            if known is not None:
                if known.body_sha256 != digest or known.upstream_link_id != link.id:
                    raise wire.CCError(400, "DuplicateUuidViolation", "this uuid was used for another transaction")
                if known.answer is None:
                    raise wire.CCError(409, "LinkBusy", "this transaction is still being validated")
                return Reply(**known.answer)
            if not fresh:
                raise wire.CCError(401, "HashMismatchFailure", "last-hash does not match this link's head")
            committed_upstream = commits_on_relay(link)
            validated, refused = _validate_or_refuse(network, link, relay, digest)
            if refused is not None:
                if committed_upstream:  # it is booked there: the discrepancy commits with this refusal
                    _record_refused_relay(link, relay, refused)
            else:
                row, onward = validated
                if onward is None and row.downstream_link_id is None and committed_upstream:
                    post_row(row, ("validated",))  # the last node after a committed upstream: posted at once
                    row.answer = _committed_answer()
                elif onward is None and not committed_upstream:
                    row.answer = _held_answer(row)  # the last node: validated and held here is the whole of phase 1
                row_id, stored = row.id, row.answer
    except (RuleViolation, Conflict) as err:
        raise _cc_refusal(err) from None
    if refused is not None:
        raise refused
    fault("relay.after_local_commit")
    if stored is not None:
        return Reply(**stored)
    if onward is not None:
        answer = call_peer(onward.peer, "POST", "transaction/relay", onward.body)
        added = _added_entries(answer, onward)
        if answer is not None and answer.ok:
            fault("relay.after_downstream_ok")
        with unit_of_work():
            row = db.session.get(CCTransaction, row_id)
            if answer is None or not answer.ok or added or row.state != "validated":
                reply = _refusal_reply(network_name=node, answer=answer, added=added)
                erase(row, abort=answer is None or added or not 400 <= answer.status < 500,
                      error=_fee_error() if added else api_error(answer))  # fmt: skip
                row.answer = asdict(reply)
                return reply
            if not committed_upstream:
                row.answer = _held_answer(row, answer)
                return Reply(**row.answer)
    return _complete_for_committed_upstream(node, row_id)


def _validate_or_refuse(
    network: Network, link: Link, relay: wire.Relay, digest: str
) -> tuple[tuple[CCTransaction, Outgoing | None] | None, wire.CCError | None]:
    """Validate and hold in a savepoint: the row and its onward relay, or the refusal with nothing of it written (so
    the caller may still write why, in the same transaction)."""
    try:
        with db.session.begin_nested():
            if link.status != "active":
                raise wire.CCError(400, "PermissionViolation", "this link is not active")
            return _validate(network, link, relay, digest), None
    except wire.CCError as err:
        return None, err
    except (RuleViolation, Conflict) as err:
        return None, _cc_refusal(err)


def _record_refused_relay(link: Link, relay: wire.Relay, refused: wire.CCError) -> None:
    first = relay.entries[0]
    discrepancies.record(link=link, uuid=relay.uuid, amount=first.quant, reason=refusal_code(400, {refused.cc_class}),
                         payer=first.payer, payee=first.payee)  # fmt: skip


def _committed_answer() -> dict:
    """What a commit-on-relay peer reads when we wrote its transaction: 201, nothing added (design §2)."""
    return {"status": 201, "body": {"data": [], "meta": {"secs_valid_left": 0}}}


def _complete_for_committed_upstream(node: str, row_id: int) -> Reply:
    """The upstream (Komunitin) wrote the transaction before relaying it, so its relay counts as validate-plus-C: once
    our downstream has validated, we complete it downstream first and post (§3.3). If the downstream goes silent the
    row stays `completing` for R2 and the upstream hears 503; a repeat meanwhile gets LinkBusy, then the outcome."""
    with unit_of_work():
        row = db.session.get(CCTransaction, row_id)
        _transition(row, ("validated",), "completing", next_check_at=_first_check())
    outcome = complete_downstream(row_id)
    with unit_of_work():
        row = db.session.get(CCTransaction, row_id)
        if outcome == "completed":
            row.answer = _committed_answer()
        elif outcome == "erased":
            error = wire.CCError(400, "WorkflowViolation", "the next node refused the transaction; nothing was written")
            row.answer = asdict(Reply(400, error.body(node)))
        else:
            return Reply(503, wire.CCError(503, "UnavailableNodeFailure", "the next node did not answer").body(node))
        return Reply(**row.answer)


def _added_entries(answer: client.Answer | None, sent: Outgoing) -> bool:
    """The downstream's relay answer adds entries to what we relayed (a fee). Komunitin echoes every entry it was
    sent: those are not added. v1 carries no fees onward (design §7.2), so an added entry refuses the payment."""
    if answer is None or not answer.ok or not isinstance(answer.payload, dict):
        return False
    data = answer.payload.get("data") or []
    if not isinstance(data, list):
        return True

    def key(entry) -> tuple | None:
        try:
            return entry["payer"], entry["payee"], wire.parse_quant(entry["quant"], sent.peer.quant_decimals)
        except (KeyError, TypeError, wire.CCError):
            return None

    ours = {key(entry) for entry in wire.loads(sent.body)["entries"]}
    return any(not isinstance(entry, dict) or key(entry) not in ours for entry in data)


def _fee_error() -> dict:
    return {
        "code": "validation_failed",
        "message": _(
            "The other network wanted to add a fee to this payment. Payments with fees between installations are not "
            "possible yet, so nothing was paid."
        ),
    }


def _refusal_reply(*, network_name: str, answer: client.Answer | None, added: bool = False) -> Reply:
    """What we answer upstream when the downstream refused (its errors, passed up), added a fee (refused here) or
    did not answer (503)."""
    if added:
        error = wire.CCError(400, "CCViolation", "the next node added entries (a fee); this node carries no fees yet")
        return Reply(400, error.body(network_name))
    if answer is not None and 400 <= answer.status < 500 and answer.status != 401:
        return Reply(400, {"errors": answer.errors})
    return Reply(503, wire.CCError(503, "UnavailableNodeFailure", "the next node did not answer").body(network_name))


def _validate(network: Network, link: Link, relay: wire.Relay, digest: str) -> tuple[CCTransaction, Outgoing | None]:
    entry = _netted(link, relay)
    found = routing.resolve(network, entry.payee)
    if found is None:
        raise wire.CCError(400, "DoesNotExistViolation", "no account has that address here")
    if found.link is not None and found.link.id == link.id:
        raise wire.CCError(400, "PathViolation", "the payee lies back where the transaction came from")
    if len(relay.entries) > 1 and found.account is None:
        raise wire.CCError(400, "CCViolation", "fees are netted only into an account here, never carried onward")
    return _open(
        network=network,
        uuid=relay.uuid,
        upstream=link,
        found=found,
        entry_account=db.session.get(Account, link.vostro_account_id),
        amount=routing.from_link_units(link, network, entry.quant),
        in_quant=entry.quant,
        payer_address=entry.payer,
        payee_address=entry.payee,
        description=entry.description or "",
        metadata=entry.metadata,
        workflow=relay.workflow or WORKFLOW,
        digest=digest,
        received=relay,
    )


def _netted(link: Link, relay: wire.Relay) -> wire.WireEntry:
    """The relay as one credit (§3.2): the first entry's payee is the party here. Value moves only out of the sender's
    own vostro account, so every entry runs between that party and the sender's side (an upstream fee the party pays
    reduces its credit, as in Komunitin), or lies wholly on the sender's side (it moves nothing here). The net must
    credit the party: a relay never debits anyone here. Returns the first entry with the net quant."""
    first = relay.entries[0]
    if not routing.in_subtree_of(link, first.payer):
        raise wire.CCError(400, "PermissionViolation", "the payer must lie on the sending node's side of the link")
    if routing.in_subtree_of(link, first.payee):
        raise wire.CCError(400, "PathViolation", "the payee lies back where the transaction came from")
    net = 0
    for entry in relay.entries:
        from_sender, to_sender = routing.in_subtree_of(link, entry.payer), routing.in_subtree_of(link, entry.payee)
        if from_sender and to_sender:
            continue
        if from_sender and entry.payee == first.payee:
            net += entry.quant
        elif to_sender and entry.payer == first.payee:
            net -= entry.quant
        else:
            raise wire.CCError(
                400, "PermissionViolation", "each entry must run between the sender's side and the payee"
            )
    if net <= 0:
        raise wire.CCError(400, "PermissionViolation", "the entries must add up to a credit to the payee here")
    return replace(first, quant=net)


def erase(row: CCTransaction, *, abort: bool, error: dict | None) -> bool:
    """validated|completing -> erased, releasing the holds; `abort`: tell the downstream (a job sends E).
    A member whose payment was answered 202 (completing) is told it did not go through."""
    was = row.state
    if not _transition(row, ("validated", "completing"), "erased", error=error,
                       next_check_at=utcnow() if abort and row.downstream_link_id else None):  # fmt: skip
        return False
    holds.release(row)
    upstream = db.session.get(Link, row.upstream_link_id) if row.upstream_link_id else None
    if upstream is not None and commits_on_relay(upstream):  # booked there already: the ledgers now disagree
        discrepancies.record(link=upstream, uuid=row.uuid, amount=row.legs[0]["link_amount"],
                             reason=(error or {}).get("code", "unfinished"), payer=row.payer_address,
                             payee=row.payee_address)  # fmt: skip
    if was == "completing" and row.upstream_link_id is None and row.actor_id is not None:
        payer = credit_queries.account_by_id(row.legs[0]["from_account_id"])
        network = credit_queries.network_by_id(payer.network_id)
        notify(
            user_ids=[row.actor_id],
            kind="remote_payment_erased",
            url=f"/credit/accounts/{payer.id}",
            text=lambda: _(
                "Your payment of %(amount)s to %(payee)s did not go through: nothing was paid.",
                amount=money(row.amount, network.currency_decimals, network.currency_symbol),
                payee=row.payee_address,
            ),
        )
    return True


def _tell_payee(row: CCTransaction) -> None:
    """The last node: whoever acts for the account paid hears of it, as for a payment made here."""
    payee = credit_queries.account_by_id(row.legs[-1]["to_account_id"])
    network = credit_queries.network_by_id(payee.network_id)
    amount = row.legs[-1]["amount"]
    notify(
        user_ids=credit_queries.controller_ids(payee),
        kind="payment_received",
        url=f"/credit/accounts/{payee.id}",
        text=lambda: _(
            "%(payer)s paid %(amount)s into your account #%(number)s: %(description)s",
            payer=row.payer_address,
            amount=money(amount, network.currency_decimals, network.currency_symbol),
            number=payee.id,
            description=row.description,
        ),
    )


# --- phase 2: complete, the downstream first ------------------------------------------------------------------------


def receive_patch(node: str, uuid: str, dest: str, *, headers, method: str, path: str, body: bytes) -> Reply:
    """PATCH transaction/{uuid}/{dest}: C completes (downstream first), E (or 0.8's null) erases a validated one,
    P asks our payee to sign (we hold, post nothing, and sign with C toward the payer: sign_pending)."""
    fault("patch.on_arrival")
    with unit_of_work():
        network = node_network(node)
        link = authenticated_link(network, headers=headers, method=method, path=path, body=body)
        target = "erased" if dest == "null" else _state(dest)
        row = _row(uuid.lower(), network.id)
        if row is None:
            raise wire.CCError(404, "DoesNotExistViolation", "no such transaction here")
        if row.upstream_link_id != link.id:
            raise wire.CCError(400, "PermissionViolation", "only the node that relayed it may change it")
        done = 200 if dest == "null" else 201
        if target == "erased":
            if row.state != "erased" and not (row.state == "validated" and erase(row, abort=True, error=None)):
                raise wire.CCError(400, "WorkflowViolation", f"a {row.state} transaction cannot be erased")
            return Reply(done)
        if target == "pending":
            return _pend(row, link)
        if target != "completed":
            raise wire.CCError(400, "WorkflowViolation", "Platform 6 moves transactions only to completed or erased")
        if row.state == "completed":
            return Reply(201)
        if row.state == "erased":
            raise wire.CCError(400, "WorkflowViolation", "this transaction was erased")
        # the trunk side orders every state change on a link: it takes the link's token, or answers LinkBusy
        trunk_side = link.direction == "leafward"
        if trunk_side and not _claim(link.id, row.uuid):
            raise wire.CCError(409, "LinkBusy", "another state change is in flight on this link; try again")
        last_node = row.downstream_link_id is None
        # and it takes the next link's token now, or neither: waiting for one while holding the other could deadlock
        # with a payment crossing the same two links the other way
        if not last_node and not _claim(row.downstream_link_id, row.uuid):
            raise wire.CCError(409, "LinkBusy", "the next link is busy; try again")
        if last_node:  # the last node posts as soon as C arrives
            post_row(row, ("validated",))
            if row.state != "completed":  # erased meanwhile (R1, or the upstream's E): nothing to acknowledge
                raise wire.CCError(400, "WorkflowViolation", "this transaction was erased")
            _release(link.id, row.uuid)
        else:
            _transition(row, ("validated",), "completing", next_check_at=_first_check())
        row_id, link_id = row.id, link.id
    if last_node:
        fault("patch.before_answer")
        return Reply(201)
    fault("patch.after_completing")
    try:
        outcome = complete_downstream(row_id)
    finally:
        if trunk_side:
            with unit_of_work():
                _release(link_id, uuid.lower())
    fault("patch.before_answer")
    if outcome == "completed":
        return Reply(201)
    if outcome == "erased":
        return Reply(400, wire.CCError(400, "WorkflowViolation", "the next node refused to complete").body(node))
    return Reply(503, wire.CCError(503, "UnavailableNodeFailure", "the next node did not answer").body(node))


def _pend(row: CCTransaction, link: Link) -> Reply:
    """P for a payee here (§3.1 "Payee signing"): receiving credit needs no consent in Platform 6, so we keep the
    hold, post nothing, write the pending state on the link's chain, and sign at once: the jobs send C toward the
    payer (sign_pending) and post when it answers 201. A repeat of P gets 201 and moves nothing."""
    if is_pending(row):
        return Reply(201)
    if row.state != "validated" or row.downstream_link_id is not None:
        raise wire.CCError(400, "WorkflowViolation", f"a {row.state} transaction here cannot become pending")
    pended = db.session.execute(
        update(CCTransaction)
        .where(CCTransaction.id == row.id, CCTransaction.state == "validated", CCTransaction.version == 0)
        .values(version=1, next_check_at=utcnow(), updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(row)
    if not pended:
        raise wire.CCError(409, "LinkBusy", "this transaction is changing; try again")
    link = _locked_link(link.id)
    row.head_before = {**(row.head_before or {}), str(link.id): link.head}
    links.advance_head(link, uuid=row.uuid, state="pending", new_head=head_after(row, link, "pending"))
    return Reply(201)


def sign_pending(row_id: int) -> str:
    """Our payee's signature for a pending row: C toward the payer. Post on 201, erase if the upstream erased it or
    never had it, else ask again later. Returns the row's state after."""
    with unit_of_work():
        row = db.session.get(CCTransaction, row_id)
        if not is_pending(row):
            return row.state
        link = db.session.get(Link, row.upstream_link_id)
        peer, path = peer_of(link), f"transaction/{row.uuid}/{wire.to_wire('completed', link.profile)}"
    answer = call_peer(peer, "PATCH", path)
    with unit_of_work():
        row = db.session.get(CCTransaction, row_id)
        if answer is not None and answer.ok:
            post_row(row, ("validated",))
        elif answer is not None and _says_unknown(answer):
            erase(row, abort=False, error=None)
        else:
            check_later(row)
        return row.state


def _state(dest: str) -> str:
    try:
        return wire.from_wire(dest)
    except ValueError:
        raise wire.CCError(400, "WorkflowViolation", "unknown state") from None


def complete_downstream(row_id: int) -> str:
    """Forward C for a `completing` row; post on 201, erase if the downstream refused or does not know it, keep
    holding if it did not answer (R2 asks again). Returns the row's state after: completed, erased or completing.

    One state change at a time per link (§3.5): we send C holding the link's token, so both ends advance the chain
    in the same order; while it is taken, or the trunk answers LinkBusy, we wait a little and try again."""
    give_up = time.monotonic() + current_app.config["FEDERATION_TIMEOUT_SECONDS"]
    while True:
        with unit_of_work():
            row = db.session.get(CCTransaction, row_id)
            if row.state != "completing":
                return row.state
            link = db.session.get(Link, row.downstream_link_id)
            claimed = _claim(link.id, row.uuid)
            if claimed:
                db.session.refresh(link)  # the head as of holding the token
                peer, relays = peer_of(link), commits_on_relay(link)
                if relays:
                    method, path, body = "POST", "transaction/relay", _relay_body(row, link)
                else:
                    method, path, body = (
                        "PATCH",
                        f"transaction/{row.uuid}/{wire.to_wire('completed', link.profile)}",
                        b"",
                    )
            uuid, link_id = row.uuid, link.id
        answer = call_peer(peer, method, path, body) if claimed else None
        busy = not claimed or (answer is not None and answer.status == 409)
        if not busy or time.monotonic() > give_up:
            break
        if claimed:
            with unit_of_work():
                _release(link_id, uuid)
        time.sleep(0.02 + random.random() * 0.08)  # apart from whoever we collided with
    if answer is not None and answer.ok:
        fault("patch.after_downstream_ack")
    with unit_of_work():
        row = db.session.get(CCTransaction, row_id)
        if answer is not None and answer.ok:
            post_row(row, ("completing",))
        elif answer is not None and (_says_unknown(answer) or (relays and _refused(answer))):
            erase(row, abort=False, error=api_error(answer))
        else:
            check_later(row)
        _release(link_id, uuid)
        return row.state


def _claim(link_id: int, uuid: str) -> bool:
    """Take the link's token for `uuid` (free, ours already, or expired): one conditional UPDATE."""
    now = utcnow()
    hold_for = timedelta(seconds=2 * current_app.config["FEDERATION_TIMEOUT_SECONDS"] + 5)
    free = (Link.in_flight_uuid.is_(None)) | (Link.in_flight_uuid == uuid) | (Link.in_flight_until < now)
    claimed = db.session.execute(
        update(Link)
        .where(Link.id == link_id, free)
        .values(in_flight_uuid=uuid, in_flight_until=now + hold_for)
        .execution_options(synchronize_session=False)
    ).rowcount
    return claimed == 1


def _release(link_id: int, uuid: str) -> None:
    db.session.execute(
        update(Link)
        .where(Link.id == link_id, Link.in_flight_uuid == uuid)
        .values(in_flight_uuid=None, in_flight_until=None)
        .execution_options(synchronize_session=False)
    )


def _refused(answer: client.Answer) -> bool:
    """A commit-on-relay peer said no: nothing was written there (401 and 409 say nothing about the transaction)."""
    return 400 <= answer.status < 500 and answer.status not in (401, 409)


def _says_unknown(answer: client.Answer) -> bool:
    """R3: the downstream erased the transaction or never had it."""
    classes = {error["class"] for error in answer.errors}
    return answer.status == 404 or (answer.status == 400 and "WorkflowViolation" in classes)


def _first_check():
    """When R2 may first ask about a row that has just gone `completing`: after this request's own call is over."""
    return utcnow() + timedelta(seconds=current_app.config["FEDERATION_TIMEOUT_SECONDS"])


def retry_delay(checks: int) -> int:
    """Seconds until the next question to a silent neighbour, after `checks` of them went unanswered."""
    return min(LAST_CHECK, FIRST_CHECK * 2 ** min(checks, 10))


#: after how many unanswered questions a row has waited an hour
_ALERT_CHECKS = next(n for n in range(100) if sum(retry_delay(i) for i in range(n)) >= ALERT_AFTER)


def check_later(row: CCTransaction, *, diverged: bool = False) -> None:
    """Ask the neighbour again later. A row we may not erase (completing, or pending on our signature) tells its
    network's admins once: when it has waited an hour, or at once if the link's heads `diverged` (waiting cannot help;
    it then waits the longest between questions)."""
    if diverged:
        row.checks = max(row.checks, _ALERT_CHECKS)
    if row.checks == _ALERT_CHECKS and (row.state == "completing" or is_pending(row)):
        log.error("federation: transaction %s waits for its neighbour; the network's admins are told", row.uuid)
        alerts.transaction_stuck(row, diverged=diverged)
    row.next_check_at = utcnow() + timedelta(seconds=retry_delay(row.checks))
    row.checks += 1


def is_pending(row: CCTransaction) -> bool:
    """Written as pending (P) here, the payee's side: we signed with C toward the payer and await its 201. Like a
    completing row, it is never erased on a timer (the payer's side may have completed on our C)."""
    return row.state == "validated" and row.version == 1


def head_after(row: CCTransaction, link: Link, state: str) -> str:
    """The link's next head once `row` is written in `state` on it."""
    entries = [entry for entry in row.entries if entry["link_id"] == link.id]
    return hashing.link_hash(link.profile, link.head or "", uuid=row.uuid, state=state, entries=entries,
                             version=hashing.chain_version(link.profile, entries),
                             decimals=link.quant_decimals)  # fmt: skip


def post_row(row: CCTransaction, from_states: tuple[str, ...]) -> None:
    """Post the held legs and advance the heads of the links it crossed, once."""
    if not _transition(row, from_states, "completed", version=1, next_check_at=None):
        return
    transfer = holds.post(row, [PlannedLeg(**leg) for leg in row.legs])
    row.transfer_id = transfer.id
    before = dict(row.head_before or {})
    for link_id in (row.upstream_link_id, row.downstream_link_id):
        if link_id is None:
            continue
        link = _locked_link(link_id)
        before[str(link_id)] = link.head
        # the state the chain records: written (completed); Komunitin's chain moves when it commits a relay (V)
        state = "validated" if commits_on_relay(link) else "completed"
        links.advance_head(link, uuid=row.uuid, state=state, new_head=head_after(row, link, state))
    row.head_before = before
    db.session.flush()
    if row.downstream_link_id is None:
        _tell_payee(row)


def _locked_link(link_id: int) -> Link:
    stmt = select(Link).where(Link.id == link_id).execution_options(populate_existing=True)
    if db.session.get_bind().dialect.name != "sqlite":
        stmt = stmt.with_for_update()
    return db.session.scalar(stmt)


# --- status ---------------------------------------------------------------------------------------------------------


def transaction_reply(node: str, uuid: str, *, headers, method: str, path: str, entries_only: bool) -> Reply:
    """GET transaction/{uuid} (or entries/{uuid}) for a neighbour it crossed to: its state as that link sees it."""
    with unit_of_work(write=False):
        network = node_network(node)
        link = authenticated_link(network, headers=headers, method=method, path=path, body=b"")
        row = _row(uuid.lower(), network.id)
        if row is None or link.id not in (row.upstream_link_id, row.downstream_link_id):
            raise wire.CCError(404, "DoesNotExistViolation", "no such transaction here")
        entries = [
            {"payer": e["payer"], "payee": e["payee"], "quant": wire.quant(e["quant"], link.quant_decimals),
             "description": e["description"], "metadata": e["metadata"]}
            for e in row.entries if e["link_id"] == link.id
        ]  # fmt: skip
        if entries_only:
            return Reply(200, {"data": entries})
        # `completing` is validated on the wire (C forwarded, not written yet); p6_state says which
        state = {"completing": "validated"}.get(row.state, row.state)
        data = {
            "uuid": row.uuid,
            "state": wire.to_wire(state, link.profile),
            "p6_state": row.state,
            "workflow": row.workflow,
            "version": row.version,
            "entries": entries,
            "written": iso(row.updated_at) if row.state == "completed" else None,
        }
        return Reply(200, {"data": data, "meta": {"transitions": {}}})


# --- the member's side: the originator ------------------------------------------------------------------------------


def pay_remote(
    *, actor, from_account_id: int, to_address: str, amount: int, description: str, idempotency_key: str | None = None
) -> CCTransaction:
    """A member pays an account on another installation: validate along the chain, then complete it (§3.3).

    Returns the row: `completed` (posted everywhere), or `completing` when the budget ran out or the next node went
    silent after C (the jobs finish it). Raises the refusal when it ended erased: RuleViolation (422) for a limit or
    an unknown address, PeerUnavailable (503) when a node did not answer; nothing moved then.
    """
    budget_ends = time.monotonic() + current_app.config["FEDERATION_BUDGET_SECONDS"]
    _check_request(amount, description, to_address, idempotency_key)
    with unit_of_work():
        payer = _spendable(actor, from_account_id)
        earlier, key = _earlier_attempt(actor, idempotency_key, payer.id, to_address, amount, description)
        if earlier is not None:
            return earlier
        network = credit_queries.network_by_id(payer.network_id)
        found = routing.resolve(network, to_address)
        if found is None or found.link is None:
            raise RuleViolation("no_route", "to", _("No account on another installation has that address."))
        attempt_key = f"{key[0]}:{key[1]}" if key else None
        uuid = _payment_uuid(attempt_key)
        row, onward = _open(
            network=network,
            uuid=uuid,
            upstream=None,
            found=found,
            entry_account=payer,
            amount=amount,
            in_quant=None,
            payer_address=routing.account_address(payer),
            payee_address=to_address,
            description=description,
            metadata={},
            workflow=WORKFLOW,
            digest=None,
            actor_id=actor.id,
            idempotency_key=attempt_key,
        )
        row_id = row.id
    # a commit-on-relay next node gets its relay with C: validated here is all of phase 1
    answer = (
        call_peer(onward.peer, "POST", "transaction/relay", onward.body) if onward else client.Answer(200, None, [])
    )
    added = onward is not None and _added_entries(answer, onward)
    with unit_of_work():
        row = db.session.get(CCTransaction, row_id)
        completing = (
            answer is not None
            and answer.ok
            and not added
            and utcnow() < row.deadline
            and time.monotonic() < budget_ends
        )
        if completing:
            _transition(row, ("validated",), "completing", next_check_at=_first_check())
        elif added:  # the downstream validated with a fee we carry no further: it holds, so it is told to erase
            erase(row, abort=True, error=_fee_error())
        else:
            late = answer is not None and answer.ok  # R4: validated too late; our downstream holds it
            erase(row, abort=late or answer is None or answer.status >= 500, error=api_error(None if late else answer))
    if completing:
        fault("patch.after_completing")
        complete_downstream(row_id)
    with unit_of_work(write=False):
        row = db.session.get(CCTransaction, row_id)
        if row.state == "erased":
            raise refusal(row)
        return row


def _payment_uuid(attempt_key: str | None) -> str:
    """A keyed attempt's uuid: the same on every retry, yet not to be worked out from the user's id and key without
    our SECRET_KEY (ids repeat on every installation, and a neighbour could use a known uuid first)."""
    if attempt_key is None:
        return str(uuidlib.uuid4())
    keyed = hmac.new(current_app.config["SECRET_KEY"].encode(), attempt_key.encode(), hashlib.sha256).hexdigest()
    return str(uuidlib.uuid5(PAYMENT_NAMESPACE, keyed))


def refusal(row: CCTransaction) -> DomainError:
    """Why an erased payment did not happen, as the API answers it."""
    error = row.error or {}
    if error.get("code") == "peer_unavailable":
        return PeerUnavailable(error.get("message"))
    return RuleViolation(error.get("code", "validation_failed"), "amount", error.get("message"))


#: why a payment across installations did not go through, by the code the API answers
REFUSALS = {
    "peer_unavailable": _l("The other network did not answer in time; nothing was paid."),
    "insufficient_credit": _l("The payment would take an account on its way below its limit."),
    "over_debit_limit": _l("The payment would take an account on its way above its debit limit."),
    "no_route": _l("No account on another installation has that address."),
    "validation_failed": _l("The other network refused the payment; nothing was paid."),
}


def api_error(answer: client.Answer | None) -> dict:
    """A peer's refusal in the API's words, for the payer (stored on the row, answered now and on GET)."""
    classes = {error["class"] for error in answer.errors} if answer is not None else set()
    code = refusal_code(None if answer is None else answer.status, classes)
    return {"code": code, "message": str(REFUSALS[code])}


def refusal_code(status: int | None, classes: set[str]) -> str:
    """The REFUSALS code for a Credit Commons refusal: its status (None: no answer) and its error classes."""
    if status is None or status >= 500 or status in (401, 409):
        return "peer_unavailable"
    if "MinLimitViolation" in classes:
        return "insufficient_credit"
    if "MaxLimitViolation" in classes:
        return "over_debit_limit"
    if classes & {"PathViolation", "DoesNotExistViolation"}:
        return "no_route"
    return "validation_failed"


def _check_request(amount, description, to_address, idempotency_key) -> None:
    if not is_whole(amount):
        raise invalid("amount", _("The amount is a positive whole number of minor units."))
    if not isinstance(description, str) or len(description) > 1000:
        raise invalid("description", _("The description is text of at most 1000 characters."))
    if not isinstance(to_address, str) or not 0 < len(to_address) <= wire.MAX_ADDRESS or to_address.endswith("/"):
        raise invalid("to", _("The payee is an account's address, such as ocn/leeds/bob."))
    if idempotency_key is not None and not 1 <= len(idempotency_key) <= 200:
        raise invalid("Idempotency-Key", _("An Idempotency-Key is 1 to 200 characters."))


def _spendable(actor, account_id: int) -> Account:
    account = credit_queries.account_by_id(account_id)
    if account is None or not credit_queries.can_see_account(actor, account):
        raise NotFound(_("No such account."))
    if not credit_queries.controls_account(actor, account):
        raise Forbidden(_("Only the account's holder may spend from it."))
    if account.purpose != "member":
        raise invalid("from_account_id", _("Only a member account pays another installation."))
    return account


def _earlier_attempt(
    actor, idempotency_key: str | None, from_account_id: int, to_address: str, amount: int, description: str
) -> tuple[CCTransaction | None, tuple[str, int] | None]:
    """With an Idempotency-Key: the attempt it already made (same request), or the next attempt's key after an
    erased one (an erased uuid is burnt on every node). Conflict if the key was used for another payment."""
    if idempotency_key is None:
        return None, None
    prefix = f"{actor.id}:{idempotency_key}"
    attempt = 1
    while row := db.session.scalar(select(CCTransaction).where(CCTransaction.idempotency_key == f"{prefix}:{attempt}")):
        first_leg = row.legs[0] if row.legs else {}
        if (first_leg.get("from_account_id"), row.payee_address, row.amount, row.description) != (
            from_account_id, to_address, amount, description):  # fmt: skip
            raise Conflict(_("This Idempotency-Key was used for another payment."), code="conflict")
        if row.state != "erased":
            return row, None
        attempt += 1
    return None, (prefix, attempt)


def remote_transfer_for(actor, uuid: str) -> CCTransaction:
    """A payment the member made (or may see from its account), by uuid."""
    row = db.session.scalar(
        select(CCTransaction).where(CCTransaction.uuid == uuid, CCTransaction.upstream_link_id.is_(None))
    )
    if row is None or not row.legs:
        raise NotFound(_("No such payment."))
    payer = credit_queries.account_by_id(row.legs[0]["from_account_id"])
    if row.actor_id != actor.id and not credit_queries.can_see_account(actor, payer):
        raise NotFound(_("No such payment."))
    return row
