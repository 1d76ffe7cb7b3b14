"""Every write about decisions: raising polls, votes, proxies, closing (with binding actions), outcomes.

The `replay_*` functions write polls, votes, proxies and outcomes from history (a group file, a
Loomio export) through the same checks and rendering as the live writes, keeping the history's
authors and times; they tell nobody and open nothing now.
"""

import logging
from datetime import date, datetime, timedelta

from blinker import Namespace
from flask_babel import gettext
from flask_babel import gettext as _
from sqlalchemy import false as sql_false
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from .. import search
from ..accounts.models import User
from ..credit import queries as credit_queries
from ..credit import service as credit_service
from ..errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed, invalid
from ..extensions import db
from ..federation import grafting
from ..forums.queries import discussion_by_id
from ..groups import service as groups_service
from ..groups.models import ROLES, Group, Membership
from ..groups.permissions import can_admin, ensure_admin, ensure_member
from ..limits import MAX_INT, TITLE_MAX, history_title, is_whole, whole_number
from ..markup import render_markdown, stored_html
from ..notifications.service import notify
from ..timeutil import iso, utc_moment, utcnow, within_bounds
from . import kinds, queries
from .models import Poll, Proxy, Vote, VoteRevision

log = logging.getLogger(__name__)
_signals = Namespace()
#: sent with the poll after a vote or proxy change is flushed (events.py emits `vote_cast` after commit)
vote_cast = _signals.signal("vote-cast")
#: sent with the poll once it is closed (events.py emits `poll_closed` after commit)
poll_closed = _signals.signal("poll-closed")

REMINDER_BEFORE = timedelta(hours=24)

search.register_search_kind("poll", "Poll")


def poll_url(poll: Poll) -> str:
    return f"/polls/{poll.id}"


def _group_of(poll: Poll) -> Group:
    return db.session.get(Group, poll.group_id)


def _locked(poll: Poll) -> Poll:
    """Re-read the poll FOR UPDATE, so votes, proxies and the close take turns.

    SQLite has no row locks: a write that changes nothing takes the database's write lock first.
    """
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(update(Poll).where(sql_false()).values(id=Poll.id))
    return db.session.scalar(
        select(Poll).where(Poll.id == poll.id).with_for_update().execution_options(populate_existing=True)
    )


# --- raising a poll -----------------------------------------------------------------------------


def _check_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not 1 <= len(title) <= TITLE_MAX:
        raise invalid("title", gettext("Give a title of 1 to %(most)d characters.", most=TITLE_MAX))
    return title


def _check_kind(kind: str) -> None:
    if kind not in kinds.KINDS:
        raise invalid("kind", _("Choose one of: %(kinds)s.", kinds=", ".join(kinds.KINDS)))


def _check_quorum(quorum_percent: int) -> None:
    if not 0 <= quorum_percent <= 100:
        raise invalid("quorum_percent", gettext("Give a quorum from 0 to 100 (%)."))


def _check_voter_ids(group: Group, voter_ids: list[int] | None) -> list[int] | None:
    if voter_ids is None:
        return None
    wanted = sorted(set(voter_ids))
    if not wanted:
        raise invalid("voter_ids", gettext("Name at least one voter, or leave the list out for every member."))
    found = set(
        db.session.scalars(
            select(Membership.user_id).where(
                Membership.group_id == group.id,
                Membership.user_id.in_(wanted),
                Membership.role.in_(queries.VOTING_ROLES),
            )
        )
    )
    missing = [uid for uid in wanted if uid not in found]
    if missing:
        raise invalid(
            "voter_ids", _("Not voting members of this group: %(ids)s.", ids=", ".join(map(str, missing[:10])))
        )
    return wanted


