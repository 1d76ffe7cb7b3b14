"""Reads of the skills board shared by pages, the API and the service: visibility, matching feeds, impact."""

from collections import defaultdict
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from ..accounts.models import User
from ..errors import NotFound
from ..extensions import db
from ..groups.models import Group, Membership
from ..groups.permissions import can_see_content, is_admin, user_id_of
from ..timeutil import utcnow
from . import matching
from .models import (
    Application,
    Contribution,
    Endorsement,
    GroupSkillSettings,
    Profile,
    ProfileSkill,
    RequestSkill,
    SavedSearch,
    Skill,
    SkillRequest,
)
from .taxonomy import fold, taxonomy

# --- skills and profiles --------------------------------------------------------------------------


def skills_by_keys(keys) -> dict[str, Skill]:
    keys = list(keys)
    if not keys:
        return {}
    return {skill.key: skill for skill in db.session.scalars(select(Skill).where(Skill.key.in_(keys)))}


def search_skills(query: str, limit: int = 20) -> list[dict]:
    """Taxonomy skills and free entries in use whose name starts with (then contains) the query."""
    found = [(e.key, e.name, e.category) for e in taxonomy().search(query, limit)]
    q = fold(query)
    if q:
        pattern = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        free = db.session.scalars(
            select(Skill)
            .where(Skill.category.is_(None), Skill.key.like(f"%{pattern}%", escape="\\"))
            .order_by(Skill.members_count.desc(), Skill.key)
            .limit(limit)
        )
        found += [(s.key, s.name, None) for s in free]
    found = found[:limit]
    stored = skills_by_keys(key for key, _unused, _unused in found)
    return [
        {
            "key": key,
            "name": name,
            "category": category,
            "id": stored[key].id if key in stored else None,
            "members_count": stored[key].members_count if key in stored else 0,
        }
        for key, name, category in found
    ]


def profile_of(user_id: int) -> Profile | None:
    return db.session.get(Profile, user_id)


def profile_skills(user_id: int) -> list[ProfileSkill]:
    return list(
        db.session.scalars(
            select(ProfileSkill)
            .options(joinedload(ProfileSkill.skill))
            .where(ProfileSkill.user_id == user_id)
            .order_by(ProfileSkill.position, ProfileSkill.skill_id)
        )
    )


def endorsement_counts(user_id: int) -> dict[int, int]:
    """skill id -> how many completed requests endorsed it for the user."""
    rows = db.session.execute(
        select(Endorsement.skill_id, func.count()).where(Endorsement.user_id == user_id).group_by(Endorsement.skill_id)
    )
    return dict(rows.all())


def shares_a_group(viewer_id: int, user_id: int) -> bool:
    mine, theirs = aliased(Membership), aliased(Membership)
    return db.session.scalar(
        select(exists().where(mine.user_id == viewer_id, theirs.user_id == user_id, mine.group_id == theirs.group_id))
    )


def can_see_profile(viewer, user_id: int, profile: Profile | None) -> bool:
    """Your own; a public one to anyone signed in; otherwise to members of a shared group."""
    viewer_id = user_id_of(viewer)
    if viewer_id == user_id:
        return True
    if profile is not None and profile.public:
        return True
    return viewer_id is not None and shares_a_group(viewer_id, user_id)


def visible_profile(viewer, user_id: int) -> tuple[User, Profile | None]:
    user = db.session.get(User, user_id)
    profile = profile_of(user_id) if user is not None else None
    if user is None or not can_see_profile(viewer, user_id, profile):
        raise NotFound(_("No such person."))
    return user, profile


def group_settings(group_id: int) -> GroupSkillSettings:
    return db.session.get(GroupSkillSettings, group_id) or GroupSkillSettings(
        group_id=group_id, members_can_post_requests=True
    )


# --- requests ---------------------------------------------------------------------------------------


def _visible_group_clause(user):
    """Requests of open groups, and of groups the user belongs to."""
    uid = user_id_of(user)
    open_groups = select(Group.id).where(Group.privacy == "open")
    if uid is None:
        return SkillRequest.group_id.in_(open_groups)
    mine = select(Membership.group_id).where(Membership.user_id == uid)
    return or_(SkillRequest.group_id.in_(open_groups), SkillRequest.group_id.in_(mine))


def request_options():
    return (joinedload(SkillRequest.author), joinedload(SkillRequest.group), selectinload(SkillRequest.skills))


def request_by_id(request_id: int) -> SkillRequest | None:
    return db.session.scalar(select(SkillRequest).options(*request_options()).where(SkillRequest.id == request_id))


def visible_request(user, request_id: int) -> SkillRequest:
    """The request, or NotFound for one that does not exist or whose group's content the user may not see."""
    found = request_by_id(request_id)
    if found is None or not can_see_content(user, found.group):
        raise NotFound(_("No such request."))
    return found


