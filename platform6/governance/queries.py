"""Reads about polls that pages, the API, events and jobs share: visibility, eligibility, ballots, results."""

import csv
import io
import json
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import Text, cast, func, or_, select
from sqlalchemy.orm import joinedload

from ..credit.models import Account, Network
from ..credit.queries import holder_names
from ..errors import Forbidden, NotFound
from ..extensions import db
from ..forums.models import Discussion, DiscussionGuest
from ..forums.permissions import guest_ids_select, is_guest
from ..groups.models import Group, Membership
from ..groups.permissions import can_see_content, user_id_of
from . import tally
from .models import Poll, Proxy, Vote

#: membership roles that may vote (an observer discusses but is not eligible)
VOTING_ROLES = ("member", "admin")


def poll_by_id(poll_id: int) -> Poll | None:
    return db.session.scalar(
        select(Poll)
        .options(joinedload(Poll.author), joinedload(Poll.outcome_author), joinedload(Poll.group))
        .where(Poll.id == poll_id)
    )


def can_see_poll(user, poll: Poll) -> bool:
    """Whoever may see the group's content, and the guests of the thread the poll was raised in."""
    group = poll.group if "group" in poll.__dict__ else db.session.get(Group, poll.group_id)
    return can_see_content(user, group) or is_guest(user, poll.discussion_id)


def ensure_poll_visible(user, poll: Poll) -> None:
    if not can_see_poll(user, poll):
        raise NotFound(_("No such poll."))


def visible_poll(user, poll_id: int) -> Poll:
    """The poll if the user may see it (can_see_poll), else NotFound."""
    poll = poll_by_id(poll_id)
    if poll is None or not can_see_poll(user, poll):
        raise NotFound(_("No such poll."))
    return poll


def results_visible_to(user, poll: Poll) -> bool:
    """Whether this viewer sees the results now (a poll showing them after one votes: once they have)."""
    if poll.results_visible():
        return True
    uid = user_id_of(user)
    return poll.results_visible_to(voted=uid is not None and has_voted(uid, poll))


def ensure_results_visible(poll: Poll, user=None) -> None:
    if not results_visible_to(user, poll):
        raise Forbidden(_("Results are hidden until the poll closes."), code="results_hidden")


def _eligible_select(poll: Poll):
    stmt = select(Membership.user_id).where(Membership.group_id == poll.group_id, Membership.role.in_(VOTING_ROLES))
    guests = guest_ids_select(poll.discussion_id) if poll.discussion_id is not None else None
    if poll.voter_ids is not None:
        stmt = stmt.where(Membership.user_id.in_(poll.voter_ids))
        guests = guests.where(DiscussionGuest.user_id.in_(poll.voter_ids)) if guests is not None else None
    return stmt.union(guests) if guests is not None else stmt


def eligible_ids(poll: Poll) -> set[int]:
    """Who may vote now: the group's voting members, and the guests of the poll's thread (within the poll's
    named list, if it has one)."""
    return set(db.session.scalars(_eligible_select(poll)))


def is_eligible(user, poll: Poll) -> bool:
    uid = user_id_of(user)
    if uid is None or (poll.voter_ids is not None and uid not in poll.voter_ids):
        return False
    role = db.session.scalar(
        select(Membership.role).where(Membership.group_id == poll.group_id, Membership.user_id == uid)
    )
    return role in VOTING_ROLES or is_guest(user, poll.discussion_id)