#: the fields each binding action carries, every one required (`debit_limit` may be null: no limit)
ACTION_FIELDS = {
    "set_credit_limit": ("account_id", "credit_limit"),
    "set_debit_limit": ("account_id", "debit_limit"),
    "add_member": ("user_id", "role"),
    "set_fees": ("network_id", "fees"),
    # its fields depend on its form (federation.grafting.validate_graft_action checks them)
    "graft_node": (),
}
ACTION_TYPES = tuple(ACTION_FIELDS)
#: credit actions: (limit field, credit service function)
CREDIT_ACTIONS = {
    "set_credit_limit": ("credit_limit", credit_service.set_credit_limit),
    "set_debit_limit": ("debit_limit", credit_service.set_debit_limit),
}


def _action_invalid(field: str, message: str) -> ValidationFailed:
    """422 on `action` (API.md's field), and on `action.<field>` so a form can point at its own input."""
    return ValidationFailed({"action": [message], f"action.{field}": [message]}, message)


def _whole_number(action: dict, field: str, *, low: int, nullable: bool = False) -> None:
    value = action[field]
    if value is None and nullable:
        return
    if not is_whole(value, low):
        raise _action_invalid(field, f"{field} must be a whole number from {low} to {MAX_INT}.")


def validate_action(*, group: Group, action: dict | None) -> dict | None:
    """A binding action, checked in full against the group as it is now; returns a clean copy.

    The one check for every way an action arrives or runs: the page, the API, a group import and
    the close. Every field present and nothing else, ids and limits whole numbers within 0..2^53-1,
    and the target inside what the group governs (a member account of a network the group
    governs; a person who exists and does not already hold the role). Anything else is 422 on
    `action`, with the same answer for an account that does not exist and one elsewhere.
    """
    if action is None:
        return None
    if not isinstance(action, dict) or action.get("type") not in ACTION_FIELDS:
        raise _action_invalid("type", f"Choose one of: {', '.join(ACTION_TYPES)}.")
    kind_of_action = action["type"]
    if kind_of_action == "graft_node":
        return grafting.validate_graft_action(group=group, action=action, fail=_action_invalid)
    fields = ACTION_FIELDS[kind_of_action]
    for field in fields:
        if field not in action:
            raise _action_invalid(field, f"A {kind_of_action} action needs {field}.")
    extra = sorted(set(action) - {"type", *fields})
    if extra:
        raise _action_invalid(extra[0], f"A {kind_of_action} action has no {extra[0]}.")
    if kind_of_action in CREDIT_ACTIONS:
        limit_field, _unused = CREDIT_ACTIONS[kind_of_action]
        _whole_number(action, "account_id", low=1)
        _whole_number(action, limit_field, low=0, nullable=limit_field == "debit_limit")
        account = credit_queries.account_by_id(action["account_id"])
        if account is None or credit_queries.governing_group_id(account.id) != group.id:
            raise _action_invalid("account_id", "Not an account of a network this group governs.")
        # a member account, or the clearing account of a leaf on another installation (its limit is the whole
        # leaf's credit here)
        if account.purpose != "member" and account.holder_type != "peer":
            raise _action_invalid("account_id", "This account has no limits to set.")
        if limit_field == "credit_limit" and account.kind == "sole_trader" and action["credit_limit"] != 0:
            raise _action_invalid("credit_limit", "A sole trader's account must stay in credit: its limit is 0.")
    elif kind_of_action == "set_fees":
        _whole_number(action, "network_id", low=1)
        network = credit_queries.network_by_id(action["network_id"])
        if network is None or network.group_id != group.id:
            raise _action_invalid("network_id", "Not a network this group governs.")
        try:
            fees = credit_service.clean_fees(action["fees"])
        except ValidationFailed as refused:
            raise _action_invalid("fees", refused.message) from None
        return {"type": kind_of_action, "network_id": network.id, "fees": fees}
    else:
        _whole_number(action, "user_id", low=1)
        if action["role"] not in ROLES:
            raise _action_invalid("role", f"Choose one of: {', '.join(ROLES)}.")
        if db.session.get(User, action["user_id"]) is None:
            raise _action_invalid("user_id", "No such person.")
        role = db.session.scalar(
            select(Membership.role).where(Membership.group_id == group.id, Membership.user_id == action["user_id"])
        )
        if role == action["role"]:
            raise _action_invalid("user_id", f"Already a member of this group with the role {role}.")
    return {"type": kind_of_action, **{field: action[field] for field in fields}}