def can_manage(user, request: SkillRequest) -> bool:
    """The request's author or the group's admins accept applications, complete and cancel."""
    uid = user_id_of(user)
    return uid is not None and (uid == request.author_id or is_admin(user, request.group))


def open_requests_select(
    user, *, q: str = "", skill: str | None = None, remote_ok: bool | None = None, group_id: int | None = None
):
    """Open requests the user may see, filtered; a select of SkillRequest (for paginate)."""
    stmt = (
        select(SkillRequest)
        .options(*request_options())
        .where(SkillRequest.state == "open", _visible_group_clause(user))
    )
    if q:
        pattern = "%" + q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(
            or_(
                func.lower(SkillRequest.title).like(pattern, escape="\\"),
                func.lower(SkillRequest.description).like(pattern, escape="\\"),
            )
        )
    if skill:
        key = taxonomy().key_of(skill)
        stmt = stmt.where(
            exists().where(
                RequestSkill.request_id == SkillRequest.id, RequestSkill.skill_id == Skill.id, Skill.key == key
            )
        )
    if remote_ok is not None:
        stmt = stmt.where(SkillRequest.remote_ok.is_(remote_ok))
    if group_id is not None:
        stmt = stmt.where(SkillRequest.group_id == group_id)
    return stmt


def applications_select(request: SkillRequest):
    """A request's applications with their applicants (unordered: see APPLICATIONS_ORDER)."""
    return select(Application).options(joinedload(Application.user)).where(Application.request_id == request.id)


#: oldest first, as keyset columns
APPLICATIONS_ORDER = [(Application.created_at, False), (Application.id, False)]


def applications_of(request: SkillRequest) -> list[Application]:
    return list(db.session.scalars(applications_select(request).order_by(Application.created_at, Application.id)))


def application_of(user, request: SkillRequest) -> Application | None:
    uid = user_id_of(user)
    if uid is None:
        return None
    return db.session.scalar(
        select(Application).where(Application.request_id == request.id, Application.user_id == uid)
    )


def my_applications_select(user):
    """The user's applications with their requests (paged newest first by the API)."""
    return (
        select(Application)
        .options(joinedload(Application.request).joinedload(SkillRequest.group))
        .where(Application.user_id == user_id_of(user))
    )


def saved_searches_select(user):
    return select(SavedSearch).where(SavedSearch.user_id == user_id_of(user))


def saved_searches(user) -> list[SavedSearch]:
    return list(db.session.scalars(saved_searches_select(user).order_by(SavedSearch.id)))


# --- matching feeds -----------------------------------------------------------------------------------


def _languages(text: str) -> frozenset[str]:
    return frozenset(code for code in text.split(",") if code)


def request_spec(request: SkillRequest, now: datetime | None = None) -> matching.RequestSpec:
    now = now or utcnow()
    weeks = max(0.0, (request.deadline - now).total_seconds() / 604800) if request.deadline else None
    return matching.RequestSpec(
        id=request.id,
        skills=tuple(matching.Wanted(rs.skill.key, rs.skill.name, rs.level, rs.required) for rs in request.skills),
        languages=_languages(request.languages),
        location=request.location,
        remote_ok=request.remote_ok,
        hours_estimate=request.hours_estimate,
        weeks=weeks,
    )


def _expanded_keys(keys) -> set[str]:
    tax = taxonomy()
    expanded: set[str] = set()
    for key in keys:
        expanded |= tax.related_keys(key)
    return expanded


def people_for(request: SkillRequest) -> list[tuple[dict, matching.Match]]:
    """The group's members (not the author) holding a requested or related skill, ranked; one query.

    Only the candidates' rows for those skills are read (their other skills cannot change a score).
    """
    keys = _expanded_keys(rs.skill.key for rs in request.skills)
    if not keys:
        return []
    rows = db.session.execute(
        select(
            ProfileSkill.user_id,
            Skill.key,
            ProfileSkill.level,
            User.name,
            Profile.languages,
            Profile.location,
            Profile.remote_ok,
            Profile.availability_hours_per_week,
        )
        .join(Skill, Skill.id == ProfileSkill.skill_id)
        .join(Membership, and_(Membership.user_id == ProfileSkill.user_id, Membership.group_id == request.group_id))
        .join(Profile, Profile.user_id == ProfileSkill.user_id)
        .join(User, User.id == ProfileSkill.user_id)
        .where(Skill.key.in_(sorted(keys)), ProfileSkill.user_id != (request.author_id or 0))
    ).all()
    held: dict[int, dict[str, int]] = defaultdict(dict)
    info: dict[int, tuple] = {}
    for uid, key, level, name, languages, location, remote_ok, hours in rows:
        held[uid][key] = level
        info[uid] = (name, languages, location, remote_ok, hours)
    people = [
        matching.PersonSpec(uid, held[uid], _languages(i[1]), i[2], i[3], i[4]) for uid, i in sorted(info.items())
    ]
    ranked = matching.rank_people(request_spec(request), people, taxonomy())
    return [({"id": uid, "name": info[uid][0]}, match) for uid, match in ranked]