def eligible_counts(polls: list[Poll]) -> dict[int, int]:
    """eligible_count per poll: frozen when closed, else counted now (one query per distinct voter list).

    Counted now, it is electorate_size's rule in SQL: the voting members (and the guests of the poll's
    thread) plus those who voted and are voting members or guests no more (their vote still counts, so
    they are still eligible).
    """
    counts = {p.id: p.eligible_count for p in polls if p.closed_at is not None}
    open_all = [p for p in polls if p.closed_at is None and p.voter_ids is None]
    if open_all:
        per_group = dict(
            db.session.execute(
                select(Membership.group_id, func.count())
                .where(Membership.group_id.in_({p.group_id for p in open_all}), Membership.role.in_(VOTING_ROLES))
                .group_by(Membership.group_id)
            ).all()
        )
        counts.update({p.id: per_group.get(p.group_id, 0) for p in open_all})
        threads = {p.discussion_id for p in open_all if p.discussion_id is not None}
        if threads:
            # a thread's guests vote in its polls; one who has since become a voting member is counted once
            voting_member = (
                select(Membership.id)
                .where(
                    Membership.group_id == Discussion.group_id,
                    Membership.user_id == DiscussionGuest.user_id,
                    Membership.role.in_(VOTING_ROLES),
                )
                .exists()
            )
            per_thread = dict(
                db.session.execute(
                    select(DiscussionGuest.discussion_id, func.count())
                    .join(Discussion, Discussion.id == DiscussionGuest.discussion_id)
                    .where(DiscussionGuest.discussion_id.in_(threads), ~voting_member)
                    .group_by(DiscussionGuest.discussion_id)
                ).all()
            )
            for p in open_all:
                counts[p.id] += per_thread.get(p.discussion_id, 0)
    for p in polls:
        if p.closed_at is None and p.voter_ids is not None:
            counts[p.id] = db.session.scalar(select(func.count()).select_from(_eligible_select(p).subquery()))
    open_ids = [p.id for p in polls if p.closed_at is None]
    if open_ids:
        still_voting_member = (
            select(Membership.id)
            .where(
                Membership.group_id == Poll.group_id,
                Membership.user_id == Vote.user_id,
                Membership.role.in_(VOTING_ROLES),
            )
            .exists()
        )
        still_guest = (
            select(DiscussionGuest.id)
            .where(DiscussionGuest.discussion_id == Poll.discussion_id, DiscussionGuest.user_id == Vote.user_id)
            .exists()
        )
        departed = db.session.execute(
            select(Vote.poll_id, func.count())
            .join(Poll, Poll.id == Vote.poll_id)
            .where(Vote.poll_id.in_(open_ids), ~still_voting_member, ~still_guest)
            .group_by(Vote.poll_id)
        ).all()
        for poll_id, voters_gone in departed:
            counts[poll_id] += voters_gone
    return counts


def eligible_count(poll: Poll) -> int:
    return eligible_counts([poll])[poll.id]


@dataclass
class Ballots:
    """The ballots that count, and who cast them (user ids; never shown for anonymous polls)."""

    choices: list[dict]
    direct: set[int]
    #: delegator id -> proxy id, for delegations that count (the proxy voted, the delegator did not)
    by_proxy: dict[int, int]

    @property
    def voters(self) -> set[int]:
        return self.direct | set(self.by_proxy)


def proxies_count(poll: Poll, *, closing: bool = False) -> bool:
    """Whether delegations count now: never in an anonymous poll, and only once the results show.

    A delegator reads their own receipt, the counts and the results: if their proxy's ballot
    joined the count while results are hidden, setting a proxy would tell them whether (and, once
    results show, how) that person voted, before that vote is visible to them. In an anonymous
    poll it never is, so proxies never count there (also for proxies from before this rule).
    """
    return not poll.anonymous and (closing or poll.results_visible())


def ballots_of(poll: Poll, eligible: set[int] | None = None, *, closing: bool = False) -> Ballots:
    """Direct votes (kept by members who left), plus each eligible delegator's proxy's vote where proxies count.

    The choices come in an order of their own content, never the database's, so nothing counted
    from them depends on who voted first.
    """
    rows = db.session.execute(select(Vote.user_id, Vote.choices).where(Vote.poll_id == poll.id)).all()
    by_user = {uid: choices for uid, choices in rows}
    choices = [c for _unused, c in rows]
    by_proxy: dict[int, int] = {}
    if proxies_count(poll, closing=closing):
        delegations = db.session.execute(
            select(Proxy.delegator_id, Proxy.proxy_id).where(Proxy.poll_id == poll.id)
        ).all()
        if delegations:
            eligible = eligible_ids(poll) if eligible is None else eligible
            for delegator, proxy in delegations:
                if delegator not in by_user and proxy in by_user and delegator in eligible:
                    by_proxy[delegator] = proxy
                    choices.append(by_user[proxy])
    choices.sort(key=ballot_order)
    return Ballots(choices=choices, direct=set(by_user), by_proxy=by_proxy)


def electorate_size(eligible: set[int], ballots: Ballots) -> int:
    """eligible_count: who may vote now, plus everyone whose vote counts (a member who left keeps
    their vote), so turnout never exceeds the electorate it is measured against."""
    return len(eligible | ballots.voters)


def ballot_order(choices: dict) -> str:
    return json.dumps(choices, sort_keys=True)


