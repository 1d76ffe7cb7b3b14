"""In-app notifications."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import utcnow


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_id_read_id", "user_id", "read", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    #: mention, reply, discussion_created, poll_created, payment_received, ... (API.md)
    kind: Mapped[str] = mapped_column(String(40))
    #: the page the notification points to, relative to the site
    url: Mapped[str] = mapped_column(String(500))
    #: one line for a person, already plain text
    text: Mapped[str] = mapped_column(String(300), default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    read: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class EmailContent(db.Model):
    """What one email says, shared by every recipient of the same event (a group of 10,000 stores it once)."""

    __tablename__ = "outbox_contents"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OutboxEmail(db.Model):
    """One email to one address, written in the transaction of the change that causes it and sent by the worker.

    pending -> sent, or -> failed after MAIL_MAX_ATTEMPTS (a site admin may put it back to pending).
    """

    __tablename__ = "outbox_emails"
    __table_args__ = (Index("ix_outbox_emails_status_next_attempt_at_id", "status", "next_attempt_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    content_id: Mapped[int] = mapped_column(ForeignKey("outbox_contents.id", ondelete="CASCADE"), index=True)
    #: the member it is for (their one-click unsubscribe link is signed for them); None for a bare address
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    to_address: Mapped[str] = mapped_column(String(320))
    #: the group whose volume the one-click unsubscribe turns down; None: every group the member reads by digest
    unsubscribe_group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    #: pending, sent or failed
    status: Mapped[str] = mapped_column(String(10), default="pending")
    #: times the server refused it for now (4xx); a server that is down or unreachable counts against no email
    attempts: Mapped[int] = mapped_column(default=0)
    #: not tried again before this moment (the back-off)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: a worker holds the row until then (a worker killed mid-batch lets go when this passes)
    claimed_until: Mapped[datetime | None]
    #: which worker holds it (random per batch), so a worker only marks what it holds
    claimed_by: Mapped[str | None] = mapped_column(String(32))
    last_error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
