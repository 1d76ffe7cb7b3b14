"""A group's data as one JSON-ready dict (format.py's version 1): its groups, people, threads, decisions, requests and ledger."""

from datetime import datetime

from sqlalchemy import select

from ..accounts.models import User
from ..credit.models import Account, Entry, FeeCharge, Leg, Network, Transfer
from ..extensions import db
from ..forums.models import Comment, CommentVersion, Discussion, Reaction
from ..governance import queries as governance_queries
from ..governance.models import Poll, Proxy, Vote, VoteRevision
from ..groups.models import Group, Membership
from ..groups.permissions import ensure_admin, is_admin
from ..groups.service import SETTINGS
from ..skills.models import (
    Application,
    Contribution,
    Endorsement,
    GroupSkillSettings,
    RequestSkill,
    Skill,
    SkillRequest,
)
from ..timeutil import utcnow
from .format import FORMAT, FORMAT_VERSION


def stamp(moment: datetime | None) -> str | None:
    """ISO 8601 UTC with microseconds kept, so the ledger's order survives the round trip."""
    return None if moment is None else moment.isoformat() + "Z"


class _Refs:
    """Numbers local to the file, handed out in order of first use (database ids never leave)."""

    def __init__(self) -> None:
        self.refs: dict[int, int] = {}

    def __call__(self, key: int | None) -> int | None:
        if key is None:
            return None
        return self.refs.setdefault(key, len(self.refs) + 1)

    def known(self, key: int | None) -> int | None:
        return self.refs.get(key)


def _tree(actor, root: Group) -> list[Group]:
    """The group and every subgroup below it that the actor administers too (parents before children)."""
    found, frontier = [root], [root.id]
    while frontier:
        children = list(db.session.scalars(select(Group).where(Group.parent_id.in_(frontier)).order_by(Group.id)))
        children = [child for child in children if is_admin(actor, child)]
        found.extend(children)
        frontier = [child.id for child in children]
    return found


def export_group(*, group: Group, actor: User) -> dict:
    """Everything the group's admins govern, as format version 1 (only the group's admins may; 404 when secret)."""
    ensure_admin(actor, group)
    people, groups, outside, accounts, transfers = _Refs(), _Refs(), _Refs(), _Refs(), _Refs()
    tree = _tree(actor, group)
    for member in tree:
        groups(member.id)
    group_ids = [g.id for g in tree]
    data: dict = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exported_at": stamp(utcnow()),
        "group": group.handle,
        "people": [],
        "groups": _groups(tree, people, groups),
    }
    data["discussions"], discussion_refs = _discussions(group_ids, people, groups)
    data["networks"], network_ids = _networks(group_ids, people, groups, outside, accounts)
    data["transfers"] = _transfers(network_ids, people, accounts, transfers)
    _fee_charges(data["networks"], network_ids, accounts, transfers)
    network_refs = {nid: i + 1 for i, nid in enumerate(network_ids)}
    data["polls"] = _polls(group_ids, people, groups, discussion_refs, accounts, network_refs)
    data["requests"] = _requests(group_ids, people, groups, accounts, transfers)
    data["outside_groups"] = [
        {"ref": outside.refs[g.id], "handle": g.handle, "name": g.name}
        for g in db.session.scalars(select(Group).where(Group.id.in_(outside.refs)).order_by(Group.id))
    ]
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(people.refs)))}
    data["people"] = [
        {"ref": ref, "email": users[uid].email, "name": users[uid].name, "handle": users[uid].handle}
        for uid, ref in people.refs.items()
    ]
    return data


