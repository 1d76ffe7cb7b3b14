"""Skills board pages: profile and onboarding, the board (gigs for you, browse), requests, directory."""

from datetime import datetime, time

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from ..accounts.models import User
from ..credit.queries import account_decimals
from ..dashboard import panel
from ..errors import DomainError, invalid
from ..extensions import db
from ..groups.models import Group, Membership
from ..groups.permissions import can_see_content, ensure_group_visible, is_member
from ..groups.queries import group_by_handle
from ..limits import whole_number
from ..money import use_decimals
from ..transaction import discard
from ..web import ERROR_PAGE_STATUSES, refused, show_error_on_form
from . import labels, queries, service
from .forms import ApplyForm, ProfileForm, RequestForm, SearchForm
from .models import Application
from .taxonomy import taxonomy

bp = Blueprint("skills", __name__)
bp.add_app_template_filter(labels.skill_label, "skill_label")
bp.add_app_template_filter(labels.category_label, "category_label")
bp.add_app_template_filter(labels.state_label, "request_state")
bp.add_app_template_filter(labels.application_state_label, "application_state")
bp.add_app_template_filter(format_decimal, "skills_number")

BLANK_ROWS = 3


def _skill_names() -> list[str]:
    return sorted((e.name for e in taxonomy().entries.values()), key=str.lower)


def _languages(text: str | None) -> list[str]:
    return [part for part in (text or "").replace(";", ",").split(",") if part.strip()]


def _rows(form_list, extra: int = BLANK_ROWS) -> None:
    for _row in range(extra):
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
        flash(_("Your skills profile is saved."), "success")
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
        earned=queries.credit_by_network(user_id=user_id),
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
    flash(_("Search saved: you will be told when a new request matches it."), "success")
    return redirect(url_for("skills.board"))


@bp.post("/skills/searches/<int:search_id>/delete")
@login_required
def delete_search(search_id: int):
    service.delete_search(actor=current_user._get_current_object(), search_id=search_id)
    flash(_("Saved search removed."), "info")
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
        flash(_("Skills board settings saved."), "success")
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
        "skills/group.html",
        group=group,
        requests=requests,
        impact=queries.group_impact(group.id),
        paid=queries.credit_by_network(group_id=group.id),
        settings=settings,
    )


# --- requests -------------------------------------------------------------------------------------------


