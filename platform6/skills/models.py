"""Skills board tables: skills, profiles, requests (gigs), applications, completions, saved searches."""

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..errors import Conflict
from ..extensions import db
from ..timeutil import utcnow

REQUEST_STATES = ("open", "assigned", "completed", "cancelled")
APPLICATION_STATES = ("pending", "accepted", "declined", "withdrawn")


class Skill(db.Model):
    """A skill name people hold or requests ask for: a taxonomy skill, or a normalised free entry."""

    __tablename__ = "skills"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: taxonomy.key_of(name): lower case, single spaces, synonyms and plurals folded; what matching compares
    key: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    #: the taxonomy category, or None for a free entry
    category: Mapped[str | None] = mapped_column(String(60))
    #: profiles holding it, kept in step by the profile service
    members_count: Mapped[int] = mapped_column(default=0)


class Profile(db.Model):
    """A member's skill profile (one per user, made on first save)."""

    __tablename__ = "skill_profiles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    bio: Mapped[str] = mapped_column(Text, default="")
    location: Mapped[str] = mapped_column(String(100), default="")
    remote_ok: Mapped[bool] = mapped_column(default=True)
    availability_hours_per_week: Mapped[int | None]
    #: language codes, comma separated ("en,it")
    languages: Mapped[str] = mapped_column(String(200), default="")
    interests: Mapped[str] = mapped_column(Text, default="")
    #: shown to anyone signed in (and in the directory), not only to members of a shared group
    public: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    user = relationship("User", lazy="raise_on_sql")

    @property
    def language_list(self) -> list[str]:
        return [code for code in self.languages.split(",") if code]


