"""The database's one write lock: `begin_write()` takes it before a write reads what it depends on.

SQLite lets one writer at a time, and a transaction that read before another writer committed may not
write at all (its snapshot is stale). So a write transaction starts with `BEGIN IMMEDIATE`, which waits
for the lock instead of failing later. PostgreSQL needs nothing here: the services lock the rows they
change (`SELECT ... FOR UPDATE` in credit, conditional UPDATEs elsewhere).

The transaction boundary (platform6/transaction.py) calls `begin_write()` for every write it opens;
services that must hold the lock whoever called them (the ledger, imports) call it too, which costs
nothing once the lock is held.
"""

from flask_babel import gettext as _
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from .errors import Conflict
from .extensions import db

_HOLDS_WRITE_LOCK = "platform6_holds_write_lock"


def begin_write(*, nothing_written_yet: bool = False) -> None:
    """SQLite: hold the write lock from here to the commit or rollback. A transaction not begun yet
    begins with BEGIN IMMEDIATE; one that has only read takes the lock with a write that changes
    nothing, which fails (Conflict) if another writer committed since its first read, unless the
    caller knows `nothing_written_yet`: then that read-only transaction is begun again, holding the lock."""
    session: Session = db.session()
    if session.info.get(_HOLDS_WRITE_LOCK) or session.get_bind().dialect.name != "sqlite":
        return
    if not session.in_transaction():
        session.connection(execution_options={"sqlite_immediate": True})
    else:
        try:
            session.execute(text("UPDATE users SET id = id WHERE 0 = 1"))
        except OperationalError:
            if nothing_written_yet:
                session.rollback()
                session.connection(execution_options={"sqlite_immediate": True})
                session.info[_HOLDS_WRITE_LOCK] = True
                return
            raise Conflict(_("The database was busy with another change; try again."), code="conflict") from None
    session.info[_HOLDS_WRITE_LOCK] = True


@event.listens_for(Session, "after_transaction_end")
def _release_write_lock(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_HOLDS_WRITE_LOCK, None)