def _groups(tree: list[Group], people: _Refs, groups: _Refs) -> list[dict]:
    ids = [g.id for g in tree]
    members: dict[int, list[dict]] = {}
    for m in db.session.scalars(select(Membership).where(Membership.group_id.in_(ids)).order_by(Membership.id)):
        members.setdefault(m.group_id, []).append(
            {"person": people(m.user_id), "role": m.role, "joined_at": stamp(m.joined_at), "volume": m.volume}
        )
    skills = {
        s.group_id: s
        for s in db.session.scalars(select(GroupSkillSettings).where(GroupSkillSettings.group_id.in_(ids)))
    }
    result = []
    for g in tree:
        settings = {key: getattr(g, key) for key in SETTINGS}
        settings["members_can_post_requests"] = skills[g.id].members_can_post_requests if g.id in skills else True
        result.append(
            {
                "ref": groups(g.id),
                "parent": groups.known(g.parent_id),
                "handle": g.handle,
                "name": g.name,
                "description": g.description,
                "privacy": g.privacy,
                "settings": settings,
                "created_at": stamp(g.created_at),
                "created_by": people(g.created_by_id),
                "members": members.get(g.id, []),
            }
        )
    return result


def _discussions(group_ids: list[int], people: _Refs, groups: _Refs) -> tuple[list[dict], _Refs]:
    refs, comment_refs = _Refs(), _Refs()
    threads = list(
        db.session.scalars(select(Discussion).where(Discussion.group_id.in_(group_ids)).order_by(Discussion.id))
    )
    ids = [d.id for d in threads]
    comments = list(
        db.session.scalars(select(Comment).where(Comment.discussion_id.in_(ids)).order_by(Comment.position))
    )
    comment_ids = [c.id for c in comments]
    versions: dict[int, list[dict]] = {}
    for v in db.session.scalars(
        select(CommentVersion).where(CommentVersion.comment_id.in_(comment_ids)).order_by(CommentVersion.id)
    ):
        versions.setdefault(v.comment_id, []).append(
            {"body": v.body, "written_at": stamp(v.written_at), "replaced_at": stamp(v.replaced_at)}
        )
    reactions: dict[int, list[dict]] = {}
    for r in db.session.scalars(select(Reaction).where(Reaction.comment_id.in_(comment_ids)).order_by(Reaction.id)):
        reactions.setdefault(r.comment_id, []).append(
            {"person": people(r.user_id), "emoji": r.emoji, "created_at": stamp(r.created_at)}
        )
    by_thread: dict[int, list[dict]] = {}
    for c in comments:
        by_thread.setdefault(c.discussion_id, []).append(
            {
                "ref": comment_refs(c.id),
                "parent": comment_refs.known(c.parent_id),
                "author": people(c.author_id),
                "body": c.body,
                "created_at": stamp(c.created_at),
                "edited_at": stamp(c.edited_at),
                "deleted_at": stamp(c.deleted_at),
                "versions": versions.get(c.id, []),
                "reactions": reactions.get(c.id, []),
            }
        )
    result = [
        {
            "ref": refs(d.id),
            "group": groups.known(d.group_id),
            "author": people(d.author_id),
            "title": d.title,
            "description": d.description,
            "pinned": d.pinned,
            "closed_at": stamp(d.closed_at),
            "created_at": stamp(d.created_at),
            "last_activity_at": stamp(d.last_activity_at),
            "edited_at": stamp(d.edited_at),
            "comments": by_thread.get(d.id, []),
        }
        for d in threads
    ]
    return result, refs


def _action(action: dict | None, people: _Refs, accounts: _Refs, networks: dict[int, int]) -> dict | None:
    """A binding action with its database ids turned into the file's refs (None when the target is not in it)."""
    if action is None:
        return None
    action = dict(action)
    if "account_id" in action:
        action["account_id"] = accounts.known(action["account_id"])
    if "user_id" in action:
        action["user_id"] = people(action["user_id"])
    if "network_id" in action:
        action["network_id"] = networks.get(action["network_id"])
    return action


