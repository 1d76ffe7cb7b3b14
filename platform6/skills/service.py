"""Every write of the skills board: profiles, requests, applications, completion with rewards, saved searches.

The `replay_*` functions write requests with their applications, contributions and endorsements from
history (a group file) through the same checks as the live writes, keeping the history's people,
states and times; they recommend nothing and tell nobody.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import or_, select, update

from .. import search
from ..accounts.models import User
from ..errors import Conflict, Forbidden, NotFound, RuleViolation, ValidationFailed, invalid
from ..extensions import db
from ..groups.models import Group, Membership
from ..groups.permissions import ensure_admin, ensure_member, is_admin
from ..groups.service import tell_followers
from ..limits import TITLE_MAX, history_title
from ..markup import render_markdown
from ..notifications.service import notify
from ..timeutil import utc_moment, utcnow
from . import queries
from .labels import state_label
from .models import (
    Application,
    Contribution,
    Endorsement,
    GroupSkillSettings,
    Invitation,
    Profile,
    ProfileSkill,
    Recommendation,
    RequestSkill,
    SavedSearch,
    Skill,
    SkillRequest,
)
from .taxonomy import clean, taxonomy

MAX_SKILLS = 50

search.register_search_kind("request", "Request")
#: a request without a deadline expires this long after it was posted
EXPIRY_DAYS = 60

_LANGUAGE_NAMES = {
    "english": "en", "italian": "it", "italiano": "it", "spanish": "es", "español": "es", "french": "fr",
    "français": "fr", "german": "de", "deutsch": "de", "portuguese": "pt", "dutch": "nl", "polish": "pl",
    "arabic": "ar", "urdu": "ur", "punjabi": "pa", "mandarin": "zh", "chinese": "zh", "welsh": "cy",
    "greek": "el", "turkish": "tr", "romanian": "ro",
}  # fmt: skip
_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$")


# --- names, skills, languages -----------------------------------------------------------------------


def language_codes(values: Sequence[str], field: str = "languages") -> str:
    """Language codes ("en", "pt-br") or common English names, lower-cased, deduplicated, comma-joined."""
    codes: list[str] = []
    for value in values:
        code = _LANGUAGE_NAMES.get(value.strip().lower(), value.strip().lower())
        if not _LANGUAGE_CODE.match(code):
            raise invalid(field, _("“%(value)s” is not a language code such as en or it.", value=value))
        if code not in codes:
            codes.append(code)
    if len(codes) > 20:
        raise invalid(field, _("List at most 20 languages."))
    return ",".join(codes)


def skill_for(name: str, field: str = "skills") -> Skill:
    """The Skill row for a name (made on first use): taxonomy skills keep their name and category."""
    shown = clean(name)
    if not 1 <= len(shown) <= 80:
        raise invalid(field, _("A skill name has 1 to 80 characters."))
    tax = taxonomy()
    key = tax.key_of(shown)
    if not key:
        raise invalid(field, _("A skill name needs letters or digits."))
    found = db.session.scalar(select(Skill).where(Skill.key == key))
    if found is None:
        entry = tax.entry(key)
        found = Skill(key=key, name=entry.name if entry else shown, category=entry.category if entry else None)
        db.session.add(found)
        db.session.flush()
    return found


def _skill_levels(items: Sequence[tuple[str, int]], field: str = "skills") -> list[tuple[Skill, int, int]]:
    """(skill, level, position) for (name, level) pairs; one skill twice (by synonym or case) is refused."""
    if len(items) > MAX_SKILLS:
        raise invalid(field, _("List at most %(num)d skills.", num=MAX_SKILLS))
    seen: dict[str, str] = {}
    result = []
    for position, (name, level) in enumerate(items):
        if not 1 <= level <= 5:
            raise invalid(f"{field}.{position}.level", _("A level is from 1 (beginner) to 5 (expert)."))
        skill = skill_for(name, f"{field}.{position}.name")
        if skill.key in seen:
            raise invalid(
                field, _("“%(one)s” and “%(other)s” are the same skill; list it once.", one=name, other=seen[skill.key])
            )
        seen[skill.key] = name
        result.append((skill, level, position))
    return result


# --- profiles -------------------------------------------------------------------------------------


def _profile(user: User) -> Profile:
    profile = queries.profile_of(user.id)
    if profile is None:
        profile = Profile(
            user_id=user.id, bio="", location="", remote_ok=True, languages="", interests="", public=False
        )
        db.session.add(profile)
        db.session.flush()
    return profile


def update_profile(
    *,
    actor: User,
    bio: str | None = None,
    location: str | None = None,
    remote_ok: bool | None = None,
    availability_hours_per_week: int | None = None,
    clear_availability: bool = False,
    languages: Sequence[str] | None = None,
    interests: str | None = None,
    public: bool | None = None,
) -> Profile:
    """Change the given profile fields (None leaves a field as it is)."""
    profile = _profile(actor)
    if bio is not None:
        if len(bio) > 2000:
            raise invalid("bio", _("Keep the bio under 2,000 characters."))
        profile.bio = bio.strip()
    if location is not None:
        location = " ".join(location.split())
        if len(location) > 100:
            raise invalid("location", _("Keep the location under 100 characters."))
        profile.location = location
    if remote_ok is not None:
        profile.remote_ok = remote_ok
    if clear_availability:
        profile.availability_hours_per_week = None
    elif availability_hours_per_week is not None:
        if not 0 <= availability_hours_per_week <= 168:
            raise invalid("availability_hours_per_week", _("Give 0 to 168 hours a week."))
        profile.availability_hours_per_week = availability_hours_per_week
    if languages is not None:
        profile.languages = language_codes(languages)
    if interests is not None:
        if len(interests) > 2000:
            raise invalid("interests", _("Keep the interests under 2,000 characters."))
        profile.interests = interests.strip()
    if public is not None:
        profile.public = public
    profile.updated_at = utcnow()
    db.session.flush()
    return profile


def set_skills(*, actor: User, skills: Sequence[tuple[str, int]]) -> Profile:
    """Replace the member's skills with (name, level) pairs; names are normalised and folded."""
    levels = _skill_levels(skills)
    profile = _profile(actor)
    old = {
        row.skill_id: row for row in db.session.scalars(select(ProfileSkill).where(ProfileSkill.user_id == actor.id))
    }
    new_ids = {skill.id for skill, _unused, _unused in levels}
    for skill_id, row in old.items():
        if skill_id not in new_ids:
            db.session.delete(row)
    for skill, level, position in levels:
        row = old.get(skill.id)
        if row is None:
            db.session.add(ProfileSkill(user_id=actor.id, skill_id=skill.id, level=level, position=position))
        else:
            row.level, row.position = level, position
    gone, added = set(old) - new_ids, new_ids - set(old)
    if gone:
        db.session.execute(update(Skill).where(Skill.id.in_(gone)).values(members_count=Skill.members_count - 1))
    if added:
        db.session.execute(update(Skill).where(Skill.id.in_(added)).values(members_count=Skill.members_count + 1))
    profile.updated_at = utcnow()
    db.session.flush()
    db.session.expire_all()
    return profile


