"""JSON routes of the skills board (API.md "Skills board", additions in docs/api-skills.md)."""

from datetime import datetime
from typing import Annotated

from flask import jsonify, request
from flask_babel import gettext as _
from pydantic import Field

from ..api import (
    Body,
    PositiveInt,
    api_blueprint,
    created,
    encode_cursor,
    int_arg,
    no_content,
    offset_from_cursor,
    optional_user,
    page_limit,
    paginate,
    parse_body,
    require_user,
)
from ..credit.schemas import transfer_json
from ..errors import NotFound, invalid
from ..extensions import db
from ..groups.models import Group
from ..groups.permissions import ensure_content_visible, ensure_group_visible, ensure_member
from ..timeutil import iso
from . import queries, service
from .models import Application, SavedSearch, SkillRequest
from .schemas import application_json, match_json, profile_json, request_json, search_json

bp = api_blueprint("skills_api", __name__)

Name = Annotated[str, Field(min_length=1, max_length=80)]
Level = Annotated[int, Field(ge=1, le=5)]
Language = Annotated[str, Field(max_length=20)]


#: how deep a ranked list may be paged
MAX_RANKED_DEPTH = 10_000


def _ranked_start() -> int:
    """The position in a ranked list that `?cursor=` names (0 without one)."""
    return offset_from_cursor("at", MAX_RANKED_DEPTH)


def _ranked_page(items: list) -> dict:
    """A page of an already ranked list; the cursor is the opaque position of the next item."""
    start = _ranked_start()
    end = start + page_limit()
    following = encode_cursor({"at": end})
    return {"items": items[start:end], "next": following if end < len(items) else None}


# --- skills and profiles ----------------------------------------------------------------------------


@bp.get("/skills")
def search_skills():
    q = request.args.get("q", "")[:80]
    # one more than the page needs tells whether there is a next page (the ranking is prefix-stable)
    wanted = _ranked_start() + page_limit() + 1
    found = queries.search_skills(q, wanted)
    if any(item["id"] is None for item in found):
        service.store_skills([item["name"] for item in found if item["id"] is None])
        found = queries.search_skills(q, wanted)
    return jsonify(_ranked_page([{k: item[k] for k in ("id", "name", "category", "members_count")} for item in found]))


class SkillItem(Body):
    name: Name
    level: Level


class ProfileBody(Body):
    bio: Annotated[str, Field(max_length=2000)] | None = None
    location: Annotated[str, Field(max_length=100)] | None = None
    remote_ok: bool | None = None
    availability_hours_per_week: Annotated[int, Field(ge=0, le=168)] | None = None
    languages: Annotated[list[Language], Field(max_length=20)] | None = None
    interests: Annotated[str, Field(max_length=2000)] | None = None
    public: bool | None = None
    skills: Annotated[list[SkillItem], Field(max_length=service.MAX_SKILLS)] | None = None


class SkillsBody(Body):
    skills: Annotated[list[SkillItem], Field(max_length=service.MAX_SKILLS)]


def _my_profile(user):
    db.session.expire_all()
    return profile_json(user, queries.profile_of(user.id))


@bp.get("/me/profile")
def my_profile():
    return jsonify(_my_profile(require_user()))


@bp.put("/me/profile")
def put_profile():
    user = require_user()
    body = parse_body(ProfileBody)
    service.update_profile(
        actor=user,
        bio=body.bio,
        location=body.location,
        remote_ok=body.remote_ok,
        availability_hours_per_week=body.availability_hours_per_week,
        clear_availability="availability_hours_per_week" in body.model_fields_set
        and body.availability_hours_per_week is None,
        languages=body.languages,
        interests=body.interests,
        public=body.public,
    )
    if body.skills is not None:
        service.set_skills(actor=user, skills=[(s.name, s.level) for s in body.skills])
    return jsonify(_my_profile(user))


@bp.put("/me/skills")
def put_skills():
    user = require_user()
    body = parse_body(SkillsBody)
    service.set_skills(actor=user, skills=[(s.name, s.level) for s in body.skills])
    return jsonify(_my_profile(user))


@bp.get("/users/<int:user_id>/profile")
def user_profile(user_id: int):
    user, profile = queries.visible_profile(require_user(), user_id)
    return jsonify(profile_json(user, profile))


@bp.get("/users/<int:user_id>/impact")
def user_impact(user_id: int):
    queries.visible_profile(require_user(), user_id)
    return jsonify(queries.member_impact(user_id))


# --- requests ---------------------------------------------------------------------------------------


class WantedBody(Body):
    name: Name
    level: Level = 1
    required: bool = True


class RewardBody(Body):
    account_id: PositiveInt
    amount: PositiveInt


