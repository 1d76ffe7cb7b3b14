"""Skills board pages: profile and onboarding, the board (gigs for you, browse), requests, directory."""

from datetime import datetime, time

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from ..credit.queries import account_decimals
from ..dashboard import panel
from ..errors import DomainError, invalid
from ..extensions import db
from ..groups.models import Group, Membership
from ..groups.permissions import can_see_content, ensure_group_visible, is_member
from ..groups.queries import group_by_handle
from ..limits import whole_number
from ..money import use_decimals
from ..web import refused, show_error_on_form
from . import queries, service
from .forms import ApplyForm, ProfileForm, RequestForm, SearchForm
from .models import Application
from .taxonomy import taxonomy

bp = Blueprint("skills", __name__)

BLANK_ROWS = 3


def _skill_names() -> list[str]:
    return sorted((e.name for e in taxonomy().entries.values()), key=str.lower)


def _languages(text: str | None) -> list[str]:
    return [part for part in (text or "").replace(";", ",").split(",") if part.strip()]


def _rows(form_list, extra: int = BLANK_ROWS) -> None:
    for _ in range(extra):
        form_list.append_entry()


# --- onboarding: new members of a group are sent here right after joining --------------------------------


@bp.after_app_request
def _onboard_after_join(response):
    """After `POST /groups/<handle>/join` made someone a member, ask for their skills (once: until they
    have a profile, saved or skipped)."""
    if (
        request.endpoint == "groups.join"
        and response.status_code in (302, 303)
        and current_user.is_authenticated
        and queries.profile_of(current_user.id) is None
    ):
        handle = (request.view_args or {}).get("handle", "")
        group = group_by_handle(handle)
        if group is not None and is_member(current_user, group):
            response.headers["Location"] = url_for("skills.onboarding", group=group.handle)
    return response


def _profile_form_defaults(form: ProfileForm, user) -> None:
    profile = queries.profile_of(user.id)
    if profile is not None:
        form.bio.data, form.location.data, form.remote_ok.data = profile.bio, profile.location, profile.remote_ok
        form.availability_hours_per_week.data = profile.availability_hours_per_week
        form.languages.data = ", ".join(profile.language_list)
        form.interests.data, form.public.data = profile.interests, profile.public
    while len(form.skills):
        form.skills.pop_entry()
    for row in queries.profile_skills(user.id):
        form.skills.append_entry({"name": row.skill.name, "level": str(row.level)})
    _rows(form.skills)


def _save_profile(form: ProfileForm, user) -> None:
    service.update_profile(
        actor=user,
        bio=form.bio.data or "",
        location=form.location.data or "",
        remote_ok=form.remote_ok.data,
        availability_hours_per_week=form.availability_hours_per_week.data,
        clear_availability=form.availability_hours_per_week.data is None,
        languages=_languages(form.languages.data),
        interests=form.interests.data or "",
        public=form.public.data,
    )
    skills = [
        (row.form.name.data, int(row.form.level.data)) for row in form.skills if (row.form.name.data or "").strip()
    ]
    service.set_skills(actor=user, skills=skills)


def _profile_page(template_args: dict, done_url: str):
    user = current_user._get_current_object()
    form = ProfileForm()
    if form.validate_on_submit():
        try:
            _save_profile(form, user)
        except DomainError as err:
            show_error_on_form(form, err)
            return render_template(
                "skills/profile_form.html", form=form, skill_names=_skill_names(), **template_args
            ), 422
        flash("Your skills profile is saved.", "success")
        return redirect(done_url)
    if request.method == "POST":
        return render_template("skills/profile_form.html", form=form, skill_names=_skill_names(), **template_args), 422
    _profile_form_defaults(form, user)
    return render_template("skills/profile_form.html", form=form, skill_names=_skill_names(), **template_args)


@bp.route("/skills/profile", methods=["GET", "POST"])
@login_required
def edit_profile():
    return _profile_page({"onboarding": None}, url_for("skills.person", user_id=current_user.id))