def store_skills(keys_and_names: Sequence[str]) -> None:
    """Give taxonomy skills shown in a search their row (and id) before first use."""
    for name in keys_and_names:
        skill_for(name)


def set_group_settings(*, actor: User, group: Group, members_can_post_requests: bool) -> GroupSkillSettings:
    ensure_admin(actor, group)
    return _store_group_settings(group, members_can_post_requests)


def replay_group_settings(*, group: Group, members_can_post_requests: bool) -> GroupSkillSettings:
    """The group's skills-board settings as history had them."""
    return _store_group_settings(group, members_can_post_requests)


def _store_group_settings(group: Group, members_can_post_requests: bool) -> GroupSkillSettings:
    settings = db.session.get(GroupSkillSettings, group.id)
    if settings is None:
        settings = GroupSkillSettings(group_id=group.id)
        db.session.add(settings)
    settings.members_can_post_requests = members_can_post_requests
    db.session.flush()
    return settings


# --- requests -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WantedSkill:
    name: str
    level: int
    required: bool = True


def _reward_account(actor: User, group: Group, account_id: int, amount: int):
    """The reward account: one of the request's own group that the poster controls (404 when they may not see
    it, 422 on `reward` when another holds it, 403 when they see it but may not pay from it)."""
    from ..credit import queries as credit_queries

    account = credit_queries.account_by_id(account_id)
    if account is None or not credit_queries.can_see_account(actor, account):
        raise NotFound(_("No such credit account."))
    ensure_reward_held_by_group(account, group)
    if not credit_queries.controls_account(actor, account):
        raise Forbidden(_("Only someone who controls that account may offer a reward from it."))
    if amount < 1:
        raise invalid("reward.amount", _("A reward is at least 1."))
    return account