def check_binding_poll(*, group: Group, kind: str, action: dict | None, voter_ids: list | None) -> dict | None:
    """A binding proposal is the whole group's decision: a proposal, open to every voting member."""
    if action is None:
        return None
    if kind != "proposal":
        raise invalid("action", gettext("Only a proposal can carry a binding action."))
    if voter_ids is not None:
        raise invalid(
            "voter_ids", gettext("A binding proposal is open to every voting member: leave the voter list out.")
        )
    return validate_action(group=group, action=action)


def _check_action(*, actor: User, group: Group, kind: str, action: dict | None, voter_ids: list | None) -> dict | None:
    """A binding action as the poll opens: only the governing group's admins attach one."""
    if action is None:
        return None
    ensure_admin(actor, group)
    return check_binding_poll(group=group, kind=kind, action=action, voter_ids=voter_ids)


def _ensure_action_still_holds(poll: Poll, group: Group) -> dict:
    """At close, the action must hold as it did when raised: author still an admin, target still governed.

    The author's admin role is what let the action be attached; losing it before the close (removed,
    demoted, gone) voids the action, as the group's rights would no longer back it.
    """
    author = db.session.get(User, poll.author_id) if poll.author_id else None
    if author is None or not can_admin(author, group):
        raise Forbidden(
            gettext("The proposal's author is no longer an admin of the group: the action was not carried out.")
        )
    if poll.voter_ids is not None:
        raise invalid(
            "voter_ids", gettext("Only some members could vote on this proposal: the action was not carried out.")
        )
    return validate_action(group=group, action=poll.action)


def _apply_action(poll: Poll, group: Group) -> str:
    """Carry out a passed proposal's action; returns what was done, or raises a DomainError."""
    action = _ensure_action_still_holds(poll, group)
    if action["type"] in CREDIT_ACTIONS:
        field, set_limit = CREDIT_ACTIONS[action["type"]]
        account = set_limit(
            account_id=action["account_id"], actor=None, source=f"poll:{poll.id}", **{field: action[field]}
        )
        shown = "none" if action[field] is None else str(action[field])
        return f"Account {account.id}'s {field.replace('_', ' ')} is now {shown} (minor units)."
    if action["type"] == "graft_node":
        return grafting.apply_graft_action(group=group, action=action)
    if action["type"] == "set_fees":
        network = credit_queries.network_by_id(action["network_id"])
        credit_service.set_fees(network=network, fees=action["fees"], actor=None)
        return f"{network.name}'s fees are now as the proposal set them."
    groups_service.add_member_by_decision(group=group, user_id=action["user_id"], role=action["role"])
    name = db.session.get(User, action["user_id"]).name
    return f"{name} is now {'an' if action['role'][0] in 'aeiou' else 'a'} {action['role']} of {group.name}."


def index_poll(poll: Poll) -> None:
    """Make the poll findable by search (its title and details), for the members of its group."""
    search.index_document(
        kind="poll",
        ref_id=poll.id,
        group_id=poll.group_id,
        title=poll.title,
        body=search.searchable_text(poll.details_html),
        url=poll_url(poll),
        created_at=poll.created_at,
    )


