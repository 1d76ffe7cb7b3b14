"""The JSON shape of groups, memberships, join requests, and of a person with their groups (/me)."""

from ..accounts.models import User
from ..accounts.schemas import user_json
from ..timeutil import iso
from . import service
from .models import Group, JoinRequest, Membership
from .queries import memberships_of_user


def group_json(group: Group) -> dict:
    return {
        "id": group.id,
        "handle": group.handle,
        "name": group.name,
        "description": group.description,
        "description_html": group.description_html,
        "privacy": group.privacy,
        "place": group.place,
        "parent_id": group.parent_id,
        "members_count": group.members_count,
        "created_at": iso(group.created_at),
        "settings": {key: getattr(group, key) for key in service.SETTINGS},
    }


def membership_json(membership: Membership) -> dict:
    return {
        "group_id": membership.group_id,
        "user": {"id": membership.user.id, "name": membership.user.name},
        "role": membership.role,
        "joined_at": iso(membership.joined_at),
    }


def join_request_json(request: JoinRequest) -> dict:
    return {
        "id": request.id,
        "group_id": request.group_id,
        "user": {"id": request.user.id, "name": request.user.name},
        "introduction": request.introduction,
        "state": request.state,
        "created_at": iso(request.created_at),
    }


def me_json(user: User) -> dict:
    groups = [
        {"id": m.group.id, "handle": m.group.handle, "name": m.group.name, "role": m.role}
        for m in memberships_of_user(user)
    ]
    return user_json(user, with_email=True) | {"groups": groups}