def person_spec(user_id: int) -> matching.PersonSpec | None:
    profile = profile_of(user_id)
    if profile is None:
        return None
    rows = db.session.execute(
        select(Skill.key, ProfileSkill.level)
        .join(Skill, Skill.id == ProfileSkill.skill_id)
        .where(ProfileSkill.user_id == user_id)
    ).all()
    return matching.PersonSpec(
        user_id,
        dict(rows),
        _languages(profile.languages),
        profile.location,
        profile.remote_ok,
        profile.availability_hours_per_week,
    )


def gigs_for(user) -> list[tuple[SkillRequest, matching.Match]]:
    """Open requests the user may see, did not post and has not applied to, that want a skill they hold
    (or a related one), ranked by fit. Three queries whatever the number of profiles or requests."""
    uid = user_id_of(user)
    person = person_spec(uid) if uid is not None else None
    if person is None or not person.skills:
        return []
    keys = _expanded_keys(person.skills)
    wanted = (
        select(RequestSkill.request_id)
        .join(Skill, Skill.id == RequestSkill.skill_id)
        .where(Skill.key.in_(sorted(keys)))
    )
    applied = select(Application.request_id).where(Application.user_id == uid)
    requests = list(
        db.session.scalars(
            select(SkillRequest)
            .options(*request_options())
            .where(
                SkillRequest.state == "open",
                _visible_group_clause(user),
                SkillRequest.author_id.is_distinct_from(uid),
                SkillRequest.id.in_(wanted),
                SkillRequest.id.not_in(applied),
            )
        ).unique()
    )
    now = utcnow()
    by_id = {r.id: r for r in requests}
    ranked = matching.rank_requests(person, [request_spec(r, now) for r in requests], taxonomy())
    return [(by_id[rid], match) for rid, match in ranked]


def recent_recommendation_counts(user_ids, now: datetime) -> dict[int, int]:
    from .models import Recommendation

    ids = list(user_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(Recommendation.user_id, func.count())
        .where(Recommendation.user_id.in_(ids), Recommendation.created_at > now - timedelta(days=7))
        .group_by(Recommendation.user_id)
    )
    return dict(rows.all())


# --- directory and impact --------------------------------------------------------------------------------


def directory_select():
    """The directory's groups: open groups (anyone may see their needs) with open requests."""
    has_open = exists().where(SkillRequest.group_id == Group.id, SkillRequest.state == "open")
    return select(Group).where(Group.privacy == "open", has_open)


#: the directory's order (a unique column last, for keyset paging)
DIRECTORY_ORDER = [(Group.name, False), (Group.id, False)]


def with_open_requests(groups: list[Group]) -> list[tuple[Group, list[SkillRequest]]]:
    """Each group with its open requests, newest first (one query for all of them)."""
    by_group: dict[int, list[SkillRequest]] = {g.id: [] for g in groups}
    requests = db.session.scalars(
        select(SkillRequest)
        .options(*request_options())
        .where(SkillRequest.group_id.in_(by_group), SkillRequest.state == "open")
        .order_by(SkillRequest.created_at.desc(), SkillRequest.id.desc())
    )
    for r in requests:
        by_group[r.group_id].append(r)
    return [(g, by_group[g.id]) for g in groups]


def directory(limit: int = 200) -> list[tuple[Group, list[SkillRequest]]]:
    """The directory page: the first `limit` groups with their open requests."""
    order = [column.desc() if descending else column.asc() for column, descending in DIRECTORY_ORDER]
    return with_open_requests(list(db.session.scalars(directory_select().order_by(*order).limit(limit))))


def group_impact(group_id: int) -> dict:
    completed = select(SkillRequest.id).where(SkillRequest.group_id == group_id, SkillRequest.state == "completed")
    gigs = db.session.scalar(select(func.count()).select_from(completed.subquery()))
    row = db.session.execute(
        select(
            func.coalesce(func.sum(Contribution.centihours), 0),
            func.coalesce(func.sum(Contribution.reward_amount), 0),
            func.count(func.distinct(Contribution.user_id)),
        ).where(Contribution.request_id.in_(completed))
    ).one()
    open_count = db.session.scalar(
        select(func.count()).where(SkillRequest.group_id == group_id, SkillRequest.state.in_(("open", "assigned")))
    )
    return {
        "group_id": group_id,
        "gigs_completed": gigs,
        "hours": row[0] / 100,
        "credit_paid": row[1],
        "volunteers": row[2],
        "open_requests": open_count,
    }