def _polls(
    group_ids: list[int], people: _Refs, groups: _Refs, discussions: _Refs, accounts: _Refs, networks: dict[int, int]
) -> list[dict]:
    polls = list(db.session.scalars(select(Poll).where(Poll.group_id.in_(group_ids)).order_by(Poll.id)))
    named_ids = [p.id for p in polls if not p.anonymous]
    # a poll whose results are hidden shows no vote to anyone until it closes, the group's admins included
    shown_ids = [p.id for p in polls if not p.anonymous and p.results_visible()]
    votes: dict[int, list[Vote]] = {}
    for vote in db.session.scalars(select(Vote).where(Vote.poll_id.in_(shown_ids)).order_by(Vote.id)):
        votes.setdefault(vote.poll_id, []).append(vote)
    revisions: dict[int, list[dict]] = {}
    vote_ids = [v.id for vs in votes.values() for v in vs]
    for r in db.session.scalars(
        select(VoteRevision).where(VoteRevision.vote_id.in_(vote_ids)).order_by(VoteRevision.id)
    ):
        revisions.setdefault(r.vote_id, []).append(
            {"choices": r.choices, "reason": r.reason, "cast_at": stamp(r.cast_at), "replaced_at": stamp(r.replaced_at)}
        )
    proxies: dict[int, list[dict]] = {}
    for p in db.session.scalars(select(Proxy).where(Proxy.poll_id.in_(named_ids)).order_by(Proxy.id)):
        proxies.setdefault(p.poll_id, []).append(
            {"delegator": people(p.delegator_id), "proxy": people(p.proxy_id), "created_at": stamp(p.created_at)}
        )
    result = []
    for p in polls:
        item = {
            "ref": len(result) + 1,
            "group": groups.known(p.group_id),
            "discussion": discussions.known(p.discussion_id),
            "author": people(p.author_id),
            "kind": p.kind,
            "title": p.title,
            "details": p.details,
            "options": p.options,
            "settings": p.settings,
            "anonymous": p.anonymous,
            "hide_results": p.hide_results,
            "quorum_percent": p.quorum_percent,
            "voters": None if p.voter_ids is None else [people(uid) for uid in p.voter_ids],
            "closing_at": stamp(p.closing_at),
            "closed_at": stamp(p.closed_at),
            "created_at": stamp(p.created_at),
            "voters_count": p.voters_count,
            "eligible_count": p.eligible_count,
            "action": _action(p.action, people, accounts, networks),
            "action_result": p.action_result,
            "outcome": None,
            "votes": [],
            "proxies": [],
            "ballots": [],
        }
        if p.outcome_statement is not None:
            item["outcome"] = {
                "statement": p.outcome_statement,
                "option": p.outcome_option,
                "review_on": p.outcome_review_on.isoformat() if p.outcome_review_on else None,
                "author": people(p.outcome_author_id),
                "at": stamp(p.outcome_at),
            }
        if p.anonymous:
            item["ballots"] = _ballots(p) if p.results_visible() else []
        else:
            item["votes"] = [
                {
                    "voter": people(v.user_id),
                    "choices": v.choices,
                    "reason": v.reason,
                    "created_at": stamp(v.created_at),
                    "revisions": revisions.get(v.id, []),
                }
                for v in votes.get(p.id, [])
            ]
            item["proxies"] = proxies.get(p.id, [])
        result.append(item)
    return result


def _ballots(poll: Poll) -> list[dict]:
    """An anonymous poll's ballots: choices and reasons, sorted by content.

    No voter, no time and no database order: nothing in the file links a person to what they
    chose (API.md's anonymity rule). An anonymous poll counts no proxies, so these are all its ballots.
    """
    return [{"choices": vote.choices, "reason": vote.reason} for vote in governance_queries.anonymous_ballots(poll)]