class RequestBody(Body):
    title: Annotated[str, Field(max_length=200)]
    description: Annotated[str, Field(max_length=20000)] = ""
    skills: Annotated[list[WantedBody], Field(min_length=1, max_length=30)]
    hours_estimate: Annotated[int, Field(ge=0, le=10000)] | None = None
    deadline: datetime | None = None
    location: Annotated[str, Field(max_length=100)] = ""
    remote_ok: bool = True
    languages: Annotated[list[Language], Field(max_length=20)] = []
    reward: RewardBody | None = None
    volunteers_needed: Annotated[int, Field(ge=1, le=100)] = 1


def _group(user, group_id: int) -> Group:
    return ensure_group_visible(user, db.session.get(Group, group_id))


@bp.post("/groups/<int:group_id>/requests")
def post_request(group_id: int):
    user = require_user()
    group = _group(user, group_id)
    ensure_content_visible(user, group)
    body = parse_body(RequestBody)
    posted = service.post_request(
        actor=user,
        group=group,
        title=body.title,
        description=body.description,
        skills=[service.WantedSkill(s.name, s.level, s.required) for s in body.skills],
        hours_estimate=body.hours_estimate,
        deadline=body.deadline,
        location=body.location,
        remote_ok=body.remote_ok,
        languages=body.languages,
        reward_account_id=body.reward.account_id if body.reward else None,
        reward_amount=body.reward.amount if body.reward else None,
        volunteers_needed=body.volunteers_needed,
    )
    return created(request_json(queries.request_by_id(posted.id)))


def _bool_arg(name: str) -> bool | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    if raw.lower() in ("true", "1", "yes"):
        return True
    if raw.lower() in ("false", "0", "no"):
        return False
    raise invalid(name, _("%(name)s is true or false.", name=name))


def _int_arg(name: str) -> int | None:
    return int_arg(name, message=f"{name} is a positive whole number.")


@bp.get("/requests")
def list_requests():
    user = optional_user()
    stmt = queries.open_requests_select(
        user,
        q=request.args.get("q", "")[:200].strip(),
        skill=request.args.get("skill", "")[:80].strip() or None,
        remote_ok=_bool_arg("remote_ok"),
        group_id=_int_arg("group_id"),
    )
    return jsonify(
        paginate(
            stmt,
            [(SkillRequest.created_at, True), (SkillRequest.id, True)],
            lambda rows: [request_json(r) for r in rows],
        )
    )


@bp.get("/requests/<int:request_id>")
def show_request(request_id: int):
    return jsonify(request_json(queries.visible_request(optional_user(), request_id)))


@bp.get("/requests/<int:request_id>/matches")
def request_matches(request_id: int):
    user = require_user()
    found = queries.visible_request(user, request_id)
    ensure_member(user, found.group)
    items = [{"user": person, **match_json(match)} for person, match in queries.people_for(found)]
    return jsonify(_ranked_page(items))


@bp.get("/me/matches")
def my_matches():
    user = require_user()
    items = [{"request": request_json(r), **match_json(match)} for r, match in queries.gigs_for(user)]
    return jsonify(_ranked_page(items))


@bp.post("/requests/<int:request_id>/cancel")
def cancel_request(request_id: int):
    user = require_user()
    found = queries.visible_request(user, request_id)
    service.cancel_request(actor=user, request=found)
    return jsonify(request_json(queries.request_by_id(request_id)))


class VolunteerBody(Body):
    user_id: PositiveInt
    hours: Annotated[int | float, Field(ge=0, le=10000)]


class CompleteBody(Body):
    volunteers: Annotated[list[VolunteerBody], Field(min_length=1, max_length=100)]
    endorse: Annotated[list[Name], Field(max_length=30)] = []


@bp.post("/requests/<int:request_id>/complete")
def complete_request(request_id: int):
    user = require_user()
    found = queries.visible_request(user, request_id)
    body = parse_body(CompleteBody)
    _unused, transfers = service.complete_request(
        actor=user, request=found, volunteers=[(v.user_id, v.hours) for v in body.volunteers], endorse=body.endorse
    )
    payload_transfers = []
    if transfers:
        payload_transfers = [transfer_json(t) for t in transfers]
    return jsonify({**request_json(queries.request_by_id(request_id)), "transfers": payload_transfers})


# --- applications and invitations -------------------------------------------------------------------------


class ApplicationBody(Body):
    message: Annotated[str, Field(max_length=5000)] = ""


@bp.post("/requests/<int:request_id>/applications")
def apply(request_id: int):
    user = require_user()
    found = queries.visible_request(user, request_id)
    body = parse_body(ApplicationBody)
    application = service.apply(actor=user, request=found, message=body.message)
    return created(application_json(application, user))