def create_poll(
    *,
    actor: User,
    group: Group,
    kind: str,
    title: str,
    closing_at: datetime,
    details: str = "",
    options: list[str] | None = None,
    settings: dict | None = None,
    discussion_id: int | None = None,
    anonymous: bool = False,
    hide_results: bool = False,
    quorum_percent: int = 0,
    voter_ids: list[int] | None = None,
    action: dict | None = None,
    now: datetime | None = None,
) -> Poll:
    """A member raises a poll (where the group lets members); eligible members are notified."""
    now = now or utcnow()
    ensure_member(actor, group, "members_can_raise_polls")
    _check_kind(kind)
    title = _check_title(title)
    closing_at = utc_moment(closing_at, "closing_at")
    if closing_at <= now:
        raise invalid("closing_at", gettext("The closing time must be in the future."))
    _check_quorum(quorum_percent)
    if discussion_id is not None:
        discussion = discussion_by_id(discussion_id)
        if discussion is None or discussion.group_id != group.id:
            raise NotFound(gettext("No such thread in this group."))
    names = kinds.normalise_options(kind, options)
    checked_settings = kinds.normalise_settings(kind, settings, names)
    checked_action = _check_action(actor=actor, group=group, kind=kind, action=action, voter_ids=voter_ids)
    poll = _write_poll(
        group=group,
        discussion_id=discussion_id,
        author_id=actor.id,
        kind=kind,
        title=title,
        details=details or "",
        details_html=render_markdown(details),
        options=names,
        settings=checked_settings,
        anonymous=anonymous,
        hide_results=hide_results,
        quorum_percent=quorum_percent,
        voter_ids=_check_voter_ids(group, voter_ids),
        closing_at=closing_at,
        created_at=now,
        action=checked_action,
    )
    notify(
        user_ids=queries.eligible_ids(poll),
        kind="poll_created",
        url=poll_url(poll),
        text=lambda: gettext(
            "%(name)s opened “%(title)s” in %(group)s (%(kind)s)",
            name=actor.name,
            title=title,
            group=group.name,
            kind=kinds.KIND_LABELS[kind],
        ),
        actor_id=actor.id,
        group_id=group.id,
    )
    groups_service.tell_followers(group=group, actor_id=actor.id, kind="poll_created", url=poll_url(poll), title=title)
    return poll


def _write_poll(
    *,
    group: Group,
    anonymous: bool,
    hide_results: bool,
    created_at: datetime,
    closed_at: datetime | None = None,
    **checked,
) -> Poll:
    """The poll row as every way of raising one writes it (checked values in), listed and findable."""
    poll = Poll(
        group_id=group.id,
        anonymous=bool(anonymous),
        hide_results=bool(hide_results),
        created_at=created_at,
        closed_at=closed_at,
        list_rank=0 if closed_at is None else 1,
        listed_at=closed_at or created_at,
        **checked,
    )
    db.session.add(poll)
    db.session.flush()
    index_poll(poll)
    return poll


def replay_poll(
    *,
    group: Group,
    author_id: int | None,
    kind: str,
    title: str,
    details: str = "",
    details_html: str | None = None,
    options: list[str] | None,
    settings: dict | None,
    anonymous: bool = False,
    hide_results: bool = False,
    results_after_vote: bool = False,
    quorum_percent: int = 0,
    voter_ids: list[int] | None = None,
    discussion_id: int | None = None,
    created_at: datetime,
    closing_at: datetime,
    closed_at: datetime | None = None,
    action: dict | None = None,
    action_result: dict | None = None,
) -> Poll:
    """A poll from history, with its author and times; nobody is told and it is not "raised now".

    Options and settings are normalised by the kind's rules. An action that may still run (the
    poll is open) is held to the rules of one raised here, by the same check; a closed poll's action
    is history, and one closed before its action ran records that it was not carried out. The voter
    list is kept as history has it (past members included). Its counts follow its ballots
    (`replay_counts`, once they are in).
    """
    _check_kind(kind)
    _check_quorum(quorum_percent)
    names = kinds.normalise_options(kind, options)
    checked_settings = kinds.normalise_settings(kind, settings, names)
    if closed_at is None:
        action = check_binding_poll(group=group, kind=kind, action=action, voter_ids=voter_ids)
    elif action is not None and action_result is None:
        message = "Closed by an import before its action ran: the action was not carried out."
        action_result = {"status": "failed", "message": message, "at": iso(closed_at)}
    return _write_poll(
        group=group,
        discussion_id=discussion_id,
        author_id=author_id,
        kind=kind,
        title=history_title(title),
        details=details or "",
        details_html=stored_html(details, details_html),
        options=names,
        settings=checked_settings,
        anonymous=anonymous,
        hide_results=hide_results or results_after_vote,
        results_after_vote=results_after_vote and not anonymous,
        quorum_percent=quorum_percent,
        voter_ids=voter_ids,
        closing_at=closing_at,
        created_at=created_at,
        closed_at=closed_at,
        action=action,
        action_result=action_result,
    )