@bp.route("/skills/onboarding", methods=["GET", "POST"])
@login_required
def onboarding():
    group = group_by_handle(request.args.get("group", ""))
    if group is not None and not is_member(current_user, group):
        group = None
    done = url_for("groups.show", handle=group.handle) if group else url_for("skills.board")
    return _profile_page({"onboarding": group or True}, done)


@bp.post("/skills/onboarding/skip")
@login_required
def skip_onboarding():
    service.update_profile(actor=current_user._get_current_object())
    group = group_by_handle(request.args.get("group", ""))
    if group is not None and can_see_content(current_user, group):
        return redirect(url_for("groups.show", handle=group.handle))
    return redirect(url_for("skills.board"))


@bp.get("/skills/people/<int:user_id>")
@login_required
def person(user_id: int):
    try:
        user, profile = queries.visible_profile(current_user, user_id)
    except DomainError:
        abort(404)
    return render_template(
        "skills/person.html",
        person=user,
        profile=profile,
        skills=queries.profile_skills(user_id),
        endorsements=queries.endorsement_counts(user_id),
        impact=queries.member_impact(user_id),
    )


# --- the board -----------------------------------------------------------------------------------------


@bp.get("/skills")
def board():
    form = SearchForm(request.args)
    remote = {"yes": True, "no": False}.get(form.remote.data or "")
    stmt = queries.open_requests_select(
        current_user,
        q=(form.q.data or "").strip()[:200],
        skill=(form.skill.data or "").strip()[:80] or None,
        remote_ok=remote,
    )
    requests = list(db.session.scalars(stmt.order_by(queries.SkillRequest.created_at.desc()).limit(100)))
    gigs = queries.gigs_for(current_user)[:10] if current_user.is_authenticated else []
    has_profile = current_user.is_authenticated and queries.profile_of(current_user.id) is not None
    searches = queries.saved_searches(current_user) if current_user.is_authenticated else []
    return render_template(
        "skills/board.html",
        form=form,
        requests=requests,
        gigs=gigs,
        has_profile=has_profile,
        searches=searches,
        filtered=bool(form.q.data or form.skill.data or form.remote.data),
        skill_names=_skill_names(),
    )


@bp.post("/skills/searches")
@login_required
def save_search():
    remote = {"yes": True, "no": False}.get(request.form.get("remote", ""))
    try:
        service.save_search(
            actor=current_user._get_current_object(),
            q=request.form.get("q", "")[:200],
            skill=request.form.get("skill", "")[:80] or None,
            remote_ok=remote,
        )
    except DomainError as err:
        return refused(err, url_for("skills.board"))
    flash("Search saved: you will be told when a new request matches it.", "success")
    return redirect(url_for("skills.board"))


@bp.post("/skills/searches/<int:search_id>/delete")
@login_required
def delete_search(search_id: int):
    service.delete_search(actor=current_user._get_current_object(), search_id=search_id)
    flash("Saved search removed.", "info")
    return redirect(url_for("skills.board"))


@bp.get("/skills/directory")
def directory():
    return render_template("skills/directory.html", groups=queries.directory())


@bp.route("/groups/<handle>/skills", methods=["GET", "POST"])
def group_board(handle: str):
    if request.method == "POST" and not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()  # the board is public, its settings are not
    group = ensure_group_visible(current_user, group_by_handle(handle))
    if not can_see_content(current_user, group):
        abort(404)
    settings = queries.group_settings(group.id)
    if request.method == "POST":
        service.set_group_settings(
            actor=current_user._get_current_object(),
            group=group,
            members_can_post_requests=request.form.get("members_can_post_requests") == "y",
        )
        flash("Skills board settings saved.", "success")
        return redirect(url_for("skills.group_board", handle=handle))
    requests = list(
        db.session.scalars(
            select(queries.SkillRequest)
            .options(*queries.request_options())
            .where(queries.SkillRequest.group_id == group.id)
            .order_by(queries.SkillRequest.created_at.desc())
            .limit(100)
        )
    )
    return render_template(
        "skills/group.html", group=group, requests=requests, impact=queries.group_impact(group.id), settings=settings
    )


