"""Reads about groups that pages and the API share."""

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..permissions import user_id_of
from .models import Group, Invitation, JoinRequest, Membership


def group_by_handle(handle: str) -> Group | None:
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


def pending_join_requests(group: Group) -> list[JoinRequest]:
    return list(
        db.session.scalars(
            select(JoinRequest)
            .options(joinedload(JoinRequest.user))
            .where(JoinRequest.group_id == group.id, JoinRequest.state == "pending")
            .order_by(JoinRequest.created_at)
        )
    )


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
