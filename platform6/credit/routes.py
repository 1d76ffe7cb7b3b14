"""Credit pages: networks with statistics, the account directory, paying, requests, account pages, admin actions."""

import uuid
from decimal import Decimal, InvalidOperation

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from ..accounts.models import User
from ..api import int_arg
from ..dashboard import panel
from ..errors import DomainError, invalid
from ..extensions import db
from ..formatting import decimal_text
from ..groups.models import Group, Membership
from ..timeutil import utcnow
from ..web import refused, show_error_on_form
from . import queries, service
from .api import statement_response
from .cli import verify
from .forms import (
    ActionForm,
    LimitsForm,
    NetworkDefaultsForm,
    NetworkForm,
    OpenAccountForm,
    PayForm,
    RequestForm,
    ReverseForm,
    StatementForm,
    WarningForm,
    choices,
)
from .models import Account, Entry, Network, PaymentRequest

bp = Blueprint("credit", __name__, url_prefix="/credit")
bp.cli.add_command(verify)

HISTORY_PAGE = 50


# --- parsing and loading -----------------------------------------------------------------------


def to_minor(raw: str | None, decimals: int, field: str, *, blank: int | None = None) -> int | None:
    """ "12.50" -> 1250 for a currency with 2 decimals; a blank field gives `blank`."""
    raw = (raw or "").strip().replace(",", "")
    if not raw:
        return blank
    try:
        value = Decimal(raw) * (Decimal(10) ** decimals)
    except InvalidOperation:
        raise invalid(field, "Write an amount such as 12.50.") from None
    if not value.is_finite() or value != value.to_integral_value() or value > service.MAX_INT:
        raise invalid(field, f"Use at most {decimals} decimal places.")
    return int(value)


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


def _admin_groups() -> list[Group]:
    return list(
        db.session.scalars(
            select(Group)
            .join(Membership, Membership.group_id == Group.id)
            .where(Membership.user_id == current_user.id, Membership.role == "admin")
            .order_by(Group.name)
        )
    )


def _failed(form, err: DomainError) -> None:
    db.session.rollback()
    show_error_on_form(form, err)


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
    groups = _admin_groups()
    form.group_id.choices = choices((g.id, g.name) for g in groups)
    form.clearing_group_id.choices = choices([(0, "The governing group")] + [(g.id, g.name) for g in groups])
    parents = [n for n in queries.networks_visible_to(current_user) if queries.is_network_admin(current_user, n)]
    form.parent_id.choices = choices([(0, "None: a network of its own")] + [(n.id, n.name) for n in parents])
    if form.validate_on_submit():
        try:
            decimals = form.currency_decimals.data
            network = service.create_network(
                actor=current_user,
                name=form.name.data,
                group_id=form.group_id.data,
                currency_code=form.currency_code.data,
                currency_name=form.currency_name.data,
                currency_symbol=form.currency_symbol.data or "",
                currency_decimals=decimals,
                default_credit_limit=to_minor(
                    form.default_credit_limit.data, decimals, "default_credit_limit", blank=0
                ),
                default_debit_limit=to_minor(form.default_debit_limit.data, decimals, "default_debit_limit"),
                parent_id=form.parent_id.data or None,
                exchange_rate=form.exchange_rate.data or "1",
                clearing_holder=("group", form.clearing_group_id.data) if form.clearing_group_id.data else None,
            )
            db.session.commit()
        except DomainError as err:
            _failed(form, err)
        else:
            flash(f"{network.name} is ready. Open accounts for its members.", "success")
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
    return render_template(
        "credit/network.html",
        network=found,
        parent=queries.network_by_id(found.parent_id) if found.parent_id else None,
        stats=queries.network_stats(found, now),
        insights=queries.network_insights(found, now),
        nearest=nearest,
        nearest_names=queries.holder_names(nearest),
        is_admin=is_admin,
        defaults_form=_defaults_form(found) if is_admin else None,
    )


KIND_DEFAULTS = ("business", "individual", "employee")


def _defaults_form(network: Network) -> NetworkDefaultsForm:
    d = network.currency_decimals
    limits = network.kind_credit_limits or {}
    return NetworkDefaultsForm(
        default_credit_limit=decimal_text(network.default_credit_limit, d),
        default_debit_limit=decimal_text(network.default_debit_limit, d)
        if network.default_debit_limit is not None
        else "",
        **{kind: decimal_text(limits[kind], d) if kind in limits else "" for kind in KIND_DEFAULTS},
    )


