"""Reads about groups that pages and the API share."""

from sqlalchemy import func, or_, select
from sqlalchemy.orm import contains_eager, joinedload

from ..accounts.models import User
from ..extensions import db
from .models import Group, GroupFollow, Invitation, JoinRequest, Membership
from .permissions import ensure_group_visible, user_id_of


def group_by_handle(handle: str) -> Group | None:
    if "\x00" in handle:  # PostgreSQL refuses NUL in text; no handle has one
        return None
    return db.session.scalar(select(Group).where(Group.handle == handle.lower()))


def members_select(group: Group):
    """Memberships of a group with their users loaded in the same query."""
    return select(Membership).options(joinedload(Membership.user)).where(Membership.group_id == group.id)


def memberships_of_user(user) -> list[Membership]:
    """The user's memberships, groups loaded, by group name."""
    uid = user_id_of(user)
    if uid is None:
        return []
    return list(
        db.session.scalars(
            select(Membership)
            .join(Group, Group.id == Membership.group_id)
            .options(joinedload(Membership.group))
            .where(Membership.user_id == uid)
            .order_by(Group.name)
        )
    )


def subgroups_visible_to(user, group: Group) -> list[Group]:
    uid = user_id_of(user)
    stmt = select(Group).where(Group.parent_id == group.id).order_by(Group.name)
    if uid is None:
        stmt = stmt.where(Group.privacy != "secret")
    else:
        member_of = select(Membership.group_id).where(Membership.user_id == uid)
        stmt = stmt.where((Group.privacy != "secret") | Group.id.in_(member_of))
    return list(db.session.scalars(stmt))


def public_groups(limit: int = 100) -> list[Group]:
    """Open and closed top-level groups, the directory anyone may browse."""
    return list(
        db.session.scalars(
            select(Group).where(Group.privacy != "secret").order_by(Group.members_count.desc(), Group.name).limit(limit)
        )
    )


def pending_join_requests_select(group: Group):
    """A group's pending join requests with their people (unordered: see JOIN_REQUESTS_ORDER)."""
    return (
        select(JoinRequest)
        .options(joinedload(JoinRequest.user))
        .where(JoinRequest.group_id == group.id, JoinRequest.state == "pending")
    )


#: oldest first, as keyset columns
JOIN_REQUESTS_ORDER = [(JoinRequest.created_at, False), (JoinRequest.id, False)]


def pending_join_requests(group: Group) -> list[JoinRequest]:
    stmt = pending_join_requests_select(group).order_by(JoinRequest.created_at, JoinRequest.id)
    return list(db.session.scalars(stmt))


def live_invitations(group: Group, now) -> list[Invitation]:
    return list(
        db.session.scalars(
            select(Invitation)
            .where(Invitation.group_id == group.id, Invitation.revoked_at.is_(None), Invitation.expires_at > now)
            .order_by(Invitation.created_at.desc())
        )
    )


def shares_a_group(user_a_id: int, user_b_id: int) -> bool:
    if user_a_id == user_b_id:
        return True
    mine = select(Membership.group_id).where(Membership.user_id == user_a_id)
    return (
        db.session.scalar(
            select(Membership.id).where(Membership.user_id == user_b_id, Membership.group_id.in_(mine)).limit(1)
        )
        is not None
    )


def members_listing(group: Group, *, limit: int, offset: int = 0) -> list[Membership]:
    """One page of a group's members with their users, admins first, then by name."""
    return list(
        db.session.scalars(
            select(Membership)
            .join(User, User.id == Membership.user_id)
            .options(contains_eager(Membership.user))
            .where(Membership.group_id == group.id)
            .order_by(Membership.role, User.name, Membership.id)
            .limit(limit)
            .offset(offset)
        )
    )


def user_by_handle_or_email(text: str) -> User | None:
    """The person a page's "handle or email" box names: "@ana", "ana" or "ana@example.org"."""
    value = text.strip().lower().replace("\x00", "")
    if "@" in value.lstrip("@"):
        return db.session.scalar(select(User).where(User.email == value))
    return db.session.scalar(select(User).where(User.handle == value.lstrip("@")))


def pending_request_of(user, group: Group) -> JoinRequest | None:
    uid = user_id_of(user)
    if uid is None:
        return None
    return db.session.scalar(
        select(JoinRequest).where(
            JoinRequest.group_id == group.id, JoinRequest.user_id == uid, JoinRequest.state == "pending"
        )
    )


def pending_requests_count(group: Group) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(JoinRequest)
        .where(JoinRequest.group_id == group.id, JoinRequest.state == "pending")
    )


def administered_group_ids(user_id: int):
    """A select of the ids of the groups this person administers."""
    return select(Membership.group_id).where(Membership.user_id == user_id, Membership.role == "admin")


def groups_administered_by(user) -> list[Group]:
    """The groups this person administers, by name."""
    uid = user_id_of(user)
    if uid is None:
        return []
    return list(db.session.scalars(select(Group).where(Group.id.in_(administered_group_ids(uid))).order_by(Group.name)))


def pending_requests_by_group(user) -> dict[int, int]:
    """{group id: pending join requests} for the groups the user administers."""
    uid = user_id_of(user)
    if uid is None:
        return {}
    rows = db.session.execute(
        select(JoinRequest.group_id, func.count())
        .where(JoinRequest.group_id.in_(administered_group_ids(uid)), JoinRequest.state == "pending")
        .group_by(JoinRequest.group_id)
    )
    return {group_id: count for group_id, count in rows}


def group_by_id(group_id: int) -> Group | None:
    return db.session.get(Group, group_id)


def visible_group(group_id: int, user) -> Group:
    return ensure_group_visible(user, db.session.get(Group, group_id))


def followers_count(group: Group) -> int:
    return db.session.scalar(select(func.count()).select_from(GroupFollow).where(GroupFollow.group_id == group.id))


def is_following(user, group: Group) -> bool:
    uid = user_id_of(user)
    if uid is None:
        return False
    found = select(GroupFollow.id).where(GroupFollow.group_id == group.id, GroupFollow.user_id == uid).limit(1)
    return db.session.scalar(found) is not None


def _like(text: str) -> str:
    return "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def explore(*, name: str = "", place: str = "", group_ids=None, limit: int = 60) -> list[Group]:
    """Open groups (whose content anyone may read) by name (or handle) and place, the biggest first; `group_ids`
    (a select of ids, as skills' "groups needing a skill") narrows them further."""
    stmt = select(Group).where(Group.privacy == "open")
    if name := " ".join(name.split()):
        pattern = _like(name)
        stmt = stmt.where(
            or_(func.lower(Group.name).like(pattern, escape="\\"), func.lower(Group.handle).like(pattern, escape="\\"))
        )
    if place := " ".join(place.split()):
        stmt = stmt.where(func.lower(Group.place).like(_like(place), escape="\\"))
    if group_ids is not None:
        stmt = stmt.where(Group.id.in_(group_ids))
    return list(db.session.scalars(stmt.order_by(Group.members_count.desc(), Group.name, Group.id).limit(limit)))