def member_impact(user_id: int) -> dict:
    row = db.session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(Contribution.centihours), 0),
            func.coalesce(func.sum(Contribution.reward_amount), 0),
        ).where(Contribution.user_id == user_id)
    ).one()
    return {"user_id": user_id, "gigs_completed": row[0], "hours": row[1] / 100, "credit_earned": row[2]}


# --- the group hub and Explore (platform6/group_hub.py, pages.explore) -----------------------------------


def open_requests_count_of(group_id: int):
    """A scalar subquery: the group's open requests."""
    return select(func.count()).where(SkillRequest.group_id == group_id, SkillRequest.state == "open").scalar_subquery()


def applications_to_answer_count_of(group_id: int):
    """A scalar subquery: pending applications to the group's live requests (its admins answer them)."""
    return (
        select(func.count())
        .select_from(Application)
        .join(SkillRequest, SkillRequest.id == Application.request_id)
        .where(
            SkillRequest.group_id == group_id,
            SkillRequest.state.in_(("open", "assigned")),
            Application.state == "pending",
        )
        .scalar_subquery()
    )


def open_requests_of(group: Group, limit: int = 5) -> list[SkillRequest]:
    """The group's open requests with their skills, newest first."""
    return list(
        db.session.scalars(
            select(SkillRequest)
            .options(selectinload(SkillRequest.skills))
            .where(SkillRequest.group_id == group.id, SkillRequest.state == "open")
            .order_by(SkillRequest.created_at.desc(), SkillRequest.id.desc())
            .limit(limit)
        )
    )


def groups_needing_skill(text: str):
    """A select of the ids of groups with an open request wanting a skill whose name contains `text`."""
    pattern = "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return (
        select(SkillRequest.group_id)
        .join(RequestSkill, RequestSkill.request_id == SkillRequest.id)
        .join(Skill, Skill.id == RequestSkill.skill_id)
        .where(SkillRequest.state == "open", func.lower(Skill.name).like(pattern, escape="\\"))
    )


def needed_skill_names(group_ids) -> dict[int, list[str]]:
    """{group id: the skills its open requests want, by name}, in one query."""
    ids = list(group_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(SkillRequest.group_id, Skill.name)
        .join(RequestSkill, RequestSkill.request_id == SkillRequest.id)
        .join(Skill, Skill.id == RequestSkill.skill_id)
        .where(SkillRequest.group_id.in_(ids), SkillRequest.state == "open")
        .distinct()
        .order_by(SkillRequest.group_id, Skill.name)
    )
    found: dict[int, list[str]] = defaultdict(list)
    for group_id, name in rows:
        found[group_id].append(name)
    return dict(found)


def credit_by_network(*, user_id: int | None = None, group_id: int | None = None) -> list[tuple[object, int]]:
    """Rewards paid (to a member, or by a group's requests) summed per network, as (network, minor units): pages
    show each in its own currency, never one sum of different currencies. One query."""
    from ..credit.models import Account, Network

    stmt = (
        select(Network, func.sum(Contribution.reward_amount))
        .select_from(Contribution)
        .join(SkillRequest, SkillRequest.id == Contribution.request_id)
        .join(Account, Account.id == SkillRequest.reward_account_id)
        .join(Network, Network.id == Account.network_id)
        .where(Contribution.reward_amount > 0)
        .group_by(Network.id)
        .order_by(Network.name, Network.id)
    )
    if user_id is not None:
        stmt = stmt.where(Contribution.user_id == user_id)
    if group_id is not None:
        stmt = stmt.where(SkillRequest.group_id == group_id, SkillRequest.state == "completed")
    return [(network, amount) for network, amount in db.session.execute(stmt).all()]


# --- the reward's network ----------------------------------------------------------------------------------


def reward_network(request: SkillRequest):
    """The credit network the request's reward is paid in (None without a reward)."""
    from ..credit import queries as credit_queries

    if not request.reward_account_id or not request.reward_amount:
        return None
    account = credit_queries.account_by_id(request.reward_account_id)
    return credit_queries.network_by_id(account.network_id) if account else None


def without_reward_account(network, user_ids) -> set[int]:
    """Those of `user_ids` with no member account in `network`: the reward cannot reach them. One query."""
    from ..credit.models import Account

    ids = set(user_ids)
    if network is None or not ids:
        return set()
    holding = db.session.scalars(
        select(Account.holder_id).where(
            Account.network_id == network.id,
            Account.holder_type == "user",
            Account.purpose == "member",
            Account.holder_id.in_(sorted(ids)),
        )
    )
    return ids - set(holding)
