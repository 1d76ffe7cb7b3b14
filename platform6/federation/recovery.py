"""Finishing what a crash, a timeout or a silent neighbour left (FEDERATION.md §3.4), run by the federation job and
`flask federation run-jobs --once`: R1 erases a validated transaction past its window (asking its upstream first
when it can be asked), R2 asks the downstream what became of a completing one (Komunitin by the hash probe of §4),
pending rows send our payee's signature, and queued aborts tell a downstream what was erased here. Each row is
handled in units of work of its own, the calls to peers between them, as in transactions.py."""

import logging
from dataclasses import replace

from sqlalchemy import select

from ..extensions import db
from ..timeutil import utcnow
from ..transaction import unit_of_work
from . import client, wire
from .models import CCTransaction, Link
from .transactions import (
    api_error,
    call_peer,
    check_later,
    commits_on_relay,
    complete_downstream,
    erase,
    head_after,
    peer_of,
    post_row,
    sign_pending,
)

log = logging.getLogger(__name__)

#: the profiles whose nodes answer GET transaction/{uuid} (Komunitin keeps no status route)
STATUS_PROFILES = ("p6", "cc-0.9", "cc-0.8")


def run_jobs() -> dict[str, int]:
    """R1, R2, our signatures and the queued aborts, each row in units of work of its own; how many rows each saw."""
    return {"expired": expire_validated(), "checked": check_completing(), "signed": sign_pendings(),
            "aborted": send_aborts()}  # fmt: skip


def _due(*criteria) -> list[int]:
    with unit_of_work(write=False):
        return list(db.session.scalars(select(CCTransaction.id).where(*criteria).order_by(CCTransaction.id)))


def expire_validated() -> int:
    """R1: a validated row past its deadline never got C, and we never forwarded one, so it may be erased (holds
    released, the downstream told). An upstream that can be asked is asked once first: completing or completed there
    → keep waiting, the C will come; erased, unknown, still validated after our window, or no answer → erase."""
    now = utcnow()
    waited = (CCTransaction.next_check_at.is_(None)) | (CCTransaction.next_check_at <= now)
    due = _due(CCTransaction.state == "validated", CCTransaction.version == 0, CCTransaction.deadline < now, waited)
    for row_id in due:
        with unit_of_work():
            row = db.session.get(CCTransaction, row_id)
            upstream = db.session.get(Link, row.upstream_link_id) if row.upstream_link_id else None
            peer = peer_of(upstream) if upstream is not None and upstream.profile in STATUS_PROFILES else None
            uuid = row.uuid
        answer = call_peer(peer, "GET", f"transaction/{uuid}") if peer is not None else None
        with unit_of_work():
            row = db.session.get(CCTransaction, row_id)
            if _their_state(answer) in ("completing", "completed"):
                check_later(row)
            else:
                erase(row, abort=True, error=api_error(None) if row.upstream_link_id is None else None)
    return len(due)


def check_completing() -> int:
    """R2: a completing row is never erased on a timer: ask the downstream what became of it."""
    due = _due(CCTransaction.state == "completing", CCTransaction.next_check_at <= utcnow())
    for row_id in due:
        with unit_of_work():
            row = db.session.get(CCTransaction, row_id)
            link = db.session.get(Link, row.downstream_link_id)
            peer, uuid, past_window = peer_of(link), row.uuid, utcnow() > row.deadline
            probe = replace(peer, head=head_after(row, link, "validated")) if commits_on_relay(link) else None
        if probe is not None:
            _probe_komunitin(row_id, peer, probe)
            continue
        answer = call_peer(peer, "GET", f"transaction/{uuid}")
        their_state = _their_state(answer)
        if their_state in ("validated", "completing"):  # C never arrived there, or they wait on their downstream
            complete_downstream(row_id)
            continue
        with unit_of_work():
            row = db.session.get(CCTransaction, row_id)
            if their_state == "completed":
                post_row(row, ("completing",))
            elif their_state == "erased" or (answer is not None and answer.status == 404 and past_window):
                erase(row, abort=False, error=api_error(None) if row.upstream_link_id is None else None)
            else:
                check_later(row)
    return len(due)


def _probe_komunitin(row_id: int, peer: client.Peer, probe: client.Peer) -> None:
    """The hash probe (§4): Komunitin moves its head only when it commits a relay, and keeps no status to ask. It
    takes H′ (the head after this transaction): it committed, so post. It takes only our old head: it did not, so
    resend the relay with the same uuid (a refusal then erases). Neither: the heads diverged; keep holding, alert."""
    committed = call_peer(probe, "GET", "")
    if committed is not None and committed.ok:
        with unit_of_work():
            post_row(db.session.get(CCTransaction, row_id), ("completing",))
        return
    not_committed = call_peer(peer, "GET", "") if committed is not None and committed.status == 401 else None
    if not_committed is not None and not_committed.ok:
        complete_downstream(row_id)
        return
    refused_both = not_committed is not None and not_committed.status == 401
    with unit_of_work():
        # silent or failing: ask again later; refusing both heads: only the admins can settle it
        check_later(db.session.get(CCTransaction, row_id), diverged=refused_both)


def sign_pendings() -> int:
    """Rows pending on our payee's signature (P): send it, C toward the payer (transactions.sign_pending)."""
    due = _due(CCTransaction.state == "validated", CCTransaction.version == 1, CCTransaction.next_check_at <= utcnow())
    for row_id in due:
        sign_pending(row_id)
    return len(due)


def _their_state(answer: client.Answer | None) -> str | None:
    """What a neighbour's GET transaction/{uuid} says: validated, completing (a P6 peer that forwarded C),
    completed or erased; None if it did not say."""
    data = answer.payload.get("data") if answer is not None and answer.ok and isinstance(answer.payload, dict) else None
    if not isinstance(data, dict):
        return None
    if data.get("p6_state") == "completing":
        return "completing"
    try:
        state = wire.from_wire(data.get("state"))
    except ValueError:
        return None
    return "erased" if state in wire.ERASED_STATES else state


def send_aborts() -> int:
    """Tell a downstream that a transaction it validated is erased here (PATCH .../E, or null to 0.8 nodes). Not
    Komunitin: it validated nothing (it is relayed only with C) and has no PATCH, so asking would never end."""
    due = _due(CCTransaction.state == "erased", CCTransaction.next_check_at <= utcnow())
    for row_id in due:
        with unit_of_work():
            row = db.session.get(CCTransaction, row_id)
            link = db.session.get(Link, row.downstream_link_id)
            if commits_on_relay(link):
                row.next_check_at = None
                continue
            dest = "null" if link.profile == "cc-0.8" else wire.to_wire("erased", link.profile)
            peer, path = peer_of(link), f"transaction/{row.uuid}/{dest}"
        answer = call_peer(peer, "PATCH", path)
        with unit_of_work():
            row = db.session.get(CCTransaction, row_id)
            if answer is not None and (answer.ok or answer.status in (400, 404)):
                row.next_check_at = None
            else:
                check_later(row)
    return len(due)