def replay_counts(*, poll: Poll, voters_count: int | None = None, eligible_count: int | None = None) -> None:
    """A replayed poll's counts once its ballots are in: voters from its ballots unless history froze them,
    and a closed poll's electorate (as history froze it, else its members now), never fewer than its voters."""
    poll.voters_count = queries.voters_count_now(poll) if voters_count is None else voters_count
    if poll.closed_at is not None:
        electorate = len(queries.eligible_ids(poll)) if eligible_count is None else eligible_count
        poll.eligible_count = max(electorate, poll.voters_count)
    db.session.flush()


# --- votes and proxies --------------------------------------------------------------------------


def _ensure_can_vote(actor: User, poll: Poll) -> None:
    queries.ensure_poll_visible(actor, poll)
    if not queries.is_eligible(actor, poll):
        raise Forbidden(gettext("You are not among this poll's voters."))


def _recount(poll: Poll) -> None:
    poll.voters_count = queries.voters_count_now(poll)
    db.session.flush()
    vote_cast.send(poll)


def cast_vote(
    *, actor: User, poll: Poll, choices: dict, reason: str | None = None, now: datetime | None = None
) -> Vote:
    """Vote, or replace one's vote (the old one kept as a VoteRevision); one current vote per member."""
    now = now or utcnow()
    poll = _locked(poll)
    queries.ensure_poll_visible(actor, poll)
    poll.ensure_open(now)
    _ensure_can_vote(actor, poll)
    checked, reason = _checked_ballot(poll, choices, reason)
    vote = db.session.scalar(select(Vote).where(Vote.poll_id == poll.id, Vote.user_id == actor.id))
    if vote is None:
        try:
            with db.session.begin_nested():
                vote = _write_vote(poll, actor.id, checked, reason, render_markdown(reason), now)
        except IntegrityError:
            # A double submit won the race: this one replaces it, as a second vote would.
            vote = db.session.scalar(select(Vote).where(Vote.poll_id == poll.id, Vote.user_id == actor.id))
            _replace(vote, checked, reason, now)
    else:
        _replace(vote, checked, reason, now)
    _recount(poll)
    return vote


def _checked_ballot(poll: Poll, choices: dict, reason: str | None) -> tuple[dict, str]:
    """The choices and reason as the poll's kind and settings allow them."""
    return kinds.check_choices(poll.kind, poll.options, poll.settings, choices), kinds.check_reason(
        poll.settings, reason
    )


def _write_vote(poll: Poll, user_id: int, choices: dict, reason: str, reason_html: str, at: datetime) -> Vote:
    vote = Vote(
        poll_id=poll.id, user_id=user_id, choices=choices, reason=reason, reason_html=reason_html, created_at=at
    )
    db.session.add(vote)
    db.session.flush()
    return vote


def _keep_revision(vote: Vote, choices: dict, reason: str, cast_at: datetime, replaced_at: datetime) -> VoteRevision:
    revision = VoteRevision(vote_id=vote.id, choices=choices, reason=reason, cast_at=cast_at, replaced_at=replaced_at)
    db.session.add(revision)
    return revision


def replay_vote(
    *, poll: Poll, user_id: int, choices: dict, reason: str = "", reason_html: str | None = None, cast_at: datetime
) -> Vote:
    """A current vote from history, held to the poll's rules for choices and reasons; one per person.

    The poll may be closed (history was cast while it was open); its counts wait for `replay_counts`.
    """
    checked, reason = _checked_ballot(poll, choices, reason)
    if queries.has_voted(user_id, poll):  # history with two current votes of one person is bad input
        raise invalid("voter", _("This person has a vote on the poll already."))
    return _write_vote(poll, user_id, checked, reason, stored_html(reason, reason_html) if reason else "", cast_at)