def ensure_reward_held_by_group(account, group: Group) -> None:
    """A request's reward comes from its own group's account, never another holder's (posted, imported or paid)."""
    if (account.holder_type, account.holder_id, account.purpose) != ("group", group.id, "member"):
        raise invalid(
            "reward", _("A reward is paid from an account of %(group)s, the request's own group.", group=group.name)
        )


def index_request(request: SkillRequest, skill_names: list[str]) -> None:
    """Make the request findable by search (title, description and skills), for those who may see its group."""
    search.index_document(
        kind="request",
        ref_id=request.id,
        group_id=request.group_id,
        title=request.title,
        body=" ".join([search.searchable_text(request.description_html), *skill_names]).strip(),
        url=f"/skills/requests/{request.id}",
        created_at=request.created_at,
    )


def post_request(
    *,
    actor: User,
    group: Group,
    title: str,
    description: str = "",
    skills: Sequence[WantedSkill],
    hours_estimate: int | None = None,
    deadline: datetime | None = None,
    location: str = "",
    remote_ok: bool = True,
    languages: Sequence[str] = (),
    reward_account_id: int | None = None,
    reward_amount: int | None = None,
    volunteers_needed: int = 1,
) -> SkillRequest:
    """A member posts a gig for their group (admins only, if the group says so); fitting members are told."""
    ensure_member(actor, group)
    if not is_admin(actor, group) and not queries.group_settings(group.id).members_can_post_requests:
        raise Forbidden(_("In this group only admins may post requests."))
    title = " ".join((title or "").split())
    location = " ".join((location or "").split())
    errors = _request_errors(
        title=title,
        description=description,
        skills=skills,
        hours_estimate=hours_estimate,
        volunteers_needed=volunteers_needed,
        location=location,
        reward_given=(reward_account_id is not None, reward_amount is not None),
    )
    now = utcnow()
    if deadline is not None:
        deadline = utc_moment(deadline, "deadline")
        if deadline <= now:
            errors["deadline"] = [_("The deadline must be in the future.")]
    if errors:
        raise ValidationFailed(errors)
    if reward_account_id is not None:
        _reward_account(actor, group, reward_account_id, reward_amount)
    request = _write_request(
        group=group,
        skills=skills,
        author_id=actor.id,
        title=title,
        description=description or "",
        description_html=render_markdown(description),
        hours_estimate=hours_estimate,
        deadline=deadline,
        location=location,
        remote_ok=remote_ok,
        languages=language_codes(languages),
        reward_account_id=reward_account_id,
        reward_amount=reward_amount,
        volunteers_needed=volunteers_needed,
        state="open",
        created_at=now,
        expires_at=deadline or now + timedelta(days=EXPIRY_DAYS),
    )
    db.session.expire(request)
    request = queries.request_by_id(request.id)
    _recommend(request, actor, now)
    _notify_saved_searches(request, actor)
    tell_followers(
        group=group, actor_id=actor.id, kind="skill_request_posted", url=f"/skills/requests/{request.id}", title=title
    )
    return request


def _request_errors(
    *,
    title: str,
    description: str,
    skills: Sequence[WantedSkill],
    hours_estimate: int | None,
    volunteers_needed: int,
    location: str,
    reward_given: tuple[bool, bool],
) -> dict[str, list[str]]:
    """What is wrong with a request's fields (title and location already normalised), by field."""
    errors: dict[str, list[str]] = {}
    if not 1 <= len(title) <= TITLE_MAX:
        errors["title"] = [_("Give a title of 1 to %(num)d characters.", num=TITLE_MAX)]
    if len(description or "") > 20000:
        errors["description"] = [_("Keep the description under 20,000 characters.")]
    if not skills:
        errors["skills"] = [_("Name at least one skill.")]
    elif not any(s.required for s in skills):
        errors["skills"] = [_("Mark at least one skill as required.")]
    if hours_estimate is not None and not 0 <= hours_estimate <= 10000:
        errors["hours_estimate"] = [_("Give 0 to 10,000 hours.")]
    if not 1 <= volunteers_needed <= 100:
        errors["volunteers_needed"] = [_("Ask for 1 to 100 volunteers.")]
    if reward_given[0] != reward_given[1]:
        errors["reward"] = [_("A reward needs both account_id and amount.")]
    if len(location) > 100:
        errors["location"] = [_("Keep the location under 100 characters.")]
    return errors


