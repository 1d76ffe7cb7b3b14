"""Credit pages: networks with statistics, the account directory, paying, requests, account pages, admin actions."""

import uuid
from datetime import date
from decimal import Decimal

from babel.dates import format_skeleton
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal, format_percent, get_locale, get_timezone
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from ..accounts.models import User
from ..api import MAX_ID, int_arg
from ..dashboard import panel
from ..errors import DomainError, NotFound, invalid
from ..extensions import db
from ..formatting import money
from ..forms import choices
from ..groups.models import Group
from ..groups.queries import groups_administered_by
from ..i18n import script_words
from ..money import use_decimals
from ..ratelimit import rate_limit
from ..timeutil import utcnow
from ..web import refused, show_error_on_form
from . import queries, service
from .cli import verify
from .forms import (
    FEE_KINDS,
    KIND_NAMES,
    ActionForm,
    ConfirmPayForm,
    FeesForm,
    LimitsForm,
    NetworkDefaultsForm,
    NetworkForm,
    OpenAccountForm,
    PayForm,
    RequestForm,
    ReverseForm,
    StatementForm,
    WarningForm,
    payee_choices,
)
from .models import Account, Entry, Network, PaymentRequest
from .queries import account_decimals
from .schemas import fee_stats_json, statement_response

bp = Blueprint("credit", __name__, url_prefix="/credit")

# the words static/js/credit.js shows (read there with P6.t)
script_words(
    {
        "credit.received": _l("Received {amount}"),
        "credit.paid": _l("Paid {amount}"),
    }
)


@bp.app_template_global()
def account_kind_label(kind: str) -> str:
    return str(KIND_NAMES.get(kind, kind))


bp.cli.add_command(verify)

HISTORY_PAGE = 50


# --- loading -----------------------------------------------------------------------------------


def _network_or_404(network_id: int) -> Network:
    network = queries.network_by_id(network_id)
    if network is None or not queries.can_see_network(current_user, network):
        abort(404)
    return network


def _account_or_404(account_id: int) -> Account:
    account = queries.account_by_id(account_id)
    if account is None or not queries.can_see_account(current_user, account):
        abort(404)
    return account


def _my_account_choices() -> list[tuple[int, str]]:
    accounts = queries.accounts_of_user(current_user)
    names = queries.holder_names(accounts)
    networks = queries.networks_by_ids(a.network_id for a in accounts)
    return choices(
        (a.id, f"{names.get((a.holder_type, a.holder_id), '')} — {networks[a.network_id].name}") for a in accounts
    )


# --- overview and networks ---------------------------------------------------------------------


@bp.get("/")
@login_required
def index():
    accounts = queries.accounts_of_user(current_user)
    networks = queries.networks_visible_to(current_user)
    by_id = {n.id: n for n in networks} | queries.networks_by_ids(a.network_id for a in accounts)
    return render_template(
        "credit/index.html",
        accounts=accounts,
        names=queries.holder_names(accounts),
        networks=networks,
        networks_by_id=by_id,
    )


