"""Polls, their current votes (one per member), the votes they replaced, and proxies."""

from datetime import date, datetime

from flask_babel import gettext
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..errors import Conflict
from ..extensions import db
from ..timeutil import utcnow
from .kinds import KINDS


class Poll(db.Model):
    __tablename__ = "polls"
    __table_args__ = (
        CheckConstraint("kind IN (" + ", ".join(f"'{k}'" for k in KINDS) + ")", name="kind"),
        CheckConstraint("quorum_percent BETWEEN 0 AND 100", name="quorum_percent"),
        Index("ix_polls_group_id_list_rank_listed_at", "group_id", "list_rank", "listed_at"),
        Index("ix_polls_closed_at_closing_at", "closed_at", "closing_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    #: the thread the poll was raised in (it shows in that thread's timeline), or None
    discussion_id: Mapped[int | None] = mapped_column(ForeignKey("discussions.id", ondelete="SET NULL"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    details: Mapped[str] = mapped_column(Text, default="")
    #: `details` rendered by markup.render_markdown when written
    details_html: Mapped[str] = mapped_column(Text, default="")
    #: option names in the author's order (meeting options are normalised UTC times)
    options: Mapped[list] = mapped_column(JSON)
    #: the kind's settings with defaults filled in (kinds.normalise_settings)
    settings: Mapped[dict] = mapped_column(JSON)
    #: secret ballot: nothing shows who voted what; never switched off once set
    anonymous: Mapped[bool] = mapped_column(default=False)
    #: results, votes and per-option counts stay hidden until the poll closes
    hide_results: Mapped[bool] = mapped_column(default=False)
    #: with hide_results: a voter sees them once they have voted (Loomio's "until you vote"); only imports set it
    results_after_vote: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: turnout (voters / eligible, in %) a proposal needs to pass
    quorum_percent: Mapped[int] = mapped_column(default=0)
    #: who may vote: None for every member, else these user ids (still only while members)
    voter_ids: Mapped[list | None] = mapped_column(JSON)
    closing_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    #: 0 while open, 1 once closed: lists sort open polls first with a keyset cursor
    list_rank: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: list order within open / closed: created_at while open, closed_at once closed
    listed_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: members whose vote counts (direct votes plus proxies), kept in step by the vote service
    voters_count: Mapped[int] = mapped_column(default=0)
    #: eligible members frozen at close; None while open (then counted live)
    eligible_count: Mapped[int | None]
    #: when the "closing soon" reminders went out (claimed by the job, so they go once)
    reminded_at: Mapped[datetime | None]
    #: a binding proposal's action {type, ...}; None for an ordinary poll
    action: Mapped[dict | None] = mapped_column(JSON)
    #: what happened to the action at close: {status: applied|failed|not_passed, message, at}
    action_result: Mapped[dict | None] = mapped_column(JSON)
    outcome_statement: Mapped[str | None] = mapped_column(Text)
    outcome_statement_html: Mapped[str | None] = mapped_column(Text)
    #: the option the outcome chose, if any
    outcome_option: Mapped[str | None] = mapped_column(String(200))
    #: when the group means to look at the decision again
    outcome_review_on: Mapped[date | None]
    outcome_author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    outcome_at: Mapped[datetime | None]

    author = relationship("User", foreign_keys=[author_id], lazy="raise_on_sql")
    outcome_author = relationship("User", foreign_keys=[outcome_author_id], lazy="raise_on_sql")
    group = relationship("Group", lazy="raise_on_sql")

    def accepts_votes(self, now: datetime) -> bool:
        return self.closed_at is None and self.closing_at > now

    def ensure_open(self, now: datetime) -> None:
        if not self.accepts_votes(now):
            raise Conflict(gettext("This poll has closed."), code="poll_closed")

    def close(self, now: datetime, *, voters_count: int, eligible_count: int) -> None:
        """Closed once: freezes the counts; a second close is refused."""
        if self.closed_at is not None:
            raise Conflict(gettext("This poll is closed already."), code="poll_closed")
        self.closed_at = self.listed_at = now
        self.list_rank = 1
        self.voters_count = voters_count
        self.eligible_count = eligible_count

    def results_visible(self) -> bool:
        """An anonymous poll's results wait for the close too: a count that moved with each vote would show
        each ballot to whoever knew who had just voted."""
        return self.closed_at is not None or not (self.hide_results or self.anonymous)

    def results_visible_to(self, voted: bool) -> bool:
        """Results for one viewer: as for everyone, or, on a poll hiding them until one votes, once this viewer has."""
        return self.results_visible() or (self.results_after_vote and voted and not self.anonymous)


class Vote(db.Model):
    """A member's current vote on a poll; a new vote replaces it and the old one goes to VoteRevision."""

    __tablename__ = "votes"
    __table_args__ = (UniqueConstraint("poll_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"))
    #: kept for anonymous polls too, only so that a second vote replaces the first
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: {option: int} as the kind's rule allows (kinds.check_choices)
    choices: Mapped[dict] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text, default="")
    reason_html: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user = relationship("User", lazy="raise_on_sql")


class VoteRevision(db.Model):
    """A vote as it was before its member voted again (the history API.md keeps)."""

    __tablename__ = "vote_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id", ondelete="CASCADE"), index=True)
    choices: Mapped[dict] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text, default="")
    cast_at: Mapped[datetime]
    replaced_at: Mapped[datetime] = mapped_column(default=utcnow)


class Proxy(db.Model):
    """A member lets another vote for them on one poll; revocable until close, overridden by a direct vote."""

    __tablename__ = "poll_proxies"
    __table_args__ = (
        UniqueConstraint("poll_id", "delegator_id"),
        CheckConstraint("delegator_id <> proxy_id", name="not_self"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"))
    delegator_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    proxy_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    delegator = relationship("User", foreign_keys=[delegator_id], lazy="raise_on_sql")
    proxy = relationship("User", foreign_keys=[proxy_id], lazy="raise_on_sql")