def _write_request(*, group: Group, skills: Sequence[WantedSkill], **checked) -> SkillRequest:
    """The request row with its wanted skills (one skill once, levels 1 to 5), as every way of posting one
    writes it; findable by search. Its accepted count follows its applications."""
    levels = _skill_levels([(s.name, s.level) for s in skills])
    request = SkillRequest(group_id=group.id, accepted_count=0, **checked)
    db.session.add(request)
    db.session.flush()
    for (skill, level, position), wanted in zip(levels, skills, strict=True):
        db.session.add(
            RequestSkill(
                request_id=request.id, skill_id=skill.id, level=level, required=wanted.required, position=position
            )
        )
    db.session.flush()
    index_request(request, [skill.name for skill, _unused, _unused in levels])
    return request


def replay_request(
    *,
    group: Group,
    author_id: int | None,
    title: str,
    description: str = "",
    skills: Sequence[WantedSkill],
    hours_estimate: int | None = None,
    deadline: datetime | None = None,
    location: str = "",
    remote_ok: bool = True,
    languages: Sequence[str] = (),
    reward_account=None,
    reward_amount: int | None = None,
    volunteers_needed: int = 1,
    state: str,
    closed_reason: str | None = None,
    created_at: datetime,
    expires_at: datetime,
    completed_at: datetime | None = None,
) -> SkillRequest:
    """A request from history, in the state history left it, under the live rules for its fields (a past
    deadline stays); its reward comes from its own group's account. Nobody is recommended or told."""
    title, location = history_title(title), " ".join((location or "").split())
    errors = _request_errors(
        title=title,
        description=description,
        skills=skills,
        hours_estimate=hours_estimate,
        volunteers_needed=volunteers_needed,
        location=location,
        reward_given=(reward_account is not None, reward_amount is not None),
    )
    if errors:
        raise ValidationFailed(errors)
    if reward_account is not None:
        ensure_reward_held_by_group(reward_account, group)
    return _write_request(
        group=group,
        skills=skills,
        author_id=author_id,
        title=title,
        description=description or "",
        description_html=render_markdown(description),
        hours_estimate=hours_estimate,
        deadline=deadline,
        location=location,
        remote_ok=remote_ok,
        languages=language_codes(languages),
        reward_account_id=reward_account.id if reward_account is not None else None,
        reward_amount=reward_amount,
        volunteers_needed=volunteers_needed,
        state=state,
        closed_reason=closed_reason,
        created_at=created_at,
        expires_at=expires_at,
        completed_at=completed_at,
    )


def _recommend(request: SkillRequest, actor: User, now: datetime) -> None:
    """Tell the best-fitting members about a new request, but nobody more than the weekly cap allows."""
    cap = current_app.config.get("SKILLS_WEEKLY_RECOMMENDATIONS", 3)
    wanted = max(3, 2 * request.volunteers_needed)
    ranked = [(person, match) for person, match in queries.people_for(request) if match.score > 0]
    counts = queries.recent_recommendation_counts([p["id"] for p, _unused in ranked[: wanted * 10]], now)
    chosen = [p["id"] for p, _unused in ranked[: wanted * 10] if counts.get(p["id"], 0) < cap][:wanted]
    for uid in chosen:
        db.session.add(Recommendation(request_id=request.id, user_id=uid, created_at=now))
    if chosen:
        notify(
            user_ids=chosen,
            kind="request_matched",
            url=f"/skills/requests/{request.id}",
            text=lambda: _(
                "%(group)s needs help that fits your skills: %(title)s", group=request.group.name, title=request.title
            ),
            actor_id=actor.id,
            group_id=request.group_id,
        )


def _notify_saved_searches(request: SkillRequest, actor: User) -> None:
    keys = [rs.skill.key for rs in request.skills]
    stmt = select(SavedSearch).where(
        SavedSearch.user_id != actor.id,
        or_(SavedSearch.skill_key.is_(None), SavedSearch.skill_key.in_(keys)),
        or_(SavedSearch.remote_ok.is_(None), SavedSearch.remote_ok.is_(request.remote_ok)),
        or_(SavedSearch.group_id.is_(None), SavedSearch.group_id == request.group_id),
    )
    if request.group.privacy != "open":
        members = select(Membership.user_id).where(Membership.group_id == request.group_id)
        stmt = stmt.where(SavedSearch.user_id.in_(members))
    text = f"{request.title} {request.description}".lower()
    users = sorted({s.user_id for s in db.session.scalars(stmt) if not s.q or s.q.lower() in text})
    if users:
        notify(
            user_ids=users,
            kind="skill_request_matches_search",
            url=f"/skills/requests/{request.id}",
            text=lambda: _("A new request matches your saved search: %(title)s", title=request.title),
            actor_id=actor.id,
            group_id=request.group_id,
        )


