"""JSON routes for groups and memberships (API.md "Groups")."""

from typing import Annotated, Literal

from flask import jsonify
from flask_babel import gettext as _
from pydantic import Field

from ..accounts import service as accounts_service
from ..accounts.models import User
from ..accounts.schemas import user_json
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
from ..timeutil import iso
from . import service
from .models import Group, Membership
from .permissions import ensure_admin, ensure_content_visible
from .queries import (
    JOIN_REQUESTS_ORDER,
    followers_count,
    is_following,
    members_select,
    pending_join_requests_select,
    shares_a_group,
    visible_group,
)
from .schemas import group_json, join_request_json, me_json, membership_json

bp = api_blueprint("groups_api", __name__)

Privacy = Literal["open", "closed", "secret"]
Role = Literal["member", "admin", "observer"]


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
    place: Annotated[str, Field(max_length=100)] = ""
    parent_id: PositiveInt | None = None
    settings: GroupSettings | None = None


class GroupChange(Body):
    name: Annotated[str, Field(max_length=100)] | None = None
    description: Annotated[str, Field(max_length=20000)] | None = None
    privacy: Privacy | None = None
    place: Annotated[str, Field(max_length=100)] | None = None
    settings: GroupSettings | None = None


class NewMember(Body):
    user_id: PositiveInt
    role: Role = "member"


class RoleChange(Body):
    role: Role


class JoinBody(Body):
    introduction: Annotated[str, Field(max_length=2000)] = ""


class ProfileChange(Body):
    name: Annotated[str, Field(max_length=100)] | None = None
    handle: Annotated[str, Field(max_length=30)] | None = None
    locale: Annotated[str, Field(max_length=35)] | None = None
    time_zone: Annotated[str, Field(max_length=64)] | None = None


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
        place=data.place,
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
        place=data.place,
    )
    return jsonify(group_json(group))


def _follow_json(group: Group, user) -> dict:
    return {"group_id": group.id, "following": is_following(user, group), "followers_count": followers_count(group)}


@bp.post("/groups/<int:group_id>/follow")
def follow(group_id: int):
    user = require_user()
    group = visible_group(group_id, user)
    service.follow(actor=user, group=group)
    return jsonify(_follow_json(group, user))


@bp.delete("/groups/<int:group_id>/follow")
def unfollow(group_id: int):
    user = require_user()
    group = visible_group(group_id, user)
    service.unfollow(actor=user, group=group)
    return jsonify(_follow_json(group, user))


@bp.get("/groups/<int:group_id>/followers")
def followers(group_id: int):
    user = optional_user()
    group = visible_group(group_id, user)
    return jsonify(_follow_json(group, user))


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
        raise NotFound(_("That person is not a member."))
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


# A person as the API shows them depends on the groups they share with the caller (who may see them, and /me's
# groups), so these routes live here: groups -> accounts is the arrow, never the reverse.


@bp.get("/users/<int:user_id>")
def show_user(user_id: int):
    me = require_user()
    user = db.session.get(User, user_id)
    if user is None or not shares_a_group(me.id, user.id):
        raise NotFound(_("No such user."))
    return jsonify(user_json(user))


@bp.get("/me")
def show_me():
    return jsonify(me_json(require_user()))


@bp.patch("/me")
def change_me():
    user = require_user()
    data = parse_body(ProfileChange)
    accounts_service.update_profile(
        user=user, name=data.name, handle=data.handle, locale=data.locale, time_zone=data.time_zone
    )
    return jsonify(me_json(user))
