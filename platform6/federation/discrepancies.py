"""Payments a commit-on-relay peer booked that ended erased here (FEDERATION.md §3.3, "Komunitin as originator").

Komunitin writes a transfer before relaying it, so when we (or a node after us) refuse it, its payer stays debited
and the two ledgers disagree. We cannot undo its side; we record the payment once per uuid, tell the network's
admins, and `flask credit verify` reports it until one of them marks it resolved with what was agreed with the peer.

A peer holding the link's head could send refused relays on purpose: each costs it a booked payment, the per-peer
rate limit bounds how many, a uuid is recorded once, and the admins are told only of the first unresolved one on a
link (the page lists the rest), so a flood fills no inboxes.
"""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError

from ..credit import queries as credit_queries
from ..errors import Conflict, NotFound, invalid
from ..extensions import db
from ..formatting import money
from ..timeutil import utcnow
from . import alerts, grafting
from .models import Link, PeerDiscrepancy

#: why the payment ended erased here, by the API refusal code stored on the erased row (transactions.REFUSALS),
#: and `unfinished` for a row erased by recovery with no refusal (no C came, or the next node erased it)
REASONS = {
    "no_route": _l("no account has that address"),
    "insufficient_credit": _l("an account's limit"),
    "over_debit_limit": _l("an account's debit limit"),
    "validation_failed": _l("refused here or by the next node"),
    "peer_unavailable": _l("the next node did not answer"),
    "unfinished": _l("the next node never completed it"),
}
NOTE_LENGTH = 2000


def record(*, link: Link, uuid: str, amount: int, reason: str, payer: str, payee: str) -> None:
    """Write the discrepancy unless the uuid already has one on the link (a replayed relay writes nothing), and tell
    the network's admins if it is the link's only unresolved one. Flushes; the caller's unit of work commits it with
    the erasure (or the refusal) that caused it."""
    if reason not in REASONS:
        reason = "validation_failed"
    if db.session.scalar(select(exists().where(PeerDiscrepancy.link_id == link.id, PeerDiscrepancy.uuid == uuid))):
        return
    first_unresolved = not _unresolved_on(link.id)
    found = PeerDiscrepancy(link_id=link.id, network_id=link.network_id, uuid=uuid, amount=amount,
                            direction="incoming", reason=reason, payer_address=payer[:300],
                            payee_address=payee[:300])  # fmt: skip
    try:
        with db.session.begin_nested():  # a concurrent replay wrote it first: that one stands
            db.session.add(found)
    except IntegrityError:
        return
    if first_unresolved:
        network = credit_queries.network_by_id(link.network_id)
        alerts.peer_discrepancy(found, link, amount=lambda: amount_text(found, link, network), reason=REASONS[reason])


def _unresolved_on(link_id: int) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(PeerDiscrepancy)
        .where(PeerDiscrepancy.link_id == link_id, PeerDiscrepancy.resolved_at.is_(None))
    )


def listed_select(network, *, resolved: bool | None):
    """A network's discrepancies for its admins (the caller checks who asks): unresolved, resolved or all (None)."""
    stmt = select(PeerDiscrepancy).where(PeerDiscrepancy.network_id == network.id)
    if resolved is not None:
        done = PeerDiscrepancy.resolved_at.is_not(None)
        stmt = stmt.where(done if resolved else ~done)
    return stmt


def unresolved(network) -> list[PeerDiscrepancy]:
    return list(db.session.scalars(listed_select(network, resolved=False).order_by(PeerDiscrepancy.id)))


def resolve(*, actor, network, discrepancy_id: int, note: str) -> PeerDiscrepancy:
    """An admin of the network marks the discrepancy settled, saying how (members: 403, strangers: 404)."""
    grafting.ensure_network_admin(actor, network)
    found = db.session.get(PeerDiscrepancy, discrepancy_id)
    if found is None or found.network_id != network.id:
        raise NotFound(_("No such discrepancy."))
    note = (note or "").strip()
    if not note:
        raise invalid("note", _("Say how it was settled with the other node."))
    if len(note) > NOTE_LENGTH:
        raise invalid("note", _("The note is at most %(count)s characters.", count=NOTE_LENGTH))
    if found.resolved_at is not None:
        raise Conflict(_("This discrepancy was resolved already."), code="already_resolved")
    found.resolved_at, found.resolved_by_id, found.note = utcnow(), actor.id, note
    db.session.flush()
    return found


def amount_text(found: PeerDiscrepancy, link: Link, network) -> str:
    """The amount as the peer booked it: in the trunk's units, our currency when we are the trunk."""
    symbol = network.currency_symbol if link.direction == "leafward" else ""
    return money(found.amount, link.quant_decimals, symbol)


def problems() -> list[str]:
    """`flask credit verify`: each unresolved discrepancy is a violation until an admin resolves it."""
    rows = db.session.execute(
        select(PeerDiscrepancy, Link)
        .join(Link, Link.id == PeerDiscrepancy.link_id)
        .where(PeerDiscrepancy.resolved_at.is_(None))
        .order_by(PeerDiscrepancy.id)
    )
    return [
        f"link {link.id} ({link.peer_name}): unresolved discrepancy {found.uuid}: the peer booked {found.amount} "
        f"(trunk units) from {found.payer_address} to {found.payee_address}, erased here ({found.reason})"
        for found, link in rows
    ]