def managers_of(request: SkillRequest) -> list[int]:
    """Who manages a request: its group's admins and its author (they decide applications and hear reminders)."""
    admins = select(Membership.user_id).where(Membership.group_id == request.group_id, Membership.role == "admin")
    return sorted(set(db.session.scalars(admins)) | ({request.author_id} if request.author_id else set()))


def ensure_manager(actor: User, request: SkillRequest) -> None:
    if not queries.can_manage(actor, request):
        raise Forbidden(_("Only the request's author or the group's admins may do that."))


def _locked(request: SkillRequest) -> SkillRequest:
    """Re-read the request FOR UPDATE (PostgreSQL), so two people never complete or fill it at once."""
    return db.session.scalar(
        select(SkillRequest)
        .where(SkillRequest.id == request.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def cancel_request(*, actor: User, request: SkillRequest) -> SkillRequest:
    ensure_manager(actor, request)
    request = _locked(request)
    request.cancel("cancelled")
    db.session.flush()
    return request


# --- applications -------------------------------------------------------------------------------------


def apply(*, actor: User, request: SkillRequest, message: str = "") -> Application:
    """Volunteer for an open request the actor can see (not their own); one application each."""
    if request.state != "open":
        raise Conflict(_("This request is not open for applications."), code="conflict")
    if request.author_id == actor.id:
        raise RuleViolation("validation_failed", "request", _("You cannot apply to your own request."))
    message = _check_message(message)
    if queries.application_of(actor, request) is not None:
        raise Conflict(_("You applied to this request already."))
    invited = db.session.scalar(
        select(Invitation.id).where(Invitation.request_id == request.id, Invitation.user_id == actor.id)
    )
    application = _write_application(
        request, user_id=actor.id, message=message, state="pending", invited=invited is not None, created_at=utcnow()
    )
    notify(
        user_ids=managers_of(request),
        kind="application",
        url=f"/skills/requests/{request.id}",
        text=lambda: _("%(name)s applied to %(title)s", name=actor.name, title=request.title),
        actor_id=actor.id,
        group_id=request.group_id,
    )
    return application


def _check_message(message: str | None) -> str:
    if len(message or "") > 5000:
        raise invalid("message", _("Keep the message under 5,000 characters."))
    return (message or "").strip()


def _write_application(request: SkillRequest, **values) -> Application:
    """The application row; the request's accepted count follows it."""
    application = Application(request_id=request.id, reminders_sent=0, **values)
    db.session.add(application)
    if application.state == "accepted":
        request.accepted_count += 1
    db.session.flush()
    return application


def replay_application(
    *,
    request: SkillRequest,
    user_id: int,
    message: str = "",
    state: str,
    invited: bool = False,
    created_at: datetime,
    decided_at: datetime | None = None,
    decided_by_id: int | None = None,
) -> Application:
    """An application from history, in the state it reached (no reminders are owed for it)."""
    return _write_application(
        request,
        user_id=user_id,
        message=_check_message(message),
        state=state,
        invited=invited,
        created_at=created_at,
        decided_at=decided_at,
        decided_by_id=decided_by_id,
    )


def invite(*, actor: User, request: SkillRequest, user_id: int) -> Invitation:
    """The request's managers ask a member of the group to apply."""
    ensure_manager(actor, request)
    if request.state != "open":
        raise Conflict(_("This request is not open for applications."), code="conflict")
    member = db.session.scalar(
        select(Membership).where(Membership.group_id == request.group_id, Membership.user_id == user_id)
    )
    if member is None:
        raise NotFound(_("No such member of this group."))
    if user_id == request.author_id:
        raise RuleViolation("validation_failed", "user_id", _("The author cannot apply to their own request."))
    existing = db.session.scalar(
        select(Invitation).where(Invitation.request_id == request.id, Invitation.user_id == user_id)
    )
    if existing is not None:
        raise Conflict(_("That person was invited already."))
    if db.session.scalar(
        select(Application.id).where(Application.request_id == request.id, Application.user_id == user_id)
    ):
        raise Conflict(_("That person applied already."))
    invitation = Invitation(request_id=request.id, user_id=user_id, inviter_id=actor.id, created_at=utcnow())
    db.session.add(invitation)
    db.session.flush()
    notify(
        user_ids=[user_id],
        kind="skill_invitation",
        url=f"/skills/requests/{request.id}",
        text=lambda: _("%(name)s invites you to apply: %(title)s", name=actor.name, title=request.title),
        actor_id=actor.id,
        group_id=request.group_id,
    )
    return invitation


def decide_application(*, actor: User, application: Application, accept: bool) -> Application:
    """Accept (the request becomes assigned once enough are accepted) or decline an application."""
    request = queries.request_by_id(application.request_id)
    ensure_manager(actor, request)
    if accept and application.user_id == actor.id:
        raise Forbidden(_("Nobody accepts their own application: another of the request's managers decides."))
    request = _locked(request)
    if not request.is_live:
        raise Conflict(_("This request is %(state)s.", state=state_label(request.state)), code="conflict")
    was_accepted = application.state == "accepted"
    if accept and request.state != "open":
        raise Conflict(_("Enough volunteers are accepted already."), code="conflict")
    application.decide("accepted" if accept else "declined", actor.id, utcnow())
    request.accepted_count += (1 if accept else 0) - (1 if was_accepted else 0)
    request.refresh_assignment()
    db.session.flush()
    notify(
        user_ids=[application.user_id],
        kind="application_accepted" if accept else "skill_application_declined",
        url=f"/skills/requests/{request.id}",
        text=lambda: (
            _("Accepted: your application to %(title)s", title=request.title)
            if accept
            else _("Not this time: your application to %(title)s", title=request.title)
        ),
        actor_id=actor.id,
        group_id=request.group_id,
    )
    return application


def withdraw_application(*, actor: User, application: Application) -> Application:
    if application.user_id != actor.id:
        raise NotFound(_("No such application."))
    application.decide("withdrawn", actor.id, utcnow())
    db.session.flush()
    return application


# --- completion and rewards ------------------------------------------------------------------------------


def split_reward(total: int, centihours: dict[int, int]) -> dict[int, int]:
    """`total` split in proportion to hours (equal shares when all are 0), by largest remainder:
    whole units only, never more than `total` paid, ties to the lower user id."""
    if not centihours:
        return {}
    weights = dict(centihours) if any(centihours.values()) else dict.fromkeys(centihours, 1)
    whole = sum(weights.values())
    exact = {uid: Fraction(total * w, whole) for uid, w in weights.items()}
    shares = {uid: int(value) for uid, value in exact.items()}
    left = total - sum(shares.values())
    for uid in sorted(exact, key=lambda u: (-(exact[u] - shares[u]), u))[:left]:
        shares[uid] += 1
    return shares


def complete_request(
    *, actor: User, request: SkillRequest, volunteers: Sequence[tuple[int, float]], endorse: Sequence[str] = ()
) -> tuple[SkillRequest, list]:
    """Mark the request done with hours per accepted volunteer, endorse the skills used, and pay the
    reward from the reward account (credit rules apply; a refused payment undoes it all)."""
    ensure_manager(actor, request)
    request = _locked(request)
    if not request.is_live:
        raise Conflict(_("This request is %(state)s already.", state=state_label(request.state)), code="conflict")
    now = utcnow()
    claimed = db.session.execute(
        update(SkillRequest)
        .where(SkillRequest.id == request.id, SkillRequest.state.in_(("open", "assigned")))
        .values(state="completed", completed_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:  # someone completed or cancelled it since we read it
        raise Conflict(_("This request was closed a moment ago."), code="conflict")
    db.session.refresh(request)
    if not volunteers:
        raise invalid("volunteers", _("Name at least one volunteer who did the work."))
    hours: dict[int, int] = {}
    for i, (user_id, worked) in enumerate(volunteers):
        if user_id in hours:
            raise invalid("volunteers", _("Name each volunteer once."))
        if not 0 <= worked <= 10000:
            raise invalid(f"volunteers.{i}.hours", _("Give 0 to 10,000 hours."))
        hours[user_id] = round(worked * 100)
    accepted = set(
        db.session.scalars(
            select(Application.user_id).where(
                Application.request_id == request.id, Application.state == "accepted", Application.user_id.in_(hours)
            )
        )
    )
    if not_accepted := sorted(set(hours) - accepted):
        raise RuleViolation(
            "validation_failed", "volunteers", _("Not accepted volunteers of this request: %(ids)s.", ids=not_accepted)
        )
    wanted = {rs.skill.key: rs.skill for rs in queries.request_by_id(request.id).skills}
    endorsed: list[Skill] = []
    for name in endorse:
        key = taxonomy().key_of(name)
        if key not in wanted:
            raise invalid("endorse", _("“%(name)s” is not one of this request's skills.", name=name))
        if wanted[key] not in endorsed:
            endorsed.append(wanted[key])
    transfers = _pay_rewards(actor, request, hours)
    for uid, centihours in hours.items():
        paid = transfers.get(uid)
        _write_contribution(request, uid, centihours, paid.amount if paid else 0, paid.id if paid else None, now)
        for skill in endorsed:
            _write_endorsement(request, uid, skill, actor.id, now)
    db.session.flush()
    notify(
        user_ids=list(hours),
        kind="skill_request_completed",
        url=f"/skills/requests/{request.id}",
        text=lambda: _("%(title)s is done: thank you!", title=request.title),
        actor_id=actor.id,
        group_id=request.group_id,
    )
    return request, [transfers[uid] for uid in sorted(transfers)]


def _write_contribution(
    request: SkillRequest, user_id: int, centihours: int, reward_amount: int, transfer_id: int | None, at: datetime
) -> Contribution:
    contribution = Contribution(
        request_id=request.id,
        user_id=user_id,
        centihours=centihours,
        reward_amount=reward_amount,
        transfer_id=transfer_id,
        created_at=at,
    )
    db.session.add(contribution)
    return contribution


def _write_endorsement(
    request: SkillRequest, user_id: int, skill: Skill, endorser_id: int | None, at: datetime
) -> Endorsement:
    endorsement = Endorsement(
        request_id=request.id, user_id=user_id, skill_id=skill.id, endorser_id=endorser_id, created_at=at
    )
    db.session.add(endorsement)
    return endorsement


def replay_contribution(
    *,
    request: SkillRequest,
    user_id: int,
    centihours: int,
    reward_amount: int,
    transfer_id: int | None,
    created_at: datetime,
) -> Contribution:
    """A volunteer's hours and reward share from history; `transfer_id` is the replayed payment, if any."""
    contribution = _write_contribution(request, user_id, centihours, reward_amount, transfer_id, created_at)
    db.session.flush()
    return contribution


def replay_endorsement(
    *, request: SkillRequest, user_id: int, skill: str, endorser_id: int | None, created_at: datetime
) -> Endorsement:
    """A skill endorsed on completing a request, from history (the skill by name, made on first use)."""
    endorsement = _write_endorsement(request, user_id, skill_for(skill, "skill"), endorser_id, created_at)
    db.session.flush()
    return endorsement


def _pay_rewards(actor: User, request: SkillRequest, hours: dict[int, int]) -> dict[int, object]:
    """One credit transfer per volunteer with a share > 0, paid by the completing person: the credit service
    checks, now, that they may pay from the reward account. Every volunteer needs an account in its network."""
    if not request.reward_account_id or not request.reward_amount:
        return {}
    from ..credit import queries as credit_queries
    from ..credit import service as credit_service

    payer = credit_queries.account_by_id(request.reward_account_id)
    if payer is None:
        raise RuleViolation("validation_failed", "reward", _("The reward account no longer exists."))
    # The request shows its reward account to whoever may complete it: 403 here, not the credit service's 404.
    if not credit_queries.controls_account(actor, payer):
        raise Forbidden(_("Only someone who controls the reward account may mark this done and pay the reward."))
    ensure_reward_held_by_group(payer, db.session.get(Group, request.group_id))
    payees = {}
    for uid in sorted(hours):
        account = credit_queries.account_for_holder(network_id=payer.network_id, holder_type="user", holder_id=uid)
        if account is None:
            network = credit_queries.network_by_id(payer.network_id)
            raise RuleViolation(
                "validation_failed",
                "volunteers",
                _(
                    "%(name)s has no account in %(network)s, the reward's network: open one for them or ask the "
                    "network's admins, then mark this done.",
                    name=db.session.get(User, uid).name,
                    network=network.name,
                ),
            )
        payees[uid] = account
    transfers = {}
    for uid, share in sorted(split_reward(request.reward_amount, hours).items()):
        if share > 0:
            transfers[uid] = credit_service.transfer(
                from_account_id=payer.id,
                to_account_id=payees[uid].id,
                amount=share,
                description=f"Reward for {request.title}"[:200],
                actor=actor,
                idempotency_key=f"skills-reward:{request.id}:{uid}",
            )
    return transfers


# --- the reward's network: every volunteer needs an account there to be paid --------------------------------


def _reward_gap(request: SkillRequest, user_id: int):
    """The reward's network, when `user_id` applied to the request and has no account there (else refused)."""
    network = queries.reward_network(request)
    applied = db.session.scalar(
        select(Application.id).where(
            Application.request_id == request.id,
            Application.user_id == user_id,
            Application.state.in_(("pending", "accepted")),
        )
    )
    if network is None or applied is None:
        raise NotFound(_("No such application."))
    if not queries.without_reward_account(network, [user_id]):
        raise Conflict(_("They have an account in %(network)s already.", network=network.name))
    return network


def open_reward_account(*, actor: User, request: SkillRequest, user_id: int):
    """Open the account an applicant needs in the reward's network, so the reward can reach them. Credit's
    rules decide who may: its service lets the network's admins open accounts (403 for anyone else)."""
    from ..credit import service as credit_service

    network = _reward_gap(request, user_id)
    account = credit_service.open_account(
        actor=actor, network=network, holder_type="user", holder_id=user_id, kind="individual"
    )
    db.session.flush()
    notify(
        user_ids=[user_id],
        kind="skill_reward_account_opened",
        url=f"/skills/requests/{request.id}",
        text=lambda: _(
            "You have an account in %(network)s now: the reward for %(title)s can reach you",
            network=network.name,
            title=request.title,
        ),
        actor_id=actor.id,
        group_id=request.group_id,
    )
    return account


def ask_for_reward_account(*, actor: User, request: SkillRequest, user_id: int) -> int:
    """Ask the reward network's admins, in one notification, to open an account for an applicant: the
    applicant asks for themselves, or a manager of the request for them. How many admins were told."""
    from ..credit import queries as credit_queries

    if actor.id != user_id:
        ensure_manager(actor, request)
    network = _reward_gap(request, user_id)
    volunteer = db.session.get(User, user_id)
    admins = select(Membership.user_id).where(Membership.group_id == network.group_id, Membership.role == "admin")
    admin_ids = sorted(set(db.session.scalars(admins)) - {actor.id})
    if not admin_ids:
        if credit_queries.is_network_admin(actor, network):
            raise Conflict(_("You administer %(network)s: open the account yourself.", network=network.name))
        raise Conflict(_("%(network)s has no admin to ask.", network=network.name))
    notify(
        user_ids=admin_ids,
        kind="skill_reward_account_wanted",
        url=f"/credit/networks/{network.id}/accounts/new",
        text=lambda: _(
            "Please open an account in %(network)s for %(name)s (@%(handle)s): it is needed to pay them the reward "
            "for %(title)s",
            network=network.name,
            name=volunteer.name,
            handle=volunteer.handle,
            title=request.title,
        ),
        actor_id=actor.id,
        group_id=network.group_id,
    )
    return len(admin_ids)


# --- saved searches --------------------------------------------------------------------------------------


def save_search(
    *, actor: User, q: str = "", skill: str | None = None, remote_ok: bool | None = None, group_id: int | None = None
) -> SavedSearch:
    q = " ".join((q or "").split())
    if len(q) > 200:
        raise invalid("q", _("Keep the search under 200 characters."))
    if not q and not skill and remote_ok is None and group_id is None:
        raise invalid("q", _("Give at least one filter to save."))
    if group_id is not None:
        group = db.session.get(Group, group_id)
        if group is None or not queries.can_see_content(actor, group):
            raise NotFound(_("No such group."))
    if len(queries.saved_searches(actor)) >= 20:
        raise RuleViolation("validation_failed", "q", _("Keep at most 20 saved searches."))
    search = SavedSearch(
        user_id=actor.id,
        q=q,
        skill_key=taxonomy().key_of(skill) if skill and clean(skill) else None,
        remote_ok=remote_ok,
        group_id=group_id,
        created_at=utcnow(),
    )
    db.session.add(search)
    db.session.flush()
    return search


def delete_search(*, actor: User, search_id: int) -> None:
    search = db.session.get(SavedSearch, search_id)
    if search is None or search.user_id != actor.id:
        raise NotFound(_("No such saved search."))
    db.session.delete(search)
    db.session.flush()