def replay_vote_change(
    *, vote: Vote, choices: dict, reason: str = "", reason_html: str | None = None, cast_at: datetime
) -> Vote:
    """A vote its person changed later in history (a newer export): the vote it replaces becomes a revision."""
    poll = db.session.get(Poll, vote.poll_id)
    checked, reason = _checked_ballot(poll, choices, reason)
    if checked == vote.choices and reason == vote.reason and cast_at == vote.created_at:
        return vote
    _keep_revision(vote, vote.choices, vote.reason, vote.created_at, cast_at)
    vote.choices, vote.reason, vote.created_at = checked, reason, cast_at
    vote.reason_html = stored_html(reason, reason_html) if reason else ""
    db.session.flush()
    return vote


def replay_vote_revision(
    *, vote: Vote, choices: dict, reason: str = "", cast_at: datetime, replaced_at: datetime
) -> VoteRevision:
    """A vote as it was before its person voted again, from history."""
    revision = _keep_revision(vote, choices, (reason or "").strip(), cast_at, replaced_at)
    db.session.flush()
    return revision


def _replace(vote: Vote, choices: dict, reason: str, now: datetime) -> None:
    _keep_revision(vote, vote.choices, vote.reason, vote.created_at, now)
    vote.choices, vote.reason, vote.reason_html, vote.created_at = choices, reason, render_markdown(reason), now
    db.session.flush()


def set_proxy(*, actor: User, poll: Poll, proxy_id: int, now: datetime | None = None) -> Proxy:
    """Let another eligible member vote for you on this poll (until close; your own vote overrides)."""
    now = now or utcnow()
    poll = _locked(poll)
    queries.ensure_poll_visible(actor, poll)
    poll.ensure_open(now)
    _ensure_can_vote(actor, poll)
    _check_proxy(poll, actor.id, proxy_id)
    proxy_user = db.session.get(User, proxy_id) if whole_number(str(proxy_id)) is not None else None
    if proxy_user is None or not queries.is_eligible(proxy_user, poll):
        raise invalid("proxy_id", gettext("Your proxy must be one of this poll's voters."))
    found = db.session.scalar(select(Proxy).where(Proxy.poll_id == poll.id, Proxy.delegator_id == actor.id))
    if found is None:
        found = Proxy(poll_id=poll.id, delegator_id=actor.id, proxy_id=proxy_id, created_at=now)
        db.session.add(found)
    else:
        found.proxy_id, found.created_at = proxy_id, now
    db.session.flush()
    _recount(poll)
    return found


def _check_proxy(poll: Poll, delegator_id: int, proxy_id: int) -> None:
    if poll.anonymous:
        raise invalid(
            "proxy_id", gettext("An anonymous poll takes no proxies: a proxy's vote would show through yours.")
        )
    if proxy_id == delegator_id:
        raise invalid("proxy_id", gettext("Choose someone other than yourself."))


def replay_proxy(*, poll: Poll, delegator_id: int, proxy_id: int, created_at: datetime) -> Proxy:
    """A proxy from history (who let whom vote for them), under the rules every proxy keeps."""
    _check_proxy(poll, delegator_id, proxy_id)
    proxy = Proxy(poll_id=poll.id, delegator_id=delegator_id, proxy_id=proxy_id, created_at=created_at)
    db.session.add(proxy)
    db.session.flush()
    return proxy


def revoke_proxy(*, actor: User, poll: Poll, now: datetime | None = None) -> None:
    now = now or utcnow()
    poll = _locked(poll)
    queries.ensure_poll_visible(actor, poll)
    poll.ensure_open(now)
    found = db.session.scalar(select(Proxy).where(Proxy.poll_id == poll.id, Proxy.delegator_id == actor.id))
    if found is None:
        raise NotFound(gettext("You have no proxy on this poll."))
    db.session.delete(found)
    db.session.flush()
    _recount(poll)


# --- closing ------------------------------------------------------------------------------------