def counted(user, poll: Poll) -> bool | None:
    """Whether the user's voice counts now; None while it would come only through a proxy not yet counted."""
    uid = user_id_of(user)
    if uid is None:
        return False
    if has_voted(uid, poll):
        return True
    if proxies_count(poll):
        return uid in ballots_of(poll).by_proxy
    has_proxy = db.session.scalar(select(Proxy.id).where(Proxy.poll_id == poll.id, Proxy.delegator_id == uid))
    return None if has_proxy is not None and not poll.anonymous else False


def voters_count_now(poll: Poll) -> int:
    return len(ballots_of(poll).voters)


def results_of(poll: Poll, ballots: Ballots | None = None, eligible: int | None = None) -> dict:
    """API.md's results: {kind, closed, voters_count, eligible_count, options, winner, passed, ...}."""
    ballots = ballots or ballots_of(poll)
    eligible = eligible if eligible is not None else (eligible_count(poll) if poll.closed_at is None else None)
    eligible = poll.eligible_count if poll.closed_at is not None else eligible
    voters = len(ballots.voters)
    result = tally.tally(poll.kind, poll.options, ballots.choices, poll.settings)
    passed = None
    if poll.kind == "proposal":
        passed = poll.closed_at is not None and tally.proposal_passed(
            result, voters=voters, eligible=eligible or 0, quorum_percent=poll.quorum_percent
        )
    extra = {key: value for key, value in result.items() if key not in ("options", "winner")}
    return {
        "kind": poll.kind,
        "closed": poll.closed_at is not None,
        "voters_count": voters,
        "eligible_count": eligible,
        "options": result["options"],
        "winner": result["winner"],
        "passed": passed,
        **extra,
    }


def votes_select(poll: Poll):
    """Current votes, with their voters loaded unless the poll is anonymous (then never)."""
    stmt = select(Vote).where(Vote.poll_id == poll.id)
    if not poll.anonymous:
        stmt = stmt.options(joinedload(Vote.user))
    return stmt


def anonymous_ballots(poll: Poll) -> list[Vote]:
    """An anonymous poll's votes in an order of their content alone (never who voted first)."""
    votes = db.session.scalars(select(Vote).where(Vote.poll_id == poll.id))
    return sorted(votes, key=lambda vote: (ballot_order(vote.choices), vote.reason))


def my_vote(user, poll: Poll) -> Vote | None:
    uid = user_id_of(user)
    if uid is None:
        return None
    return db.session.scalar(select(Vote).where(Vote.poll_id == poll.id, Vote.user_id == uid))


def has_voted(user_id: int, poll: Poll) -> bool:
    return db.session.scalar(select(Vote.id).where(Vote.poll_id == poll.id, Vote.user_id == user_id)) is not None


def my_proxy(user, poll: Poll) -> Proxy | None:
    uid = user_id_of(user)
    if uid is None:
        return None
    return db.session.scalar(
        select(Proxy).options(joinedload(Proxy.proxy)).where(Proxy.poll_id == poll.id, Proxy.delegator_id == uid)
    )


def proxies_held(user, poll: Poll) -> list[Proxy]:
    """Delegations to this user on this poll (shown to the proxy, with who delegated)."""
    uid = user_id_of(user)
    if uid is None:
        return []
    return list(
        db.session.scalars(
            select(Proxy).options(joinedload(Proxy.delegator)).where(Proxy.poll_id == poll.id, Proxy.proxy_id == uid)
        )
    )


def eligible_members(poll: Poll) -> list[Membership]:
    """Eligible memberships with users loaded, by name (for "who has not voted" and proxy choices)."""
    from ..accounts.models import User

    stmt = (
        select(Membership)
        .join(User, User.id == Membership.user_id)
        .options(joinedload(Membership.user))
        .where(Membership.group_id == poll.group_id, Membership.role.in_(VOTING_ROLES))
        .order_by(User.name)
    )
    if poll.voter_ids is not None:
        stmt = stmt.where(Membership.user_id.in_(poll.voter_ids))
    return list(db.session.scalars(stmt))


def governed_account_choices(group: Group, limit: int = 1000) -> list[tuple[int, str]]:
    """The member accounts a binding action may set: those of the networks `group` governs, as
    (id, "holder · network (code)") by holder name, for the raise form's account picker."""
    rows = db.session.execute(
        select(Account, Network.name, Network.currency_code)
        .join(Network, Network.id == Account.network_id)
        .where(Network.group_id == group.id, Account.purpose == "member")
        .order_by(Account.id)
        .limit(limit)
    ).all()
    names = holder_names(account for account, _unused, _unused in rows)
    labelled = [
        (account.id, f"{names.get((account.holder_type, account.holder_id), '?')} · {network} ({code})")
        for account, network, code in rows
    ]
    return sorted(labelled, key=lambda pair: pair[1].casefold())