def _requests(group_ids: list[int], people: _Refs, groups: _Refs, accounts: _Refs, transfers: _Refs) -> list[dict]:
    requests = list(
        db.session.scalars(select(SkillRequest).where(SkillRequest.group_id.in_(group_ids)).order_by(SkillRequest.id))
    )
    ids = [r.id for r in requests]
    skills: dict[int, list[dict]] = {}
    for rs in db.session.scalars(
        select(RequestSkill).where(RequestSkill.request_id.in_(ids)).order_by(RequestSkill.position)
    ):
        skills.setdefault(rs.request_id, []).append({"name": rs.skill.name, "level": rs.level, "required": rs.required})
    applications: dict[int, list[dict]] = {}
    for a in db.session.scalars(select(Application).where(Application.request_id.in_(ids)).order_by(Application.id)):
        applications.setdefault(a.request_id, []).append(
            {
                "person": people(a.user_id),
                "message": a.message,
                "state": a.state,
                "invited": a.invited,
                "created_at": stamp(a.created_at),
                "decided_at": stamp(a.decided_at),
                "decided_by": people(a.decided_by_id),
            }
        )
    contributions: dict[int, list[dict]] = {}
    for c in db.session.scalars(select(Contribution).where(Contribution.request_id.in_(ids))):
        contributions.setdefault(c.request_id, []).append(
            {
                "person": people(c.user_id),
                "centihours": c.centihours,
                "reward_amount": c.reward_amount,
                "transfer": transfers.known(c.transfer_id),
                "created_at": stamp(c.created_at),
            }
        )
    endorsements: dict[int, list[dict]] = {}
    rows = db.session.execute(
        select(Endorsement, Skill.name)
        .join(Skill, Skill.id == Endorsement.skill_id)
        .where(Endorsement.request_id.in_(ids))
    )
    for e, name in rows:
        endorsements.setdefault(e.request_id, []).append(
            {
                "person": people(e.user_id),
                "skill": name,
                "endorser": people(e.endorser_id),
                "created_at": stamp(e.created_at),
            }
        )
    result = []
    for r in requests:
        reward_ref = accounts.known(r.reward_account_id)
        result.append(
            {
                "ref": len(result) + 1,
                "group": groups.known(r.group_id),
                "author": people(r.author_id),
                "title": r.title,
                "description": r.description,
                "skills": skills.get(r.id, []),
                "hours_estimate": r.hours_estimate,
                "deadline": stamp(r.deadline),
                "location": r.location,
                "remote_ok": r.remote_ok,
                "languages": r.language_list,
                "reward": {"account": reward_ref, "amount": r.reward_amount}
                if reward_ref and r.reward_amount
                else None,
                "volunteers_needed": r.volunteers_needed,
                "state": r.state,
                "closed_reason": r.closed_reason,
                "created_at": stamp(r.created_at),
                "expires_at": stamp(r.expires_at),
                "completed_at": stamp(r.completed_at),
                "applications": applications.get(r.id, []),
                "contributions": contributions.get(r.id, []),
                "endorsements": endorsements.get(r.id, []),
            }
        )
    return result


def _holder(account: Account, network_ref: int, people: _Refs, groups: _Refs, outside: _Refs) -> dict:
    if account.holder_type == "user":
        return {"type": "person", "ref": people(account.holder_id)}
    if account.holder_type == "network":
        return {"type": "network", "ref": network_ref}
    if (ref := groups.known(account.holder_id)) is not None:
        return {"type": "group", "ref": ref}
    return {"type": "outside_group", "ref": outside(account.holder_id)}


