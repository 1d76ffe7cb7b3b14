"""Decision pages: a group's polls, raising one, the poll page (vote, proxy, close, outcome), CSV, dashboard."""

from datetime import datetime, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date, get_timezone, to_user_timezone
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from ..accounts.models import User
from ..credit import queries as credit_queries
from ..credit.queries import account_decimals
from ..dashboard import panel
from ..errors import DomainError, NotFound, invalid
from ..extensions import db
from ..federation import graft_queries
from ..formatting import datetime_text
from ..forums.queries import discussion_by_id
from ..forums.timeline import TimelineItem, register_timeline_source
from ..groups.models import Membership
from ..groups.permissions import can_admin, can_member, can_see_content, can_see_group, is_member
from ..groups.queries import group_by_handle, members_select, memberships_of_user
from ..i18n import script_words
from ..limits import whole_number
from ..money import use_decimals
from ..timeutil import utcnow
from ..web import refused, show_error_on_form
from . import (
    in_threads,  # noqa: F401 - registers the top of threads with forums (forums imports no governance)
    kinds,
    queries,
    service,
)
from .forms import (
    ROLE_LABELS,
    OutcomeForm,
    PollForm,
    ProxyForm,
    VoteForm,
    choices,
    in_author_zone,
    meeting_times_in_utc,
)
from .models import Poll, Vote
from .schemas import csv_response

bp = Blueprint("governance", __name__)

# the words static/js/governance.js shows (read there with P6.t)
script_words(
    {
        # "_one" / "_other": the plural forms, picked by Intl.PluralRules
        "governance.rank_help": _l(
            "Tick the options you rank, then put them in order: drag an option by its grip, or use Move up and Move down."
        ),
        "governance.drag": _l("Drag to change the order"),
        "governance.move_up": _l("Move up"),
        "governance.move_down": _l("Move down"),
        "governance.move_up_label": _l("Move {name} up"),
        "governance.move_down_label": _l("Move {name} down"),
        "governance.not_ranked": _l("Not ranked"),
        "governance.moved": _l("{name} is now number {place}."),
        "governance.left_out": _l("{name} is not ranked."),
        "governance.leading": _l("leading"),
        "governance.votes_one": _l("{num} vote"),
        "governance.votes_other": _l("{num} votes"),
        "governance.points_one": _l("{num} point"),
        "governance.points_other": _l("{num} points"),
        "governance.dots_one": _l("{num} dot"),
        "governance.dots_other": _l("{num} dots"),
        "governance.last_round_one": _l("{num} vote in its last round"),
        "governance.last_round_other": _l("{num} votes in its last round"),
        "governance.firsts_one": _l("ranked 1st by {num} voter"),
        "governance.firsts_other": _l("ranked 1st by {num} voters"),
        "governance.from_voters_one": _l("from {num} voter"),
        "governance.from_voters_other": _l("from {num} voters"),
        "governance.score_total": _l("total {total}, average {average}"),
        "governance.meeting_answers": _l("{yes} yes, {maybe} if need be"),
    }
)

#: settings each kind's form shows (the rest keep their defaults)
KIND_SETTINGS = {
    "poll": ("min_choices", "max_choices"),
    "dot_vote": ("dots_per_voter",),
    "score": ("min_score", "max_score"),
    "ranked_choice": ("method", "seats", "places"),
}


@bp.app_template_global()
def poll_kind_label(kind: str) -> str:
    """A poll kind as the reader's language names it (lists, the dashboard, thread timelines)."""
    return str(kinds.KIND_LABELS.get(kind, kind))


def _group_or_404(handle: str):
    group = group_by_handle(handle)
    if group is None or not can_see_group(current_user, group) or not can_see_content(current_user, group):
        abort(404)
    return group


def _poll_or_404(poll_id: int) -> Poll:
    try:
        return queries.visible_poll(current_user, poll_id)
    except NotFound:
        abort(404)


@bp.get("/groups/<handle>/decisions")
def group_polls(handle: str):
    group = _group_or_404(handle)
    polls = list(db.session.scalars(queries.group_polls_select(group).order_by(*_list_order()).limit(100)))
    return render_template(
        "governance/index.html",
        group=group,
        polls=polls,
        eligible=queries.eligible_counts(polls),
        voted=queries.voted_poll_ids(current_user, [p.id for p in polls]),
        may_raise=can_member(current_user, group, "members_can_raise_polls"),
        now=utcnow(),
    )