def _claim_close(poll: Poll, now: datetime) -> bool:
    """The conditional UPDATE that makes a close happen once, whichever worker or request gets there first."""
    claimed = db.session.execute(
        update(Poll)
        .where(Poll.id == poll.id, Poll.closed_at.is_(None))
        .values(closed_at=now)
        .execution_options(synchronize_session=False)
    )
    return claimed.rowcount == 1


def close_poll(*, poll: Poll, actor: User | None = None, now: datetime | None = None) -> Poll:
    """Close the poll (its author or an admin; actor None: the scheduler at closing_at).

    In this one transaction: freeze voters_count and eligible_count, carry out a passed binding
    proposal's action (or record why not), notify the voters and queue the `poll_closed` event.
    """
    now = now or utcnow()
    group = _group_of(poll)
    if actor is not None:
        queries.ensure_poll_visible(actor, poll)
        if poll.author_id != actor.id and not can_admin(actor, group):
            raise Forbidden(gettext("Only the poll's author or the group's admins may close it."))
    return _close(poll, group, now=now, cancelled_by=None)


def cancel_poll(*, poll: Poll, actor: User, now: datetime | None = None) -> Poll:
    """A group admin stops a binding proposal: it closes now and its action is never carried out."""
    now = now or utcnow()
    group = _group_of(poll)
    queries.ensure_poll_visible(actor, poll)
    if not can_admin(actor, group):
        raise Forbidden(gettext("Only the group's admins may cancel a binding proposal."))
    if poll.action is None:
        raise Conflict(
            gettext("Only a binding proposal can be cancelled; close this poll instead."), code="not_binding"
        )
    return _close(poll, group, now=now, cancelled_by=actor)


def _close(poll: Poll, group: Group, *, now: datetime, cancelled_by: User | None) -> Poll:
    if poll.closed_at is not None or not _claim_close(poll, now):
        raise Conflict(gettext("This poll is closed already."), code="poll_closed")
    eligible = queries.eligible_ids(poll)
    ballots = queries.ballots_of(poll, eligible, closing=True)
    poll.close(now, voters_count=len(ballots.voters), eligible_count=queries.electorate_size(eligible, ballots))
    db.session.flush()
    if cancelled_by is not None:
        message = f"Cancelled by {cancelled_by.name}; nothing was done."
        poll.action_result = {"status": "cancelled", "message": message, "at": iso(now)}
    elif poll.action is not None:
        results = queries.results_of(poll, ballots)
        poll.action_result = _run_action(poll, group, passed=bool(results["passed"]), now=now)
    notify(
        user_ids=eligible | ({poll.author_id} if poll.author_id else set()),
        kind="poll_closed",
        url=poll_url(poll),
        text=lambda: gettext("Closed in %(group)s: %(title)s", group=group.name, title=poll.title),
        group_id=group.id,
    )
    db.session.flush()
    poll_closed.send(poll)
    return poll


def _run_action(poll: Poll, group: Group, *, passed: bool, now: datetime) -> dict:
    """Apply the action inside a savepoint: it happens entirely or not at all, and the outcome is recorded."""
    if not passed:
        return {"status": "not_passed", "message": "The proposal did not pass; nothing was done.", "at": iso(now)}
    try:
        with db.session.begin_nested():
            message = _apply_action(poll, group)
    except DomainError as err:
        return {"status": "failed", "code": err.code, "message": err.message, "at": iso(now)}
    return {"status": "applied", "message": message, "at": iso(now)}


def due_poll_ids(*, now: datetime) -> list[int]:
    """The open polls whose closing_at has passed, soonest first (governance.jobs closes each in its own transaction)."""
    return list(
        db.session.scalars(
            select(Poll.id).where(Poll.closed_at.is_(None), Poll.closing_at <= now).order_by(Poll.closing_at)
        )
    )