def _networks(
    group_ids: list[int], people: _Refs, groups: _Refs, outside: _Refs, accounts: _Refs
) -> tuple[list[dict], list[int]]:
    """The networks the groups govern with their accounts, and the networks' ids in ref order."""
    networks = list(db.session.scalars(select(Network).where(Network.group_id.in_(group_ids)).order_by(Network.id)))
    refs = _Refs()
    for n in networks:
        refs(n.id)
    by_network: dict[int, list[Account]] = {}
    for a in db.session.scalars(select(Account).where(Account.network_id.in_(refs.refs)).order_by(Account.id)):
        accounts(a.id)
        by_network.setdefault(a.network_id, []).append(a)
    result = []
    for n in networks:
        in_file = n.parent_id in refs.refs
        result.append(
            {
                "ref": refs.known(n.id),
                "group": groups.known(n.group_id),
                "parent": refs.known(n.parent_id) if in_file else None,
                "name": n.name,
                "currency": {
                    "code": n.currency_code,
                    "name": n.currency_name,
                    "symbol": n.currency_symbol,
                    "decimals": n.currency_decimals,
                },
                "default_credit_limit": n.default_credit_limit,
                "default_debit_limit": n.default_debit_limit,
                "kind_credit_limits": n.kind_credit_limits or {},
                "exchange_rate": n.exchange_rate,
                "clearing_account": accounts.known(n.clearing_account_id) if in_file else None,
                "settlement_account": accounts.known(n.settlement_account_id),
                "fees": n.fees,
                "operations_account": accounts.known(n.operations_account_id),
                "created_at": stamp(n.created_at),
                "accounts": [
                    {
                        "ref": accounts.known(a.id),
                        "holder": _holder(a, refs.known(n.id), people, groups, outside),
                        "kind": a.kind,
                        "purpose": a.purpose,
                        "balance": a.balance,
                        "credit_limit": a.credit_limit,
                        "debit_limit": a.debit_limit,
                        "status": a.status,
                        "warning_percent": a.warning_percent,
                        "created_at": stamp(a.created_at),
                    }
                    for a in by_network.get(n.id, [])
                ],
            }
        )
    return result, [n.id for n in networks]


def _fee_charges(networks: list[dict], network_ids: list[int], accounts: _Refs, transfers: _Refs) -> None:
    """Each network's periodic fees charged so far (after `_transfers`, whose refs they name)."""
    by_network: dict[int, list[dict]] = {}
    charges = select(FeeCharge).where(FeeCharge.network_id.in_(network_ids)).order_by(FeeCharge.id)
    for c in db.session.scalars(charges):
        by_network.setdefault(c.network_id, []).append(
            {
                "account": accounts.known(c.account_id),
                "period": c.period,
                "kind": c.kind,
                "amount": c.amount,
                "transfer": transfers.known(c.transfer_id),
                "created_at": stamp(c.created_at),
            }
        )
    for network, network_id in zip(networks, network_ids, strict=True):
        network["fee_charges"] = by_network.get(network_id, [])


def _transfers(network_ids: list[int], people: _Refs, accounts: _Refs, transfers: _Refs) -> list[dict]:
    """Every transfer with a leg in the exported networks, oldest first, with those legs and their entries."""
    if not network_ids:
        return []
    legs = list(
        db.session.scalars(select(Leg).where(Leg.network_id.in_(network_ids)).order_by(Leg.transfer_id, Leg.position))
    )
    leg_ids = [leg.id for leg in legs]
    entries: dict[int, list[Entry]] = {}
    for e in db.session.scalars(select(Entry).where(Entry.leg_id.in_(leg_ids)).order_by(Entry.id)):
        entries.setdefault(e.leg_id, []).append(e)
    network_refs = {nid: i + 1 for i, nid in enumerate(network_ids)}
    by_transfer: dict[int, list[dict]] = {}
    for leg in legs:
        by_transfer.setdefault(leg.transfer_id, []).append(
            {
                "network": network_refs[leg.network_id],
                "from_account": accounts.known(leg.from_account_id),
                "to_account": accounts.known(leg.to_account_id),
                "amount": leg.amount,
                "fee": leg.fee,
                "entries": [
                    {"account": accounts.known(e.account_id), "amount": e.amount, "balance_after": e.balance_after}
                    for e in sorted(entries.get(leg.id, []), key=lambda e: e.amount)
                ],
            }
        )
    result = []
    for t in db.session.scalars(select(Transfer).where(Transfer.id.in_(by_transfer)).order_by(Transfer.id)):
        result.append(
            {
                "ref": transfers(t.id),
                "description": t.description,
                "state": t.state,
                "reverses": transfers.known(t.reverses_id),
                "reason": t.reason,
                "created_by": people(t.created_by_id),
                "created_at": stamp(t.created_at),
                "legs": by_transfer[t.id],
            }
        )
    return result