# --- requests -------------------------------------------------------------------------------------------


def _reward_choices(user, group: Group) -> list[tuple[str, str]]:
    """The group's own accounts the poster controls: a reward comes from nowhere else."""
    from ..credit import queries as credit_queries

    accounts = [a for a in credit_queries.accounts_of_user(user) if (a.holder_type, a.holder_id) == ("group", group.id)]
    names = credit_queries.holder_names(accounts) if accounts else {}
    networks = credit_queries.networks_by_ids(a.network_id for a in accounts)
    choices = [SelectChoice("", "No reward")]
    for a in accounts:
        n = networks[a.network_id]
        choices.append(
            (str(a.id), f"{names.get((a.holder_type, a.holder_id), 'Group')} · {n.name} ({n.currency_code})")
        )
    return choices


@bp.route("/groups/<handle>/requests/new", methods=["GET", "POST"])
@login_required
def new_request(handle: str):
    group = ensure_group_visible(current_user, group_by_handle(handle))
    if not is_member(current_user, group):
        abort(404 if not can_see_content(current_user, group) else 403)
    user = current_user._get_current_object()
    form = RequestForm()
    form.reward_account_id.choices = _reward_choices(user, group)
    use_decimals(form, account_decimals(form.reward_account_id.data))  # the reward is in that account's currency
    if form.validate_on_submit():
        try:
            account_id = int(form.reward_account_id.data) if form.reward_account_id.data else None
            amount = form.reward.data if account_id and form.reward.data else None
            if account_id and amount is None:
                raise invalid("reward", "Give the reward's total, or choose no reward.")
            deadline = datetime.combine(form.deadline.data, time(23, 59)) if form.deadline.data else None
            posted = service.post_request(
                actor=user,
                group=group,
                title=form.title.data,
                description=form.description.data or "",
                skills=[
                    service.WantedSkill(row.form.name.data, int(row.form.level.data), row.form.required.data)
                    for row in form.skills
                    if (row.form.name.data or "").strip()
                ],
                hours_estimate=form.hours_estimate.data,
                deadline=deadline,
                location=form.location.data or "",
                remote_ok=form.remote_ok.data,
                languages=_languages(form.languages.data),
                reward_account_id=account_id,
                reward_amount=amount,
                volunteers_needed=form.volunteers_needed.data,
            )
        except DomainError as err:
            show_error_on_form(form, err)
            return render_template("skills/request_form.html", form=form, group=group, skill_names=_skill_names()), 422
        flash("Your request is posted.", "success")
        return redirect(url_for("skills.show_request", request_id=posted.id))
    if request.method == "POST":
        return render_template("skills/request_form.html", form=form, group=group, skill_names=_skill_names()), 422
    _rows(form.skills, BLANK_ROWS)
    return render_template("skills/request_form.html", form=form, group=group, skill_names=_skill_names())


def _visible_or_404(request_id: int):
    try:
        return queries.visible_request(current_user, request_id)
    except DomainError:
        abort(404)


@bp.get("/skills/requests/<int:request_id>")
def show_request(request_id: int):
    found = _visible_or_404(request_id)
    manager = queries.can_manage(current_user, found)
    member = is_member(current_user, found.group)
    mine = queries.application_of(current_user, found)
    return render_template(
        "skills/request.html",
        r=found,
        manager=manager,
        member=member,
        mine=mine,
        applications=queries.applications_of(found) if manager else [],
        people=queries.people_for(found)[:20] if member and found.state == "open" else [],
        apply_form=ApplyForm(),
        **_reward(found),
    )