@bp.get("/requests/<int:request_id>/applications")
def list_applications(request_id: int):
    user = require_user()
    found = queries.visible_request(user, request_id)
    service.ensure_manager(user, found)
    return jsonify(
        paginate(
            queries.applications_select(found),
            queries.APPLICATIONS_ORDER,
            lambda rows: [application_json(a) for a in rows],
        )
    )


@bp.get("/me/applications")
def my_applications():
    user = require_user()

    def serialize(rows: list[Application]) -> list[dict]:
        return [{**application_json(a, user), "request": {"id": a.request.id, "title": a.request.title,
                 "state": a.request.state}} for a in rows]  # fmt: skip

    order = [(Application.created_at, True), (Application.id, True)]
    return jsonify(paginate(queries.my_applications_select(user), order, serialize))


def _visible_application(user, application_id: int) -> Application:
    application = db.session.get(Application, application_id)
    if application is None:
        raise NotFound(_("No such application."))
    queries.visible_request(user, application.request_id)
    return application


def _decide(application_id: int, accept: bool):
    user = require_user()
    application = _visible_application(user, application_id)
    service.decide_application(actor=user, application=application, accept=accept)
    return jsonify(
        application_json(db.session.get(Application, application_id), db.session.get(type(user), application.user_id))
    )


@bp.post("/applications/<int:application_id>/accept")
def accept_application(application_id: int):
    return _decide(application_id, True)


@bp.post("/applications/<int:application_id>/decline")
def decline_application(application_id: int):
    return _decide(application_id, False)


@bp.post("/applications/<int:application_id>/withdraw")
def withdraw_application(application_id: int):
    user = require_user()
    application = db.session.get(Application, application_id)
    if application is None or application.user_id != user.id:
        raise NotFound(_("No such application."))
    service.withdraw_application(actor=user, application=application)
    return jsonify(application_json(application, user))


class InvitationBody(Body):
    user_id: PositiveInt


@bp.post("/requests/<int:request_id>/invitations")
def invite(request_id: int):
    user = require_user()
    found = queries.visible_request(user, request_id)
    body = parse_body(InvitationBody)
    invitation = service.invite(actor=user, request=found, user_id=body.user_id)
    return created(
        {
            "id": invitation.id,
            "request_id": request_id,
            "user_id": invitation.user_id,
            "created_at": iso(invitation.created_at),
        }
    )


# --- saved searches, groups, directory ----------------------------------------------------------------------


class SearchBody(Body):
    q: Annotated[str, Field(max_length=200)] = ""
    skill: Annotated[str, Field(max_length=80)] | None = None
    remote_ok: bool | None = None
    group_id: PositiveInt | None = None


@bp.get("/me/saved-searches")
def list_searches():
    stmt = queries.saved_searches_select(require_user())
    return jsonify(paginate(stmt, [(SavedSearch.id, False)], lambda rows: [search_json(s) for s in rows]))


@bp.post("/me/saved-searches")
def save_search():
    user = require_user()
    body = parse_body(SearchBody)
    search = service.save_search(
        actor=user, q=body.q, skill=body.skill, remote_ok=body.remote_ok, group_id=body.group_id
    )
    return created(search_json(search))


@bp.delete("/me/saved-searches/<int:search_id>")
def delete_search(search_id: int):
    service.delete_search(actor=require_user(), search_id=search_id)
    return no_content()


class GroupSettingsBody(Body):
    members_can_post_requests: bool


@bp.get("/groups/<int:group_id>/skills-settings")
def group_settings(group_id: int):
    group = _group(optional_user(), group_id)
    return jsonify({"members_can_post_requests": queries.group_settings(group.id).members_can_post_requests})


@bp.put("/groups/<int:group_id>/skills-settings")
def put_group_settings(group_id: int):
    user = require_user()
    group = _group(user, group_id)
    body = parse_body(GroupSettingsBody)
    settings = service.set_group_settings(
        actor=user, group=group, members_can_post_requests=body.members_can_post_requests
    )
    return jsonify({"members_can_post_requests": settings.members_can_post_requests})


@bp.get("/groups/<int:group_id>/impact")
def group_impact(group_id: int):
    user = optional_user()
    group = _group(user, group_id)
    ensure_content_visible(user, group)
    return jsonify(queries.group_impact(group.id))


@bp.get("/directory")
def directory():
    def serialize(groups: list[Group]) -> list[dict]:
        return [
            {
                "group": {"id": g.id, "handle": g.handle, "name": g.name, "description": g.description},
                "requests": [request_json(r) for r in requests],
            }
            for g, requests in queries.with_open_requests(groups)
        ]

    return jsonify(paginate(queries.directory_select(), queries.DIRECTORY_ORDER, serialize))
