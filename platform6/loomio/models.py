"""What an import brought in: one row per Loomio record, so that a second run imports nothing twice."""

from datetime import datetime

from sqlalchemy import BigInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import utcnow


class ImportRecord(db.Model):
    """A Loomio record (its table and id in the source database) and the row it became here."""

    __tablename__ = "loomio_import_records"
    __table_args__ = (UniqueConstraint("source_table", "source_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the Loomio table the record came from ("groups", "comments", "stances"...)
    source_table: Mapped[str] = mapped_column(String(40))
    #: the record's primary key in the Loomio database (large and global there)
    source_id: Mapped[int] = mapped_column(BigInteger)
    #: the table of the row it became here ("polls" for an outcome, "vote_revisions" for a replaced stance...)
    local_table: Mapped[str] = mapped_column(String(40))
    local_id: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
