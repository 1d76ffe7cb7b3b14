"""What an import brought in: one row per Loomio record, so that a second run imports nothing twice.

Records are kept per source (one Loomio group on one Loomio instance): a file is matched only with
what earlier files of its own source brought, so another file naming the same Loomio ids creates
records of its own and can never reach the first one's groups, threads or votes.
"""

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import utcnow


class ImportSource(db.Model):
    """A Loomio group export's origin: its top group's Loomio id and key.

    Loomio's ids are per instance, but a group's key is a random token, so id and key together
    name one group on one instance. The rows imported before sources existed belong to the one
    source without a group id or key (the legacy source), which no file matches.
    """

    __tablename__ = "loomio_import_sources"
    __table_args__ = (UniqueConstraint("loomio_group_id", "loomio_group_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    loomio_group_id: Mapped[int | None] = mapped_column(BigInteger)
    loomio_group_key: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ImportRecord(db.Model):
    """A Loomio record (its source, table and id in the source database) and the row it became here."""

    __tablename__ = "loomio_import_records"
    __table_args__ = (UniqueConstraint("import_source_id", "source_table", "source_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    import_source_id: Mapped[int] = mapped_column(ForeignKey("loomio_import_sources.id"))
    #: the Loomio table the record came from ("groups", "comments", "stances"...)
    source_table: Mapped[str] = mapped_column(String(40))
    #: the record's primary key in the Loomio database (large and global there)
    source_id: Mapped[int] = mapped_column(BigInteger)
    #: the table of the row it became here ("polls" for an outcome, "vote_revisions" for a replaced stance...)
    local_table: Mapped[str] = mapped_column(String(40))
    local_id: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
