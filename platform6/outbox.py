"""Side effects (socket emits, emails) queued by services and sent only once the transaction commits."""

from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session

from .extensions import db

_KEY = "platform6_after_commit"


def after_commit(callback: Callable[[], None]) -> None:
    """Run `callback` after the current transaction commits; drop it if it rolls back."""
    db.session.info.setdefault(_KEY, []).append(callback)


@event.listens_for(Session, "after_commit")
def _run_callbacks(session: Session) -> None:
    callbacks = session.info.pop(_KEY, [])
    for callback in callbacks:
        callback()


@event.listens_for(Session, "after_soft_rollback")
def _drop_callbacks(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_KEY, None)
