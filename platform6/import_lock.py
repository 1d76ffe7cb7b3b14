"""Imports (a group export, a Loomio export) run one at a time, whichever process runs them.

Why: two imports of the same file at once would both find its groups' handles free, and the second
would fail at a unique index with a message about the file (or an error page). Holding one lock from
the first write to the commit, the second waits for the first, then finds its groups: a group import
is refused by name, a Loomio import skips what is there.
"""

from sqlalchemy import text

from .database import begin_write
from .extensions import db

#: the PostgreSQL advisory lock's key ("P6import" in ASCII)
IMPORT_LOCK = 0x5036696D706F7274


def take_the_import_lock() -> None:
    """Call before an import's first write; the caller's commit or rollback releases it."""
    session = db.session()
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": IMPORT_LOCK})
        return
    # SQLite: an import is its caller's first write, so a transaction that read before another import
    # committed has only read, and may begin again holding the lock.
    begin_write(nothing_written_yet=True)