@bp.route("/networks/new", methods=["GET", "POST"])
@login_required
def new_network():
    form = NetworkForm()
    groups = groups_administered_by(current_user)
    form.group_id.choices = choices((g.id, g.name) for g in groups)
    form.clearing_group_id.choices = choices([(0, _("The governing group"))] + [(g.id, g.name) for g in groups])
    parents = [n for n in queries.networks_visible_to(current_user) if queries.is_network_admin(current_user, n)]
    form.parent_id.choices = choices([(0, _("None: a network of its own"))] + [(n.id, n.name) for n in parents])
    decimals = form.currency_decimals.data
    use_decimals(form, decimals if isinstance(decimals, int) and 0 <= decimals <= service.MAX_DECIMALS else 2)
    if form.validate_on_submit():
        try:
            network = service.create_network(
                actor=current_user,
                name=form.name.data,
                group_id=form.group_id.data,
                currency_code=form.currency_code.data,
                currency_name=form.currency_name.data,
                currency_symbol=form.currency_symbol.data or "",
                currency_decimals=decimals,
                default_credit_limit=form.default_credit_limit.data or 0,
                default_debit_limit=form.default_debit_limit.data,
                parent_id=form.parent_id.data or None,
                exchange_rate=form.exchange_rate.data or "1",
                clearing_holder=("group", form.clearing_group_id.data) if form.clearing_group_id.data else None,
            )
        except DomainError as err:
            show_error_on_form(form, err)
        else:
            flash(_("%(network)s is ready. Open accounts for its members.", network=network.name), "success")
            return redirect(url_for(".network", network_id=network.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("credit/network_new.html", form=form, has_groups=bool(groups)), status


@bp.get("/networks/<int:network_id>")
@login_required
def network(network_id: int):
    found = _network_or_404(network_id)
    is_admin = queries.is_network_admin(current_user, found)
    now = utcnow()
    nearest = queries.nearest_limits(found) if is_admin else []
    insights = queries.network_insights(found, now)
    stats = queries.network_stats(found, now)
    fee_stats = fee_stats_json(found)
    return render_template(
        "credit/network.html",
        network=found,
        parent=queries.network_by_id(found.parent_id) if found.parent_id else None,
        stats=stats,
        insights=insights,
        figures=_network_figures(found, stats, insights),
        fee_stats=fee_stats,
        # a month that returned more than it took (reversals) shows as no bar, not a negative one
        fee_chart=[(m["month"], max(m["amount"], 0)) for m in fee_stats["fee_income_by_month"][-12:]],
        fees=service.fees_of(found),
        nearest=nearest,
        nearest_names=queries.holder_names(nearest),
        is_admin=is_admin,
        defaults_form=_defaults_form(found) if is_admin else None,
    )


#: the distribution chart's buckets (queries.DISTRIBUTION_BUCKETS) as a reader reads them
BUCKET_NAMES = dict(
    zip(
        queries.DISTRIBUTION_BUCKETS,
        (
            _l("in credit"),
            _l("0–25% used"),
            _l("25–50% used"),
            _l("50–75% used"),
            _l("75–100% used"),
            _l("beyond the limit"),
        ),
        strict=True,
    )
)


def _network_figures(network: Network, stats: dict, insights: dict) -> dict:
    """The network page's figures in the reader's language: ratios and shares as numbers, months by name."""
    decimals, symbol = network.currency_decimals, network.currency_symbol
    months = [(_short_month(label), value) for label, value in insights["turnover"]]
    distribution = [(str(BUCKET_NAMES[name]), count) for name, count in insights["distribution"]]
    days = insights["days_to_clear"]
    return {
        "rate": format_decimal(Decimal(network.exchange_rate)) if network.parent_id else "",
        "velocity": format_decimal(stats["velocity_30d"], "#,##0.####"),
        "days_to_clear": format_decimal(days, "#,##0.#") if days is not None else None,
        "inactive": format_percent(insights["inactive_share"], "#,##0.#%"),
        "turnover": months,
        "turnover_shown": [money(value, decimals, symbol) for _label, value in months],
        "distribution": distribution,
        "distribution_shown": [format_decimal(count) for _name, count in distribution],
    }


def _short_month(label: str) -> str:
    """'2026-03' (as queries.network_insights groups) -> 'Mar 26' / 'mar 26'."""
    year, month = (int(part) for part in label.split("-"))
    return format_skeleton("MMMyy", date(year, month, 1), locale=get_locale() or "en")


KIND_DEFAULTS = ("business", "individual", "employee")

#: what an admin is told after freezing, unfreezing or closing an account
STATUS_SAID = {
    "active": _l("The account is active again."),
    "frozen": _l("The account is frozen: it can neither pay nor be paid."),
    "closed": _l("The account is closed."),
}


def _defaults_form(network: Network) -> NetworkDefaultsForm:
    limits = network.kind_credit_limits or {}
    form = NetworkDefaultsForm(
        default_credit_limit=network.default_credit_limit,
        default_debit_limit=network.default_debit_limit,
        **{kind: limits.get(kind) for kind in KIND_DEFAULTS},
    )
    use_decimals(form, network.currency_decimals)
    return form


@bp.post("/networks/<int:network_id>/defaults")
@login_required
def network_defaults(network_id: int):
    found = _network_or_404(network_id)
    form = NetworkDefaultsForm()
    use_decimals(form, found.currency_decimals)
    if form.validate_on_submit():
        try:
            by_kind = {kind: getattr(form, kind).data for kind in KIND_DEFAULTS}
            service.set_network_defaults(
                actor=current_user,
                network=found,
                default_credit_limit=form.default_credit_limit.data,
                default_debit_limit=form.default_debit_limit.data,
                kind_credit_limits={kind: value for kind, value in by_kind.items() if value is not None},
            )
        except DomainError as err:
            return refused(err, url_for(".network", network_id=network_id))
        flash(_("New accounts will get these limits."), "success")
    else:
        for errors in form.errors.values():
            flash(" ".join(errors), "error")
    return redirect(url_for(".network", network_id=network_id))


#: where the fees service's fields go on the fees form
_FEE_FIELDS = {
    "fees.transfer.basis_points": "transfer_percent",
    "fees.transfer.fixed": "transfer_fixed",
    "fees.transfer.min": "transfer_min",
    "fees.transfer.max": "transfer_max",
    "fees.transfer.paid_by": "paid_by",
}


def _fees_form(network: Network, formdata=None) -> FeesForm:
    if formdata is not None:
        form = FeesForm()
    else:
        fees = service.fees_of(network)
        rule = fees["transfer"] or {}
        periodic = {f"{p['kind']}_{p['every']}": p["amount"] for p in fees["periodic"]}
        form = FeesForm(
            transfer_percent=rule.get("basis_points"),
            transfer_fixed=rule.get("fixed"),
            transfer_min=rule.get("min"),
            transfer_max=rule.get("max"),
            paid_by=rule.get("paid_by", "payer"),
            **periodic,
        )
    use_decimals(form, network.currency_decimals)
    form.transfer_percent.decimals = 2  # a percentage to two places is a whole number of basis points
    return form


def _fees_from(form: FeesForm) -> dict:
    transfer = None
    if form.transfer_percent.data is not None or form.transfer_fixed.data:
        transfer = {
            "basis_points": form.transfer_percent.data or 0,
            "fixed": form.transfer_fixed.data or 0,
            "min": form.transfer_min.data,
            "max": form.transfer_max.data,
            "paid_by": form.paid_by.data,
        }
    periodic = [
        {"kind": kind, "amount": getattr(form, f"{kind}_{every}").data, "every": every}
        for kind in FEE_KINDS
        for every in ("month", "year")
        if getattr(form, f"{kind}_{every}").data is not None
    ]
    return {"transfer": transfer, "periodic": periodic}


@bp.route("/networks/<int:network_id>/fees", methods=["GET", "POST"])
@login_required
def network_fees(network_id: int):
    """The network's admins set what its members pay to keep it running."""
    found = _network_or_404(network_id)
    if not queries.is_network_admin(current_user, found):
        abort(403)
    form = _fees_form(found, formdata=request.form if request.method == "POST" else None)
    if form.validate_on_submit():
        try:
            service.set_fees(network=found, fees=_fees_from(form), actor=current_user)
        except DomainError as err:
            err.fields = {_FEE_FIELDS.get(name, name): reasons for name, reasons in (err.fields or {}).items()}
            show_error_on_form(form, err)
        else:
            flash(_("The network's fees are saved."), "success")
            return redirect(url_for(".network", network_id=network_id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("credit/fees.html", network=found, form=form, kinds=FEE_KINDS), status


@bp.get("/networks/<int:network_id>/accounts")
@login_required
def directory(network_id: int):
    found = _network_or_404(network_id)
    q = request.args.get("q", "").strip()[:100]
    accounts = list(db.session.scalars(queries.directory_select(found, q or None).order_by(Account.id).limit(500)))
    return render_template(
        "credit/directory.html",
        network=found,
        accounts=accounts,
        names=queries.holder_names(accounts),
        q=q,
        is_admin=queries.is_network_admin(current_user, found),
    )


@bp.route("/networks/<int:network_id>/accounts/new", methods=["GET", "POST"])
@login_required
def open_account(network_id: int):
    found = _network_or_404(network_id)
    if not queries.is_network_admin(current_user, found):
        abort(403)
    form = OpenAccountForm()
    use_decimals(form, found.currency_decimals)
    if form.validate_on_submit():
        try:
            holder_id = _holder_id(form.holder_type.data, form.holder_handle.data)
            account = service.open_account(
                actor=current_user,
                network=found,
                holder_type=form.holder_type.data,
                holder_id=holder_id,
                kind=form.kind.data,
                credit_limit=form.credit_limit.data,
            )
        except DomainError as err:
            show_error_on_form(form, err)
        else:
            flash(_("The account is open."), "success")
            return redirect(url_for(".account", account_id=account.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("credit/account_new.html", form=form, network=found), status


def _holder_id(holder_type: str, handle: str) -> int:
    handle = handle.strip().lstrip("@").lower()
    model = User if holder_type == "user" else Group
    found = db.session.scalar(select(model.id).where(model.handle == handle))
    if found is None:
        raise invalid("holder_handle", _("Nobody has that handle."))
    return found


# --- accounts ----------------------------------------------------------------------------------


@bp.get("/accounts/<int:account_id>")
@login_required
def account(account_id: int):
    found = _account_or_404(account_id)
    found_network = queries.network_by_id(found.network_id)
    before = int_arg("before")
    stmt = queries.entries_select(found).order_by(Entry.id.desc()).limit(HISTORY_PAGE + 1)
    if before:
        stmt = stmt.where(Entry.id < before)
    entries = list(db.session.scalars(stmt))
    more = len(entries) > HISTORY_PAGE
    entries = entries[:HISTORY_PAGE]
    is_admin = queries.is_network_admin(current_user, found_network)
    limits_form = LimitsForm(credit_limit=found.credit_limit, debit_limit=found.debit_limit)
    use_decimals(limits_form, found_network.currency_decimals)
    return render_template(
        "credit/account.html",
        account=found,
        network=found_network,
        holder_name=queries.holder_names([found]).get((found.holder_type, found.holder_id), ""),
        rows=queries.history_rows(found, entries),
        older=entries[-1].id if more else None,
        controls=queries.controls_account(current_user, found),
        is_admin=is_admin,
        limits_form=limits_form,
        warning_form=WarningForm(warning_percent=found.warning_percent),
        statement_form=StatementForm(),
        limit_history=queries.limit_history(found) if is_admin or found.purpose == "member" else [],
        time_zone=str(get_timezone()),
        upcoming_fees=service.upcoming_fees(found, utcnow()),
        past_fees=service.past_fees(found),
    )


@bp.get("/accounts/<int:account_id>/statement.csv")
@login_required
def statement(account_id: int):
    found = _account_or_404(account_id)
    form = StatementForm(request.args)
    if not form.validate():
        abort(400, _("Dates are written 2026-11-01."))
    try:
        return statement_response(found, form.start.data, form.end.data)
    except DomainError as err:
        abort(400, err.message)


def _account_action(account_id: int, form, act, success: str):
    found = _account_or_404(account_id)
    use_decimals(form, queries.network_by_id(found.network_id).currency_decimals)
    if form.validate_on_submit():
        try:
            act(found)
        except DomainError as err:
            return refused(err, url_for(".account", account_id=account_id))
        flash(success, "success")
    else:
        for errors in form.errors.values():
            flash(" ".join(errors), "error")
    return redirect(url_for(".account", account_id=account_id))


@bp.post("/accounts/<int:account_id>/limits")
@login_required
def set_limits(account_id: int):
    form = LimitsForm()

    def act(found: Account) -> None:
        credit, debit = form.credit_limit.data, form.debit_limit.data
        if credit != found.credit_limit:
            service.set_credit_limit(account_id=found.id, credit_limit=credit, actor=current_user)
        if debit != found.debit_limit:
            service.set_debit_limit(account_id=found.id, debit_limit=debit, actor=current_user)

    return _account_action(account_id, form, act, _("The limits are set."))


@bp.post("/accounts/<int:account_id>/status/<any(active, frozen, closed):status>")
@login_required
def set_status(account_id: int, status: str):
    def act(found: Account) -> None:
        service.set_status(account_id=found.id, status=status, actor=current_user)

    return _account_action(account_id, ActionForm(), act, str(STATUS_SAID[status]))


@bp.post("/accounts/<int:account_id>/warning")
@login_required
def set_warning(account_id: int):
    form = WarningForm()

    def act(found: Account) -> None:
        service.set_warning(account_id=found.id, warning_percent=form.warning_percent.data, actor=current_user)

    return _account_action(account_id, form, act, _("Your warning threshold is saved."))


# --- paying ------------------------------------------------------------------------------------


@bp.route("/pay", methods=["GET", "POST"])
@login_required
def pay():
    """The pay form; a valid one is shown back for confirmation, and nothing moves until it is confirmed."""
    form = PayForm()
    form.from_account_id.choices = _my_account_choices()
    use_decimals(form, account_decimals(form.from_account_id.data))
    if request.method == "GET":
        form.idempotency_key.data = uuid.uuid4().hex
        if (to := request.args.get("to", type=int)) is not None:
            form.to_account_id.data = to
        if (frm := request.args.get("from", type=int)) is not None:
            form.from_account_id.data = frm
    _offer_payees(form.to_account_id)
    if form.validate_on_submit():
        payee = queries.account_by_id(form.to_account_id.data) if form.to_account_id.data <= MAX_ID else None
        if payee is None:
            form.to_account_id.errors.append(_("No such account to pay."))
        else:
            confirm = ConfirmPayForm(
                formdata=None,
                from_account_id=form.from_account_id.data,
                to_account_id=payee.id,
                amount=form.amount.data,
                description=form.description.data or "",
                idempotency_key=form.idempotency_key.data or uuid.uuid4().hex,
            )
            payer = queries.account_by_id(form.from_account_id.data)
            return _confirmation(confirm, payer, payee, form.amount.data, confirm.description.data)
    return _pay_page(form)


def _offer_payees(field, *, routed: bool = True) -> None:
    """The payee picker: accounts by name, narrowed by `?q=` (a search that needs no script)."""
    q = request.args.get("q", "").strip()[:100] or None
    current = field.data if isinstance(field.data, int) and 0 < field.data <= MAX_ID else None
    field.choices = payee_choices(queries.payable_accounts(current_user, q, routed=routed), current)


def _pay_page(form: PayForm):
    status = 422 if form.errors or form.form_errors else 200
    return render_template("credit/pay.html", form=form, q=request.args.get("q", "")), status


def _confirmation(
    form, payer: Account, payee: Account, amount: int, description: str, *, action: str | None = None, cancel: str = ""
):
    """ "Pay §2.50 to Ben Hartley from your Kirklees account?": the question a payment asks before it moves money."""
    networks = queries.networks_by_ids([payer.network_id, payee.network_id])
    names = queries.holder_names([payer, payee])
    payee_network = networks[payee.network_id]
    # named as the payee picker named them: an account of a network whose directory the payer may read
    named = queries.holder_may_be_named_to(current_user, payee, network_id=payer.network_id) or queries.can_see_network(
        current_user, payee_network
    )
    return render_template(
        "credit/confirm_payment.html",
        form=form,
        action=action or url_for(".confirm_pay"),
        cancel=cancel,
        amount=amount,
        description=description,
        network=networks[payer.network_id],
        payer=payer,
        payer_name=names.get((payer.holder_type, payer.holder_id), ""),
        mine=payer.holder_type == "user" and payer.holder_id == current_user.id,
        payee=payee,
        payee_name=names.get((payee.holder_type, payee.holder_id), "") if named else "",
        payee_network=payee_network,
        fee=service.quote_for(payer, payee, amount),
    )


@bp.post("/pay/confirm")
@login_required
def confirm_pay():
    form = ConfirmPayForm()
    valid = form.validate_on_submit()
    payer_id = form.from_account_id.data
    back = PayForm(
        formdata=None,
        from_account_id=payer_id,
        to_account_id=form.to_account_id.data,
        amount=form.amount.data,
        description=form.description.data,
        idempotency_key=form.idempotency_key.data,
    )
    back.from_account_id.choices = _my_account_choices()
    _offer_payees(back.to_account_id)
    use_decimals(back, account_decimals(payer_id))
    if not valid:
        back.form_errors.append(_("The payment was not confirmed: check it and pay again."))
        return _pay_page(back)
    if "change" in request.form:
        return _pay_page(back)
    try:
        made = service.transfer(
            from_account_id=payer_id,
            to_account_id=form.to_account_id.data,
            amount=form.amount.data,
            description=form.description.data or "",
            actor=current_user,
            idempotency_key=form.idempotency_key.data,
        )
    except DomainError as err:
        show_error_on_form(back, err)
        return _pay_page(back)
    flash(_("Paid."), "success")
    return redirect(url_for(".receipt", transfer_id=made.id))


@bp.get("/transfers/<int:transfer_id>")
@login_required
def receipt(transfer_id: int):
    found = queries.transfers_by_ids([transfer_id]).get(transfer_id)
    if found is None:
        abort(404)
    ids = {found.from_account_id, found.to_account_id} | {
        a for leg in found.legs for a in (leg.from_account_id, leg.to_account_id)
    }
    accounts = queries.accounts_by_ids(ids)
    if not any(
        queries.can_see_account(current_user, accounts[i]) for i in (found.from_account_id, found.to_account_id)
    ):
        abort(404)
    payer_network = queries.network_by_id(accounts[found.from_account_id].network_id)
    return render_template(
        "credit/receipt.html",
        transfer=found,
        accounts=accounts,
        names=queries.holder_names(accounts.values()),
        networks=queries.networks_by_ids(leg.network_id for leg in found.legs),
        can_reverse=queries.is_network_admin(current_user, payer_network),
        reverse_form=ReverseForm(),
    )


@bp.post("/transfers/<int:transfer_id>/reverse")
@login_required
def reverse(transfer_id: int):
    form = ReverseForm()
    if not form.validate_on_submit():
        flash(_("Say why the transfer is reversed."), "error")
        return redirect(url_for(".receipt", transfer_id=transfer_id))
    try:
        reversal = service.reverse(transfer_id=transfer_id, reason=form.reason.data, actor=current_user)
    except DomainError as err:
        return refused(err, url_for(".receipt", transfer_id=transfer_id))
    flash(_("The transfer is reversed."), "success")
    return redirect(url_for(".receipt", transfer_id=reversal.id))


# --- payment requests --------------------------------------------------------------------------


@bp.get("/requests")
@login_required
def requests():
    ids = [a.id for a in queries.accounts_of_user(current_user)]
    incoming = list(
        db.session.scalars(queries.payment_requests_select(ids, "in").order_by(PaymentRequest.id.desc()).limit(100))
    )
    outgoing = list(
        db.session.scalars(queries.payment_requests_select(ids, "out").order_by(PaymentRequest.id.desc()).limit(100))
    )
    accounts = queries.accounts_by_ids(
        {r.from_account_id for r in incoming + outgoing} | {r.to_account_id for r in incoming + outgoing}
    )
    return render_template(
        "credit/requests.html",
        incoming=incoming,
        outgoing=outgoing,
        accounts=accounts,
        names=queries.holder_names(accounts.values()),
        networks=queries.networks_by_ids(a.network_id for a in accounts.values()),
        now=utcnow(),
    )


@bp.route("/requests/new", methods=["GET", "POST"])
@login_required
@rate_limit("payment_requests", per="user")
def new_request():
    form = RequestForm()
    form.to_account_id.choices = _my_account_choices()
    use_decimals(form, account_decimals(form.to_account_id.data))
    if request.method == "GET" and (frm := request.args.get("from", type=int)) is not None:
        form.from_account_id.data = frm
    _offer_payees(form.from_account_id, routed=False)
    if form.validate_on_submit():
        try:
            service.request_payment(
                actor=current_user,
                from_account_id=form.from_account_id.data,
                to_account_id=form.to_account_id.data,
                amount=form.amount.data,
                description=form.description.data or "",
                expires_in_days=form.expires_in_days.data,
            )
        except DomainError as err:
            if isinstance(err, NotFound) and "from_account_id" in err.fields:
                # a number that is nobody's or hidden from the asker: the form says the same for both
                err = invalid("from_account_id", err.message)
            show_error_on_form(form, err)
        else:
            flash(_("Your request is sent."), "success")
            return redirect(url_for(".requests"))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("credit/request_new.html", form=form, q=request.args.get("q", "")), status


@bp.get("/requests/<int:request_id>/accept")
@login_required
def confirm_request(request_id: int):
    """ "Accept and pay" asks first, as the pay form does: nothing moves until the payer confirms."""
    mine = [a.id for a in queries.accounts_of_user(current_user)]
    found = db.session.scalar(queries.payment_requests_select(mine, "in").where(PaymentRequest.id == request_id))
    if found is None:
        abort(404)
    if found.state != "pending" or found.expires_at <= utcnow():
        flash(_("This payment request is no longer open."), "error")
        return redirect(url_for(".requests"))
    accounts = queries.accounts_by_ids([found.from_account_id, found.to_account_id])
    return _confirmation(
        ActionForm(),
        accounts[found.from_account_id],
        accounts[found.to_account_id],
        found.amount,
        found.description,
        action=url_for(".answer_request", request_id=request_id, answer="accept"),
        cancel=url_for(".requests"),
    )


@bp.post("/requests/<int:request_id>/<any(accept, decline):answer>")
@login_required
def answer_request(request_id: int, answer: str):
    if not ActionForm().validate_on_submit():
        abort(400, _("The form was out of date. Go back, reload the page and try again."))
    action = service.accept_request if answer == "accept" else service.decline_request
    try:
        action(actor=current_user, request_id=request_id)
    except DomainError as err:
        return refused(err, url_for(".requests"))
    flash(_("Paid.") if answer == "accept" else _("Declined."), "success")
    return redirect(url_for(".requests"))


# --- dashboard ---------------------------------------------------------------------------------


@panel(template="credit/_dashboard_panel.html", order=30)
def my_balance(user) -> dict | None:
    accounts = queries.accounts_of_user(user)
    if not accounts:
        return None
    return {
        "accounts": accounts,
        "names": queries.holder_names(accounts),
        "networks": queries.networks_by_ids(a.network_id for a in accounts),
    }