class ProfileSkill(db.Model):
    __tablename__ = "profile_skills"
    __table_args__ = (
        CheckConstraint("level BETWEEN 1 AND 5", name="level"),
        Index("ix_profile_skills_skill_id_level", "skill_id", "level"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id", ondelete="CASCADE"), primary_key=True)
    level: Mapped[int]
    #: position in the member's list, so it reads back in the order they gave
    position: Mapped[int] = mapped_column(default=0)

    skill = relationship(Skill, lazy="raise_on_sql")


class GroupSkillSettings(db.Model):
    """Per-group settings of the skills board (a group without a row has the defaults)."""

    __tablename__ = "skill_group_settings"

    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True)
    #: plain members may post requests (admins always may)
    members_can_post_requests: Mapped[bool] = mapped_column(default=True)


class SkillRequest(db.Model):
    """A gig a group posts: skills wanted, hours, deadline, an optional credit reward."""

    __tablename__ = "skill_requests"
    __table_args__ = (
        CheckConstraint("state IN ('open', 'assigned', 'completed', 'cancelled')", name="state"),
        Index("ix_skill_requests_state_group_id", "state", "group_id"),
        Index("ix_skill_requests_state_expires_at", "state", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    hours_estimate: Mapped[int | None]
    deadline: Mapped[datetime | None]
    location: Mapped[str] = mapped_column(String(100), default="")
    remote_ok: Mapped[bool] = mapped_column(default=True)
    #: language codes, comma separated
    languages: Mapped[str] = mapped_column(String(200), default="")
    #: the group's own credit account paying the reward, as whoever completes the request (if they control it then)
    reward_account_id: Mapped[int | None] = mapped_column(ForeignKey("credit_accounts.id"))
    #: the reward's total in the account's minor units, split among volunteers by hours
    reward_amount: Mapped[int | None]
    volunteers_needed: Mapped[int] = mapped_column(default=1)
    #: applications accepted and still standing, kept in step by the service
    accepted_count: Mapped[int] = mapped_column(default=0)
    state: Mapped[str] = mapped_column(String(10), default="open")
    #: why a cancelled request closed: "cancelled" by the group or "expired"
    closed_reason: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: the deadline, or created_at + 60 days: when an open request expires
    expires_at: Mapped[datetime]
    #: set when the "expires in 5 days" reminder was claimed and sent
    expiry_reminded_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]

    group = relationship("Group", lazy="raise_on_sql")
    author = relationship("User", lazy="raise_on_sql")
    skills = relationship(
        "RequestSkill", lazy="raise_on_sql", order_by="RequestSkill.position", cascade="all, delete-orphan"
    )

    @property
    def language_list(self) -> list[str]:
        return [code for code in self.languages.split(",") if code]

    @property
    def is_live(self) -> bool:
        return self.state in ("open", "assigned")

    def refresh_assignment(self) -> None:
        """open <-> assigned as accepted volunteers reach or drop below the number needed."""
        if self.state == "open" and self.accepted_count >= self.volunteers_needed:
            self.state = "assigned"
        elif self.state == "assigned" and self.accepted_count < self.volunteers_needed:
            self.state = "open"

    def cancel(self, reason: str = "cancelled") -> None:
        if not self.is_live:
            raise Conflict(_("This request is %(state)s already.", state=self.state), code="conflict")
        self.state, self.closed_reason = "cancelled", reason


class RequestSkill(db.Model):
    __tablename__ = "request_skills"
    __table_args__ = (
        CheckConstraint("level BETWEEN 1 AND 5", name="level"),
        Index("ix_request_skills_skill_id", "skill_id"),
    )

    request_id: Mapped[int] = mapped_column(ForeignKey("skill_requests.id", ondelete="CASCADE"), primary_key=True)
    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id", ondelete="CASCADE"), primary_key=True)
    level: Mapped[int]
    required: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)

    skill = relationship(Skill, lazy="joined")


class Application(db.Model):
    """A volunteer's application to a request: pending, then accepted or declined (or withdrawn)."""

    __tablename__ = "skill_applications"
    __table_args__ = (
        UniqueConstraint("request_id", "user_id"),
        CheckConstraint("state IN ('pending', 'accepted', 'declined', 'withdrawn')", name="state"),
        Index("ix_skill_applications_state_created_at", "state", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("skill_requests.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    message: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(10), default="pending")
    #: the group invited this person to apply before they did
    invited: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: unanswered-application reminders sent to the group: 0, 1 (after 2 days) or 2 (after 7 days)
    reminders_sent: Mapped[int] = mapped_column(default=0)

    request = relationship(SkillRequest, lazy="raise_on_sql")
    user = relationship("User", foreign_keys=[user_id], lazy="raise_on_sql")

    def decide(self, state: str, actor_id: int, when: datetime) -> None:
        allowed = {"accepted": ("pending", "declined"), "declined": ("pending", "accepted"), "withdrawn": ("pending",)}
        if self.state not in allowed[state]:
            raise Conflict(_("This application is %(state)s already.", state=self.state), code="conflict")
        self.state, self.decided_by_id, self.decided_at = state, actor_id, when


class Invitation(db.Model):
    """A group asked someone to apply to a request (one invitation per person and request)."""

    __tablename__ = "skill_invitations"
    __table_args__ = (UniqueConstraint("request_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("skill_requests.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    inviter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Contribution(db.Model):
    """A volunteer's part in a completed request: hours worked and the reward share paid."""

    __tablename__ = "skill_contributions"

    request_id: Mapped[int] = mapped_column(ForeignKey("skill_requests.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    #: hours in hundredths (150 = 1.5 hours), so sums stay exact
    centihours: Mapped[int] = mapped_column(default=0)
    #: the reward share paid, in the reward account's minor units (0 without a reward)
    reward_amount: Mapped[int] = mapped_column(default=0)
    #: the credit transfer that paid it
    transfer_id: Mapped[int | None] = mapped_column(ForeignKey("credit_transfers.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Endorsement(db.Model):
    """The group vouched for a skill a volunteer used on a completed request."""

    __tablename__ = "skill_endorsements"

    request_id: Mapped[int] = mapped_column(ForeignKey("skill_requests.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id", ondelete="CASCADE"), primary_key=True)
    endorser_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SavedSearch(db.Model):
    """Filters a volunteer saved; a new matching request they may see notifies them."""

    __tablename__ = "skill_saved_searches"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    q: Mapped[str] = mapped_column(String(200), default="")
    #: a skill key (taxonomy.key_of), or None for any skill
    skill_key: Mapped[str | None] = mapped_column(String(80), index=True)
    remote_ok: Mapped[bool | None]
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Recommendation(db.Model):
    """A member was told about a new request that fits them; counted for the weekly cap."""

    __tablename__ = "skill_recommendations"
    __table_args__ = (Index("ix_skill_recommendations_user_id_created_at", "user_id", "created_at"),)

    request_id: Mapped[int] = mapped_column(ForeignKey("skill_requests.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
