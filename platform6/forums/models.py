"""Discussions (threads), comments with replies, reactions, edit history, read state and the search index."""

from datetime import datetime

from sqlalchemy import DDL, ForeignKey, Index, String, Text, UniqueConstraint, event
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..errors import Conflict
from ..extensions import db
from ..limits import TITLE_MAX
from ..timeutil import utcnow

BODY_MAX = 20000


class Discussion(db.Model):
    __tablename__ = "discussions"
    __table_args__ = (
        Index("ix_discussions_group_id_pinned_last_activity_at", "group_id", "pinned", "last_activity_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    #: Markdown "context" of the thread
    description: Mapped[str] = mapped_column(Text, default="")
    #: `description` rendered by markup.render_markdown when written
    description_html: Mapped[str] = mapped_column(Text, default="")
    pinned: Mapped[bool] = mapped_column(default=False)
    #: set while the thread is closed to new comments
    closed_at: Mapped[datetime | None]
    #: comments not deleted, kept in step by the service so listings never count rows
    comments_count: Mapped[int] = mapped_column(default=0)
    #: the highest `Comment.position` handed out; unread = this minus a reader's last read position
    last_position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: when the thread was started, last commented on, or its context edited
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None]

    group = relationship("Group", lazy="raise_on_sql")
    author = relationship("User", lazy="raise_on_sql")

    @property
    def closed(self) -> bool:
        return self.closed_at is not None

    def close(self, now: datetime) -> None:
        if self.closed_at is not None:
            raise Conflict("The thread is already closed.", code="discussion_closed")
        self.closed_at = now

    def reopen(self) -> None:
        if self.closed_at is None:
            raise Conflict("The thread is open already.")
        self.closed_at = None

    def ensure_open(self) -> None:
        if self.closed_at is not None:
            raise Conflict("This thread is closed to new comments.", code="discussion_closed")


class Comment(db.Model):
    __tablename__ = "comments"
    __table_args__ = (UniqueConstraint("discussion_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    discussion_id: Mapped[int] = mapped_column(ForeignKey("discussions.id", ondelete="CASCADE"))
    #: the comment this one replies to (same thread), or None for a top-level comment
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text, default="")
    #: `body` rendered by markup.render_markdown when written; empty once deleted
    body_html: Mapped[str] = mapped_column(Text, default="")
    #: 1, 2, 3... in the order comments were posted in their thread (for unread tracking)
    position: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None]
    #: set when deleted: the row stays (body emptied) so replies keep their place
    deleted_at: Mapped[datetime | None]

    discussion = relationship(Discussion, lazy="raise_on_sql")
    author = relationship("User", lazy="raise_on_sql")

    @property
    def deleted(self) -> bool:
        return self.deleted_at is not None

    def mark_deleted(self, now: datetime) -> None:
        if self.deleted_at is not None:
            raise Conflict("The comment is already deleted.")
        self.deleted_at = now
        self.body = ""
        self.body_html = ""


class CommentVersion(db.Model):
    """A comment's earlier text, kept when it is edited (the edit history)."""

    __tablename__ = "comment_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    #: when this text was first shown (the comment's creation or an earlier edit)
    written_at: Mapped[datetime]
    #: when it was replaced by the next version
    replaced_at: Mapped[datetime] = mapped_column(default=utcnow)


class Reaction(db.Model):
    __tablename__ = "comment_reactions"
    __table_args__ = (UniqueConstraint("comment_id", "user_id", "emoji"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    emoji: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DiscussionReader(db.Model):
    """How far one member has read one thread."""

    __tablename__ = "discussion_readers"
    __table_args__ = (UniqueConstraint("discussion_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    discussion_id: Mapped[int] = mapped_column(ForeignKey("discussions.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: the highest comment position this member has seen
    last_read_position: Mapped[int] = mapped_column(default=0)
    last_read_at: Mapped[datetime] = mapped_column(default=utcnow)


class DigestState(db.Model):
    """When a person was last sent the daily digest (claimed with a conditional UPDATE)."""

    __tablename__ = "forum_digest_states"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    #: the end of the period the last digest covered
    sent_until: Mapped[datetime]


class SearchDocument(db.Model):
    """One searchable thing (a discussion, a comment, or another feature's kind) and the group that owns it.

    SQLite indexes `title` and `body` in the FTS5 table `search_fts` (kept in step by triggers);
    PostgreSQL keeps `search_vector` (GIN-indexed) in step on every write.
    """

    __tablename__ = "search_documents"
    __table_args__ = (
        UniqueConstraint("kind", "ref_id"),
        Index("ix_search_documents_search_vector", "search_vector", postgresql_using="gin"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: "discussion", "comment", or a kind another feature registered ("poll", "request")
    kind: Mapped[str] = mapped_column(String(20))
    #: the id of the thing in its own table
    ref_id: Mapped[int]
    #: visibility follows this group (open: everyone; closed or secret: members); None: public
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300), default="")
    #: the page the hit opens, relative to the site
    url: Mapped[str] = mapped_column(String(500), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: PostgreSQL only: to_tsvector of title and body (NULL on SQLite, which uses FTS5)
    search_vector: Mapped[str | None] = mapped_column(TSVECTOR().with_variant(Text(), "sqlite"))


# The full-text machinery each database keeps beside `search_documents`, created with the table
# (tests' create_all) and by migration 0003. Triggers keep it in step on every write.
SQLITE_SEARCH_DDL = (
    "CREATE VIRTUAL TABLE search_fts USING fts5(title, body, content='search_documents', content_rowid='id', "
    "tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER search_documents_ai AFTER INSERT ON search_documents BEGIN "
    "INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
    "CREATE TRIGGER search_documents_ad AFTER DELETE ON search_documents BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body); END",
    "CREATE TRIGGER search_documents_au AFTER UPDATE OF title, body ON search_documents BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body); "
    "INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
)
SQLITE_SEARCH_DROP = (
    "DROP TRIGGER IF EXISTS search_documents_ai",
    "DROP TRIGGER IF EXISTS search_documents_ad",
    "DROP TRIGGER IF EXISTS search_documents_au",
    "DROP TABLE IF EXISTS search_fts",
)
POSTGRES_SEARCH_DDL = (
    "CREATE TRIGGER search_documents_vector BEFORE INSERT OR UPDATE OF title, body ON search_documents "
    "FOR EACH ROW EXECUTE FUNCTION tsvector_update_trigger(search_vector, 'pg_catalog.english', title, body)",
)
POSTGRES_SEARCH_DROP = ("DROP TRIGGER IF EXISTS search_documents_vector ON search_documents",)
#: tables the database makes for full-text search that the models do not describe (migration checks skip them)
UNMODELLED_TABLES = ("search_fts", "search_fts_data", "search_fts_idx", "search_fts_docsize", "search_fts_config")
db.metadata.info.setdefault("unmodelled_tables", set()).update(UNMODELLED_TABLES)


def _ddl(statements, dialect):
    return [DDL(sql).execute_if(dialect=dialect) for sql in statements]


for _stmt in _ddl(SQLITE_SEARCH_DDL, "sqlite") + _ddl(POSTGRES_SEARCH_DDL, "postgresql"):
    event.listen(SearchDocument.__table__, "after_create", _stmt)
for _stmt in _ddl(SQLITE_SEARCH_DROP, "sqlite") + _ddl(POSTGRES_SEARCH_DROP, "postgresql"):
    event.listen(SearchDocument.__table__, "before_drop", _stmt)