def polls_due_a_reminder(*, now: datetime) -> list[int]:
    """The open polls closing within a day whose voters have not been reminded yet."""
    candidates = db.session.execute(
        select(Poll.id, Poll.created_at, Poll.closing_at).where(
            Poll.closed_at.is_(None),
            Poll.reminded_at.is_(None),
            Poll.closing_at > now,
            Poll.closing_at <= now + REMINDER_BEFORE,
        )
    ).all()
    # a poll open for less than a day gets no reminder: its poll_created notice was recent enough
    return [poll_id for poll_id, created_at, closing_at in candidates if closing_at - created_at > REMINDER_BEFORE]


def remind_voters(*, poll_id: int, now: datetime) -> bool:
    """24 h before closing_at, remind the voters whose vote does not count yet; False if another worker
    reminded them first (the conditional UPDATE claims the reminder once)."""
    claimed = db.session.execute(
        update(Poll)
        .where(Poll.id == poll_id, Poll.reminded_at.is_(None), Poll.closed_at.is_(None))
        .values(reminded_at=now)
    )
    if claimed.rowcount != 1:
        return False
    poll = queries.poll_by_id(poll_id)
    eligible = queries.eligible_ids(poll)
    waiting = eligible - queries.ballots_of(poll, eligible).voters
    notify(
        user_ids=waiting,
        kind="poll_closing_soon",
        url=poll_url(poll),
        text=lambda: gettext("Closing within a day, and you have not voted: %(title)s", title=poll.title),
        group_id=poll.group_id,
    )
    return True


# --- outcome ------------------------------------------------------------------------------------


def set_outcome(
    *,
    actor: User,
    poll: Poll,
    statement: str,
    option: str | None = None,
    review_on: date | None = None,
    now: datetime | None = None,
) -> Poll:
    """The author or an admin states what was decided once the poll has closed; members are notified."""
    now = now or utcnow()
    group = _group_of(poll)
    queries.ensure_poll_visible(actor, poll)
    if poll.author_id != actor.id and not can_admin(actor, group):
        raise Forbidden(gettext("Only the poll's author or the group's admins may write its outcome."))
    if poll.closed_at is None:
        raise Conflict(gettext("Write the outcome once the poll has closed."), code="poll_open")
    statement = _check_statement(statement)
    _check_outcome_option(poll, option)
    if review_on is not None and within_bounds(review_on, "review_on") < now.date():
        raise invalid("review_on", gettext("The review date cannot be in the past."))
    _write_outcome(poll, statement, render_markdown(statement), option, review_on, actor.id, now)
    members = db.session.scalars(select(Membership.user_id).where(Membership.group_id == group.id))
    notify(
        user_ids=members,
        kind="outcome",
        url=poll_url(poll),
        text=lambda: gettext("Outcome in %(group)s: %(title)s", group=group.name, title=poll.title),
        actor_id=actor.id,
        group_id=group.id,
    )
    return poll


def _check_statement(statement: str | None) -> str:
    statement = (statement or "").strip()
    if not 1 <= len(statement) <= 10_000:
        raise invalid("statement", gettext("Say what was decided (1 to 10,000 characters)."))
    return statement


def _check_outcome_option(poll: Poll, option: str | None) -> None:
    if option is not None and option not in poll.options:
        raise invalid("option", gettext("Choose one of the poll's options."))


def _write_outcome(
    poll: Poll,
    statement: str,
    statement_html: str,
    option: str | None,
    review_on: date | None,
    author_id: int | None,
    at: datetime,
) -> None:
    poll.outcome_statement, poll.outcome_statement_html = statement, statement_html
    poll.outcome_option, poll.outcome_review_on = option, review_on
    poll.outcome_author_id, poll.outcome_at = author_id, at
    db.session.flush()


def replay_outcome(
    *,
    poll: Poll,
    statement: str,
    statement_html: str | None = None,
    option: str | None = None,
    review_on: date | None = None,
    author_id: int | None,
    at: datetime,
) -> Poll:
    """What was decided, from history: the statement and option under the live rules (a past review date stays)."""
    statement = _check_statement(statement)
    _check_outcome_option(poll, option)
    _write_outcome(poll, statement, stored_html(statement, statement_html), option, review_on, author_id, at)
    return poll