def _list_order():
    return [column.desc() if descending else column.asc() for column, descending in queries.LIST_ORDER]


@bp.get("/decisions")
@login_required
def my_decisions():
    polls = queries.open_polls_for(current_user, limit=100)
    return render_template(
        "governance/mine.html",
        polls=polls,
        memberships=memberships_of_user(current_user),
        voted=queries.voted_poll_ids(current_user, [p.id for p in polls]),
        now=utcnow(),
    )


def _settings_from(form: PollForm) -> dict:
    settings = {"reasons": form.reasons.data}
    for name in KIND_SETTINGS.get(form.kind.data, ()):
        value = getattr(form, name).data
        if value not in (None, ""):
            settings[name] = value
    if form.kind.data == "question":
        settings["reasons"] = "required"
    return settings


def _action_from(form: PollForm) -> dict | None:
    kind = form.action_type.data
    if not kind or form.kind.data != "proposal":
        return None
    # the service checks the action in full (service.validate_action); the form only gathers it
    if kind == "add_member":
        return {"type": kind, "user_id": form.action_user_id.data, "role": form.action_role.data}
    limit = form.action_limit.data
    if kind == "graft_node":
        return {"type": kind, "graft_request_id": form.action_graft_request_id.data, "credit_limit": limit}
    field = "credit_limit" if kind == "set_credit_limit" else "debit_limit"
    return {"type": kind, "account_id": form.action_account_id.data, field: limit}


_FORM_FIELDS = {"settings.reasons": "reasons", "action.account_id": "action_account_id", "action.type": "action_type"}


def _place_error(form: PollForm, err: DomainError) -> None:
    """Service fields such as settings.max_choices or action.credit_limit onto the form's own fields."""
    fields = {}
    named = err.fields or {}
    for name, reasons in named.items():
        if name == "action" and any(other.startswith("action.") for other in named):
            continue  # the same reason, also given on the action's own field
        if name == "action":
            name = "action.type"
        target = _FORM_FIELDS.get(name) or name.split(".")[-1]
        if target in ("credit_limit", "debit_limit"):
            target = "action_limit"
        elif target in ("user_id", "role"):
            target = f"action_{target}"
        elif target in ("graft_request_id", "node_name"):  # the request is not a field one types
            target = "action_type"
        fields[target if target in form._fields else "title"] = reasons
    err.fields = fields
    show_error_on_form(form, err)


