"""JSON routes for groups and memberships (API.md "Groups")."""

from typing import Annotated, Literal

from flask import jsonify
from pydantic import Field

from ..api import (
    Body,
    PositiveInt,
    api_blueprint,
    created,
    no_content,
    optional_user,
    paginate,
    parse_body,
    require_user,
)
from ..errors import NotFound
from ..extensions import db
from ..permissions import ensure_admin, ensure_content_visible, ensure_group_visible
from ..timeutil import iso
from . import service
from .models import Group, JoinRequest, Membership
from .queries import JOIN_REQUESTS_ORDER, members_select, pending_join_requests_select

bp = api_blueprint("groups_api", __name__)

Privacy = Literal["open", "closed", "secret"]
Role = Literal["member", "admin", "observer"]


def group_json(group: Group) -> dict:
    return {
        "id": group.id,
        "handle": group.handle,
        "name": group.name,
        "description": group.description,
        "description_html": group.description_html,
        "privacy": group.privacy,
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


class GroupSettings(Body):
    members_can_start_discussions: bool | None = None
    members_can_raise_polls: bool | None = None
    members_can_add_members: bool | None = None
    members_can_create_subgroups: bool | None = None


class NewGroup(Body):
    name: Annotated[str, Field(max_length=100)]
    handle: Annotated[str, Field(max_length=40)] | None = None
    description: Annotated[str, Field(max_length=20000)] = ""
    privacy: Privacy = "closed"
    parent_id: PositiveInt | None = None
    settings: GroupSettings | None = None


class GroupChange(Body):
    name: Annotated[str, Field(max_length=100)] | None = None
    description: Annotated[str, Field(max_length=20000)] | None = None
    privacy: Privacy | None = None
    settings: GroupSettings | None = None


class NewMember(Body):
    user_id: PositiveInt
    role: Role = "member"


class RoleChange(Body):
    role: Role


class JoinBody(Body):
    introduction: Annotated[str, Field(max_length=2000)] = ""


def visible_group(group_id: int, user) -> Group:
    return ensure_group_visible(user, db.session.get(Group, group_id))


def _settings(body: GroupSettings | None) -> dict:
    return body.model_dump(exclude_none=True) if body else {}


@bp.post("/groups")
def create_group():
    user = require_user()
    data = parse_body(NewGroup)
    group = service.create_group(
        actor=user,
        name=data.name,
        handle=data.handle,
        description=data.description,
        privacy=data.privacy,
        parent_id=data.parent_id,
        settings=_settings(data.settings),
    )
    return created(group_json(group))


@bp.get("/groups/<int:group_id>")
def show_group(group_id: int):
    return jsonify(group_json(visible_group(group_id, optional_user())))


@bp.patch("/groups/<int:group_id>")
def change_group(group_id: int):
    user = require_user()
    group = visible_group(group_id, user)
    data = parse_body(GroupChange)
    service.update_group(
        actor=user,
        group=group,
        name=data.name,
        description=data.description,
        privacy=data.privacy,
        settings=_settings(data.settings),
    )
    return jsonify(group_json(group))


@bp.get("/groups/<int:group_id>/members")
def list_members(group_id: int):
    user = optional_user()
    group = visible_group(group_id, user)
    ensure_content_visible(user, group)
    order = [(Membership.joined_at, False), (Membership.id, False)]
    return jsonify(paginate(members_select(group), order, lambda rows: [membership_json(m) for m in rows]))


@bp.post("/groups/<int:group_id>/members")
def add_member(group_id: int):
    user = require_user()
    group = visible_group(group_id, user)
    data = parse_body(NewMember)
    service.add_member(actor=user, group=group, user_id=data.user_id, role=data.role)
    return created(membership_json(_membership(group, data.user_id)))


def _membership(group: Group, user_id: int) -> Membership:
    found = db.session.scalar(members_select(group).where(Membership.user_id == user_id))
    if found is None:
        raise NotFound("That person is not a member.")
    return found


@bp.patch("/groups/<int:group_id>/members/<int:user_id>")
def change_role(group_id: int, user_id: int):
    user = require_user()
    group = visible_group(group_id, user)
    data = parse_body(RoleChange)
    service.set_role(actor=user, group=group, user_id=user_id, role=data.role)
    return jsonify(membership_json(_membership(group, user_id)))


@bp.delete("/groups/<int:group_id>/members/<int:user_id>")
def remove_member(group_id: int, user_id: int):
    user = require_user()
    group = visible_group(group_id, user)
    service.remove_member(actor=user, group=group, user_id=user_id)
    return no_content()


@bp.post("/groups/<int:group_id>/join")
def join(group_id: int):
    user = require_user()
    group = visible_group(group_id, user)
    data = parse_body(JoinBody)
    result = service.join(actor=user, group=group, introduction=data.introduction)
    if isinstance(result, Membership):
        return created(membership_json(_membership(group, user.id)))
    return jsonify({"id": result.id, "state": result.state}), 202


@bp.get("/groups/<int:group_id>/join-requests")
def list_join_requests(group_id: int):
    user = require_user()
    group = visible_group(group_id, user)
    ensure_admin(user, group)
    return jsonify(
        paginate(
            pending_join_requests_select(group),
            JOIN_REQUESTS_ORDER,
            lambda rows: [join_request_json(r) for r in rows],
        )
    )


@bp.post("/groups/<int:group_id>/join-requests/<int:request_id>/approve")
def approve_join_request(group_id: int, request_id: int):
    user = require_user()
    group = visible_group(group_id, user)
    membership = service.approve_join_request(actor=user, group=group, request_id=request_id)
    return created(membership_json(_membership(group, membership.user_id)))


@bp.post("/groups/<int:group_id>/join-requests/<int:request_id>/decline")
def decline_join_request(group_id: int, request_id: int):
    user = require_user()
    group = visible_group(group_id, user)
    declined = service.decline_join_request(actor=user, group=group, request_id=request_id)
    return jsonify({"id": declined.id, "state": declined.state})


class NewInvitation(Body):
    days: Annotated[int, Field(ge=1, le=90)] | None = None


@bp.post("/groups/<int:group_id>/invitations")
def create_invitation(group_id: int):
    user = require_user()
    group = visible_group(group_id, user)
    data = parse_body(NewInvitation)
    invitation, token = service.create_invitation(actor=user, group=group, days=data.days)
    return created(
        {"id": invitation.id, "token": token, "url": f"/invitations/{token}", "expires_at": iso(invitation.expires_at)}
    )


@bp.delete("/groups/<int:group_id>/invitations/<int:invitation_id>")
def revoke_invitation(group_id: int, invitation_id: int):
    user = require_user()
    group = visible_group(group_id, user)
    service.revoke_invitation(actor=user, group=group, invitation_id=invitation_id)
    return no_content()


@bp.post("/invitations/<token>/accept")
def accept_invitation(token: str):
    user = require_user()
    membership = service.accept_invitation(actor=user, token=token)
    return created(membership_json(_membership(db.session.get(Group, membership.group_id), user.id)))