def _reward_choices(user, group: Group) -> list[tuple[str, str]]:
    """The group's own accounts the poster controls: a reward comes from nowhere else."""
    from ..credit import queries as credit_queries

    accounts = [a for a in credit_queries.accounts_of_user(user) if (a.holder_type, a.holder_id) == ("group", group.id)]
    names = credit_queries.holder_names(accounts) if accounts else {}
    networks = credit_queries.networks_by_ids(a.network_id for a in accounts)
    choices = [SelectChoice("", _("No reward"))]
    for a in accounts:
        n = networks[a.network_id]
        choices.append(
            (str(a.id), f"{names.get((a.holder_type, a.holder_id), group.name)} · {n.name} ({n.currency_code})")
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
                raise invalid("reward", _("Give the reward's total, or choose no reward."))
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
        flash(_("Your request is posted."), "success")
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


def _request_page(found, completion: dict | None = None, status: int = 200):
    """The request page. Its managers see the ranked candidates (weak matches folded away); anyone else sees
    only their own fit. `completion` holds what was typed into a refused completion form, shown again."""
    from ..credit import queries as credit_queries

    user = current_user._get_current_object()
    manager = queries.can_manage(user, found)
    member = is_member(user, found.group)
    mine = queries.application_of(user, found)
    applications = queries.applications_of(found) if manager else []
    ranked = queries.people_for(found) if member and found.state == "open" else []
    people, my_fit = [], None
    if manager:
        applied = {a.user_id for a in applications}
        people = [(person, match, person["id"] in applied) for person, match in ranked[:30]]
    elif current_user.is_authenticated:
        my_fit = next((match for person, match in ranked if person["id"] == user.id), None)
    network = queries.reward_network(found)
    asking = {a.user_id for a in applications if a.state in ("pending", "accepted")}
    if mine is not None and mine.state in ("pending", "accepted"):
        asking.add(user.id)
    return render_template(
        "skills/request.html",
        r=found,
        manager=manager,
        member=member,
        mine=mine,
        applications=applications,
        strong=[row for row in people if not row[1].weak],
        weak=[row for row in people if row[1].weak],
        my_fit=my_fit,
        ranked_at_all=bool(ranked),
        apply_form=ApplyForm(),
        reward_network=network,
        no_reward_account=queries.without_reward_account(network, asking),
        may_open_accounts=network is not None and credit_queries.is_network_admin(user, network),
        can_pay_reward=_can_pay_reward(found),
        completion=completion,
    ), status


@bp.get("/skills/requests/<int:request_id>")
def show_request(request_id: int):
    return _request_page(_visible_or_404(request_id))


def _can_pay_reward(found) -> bool:
    """Whether the reader may pay the reward (completing pays it)."""
    from ..credit import queries as credit_queries

    account = credit_queries.account_by_id(found.reward_account_id) if found.reward_account_id else None
    return account is None or credit_queries.controls_account(current_user, account)


def _act(request_id: int, action, success: str):
    """Run one service call for a request page's button, commit, and go back to the request."""
    back_to = url_for("skills.show_request", request_id=request_id)
    try:
        action()
    except DomainError as err:
        return refused(err, back_to)
    flash(success, "success")
    return redirect(back_to)


def _warn_without_reward_account(found, user_id: int, to_self: bool) -> None:
    """Say at once when the reward could not reach this volunteer: no account in its network."""
    network = queries.reward_network(found)
    if not queries.without_reward_account(network, [user_id]):
        return
    if to_self:
        flash(
            _(
                "The reward is paid in %(network)s, where you have no account yet. Ask its admins for one "
                "(the button below does it), so the reward can reach you.",
                network=network.name,
            ),
            "warning",
        )
    else:
        flash(
            _(
                "%(name)s has no account in %(network)s, the reward's network: open one or ask its admins "
                "before marking this done.",
                name=db.session.get(User, user_id).name,
                network=network.name,
            ),
            "warning",
        )


@bp.post("/skills/requests/<int:request_id>/apply")
@login_required
def apply(request_id: int):
    found = _visible_or_404(request_id)
    form = ApplyForm()
    message = (form.message.data or "")[:5000]
    user = current_user._get_current_object()
    response = _act(
        request_id,
        lambda: service.apply(actor=user, request=found, message=message),
        _("You applied. The group will answer you here."),
    )
    if queries.application_of(user, found) is not None:
        _warn_without_reward_account(found, user.id, to_self=True)
    return response


@bp.post("/skills/requests/<int:request_id>/reward-account/<int:user_id>/open")
@login_required
def open_reward_account(request_id: int, user_id: int):
    """Put right a volunteer's missing account in the reward's network by opening it (the network's admins)."""
    found = _visible_or_404(request_id)
    return _act(
        request_id,
        lambda: service.open_reward_account(actor=current_user._get_current_object(), request=found, user_id=user_id),
        _("The account is open: the reward can reach them."),
    )


@bp.post("/skills/requests/<int:request_id>/reward-account/<int:user_id>/ask")
@login_required
def ask_for_reward_account(request_id: int, user_id: int):
    """Ask the reward network's admins, in one click, to open a volunteer's missing account."""
    found = _visible_or_404(request_id)
    return _act(
        request_id,
        lambda: service.ask_for_reward_account(
            actor=current_user._get_current_object(), request=found, user_id=user_id
        ),
        _("The network's admins are asked to open the account."),
    )


@bp.post("/skills/requests/<int:request_id>/invite/<int:user_id>")
@login_required
def invite(request_id: int, user_id: int):
    found = _visible_or_404(request_id)
    return _act(
        request_id,
        lambda: service.invite(actor=current_user._get_current_object(), request=found, user_id=user_id),
        _("Invitation sent."),
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
    accept = decision == "accept"
    response = _act(
        application.request_id,
        lambda: service.decide_application(
            actor=current_user._get_current_object(), application=application, accept=accept
        ),
        _("Application accepted.") if accept else _("Application declined."),
    )
    if accept and application.state == "accepted":
        _warn_without_reward_account(queries.request_by_id(application.request_id), application.user_id, False)
    return response


@bp.post("/skills/applications/<int:application_id>/withdraw")
@login_required
def withdraw(application_id: int):
    application = _application_or_404(application_id)
    return _act(
        application.request_id,
        lambda: service.withdraw_application(actor=current_user._get_current_object(), application=application),
        _("Application withdrawn."),
    )


@bp.post("/skills/requests/<int:request_id>/cancel")
@login_required
def cancel(request_id: int):
    found = _visible_or_404(request_id)
    return _act(
        request_id,
        lambda: service.cancel_request(actor=current_user._get_current_object(), request=found),
        _("Request cancelled."),
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
    try:
        service.complete_request(
            actor=current_user._get_current_object(), request=found, volunteers=volunteers, endorse=endorse
        )
    except DomainError as err:
        # Refused: the page again with the form as it was typed (hours, ticks, endorsements) and the reason.
        discard()
        if err.status in ERROR_PAGE_STATUSES:
            raise
        typed = {
            "hours": {k[6:]: v for k, v in request.form.items() if k.startswith("hours-")},
            "done": {k[5:] for k, v in request.form.items() if k.startswith("done-") and v == "y"},
            "endorse": set(endorse),
            "error": err.message,
        }
        return _request_page(_visible_or_404(request_id), completion=typed, status=422)
    flash(_("Marked as done. Thank you to everyone who helped!"), "success")
    return redirect(url_for("skills.show_request", request_id=request_id))


# --- dashboard -------------------------------------------------------------------------------------------


@panel(template="skills/_dashboard_panel.html", order=40)
def gigs_panel(user) -> dict | None:
    profile = queries.profile_of(user.id)
    in_groups = db.session.scalar(select(Membership.id).where(Membership.user_id == user.id).limit(1)) is not None
    if profile is None:
        return {"gigs": [], "needs_profile": in_groups}
    return {"gigs": queries.gigs_for(user)[:5], "needs_profile": False}
