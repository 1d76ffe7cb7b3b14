"""Finishing what a crash, a timeout or a silent neighbour left (FEDERATION.md §3.4), run by the federation job and
`flask federation run-jobs --once`: R1 erases a validated transaction past its window, R2 asks the downstream what
became of a completing one, and queued aborts tell a downstream what was erased here. Each row is handled in units
of work of its own, the calls to peers between them, as in transactions.py."""

import logging

from sqlalchemy import select

from ..extensions import db
from ..timeutil import utcnow
from ..transaction import unit_of_work
from . import wire
from .models import CCTransaction, Link
from .transactions import (
    api_error,
    call_peer,
    check_later,
    commits_on_relay,
    complete_downstream,
    erase,
    peer_of,
    post_row,
)

log = logging.getLogger(__name__)


def run_jobs() -> dict[str, int]:
    """R1, R2 and the queued aborts, each row in units of work of its own; how many rows each looked at."""
    return {"expired": expire_validated(), "checked": check_completing(), "aborted": send_aborts()}


def _due(*criteria) -> list[int]:
    with unit_of_work(write=False):
        return list(db.session.scalars(select(CCTransaction.id).where(*criteria).order_by(CCTransaction.id)))


def expire_validated() -> int:
    """R1: a validated row past its deadline never got C (we never forwarded one): erase it, tell the downstream."""
    due = _due(CCTransaction.state == "validated", CCTransaction.deadline < utcnow())
    for row_id in due:
        with unit_of_work():
            row = db.session.get(CCTransaction, row_id)
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
            if commits_on_relay(link):
                # it may have committed with its answer lost, and keeps no status to ask: only the hash probe
                # (FEDERATION.md §4, not built yet) or its admins can tell, so keep holding and say so
                log.error("federation: %s waits for Komunitin node %s to be asked by hand", uuid, link.peer_name)
                check_later(row)
                continue
        answer = call_peer(peer, "GET", f"transaction/{uuid}")
        data = (
            answer.payload.get("data")
            if answer is not None and answer.ok and isinstance(answer.payload, dict)
            else None
        )
        their_state = _their_state(data)
        if their_state == "validated":  # C never arrived there, or they are waiting on their own downstream
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


def _their_state(data) -> str | None:
    if not isinstance(data, dict):
        return None
    try:
        state = wire.from_wire(data.get("state"))
    except ValueError:
        return None
    return "erased" if state in wire.ERASED_STATES else state


def send_aborts() -> int:
    """Tell a downstream that a transaction it validated is erased here (PATCH .../E, or null to 0.8 nodes)."""
    due = _due(CCTransaction.state == "erased", CCTransaction.next_check_at <= utcnow())
    for row_id in due:
        with unit_of_work():
            row = db.session.get(CCTransaction, row_id)
            link = db.session.get(Link, row.downstream_link_id)
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
