"""Discussions (threads), comments with replies, reactions, edit history, read state and thread guests."""

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..errors import Conflict
from ..extensions import db
from ..limits import TITLE_MAX
from ..timeutil import utcnow

BODY_MAX = 20000
LABEL_MAX = 40

#: which labels a thread carries (a label belongs to the thread's group)
discussion_label_links = db.Table(
    "discussion_label_links",
    db.Column("discussion_id", ForeignKey("discussions.id", ondelete="CASCADE"), primary_key=True),
    db.Column("label_id", ForeignKey("discussion_labels.id", ondelete="CASCADE"), primary_key=True, index=True),
)


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
    #: loaded with one query per listing (queries.discussions_select), else when first read
    labels = relationship(
        "DiscussionLabel", secondary=discussion_label_links, order_by="DiscussionLabel.name", lazy="select"
    )

    @property
    def closed(self) -> bool:
        return self.closed_at is not None

    def close(self, now: datetime) -> None:
        if self.closed_at is not None:
            raise Conflict(_("The thread is already closed."), code="discussion_closed")
        self.closed_at = now

    def reopen(self) -> None:
        if self.closed_at is None:
            raise Conflict(_("The thread is open already."))
        self.closed_at = None

    def ensure_open(self) -> None:
        if self.closed_at is not None:
            raise Conflict(_("This thread is closed to new comments."), code="discussion_closed")


class DiscussionLabel(db.Model):
    """A group's label for its threads ("budget", "garden"): a name, unique in the group, and a palette colour."""

    __tablename__ = "discussion_labels"
    __table_args__ = (UniqueConstraint("group_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(LABEL_MAX))
    #: a key of forums.labels.PALETTE ("blue"), whose colours keep white text readable
    colour: Mapped[str] = mapped_column(String(16))


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
            raise Conflict(_("The comment is already deleted."))
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


class DiscussionGuest(db.Model):
    """Someone who is not a member of the thread's group but may read and take part in this one thread
    (Loomio's thread guest): they comment, react and vote in its polls, and see nothing else of the group."""

    __tablename__ = "discussion_guests"
    __table_args__ = (UniqueConstraint("discussion_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    discussion_id: Mapped[int] = mapped_column(ForeignKey("discussions.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: who invited them (None: they left, or history did not say)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user = relationship("User", foreign_keys=[user_id], lazy="raise_on_sql")


class DigestState(db.Model):
    """When a person was last sent the daily digest (claimed with a conditional UPDATE)."""

    __tablename__ = "forum_digest_states"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    #: the end of the period the last digest covered
    sent_until: Mapped[datetime]
    #: when the next digest is due: the person's next morning in their own time zone (None: at once)
    due_at: Mapped[datetime | None] = mapped_column(index=True)


class GroupFanout(db.Model):
    """News for a whole group, written by the request as one row; the worker tells each member by their volume."""

    __tablename__ = "forum_group_fanouts"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(40))
    url: Mapped[str] = mapped_column(String(500))
    text: Mapped[str] = mapped_column(String(300))
    #: the news as a Message (platform6/i18n.py), written out in each member's language when expanded
    words: Mapped[dict | None] = mapped_column(JSON)
    #: what the email quotes (plain text)
    preview: Mapped[str] = mapped_column(Text, default="")
    #: members told another way already (mentioned), so not told twice
    except_user_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: when a worker expanded it (claimed with a conditional UPDATE in the expanding transaction)
    expanded_at: Mapped[datetime | None] = mapped_column(index=True)