def _reward(found) -> dict:
    """The reward's network (for its currency), and whether the reader may pay it (completing pays it)."""
    from ..credit import queries as credit_queries

    account = credit_queries.account_by_id(found.reward_account_id) if found.reward_account_id else None
    return {
        "reward_network": credit_queries.network_by_id(account.network_id) if account else None,
        "can_pay_reward": account is None or credit_queries.controls_account(current_user, account),
    }


def _act(request_id: int, action, success: str):
    """Run one service call for a request page's button, commit, and go back to the request."""
    back_to = url_for("skills.show_request", request_id=request_id)
    try:
        action()
    except DomainError as err:
        return refused(err, back_to)
    flash(success, "success")
    return redirect(back_to)


@bp.post("/skills/requests/<int:request_id>/apply")
@login_required
def apply(request_id: int):
    found = _visible_or_404(request_id)
    form = ApplyForm()
    message = (form.message.data or "")[:5000]
    return _act(
        request_id,
        lambda: service.apply(actor=current_user._get_current_object(), request=found, message=message),
        "You applied. The group will answer you here.",
    )


@bp.post("/skills/requests/<int:request_id>/invite/<int:user_id>")
@login_required
def invite(request_id: int, user_id: int):
    found = _visible_or_404(request_id)
    return _act(
        request_id,
        lambda: service.invite(actor=current_user._get_current_object(), request=found, user_id=user_id),
        "Invitation sent.",
    )


def _application_or_404(application_id: int) -> Application:
    application = db.session.get(Application, application_id)
    if application is None:
        abort(404)
    _visible_or_404(application.request_id)
    return application


@bp.post("/skills/applications/<int:application_id>/<any(accept, decline):decision>")
@login_required
def decide(application_id: int, decision: str):
    application = _application_or_404(application_id)
    return _act(
        application.request_id,
        lambda: service.decide_application(
            actor=current_user._get_current_object(), application=application, accept=decision == "accept"
        ),
        "Application accepted." if decision == "accept" else "Application declined.",
    )


@bp.post("/skills/applications/<int:application_id>/withdraw")
@login_required
def withdraw(application_id: int):
    application = _application_or_404(application_id)
    return _act(
        application.request_id,
        lambda: service.withdraw_application(actor=current_user._get_current_object(), application=application),
        "Application withdrawn.",
    )


@bp.post("/skills/requests/<int:request_id>/cancel")
@login_required
def cancel(request_id: int):
    found = _visible_or_404(request_id)
    return _act(
        request_id,
        lambda: service.cancel_request(actor=current_user._get_current_object(), request=found),
        "Request cancelled.",
    )


@bp.post("/skills/requests/<int:request_id>/complete")
@login_required
def complete(request_id: int):
    found = _visible_or_404(request_id)
    volunteers = []
    for key, value in request.form.items():
        user_id = whole_number(key.removeprefix("hours-")) if key.startswith("hours-") else None
        if user_id is not None and request.form.get(f"done-{key[6:]}") == "y":
            try:
                hours = float(value or 0)
            except ValueError:
                hours = -1
            volunteers.append((user_id, hours if hours == hours else -1))
    endorse = request.form.getlist("endorse")[:30]
    return _act(
        request_id,
        lambda: service.complete_request(
            actor=current_user._get_current_object(), request=found, volunteers=volunteers, endorse=endorse
        ),
        "Marked as done. Thank you to everyone who helped!",
    )


# --- dashboard -------------------------------------------------------------------------------------------


@panel(template="skills/_dashboard_panel.html", order=40)
def gigs_panel(user) -> dict | None:
    profile = queries.profile_of(user.id)
    in_groups = db.session.scalar(select(Membership.id).where(Membership.user_id == user.id).limit(1)) is not None
    if profile is None:
        return {"gigs": [], "needs_profile": in_groups}
    return {"gigs": queries.gigs_for(user)[:5], "needs_profile": False}