@bp.post("/networks/<int:network_id>/defaults")
@login_required
def network_defaults(network_id: int):
    found = _network_or_404(network_id)
    form = NetworkDefaultsForm()
    if form.validate_on_submit():
        d = found.currency_decimals
        try:
            by_kind = {kind: to_minor(getattr(form, kind).data, d, kind) for kind in KIND_DEFAULTS}
            service.set_network_defaults(
                actor=current_user,
                network=found,
                default_credit_limit=to_minor(form.default_credit_limit.data, d, "default_credit_limit"),
                default_debit_limit=to_minor(form.default_debit_limit.data, d, "default_debit_limit"),
                kind_credit_limits={kind: value for kind, value in by_kind.items() if value is not None},
            )
            db.session.commit()
        except DomainError as err:
            return refused(err, url_for(".network", network_id=network_id))
        flash("New accounts will get these limits.", "success")
    else:
        for errors in form.errors.values():
            flash(" ".join(errors), "error")
    return redirect(url_for(".network", network_id=network_id))


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
    if form.validate_on_submit():
        try:
            holder_id = _holder_id(form.holder_type.data, form.holder_handle.data)
            account = service.open_account(
                actor=current_user,
                network=found,
                holder_type=form.holder_type.data,
                holder_id=holder_id,
                kind=form.kind.data,
                credit_limit=to_minor(form.credit_limit.data, found.currency_decimals, "credit_limit"),
            )
            db.session.commit()
        except DomainError as err:
            _failed(form, err)
        else:
            flash("The account is open.", "success")
            return redirect(url_for(".account", account_id=account.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("credit/account_new.html", form=form, network=found), status


def _holder_id(holder_type: str, handle: str) -> int:
    handle = handle.strip().lstrip("@").lower()
    model = User if holder_type == "user" else Group
    found = db.session.scalar(select(model.id).where(model.handle == handle))
    if found is None:
        raise invalid("holder_handle", "Nobody has that handle.")
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
    decimals = found_network.currency_decimals
    limits_form = LimitsForm(
        credit_limit=decimal_text(found.credit_limit, decimals),
        debit_limit=decimal_text(found.debit_limit, decimals) if found.debit_limit is not None else "",
    )
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
    )


@bp.get("/accounts/<int:account_id>/statement.csv")
@login_required
def statement(account_id: int):
    found = _account_or_404(account_id)
    form = StatementForm(request.args)
    if not form.validate():
        abort(400, "Dates are written 2026-11-01.")
    try:
        return statement_response(found, form.start.data, form.end.data)
    except DomainError as err:
        abort(400, err.message)


def _account_action(account_id: int, form, act, success: str):
    found = _account_or_404(account_id)
    if form.validate_on_submit():
        try:
            act(found)
            db.session.commit()
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
        decimals = queries.network_by_id(found.network_id).currency_decimals
        credit = to_minor(form.credit_limit.data, decimals, "credit_limit")
        debit = to_minor(form.debit_limit.data, decimals, "debit_limit")
        if credit != found.credit_limit:
            service.set_credit_limit(account_id=found.id, credit_limit=credit, actor=current_user)
        if debit != found.debit_limit:
            service.set_debit_limit(account_id=found.id, debit_limit=debit, actor=current_user)

    return _account_action(account_id, form, act, "The limits are set.")


@bp.post("/accounts/<int:account_id>/status/<any(active, frozen, closed):status>")
@login_required
def set_status(account_id: int, status: str):
    def act(found: Account) -> None:
        service.set_status(account_id=found.id, status=status, actor=current_user)

    return _account_action(account_id, ActionForm(), act, f"The account is now {status}.")


@bp.post("/accounts/<int:account_id>/warning")
@login_required
def set_warning(account_id: int):
    form = WarningForm()

    def act(found: Account) -> None:
        service.set_warning(account_id=found.id, warning_percent=form.warning_percent.data, actor=current_user)

    return _account_action(account_id, form, act, "Your warning threshold is saved.")


# --- paying ------------------------------------------------------------------------------------


@bp.route("/pay", methods=["GET", "POST"])
@login_required
def pay():
    form = PayForm()
    form.from_account_id.choices = _my_account_choices()
    if request.method == "GET":
        form.idempotency_key.data = uuid.uuid4().hex
        if (to := request.args.get("to", type=int)) is not None:
            form.to_account_id.data = to
        if (frm := request.args.get("from", type=int)) is not None:
            form.from_account_id.data = frm
    if form.validate_on_submit():
        try:
            payer = queries.account_by_id(form.from_account_id.data)
            decimals = queries.network_by_id(payer.network_id).currency_decimals if payer else 2
            made = service.transfer(
                from_account_id=form.from_account_id.data,
                to_account_id=form.to_account_id.data,
                amount=to_minor(form.amount.data, decimals, "amount"),
                description=form.description.data or "",
                actor=current_user,
                idempotency_key=form.idempotency_key.data or None,
            )
            db.session.commit()
        except DomainError as err:
            _failed(form, err)
        else:
            flash("Paid.", "success")
            return redirect(url_for(".receipt", transfer_id=made.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("credit/pay.html", form=form), status


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
        flash("Say why the transfer is reversed.", "error")
        return redirect(url_for(".receipt", transfer_id=transfer_id))
    try:
        reversal = service.reverse(transfer_id=transfer_id, reason=form.reason.data, actor=current_user)
        db.session.commit()
    except DomainError as err:
        return refused(err, url_for(".receipt", transfer_id=transfer_id))
    flash("The transfer is reversed.", "success")
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
def new_request():
    form = RequestForm()
    form.to_account_id.choices = _my_account_choices()
    if request.method == "GET" and (frm := request.args.get("from", type=int)) is not None:
        form.from_account_id.data = frm
    if form.validate_on_submit():
        try:
            payee = queries.account_by_id(form.to_account_id.data)
            decimals = queries.network_by_id(payee.network_id).currency_decimals if payee else 2
            service.request_payment(
                actor=current_user,
                from_account_id=form.from_account_id.data,
                to_account_id=form.to_account_id.data,
                amount=to_minor(form.amount.data, decimals, "amount"),
                description=form.description.data or "",
                expires_in_days=form.expires_in_days.data,
            )
            db.session.commit()
        except DomainError as err:
            _failed(form, err)
        else:
            flash("Your request is sent.", "success")
            return redirect(url_for(".requests"))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("credit/request_new.html", form=form), status


@bp.post("/requests/<int:request_id>/<any(accept, decline):answer>")
@login_required
def answer_request(request_id: int, answer: str):
    if not ActionForm().validate_on_submit():
        abort(400, "The form was out of date. Go back, reload the page and try again.")
    action = service.accept_request if answer == "accept" else service.decline_request
    try:
        action(actor=current_user, request_id=request_id)
        db.session.commit()
    except DomainError as err:
        return refused(err, url_for(".requests"))
    flash("Paid." if answer == "accept" else "Declined.", "success")
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