@bp.route("/groups/<handle>/decisions/new", methods=["GET", "POST"])
@login_required
def new_poll(handle: str):
    group = _group_or_404(handle)
    if not can_member(current_user, group, "members_can_raise_polls"):
        abort(403)
    form = PollForm()
    members = db.session.scalars(members_select(group).order_by(Membership.joined_at)).all()
    form.voter_ids.choices = choices((m.user_id, m.user.name) for m in members if m.role in queries.VOTING_ROLES)
    form.action_user_id.choices = choices([(0, _("Choose…"))] + [(m.user_id, m.user.name) for m in members])
    form.action_account_id.choices = choices([("", _("Choose…")), *queries.governed_account_choices(group)])
    form.closing_at.label.text = _("Closes at, in your time zone (%(zone)s)", zone=str(get_timezone()))
    discussion = None
    raw_discussion = request.values.get("discussion_id") or form.discussion_id.data
    if (discussion_id := whole_number(str(raw_discussion or ""))) is not None:
        discussion = discussion_by_id(discussion_id)
        if discussion is None or discussion.group_id != group.id:
            abort(404)
        form.discussion_id.data = str(discussion.id)
    if request.method == "GET":
        form.kind.data = request.args.get("kind") if request.args.get("kind") in kinds.KINDS else "proposal"
        form.closing_at.data = to_user_timezone(utcnow() + timedelta(days=7)).replace(
            tzinfo=None, second=0, microsecond=0
        )
        if request.args.get("action") == "graft_node":
            _propose_graft(form, group)
    if form.action_type.data == "graft_node":  # the credit limit is in the trunk network's currency
        use_decimals(form, graft_queries.request_decimals(form.action_graft_request_id.data))
    else:
        use_decimals(form, account_decimals(form.action_account_id.data))  # the new limit is in that account's currency
    if form.validate_on_submit():
        try:
            lines = [line.strip() for line in (form.options.data or "").splitlines() if line.strip()]
            if form.kind.data == "meeting":
                lines = meeting_times_in_utc(lines)
            poll = service.create_poll(
                actor=current_user,
                group=group,
                kind=form.kind.data,
                title=form.title.data,
                details=form.details.data or "",
                options=lines or None,
                settings=_settings_from(form),
                closing_at=in_author_zone(form.closing_at.data),
                discussion_id=discussion.id if discussion else None,
                anonymous=form.anonymous.data,
                hide_results=form.hide_results.data,
                quorum_percent=form.quorum_percent.data or 0,
                voter_ids=form.voter_ids.data or None,
                action=_action_from(form),
            )
        except DomainError as err:
            _place_error(form, err)
        else:
            flash(_("Your decision is open for votes."), "success")
            return redirect(url_for(".show", poll_id=poll.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template(
        "governance/new.html",
        form=form,
        group=group,
        discussion=discussion,
        is_admin=can_admin(current_user, group),
        kind_settings=KIND_SETTINGS,
        time_zone=str(get_timezone()),
    ), status


def _option_labeller(poll: Poll):
    """How the page names an option: a fixed option in the reader's language, a meeting time in their zone."""
    if poll.kind != "meeting":
        return kinds.option_label

    def meeting_time(name: str) -> str:
        try:
            return datetime_text(datetime.fromisoformat(name))
        except ValueError:
            return name

    return meeting_time


def _in_poll_order(poll: Poll, results: dict | None) -> list[dict]:
    """The results' rows in the poll's own option order, so bars never jump about as votes come in."""
    if not results:
        return []
    by_name = {row["name"]: row for row in results["options"]}
    return [by_name[name] for name in poll.options if name in by_name]


def _page(
    poll: Poll, vote_form=None, proxy_form=None, outcome_form=None, status: int = 200, entered: dict | None = None
):
    """Render the poll page in a number of queries that does not grow with its votes.

    `entered`: the choices of a refused vote as the voter gave them ({option: text}), shown again as they were."""
    group = poll.group
    visible = queries.results_visible_to(current_user, poll)
    eligible_members = queries.eligible_members(poll)
    eligible_ids = {m.user_id for m in eligible_members}
    ballots = queries.ballots_of(poll, eligible_ids)
    electorate = queries.electorate_size(eligible_ids, ballots)
    results = queries.results_of(poll, ballots, eligible=electorate) if visible else None
    votes = []
    if visible and not poll.anonymous:
        votes = list(db.session.scalars(queries.votes_select(poll).order_by(Vote.created_at)))
    not_voted = []
    if not poll.anonymous and poll.closed_at is None:
        not_voted = [m.user for m in eligible_members if m.user_id not in ballots.voters]
    mine = queries.my_vote(current_user, poll)
    my_proxy = queries.my_proxy(current_user, poll)
    eligible = current_user.is_authenticated and current_user.id in eligible_ids
    vote_form = vote_form or VoteForm(reason=mine.reason if mine else None)
    proxy_form = proxy_form or ProxyForm()
    proxy_form.proxy_id.choices = choices(
        (m.user_id, m.user.name) for m in eligible_members if m.user_id != getattr(current_user, "id", None)
    )
    outcome_form = outcome_form or OutcomeForm(option=poll.outcome_option, statement=poll.outcome_statement)
    option_label = _option_labeller(poll)
    outcome_form.option.choices = choices([("", _("None"))] + [(o, option_label(o)) for o in poll.options])
    discussion = discussion_by_id(poll.discussion_id) if poll.discussion_id else None
    is_admin = current_user.is_authenticated and can_admin(current_user, group)
    may_manage = is_admin or (current_user.is_authenticated and poll.author_id == current_user.id)
    return render_template(
        "governance/show.html",
        poll=poll,
        group=group,
        results=results,
        votes=votes,
        not_voted=not_voted,
        eligible_count=poll.eligible_count if poll.closed_at else electorate,
        mine=mine,
        my_proxy=my_proxy,
        proxy_counted=my_proxy is not None and my_proxy.delegator_id in ballots.by_proxy,
        proxies_count=queries.proxies_count(poll),
        held=queries.proxies_held(current_user, poll) if eligible else [],
        eligible=eligible,
        is_member=is_member(current_user, group),
        accepting=poll.accepts_votes(utcnow()),
        may_manage=may_manage,
        may_cancel=is_admin and poll.action is not None,
        vote_form=vote_form,
        proxy_form=proxy_form,
        outcome_form=outcome_form,
        discussion=discussion,
        option_label=option_label,
        option_meaning=kinds.option_meaning,
        result_rows=_in_poll_order(poll, results),
        current=entered
        if entered is not None
        else {name: str(value) for name, value in (mine.choices if mine else {}).items()},
        time_zone=str(get_timezone()),
        meeting_answers=kinds.MEETING_ANSWERS,
        ranked_places=kinds.ranked_places,
        action_target=_action_target(poll),
        kind_label=kinds.KIND_LABELS[poll.kind],
        role_label=lambda role: str(ROLE_LABELS.get(role, role)),
        review_on_text=format_date(poll.outcome_review_on, "medium") if poll.outcome_review_on else "",
    ), status


def _propose_graft(form: PollForm, group) -> None:
    """ "Propose approval" on the federation page: a proposal to graft the request's node, at the limit it asked."""
    graft = graft_queries.request_to(group, whole_number(request.args.get("graft_request_id", "")))
    if graft is None:
        abort(404)
    form.action_type.data = "graft_node"
    form.action_graft_request_id.data = graft.id
    form.action_limit.data = graft.requested_credit_limit
    form.title.data = _("Graft %(node)s as a node of our network", node=graft.node_name)
    form.details.data = graft.contact


def _action_target(poll: Poll) -> dict:
    """What a credit action's sentence names: the account's holder and the network whose currency its limit is in."""
    action = poll.action or {}
    if action.get("type") == "graft_node":
        network, node = graft_queries.graft_action_target(action)
        return {"network": network, "holder": None, "person": None, "node": node}
    account_id, user_id = action.get("account_id"), action.get("user_id")
    person = db.session.get(User, user_id) if isinstance(user_id, int) else None
    account = credit_queries.account_by_id(account_id) if isinstance(account_id, int) else None
    if account is None:
        return {"network": None, "holder": None, "person": person.name if person else None}
    holder = credit_queries.holder_names([account]).get((account.holder_type, account.holder_id))
    return {"network": credit_queries.network_by_id(account.network_id), "holder": holder, "person": None}


@bp.get("/polls/<int:poll_id>")
def show(poll_id: int):
    return _page(_poll_or_404(poll_id))


def _entered(poll: Poll, form) -> dict[str, str]:
    """The choices a vote form sent, as typed ({option: text}), to show again if the vote is refused."""
    if poll.kind in ("proposal", "count", "check", "poll"):
        return {name: "1" for name in form.getlist("choice") if name in poll.options}
    entered = {}
    for i, name in enumerate(poll.options):
        raw = (form.get(f"value-{i}") or "").strip()
        if raw:
            entered[name] = raw
    return entered


def _choices_from(poll: Poll, form) -> dict:
    """The kind's inputs as {option: int}: `choice` (radio or checkboxes), or `value-N` per option."""
    if poll.kind == "question":
        return {}
    if poll.kind in ("proposal", "count", "check", "poll"):
        return {name: 1 for name in form.getlist("choice") if name in poll.options}
    choices = {}
    for i, name in enumerate(poll.options):
        raw = (form.get(f"value-{i}") or "").strip()
        if raw == "":
            continue
        try:
            choices[name] = int(raw)
        except ValueError:
            raise invalid(
                "choices", _("%(option)s: give a whole number.", option=_option_labeller(poll)(name))
            ) from None
    return choices


@bp.post("/polls/<int:poll_id>/vote")
@login_required
def vote(poll_id: int):
    poll = _poll_or_404(poll_id)
    form = VoteForm()
    if form.validate_on_submit():
        try:
            service.cast_vote(
                actor=current_user, poll=poll, choices=_choices_from(poll, request.form), reason=form.reason.data
            )
        except DomainError as err:
            show_error_on_form(form, err)  # the choices' reason once, at the top of the form
            poll = _poll_or_404(poll_id)
        else:
            flash(_("Your vote is in. You can change it until the poll closes."), "success")
            return redirect(url_for(".show", poll_id=poll.id))
    status = 422 if form.errors or form.form_errors else 200
    return _page(poll, vote_form=form, status=status, entered=_entered(poll, request.form))


@bp.post("/polls/<int:poll_id>/proxy")
@login_required
def set_proxy(poll_id: int):
    poll = _poll_or_404(poll_id)
    form = ProxyForm()
    if form.validate_on_submit():
        try:
            service.set_proxy(actor=current_user, poll=poll, proxy_id=form.proxy_id.data)
        except DomainError as err:
            show_error_on_form(form, err)
            poll = _poll_or_404(poll_id)
            if err.fields:
                form.proxy_id.errors = [r for reasons in err.fields.values() for r in reasons]
        else:
            flash(_("Your proxy is set. Your own vote, if you cast one, overrides it."), "success")
            return redirect(url_for(".show", poll_id=poll.id))
    return _page(poll, proxy_form=form, status=422)


@bp.post("/polls/<int:poll_id>/proxy/revoke")
@login_required
def revoke_proxy(poll_id: int):
    poll = _poll_or_404(poll_id)
    try:
        service.revoke_proxy(actor=current_user, poll=poll)
    except DomainError as err:
        return refused(err, url_for(".show", poll_id=poll_id))
    flash(_("Your proxy is revoked."), "info")
    return redirect(url_for(".show", poll_id=poll_id))


@bp.post("/polls/<int:poll_id>/close")
@login_required
def close(poll_id: int):
    poll = _poll_or_404(poll_id)
    try:
        service.close_poll(poll=poll, actor=current_user)
    except DomainError as err:
        return refused(err, url_for(".show", poll_id=poll_id))
    flash(_("The poll is closed. Write its outcome so everyone knows what was decided."), "success")
    return redirect(url_for(".show", poll_id=poll_id))


@bp.post("/polls/<int:poll_id>/cancel")
@login_required
def cancel(poll_id: int):
    poll = _poll_or_404(poll_id)
    try:
        service.cancel_poll(poll=poll, actor=current_user)
    except DomainError as err:
        return refused(err, url_for(".show", poll_id=poll_id))
    flash(_("The proposal is cancelled: it is closed and its action will not be carried out."), "info")
    return redirect(url_for(".show", poll_id=poll_id))


@bp.post("/polls/<int:poll_id>/outcome")
@login_required
def outcome(poll_id: int):
    poll = _poll_or_404(poll_id)
    form = OutcomeForm()
    form.option.choices = choices([("", _("None"))] + [(o, o) for o in poll.options])
    if form.validate_on_submit():
        try:
            service.set_outcome(
                actor=current_user,
                poll=poll,
                statement=form.statement.data,
                option=form.option.data or None,
                review_on=form.review_on.data,
            )
        except DomainError as err:
            show_error_on_form(form, err)
            poll = _poll_or_404(poll_id)
        else:
            flash(_("The outcome is recorded and the group is told."), "success")
            return redirect(url_for(".show", poll_id=poll.id))
    return _page(poll, outcome_form=form, status=422)


@bp.get("/polls/<int:poll_id>/results.csv")
def results_csv(poll_id: int):
    poll = _poll_or_404(poll_id)
    if not queries.results_visible_to(current_user, poll):
        abort(403, _("Results are hidden until the poll closes."))
    return csv_response(poll)


@panel(template="governance/_dashboard_panel.html", order=20)
def open_decisions_panel(user) -> dict | None:
    polls = queries.open_polls_for(user, limit=8)
    return {"polls": polls, "voted": queries.voted_poll_ids(user, [p.id for p in polls]), "now": utcnow()}


@register_timeline_source
def polls_in_thread(discussion, user) -> list[TimelineItem]:
    """The thread's polls, shown at the time they were raised (one query for the thread)."""
    polls = db.session.scalars(select(Poll).where(Poll.discussion_id == discussion.id).order_by(Poll.created_at)).all()
    return [
        TimelineItem(created_at=poll.created_at, template="governance/_timeline_poll.html", context={"poll": poll})
        for poll in polls
    ]