def group_polls_select(group: Group, state: str | None = None):
    stmt = select(Poll).options(joinedload(Poll.author)).where(Poll.group_id == group.id)
    if state == "open":
        stmt = stmt.where(Poll.closed_at.is_(None))
    elif state == "closed":
        stmt = stmt.where(Poll.closed_at.is_not(None))
    return stmt


#: "open first, then latest closed first" (open ones newest first), as keyset columns
LIST_ORDER = [(Poll.list_rank, False), (Poll.listed_at, True), (Poll.id, True)]


def open_polls_for(user, limit: int = 10) -> list[Poll]:
    """Open polls in the user's groups, closing soonest first (the dashboard panel)."""
    uid = user_id_of(user)
    if uid is None:
        return []
    mine = select(Membership.group_id).where(Membership.user_id == uid)
    return list(
        db.session.scalars(
            select(Poll)
            .options(joinedload(Poll.group))
            .where(Poll.group_id.in_(mine), Poll.closed_at.is_(None))
            .order_by(Poll.closing_at, Poll.id)
            .limit(limit)
        )
    )


def voted_poll_ids(user, poll_ids: list[int]) -> set[int]:
    uid = user_id_of(user)
    if uid is None or not poll_ids:
        return set()
    return set(db.session.scalars(select(Vote.poll_id).where(Vote.user_id == uid, Vote.poll_id.in_(poll_ids))))


def results_csv(poll: Poll, results: dict) -> str:
    """The results as CSV: one row per option, no voter named (safe for anonymous polls)."""
    from .kinds import option_label

    def cell(value):
        """Text a spreadsheet would run as a formula starts with an apostrophe instead."""
        return "'" + value if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r") else value

    out = io.StringIO()
    writer = csv.writer(out)
    extra = [
        key for key in ("average", "yes", "if_need_be", "no") if results["options"] and key in results["options"][0]
    ]
    writer.writerow(["option", "label", "value", "voters", *extra])
    for row in results["options"]:
        writer.writerow(
            [cell(row["name"]), cell(option_label(row["name"])), row["value"], row["voters"], *(row[k] for k in extra)]
        )
    writer.writerow([])
    writer.writerow(["poll", cell(poll.title)])
    writer.writerow(["kind", poll.kind])
    writer.writerow(["closed", "yes" if results["closed"] else "no"])
    writer.writerow(["voters_count", results["voters_count"]])
    writer.writerow(["eligible_count", results["eligible_count"]])
    writer.writerow(["winner", cell(results["winner"] or "")])
    if results["passed"] is not None:
        writer.writerow(["passed", "yes" if results["passed"] else "no"])
    return out.getvalue()


# --- the group hub (platform6/group_hub.py) -------------------------------------------------------------


def open_polls_count_of(group_id: int):
    """A scalar subquery: the group's open polls."""
    return select(func.count()).where(Poll.group_id == group_id, Poll.closed_at.is_(None)).scalar_subquery()


def awaiting_vote_count_of(group_id: int, user_id: int, role: str):
    """A scalar subquery: the group's open polls this member may vote in and has not (None for an observer).

    `voter_ids` is JSON written by json.dumps (stored as text by both databases' JSON types): JSON null (or SQL
    NULL) means every voting member, else a list such as [3, 17] that must name the member."""
    if role not in VOTING_ROLES:
        return None
    voted = select(Vote.poll_id).where(Vote.user_id == user_id)
    listed = func.coalesce(cast(Poll.voter_ids, Text), "null")
    # user_id may be a bound parameter (the group page builds this once), so the patterns are built in SQL
    uid = cast(user_id, Text)
    named = or_(
        listed == "null",
        *(
            listed.like(before + uid + after)
            for before, after in (("[", "]"), ("[", ",%"), ("%, ", "]"), ("%, ", ",%"))
        ),
    )
    return (
        select(func.count())
        .where(Poll.group_id == group_id, Poll.closed_at.is_(None), named, Poll.id.not_in(voted))
        .scalar_subquery()
    )


def open_polls_of(group: Group, limit: int = 5) -> list[Poll]:
    """The group's open polls, closing soonest first."""
    return list(
        db.session.scalars(
            select(Poll)
            .where(Poll.group_id == group.id, Poll.closed_at.is_(None))
            .order_by(Poll.closing_at, Poll.id)
            .limit(limit)
        )
    )
