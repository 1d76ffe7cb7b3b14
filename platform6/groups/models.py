"""Groups, memberships, join requests and invitation links."""

import hashlib
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow

PRIVACIES = ("open", "closed", "secret")
#: an "observer" (added for decisions) discusses like a member but is not eligible to vote
ROLES = ("member", "admin", "observer")
#: notification volumes, quietest first (see Membership.volume)
VOLUMES = ("mute", "app", "digest", "email")


class Group(db.Model):
    __tablename__ = "groups"
    __table_args__ = (CheckConstraint("privacy IN ('open', 'closed', 'secret')", name="privacy"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: lower-cased, unique; used in URLs
    handle: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    #: `description` rendered by markup.render_markdown when written
    description_html: Mapped[str] = mapped_column(Text, default="")
    #: where the group works ("Bologna", "Huddersfield and online"), free text that Explore searches
    place: Mapped[str] = mapped_column(String(100), default="", server_default="")
    privacy: Mapped[str] = mapped_column(String(10), default="closed")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id"), index=True)
    #: kept in step by the membership service, so listings never count rows
    members_count: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Loomio's group permissions that apply: what plain members may do besides admins
    members_can_start_discussions: Mapped[bool] = mapped_column(default=True)
    members_can_raise_polls: Mapped[bool] = mapped_column(default=True)
    members_can_add_members: Mapped[bool] = mapped_column(default=False)
    members_can_create_subgroups: Mapped[bool] = mapped_column(default=False)

    parent = relationship("Group", remote_side=[id], lazy="raise_on_sql")


class Membership(db.Model):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("group_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(10), default="member")
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    inviter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Loomio's notification volume for this group: mute, app (in-app only), digest (plus a daily email), email
    volume: Mapped[str] = mapped_column(String(10), default="email", server_default="email")

    group = relationship(Group, lazy="raise_on_sql")
    user = relationship("User", foreign_keys=[user_id], back_populates="memberships", lazy="raise_on_sql")

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


class JoinRequest(db.Model):
    """A request to join a closed group, decided by its admins."""

    __tablename__ = "join_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    introduction: Mapped[str] = mapped_column(Text, default="")
    #: pending, approved, declined or withdrawn
    state: Mapped[str] = mapped_column(String(10), default="pending")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]

    group = relationship(Group, lazy="raise_on_sql")
    user = relationship("User", foreign_keys=[user_id], lazy="raise_on_sql")


class Invitation(db.Model):
    """A shareable link that lets whoever holds it join the group, until it expires or is revoked."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    #: sha256 of the link's token
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    uses_count: Mapped[int] = mapped_column(default=0)

    group = relationship(Group, lazy="raise_on_sql")

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    def usable(self, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now


class GroupFollow(db.Model):
    """Someone who follows an open group's public news (new threads, decisions, requests) without joining."""

    __tablename__ = "group_follows"
    __table_args__ = (UniqueConstraint("group_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
