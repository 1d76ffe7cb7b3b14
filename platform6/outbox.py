"""Side effects (socket emits, emails) queued by services and sent only once the transaction commits."""

from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session

from .extensions import db

_KEY = "platform6_after_commit"


def after_commit(callback: Callable[[], None], *, first: bool = False) -> None:
    """Run `callback` after the current transaction commits; drop it if it rolls back. `first` runs it
    before the callbacks queued so far (taking sockets out of rooms before anything is emitted to them)."""
    callbacks = db.session.info.setdefault(_KEY, [])
    callbacks.insert(0 if first else len(callbacks), callback)


@event.listens_for(Session, "after_commit")
def _run_callbacks(session: Session) -> None:
    callbacks = session.info.pop(_KEY, [])
    for callback in callbacks:
        callback()


@event.listens_for(Session, "after_soft_rollback")
def _drop_callbacks(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_KEY, None)
