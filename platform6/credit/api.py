"""JSON routes for mutual credit (API.md "Mutual credit"), and the serializers other features use."""

from datetime import date
from typing import Annotated, Literal

from flask import jsonify, request
from flask_babel import gettext as _
from pydantic import Field

from ..api import (
    Body,
    NonNegativeInt,
    PositiveInt,
    api_blueprint,
    created,
    optional_user,
    paginate,
    parse_body,
    require_user,
)
from ..errors import NotFound, invalid
from ..extensions import db
from ..groups.models import Group
from ..groups.permissions import can_see_group
from ..ratelimit import rate_limit
from ..timeutil import utcnow
from . import queries, service
from .models import Account, Entry, Network, PaymentRequest, Transfer
from .schemas import (
    account_json,
    directory_json,
    fee_stats_json,
    network_json,
    payment_request_json,
    statement_response,
    transfer_json,
)

bp = api_blueprint("credit_api", __name__)

Kind = Literal["business", "sole_trader", "individual", "employee"]
Status = Literal["active", "frozen", "closed"]
HolderType = Literal["user", "group"]


# --- bodies ------------------------------------------------------------------------------------

Limit = NonNegativeInt
Text100 = Annotated[str, Field(min_length=1, max_length=100)]


class Currency(Body):
    code: Annotated[str, Field(min_length=1, max_length=10)]
    name: Annotated[str, Field(min_length=1, max_length=50)]
    symbol: Annotated[str, Field(max_length=10)] = ""
    decimals: Annotated[int, Field(ge=0, le=service.MAX_DECIMALS)] = 2


class Holder(Body):
    type: HolderType
    id: PositiveInt


class NewNetwork(Body):
    name: Text100
    group_id: PositiveInt
    currency: Currency
    default_credit_limit: Limit = 0
    default_debit_limit: Limit | None = None
    parent_id: PositiveInt | None = None
    exchange_rate: Annotated[str, Field(min_length=1, max_length=40)] = "1"
    clearing_holder: Holder | None = None
    kind_credit_limits: dict[Literal["business", "individual", "employee"], Limit] | None = None


class NetworkChange(Body):
    #: checked in full by the fees service (the same check a binding proposal's fees get)
    fees: dict | None = None
    default_credit_limit: Limit | None = None
    default_debit_limit: Limit | None = None
    kind_credit_limits: dict[Literal["business", "individual", "employee"], Limit] | None = None


class NewAccount(Body):
    holder: Holder
    kind: Kind
    credit_limit: Limit | None = None
    debit_limit: Limit | None = None


class AccountChange(Body):
    credit_limit: Limit | None = None
    debit_limit: Limit | None = None
    status: Status | None = None
    warning_percent: Annotated[int, Field(ge=1, le=100)] | None = None


class NewTransfer(Body):
    from_account_id: PositiveInt
    to_account_id: PositiveInt
    amount: PositiveInt
    #: required, as API.md writes the body (an empty string is allowed)
    description: Annotated[str, Field(max_length=1000)]


class NewPaymentRequest(NewTransfer):
    expires_in_days: Annotated[int, Field(ge=1, le=365)] = service.REQUEST_DAYS


class Reversal(Body):
    reason: Annotated[str, Field(min_length=1, max_length=1000)]


# --- helpers -----------------------------------------------------------------------------------


def _network(network_id: int, user) -> Network:
    network = queries.network_by_id(network_id)
    if network is None or not can_see_group(user, db.session.get(Group, network.group_id)):
        raise NotFound(_("No such network."))
    return network


def _member_network(network_id: int, user) -> Network:
    network = _network(network_id, user)
    if not queries.can_see_network(user, network):
        raise NotFound(_("No such network."))
    return network


def _account(account_id: int, user) -> Account:
    account = queries.account_by_id(account_id)
    if account is None or not queries.can_see_account(user, account):
        raise NotFound(_("No such account."))
    return account


def _transfer(transfer_id: int, user) -> Transfer:
    found = queries.transfers_by_ids([transfer_id]).get(transfer_id)
    if found is None:
        raise NotFound(_("No such transfer."))
    accounts = queries.accounts_by_ids({found.from_account_id, found.to_account_id})
    if not any(queries.can_see_account(user, account) for account in accounts.values()):
        raise NotFound(_("No such transfer."))
    return found


# --- networks ----------------------------------------------------------------------------------


@bp.post("/networks")
def create_network():
    user = require_user()
    data = parse_body(NewNetwork)
    network = service.create_network(
        actor=user,
        name=data.name,
        group_id=data.group_id,
        currency_code=data.currency.code,
        currency_name=data.currency.name,
        currency_symbol=data.currency.symbol,
        currency_decimals=data.currency.decimals,
        default_credit_limit=data.default_credit_limit,
        default_debit_limit=data.default_debit_limit,
        parent_id=data.parent_id,
        exchange_rate=data.exchange_rate,
        clearing_holder=(data.clearing_holder.type, data.clearing_holder.id) if data.clearing_holder else None,
        kind_credit_limits=data.kind_credit_limits,
    )
    return created(network_json(network))


@bp.patch("/networks/<int:network_id>")
def change_network(network_id: int):
    user = require_user()
    network = _network(network_id, user)
    data = parse_body(NetworkChange)
    given = data.model_fields_set
    if "default_credit_limit" in given and data.default_credit_limit is None:
        raise invalid("default_credit_limit", _("default_credit_limit is a whole number, 0 or more."))
    if "fees" in given:
        service.set_fees(network=network, fees=data.fees, actor=user)
    service.set_network_defaults(
        actor=user,
        network=network,
        default_credit_limit=data.default_credit_limit
        if "default_credit_limit" in given
        else network.default_credit_limit,
        default_debit_limit=data.default_debit_limit if "default_debit_limit" in given else network.default_debit_limit,
        kind_credit_limits=data.kind_credit_limits
        if data.kind_credit_limits is not None
        else network.kind_credit_limits,
    )
    return jsonify(network_json(network))


@bp.get("/networks/<int:network_id>")
def show_network(network_id: int):
    return jsonify(network_json(_network(network_id, optional_user())))


@bp.get("/networks/<int:network_id>/stats")
def network_stats(network_id: int):
    network = _member_network(network_id, require_user())
    return jsonify(queries.network_stats(network, utcnow()) | fee_stats_json(network))


@bp.post("/networks/<int:network_id>/accounts")
def open_account(network_id: int):
    user = require_user()
    network = _network(network_id, user)
    data = parse_body(NewAccount)
    account = service.open_account(
        actor=user,
        network=network,
        holder_type=data.holder.type,
        holder_id=data.holder.id,
        kind=data.kind,
        credit_limit=data.credit_limit,
        debit_limit=data.debit_limit,
        keep_default_debit_limit="debit_limit" not in data.model_fields_set,
    )
    return created(account_json(account))


@bp.get("/networks/<int:network_id>/accounts")
def directory(network_id: int):
    network = _member_network(network_id, require_user())
    stmt = queries.directory_select(network, request.args.get("q", "").strip()[:100] or None)
    return jsonify(paginate(stmt, [(Account.id, False)], directory_json))


# --- accounts ----------------------------------------------------------------------------------


@bp.get("/accounts/<int:account_id>")
def show_account(account_id: int):
    return jsonify(account_json(_account(account_id, require_user())))


@bp.patch("/accounts/<int:account_id>")
def change_account(account_id: int):
    user = require_user()
    account = _account(account_id, user)
    data = parse_body(AccountChange)
    given = data.model_fields_set
    if "credit_limit" in given:
        if data.credit_limit is None:
            raise invalid("credit_limit", _("credit_limit is a whole number, 0 or more."))
        service.set_credit_limit(account_id=account.id, credit_limit=data.credit_limit, actor=user)
    if "debit_limit" in given:
        service.set_debit_limit(account_id=account.id, debit_limit=data.debit_limit, actor=user)
    if "status" in given:
        if data.status is None:
            raise invalid("status", _("status is active, frozen or closed."))
        service.set_status(account_id=account.id, status=data.status, actor=user)
    if "warning_percent" in given:
        service.set_warning(account_id=account.id, warning_percent=data.warning_percent, actor=user)
    return jsonify(account_json(account))


def _history_json(entries: list[Entry]) -> list[dict]:
    transfers = queries.transfers_by_ids(e.transfer_id for e in entries)
    return [
        transfer_json(transfers[e.transfer_id]) | {"entry_amount": e.amount, "balance_after": e.balance_after}
        for e in entries
    ]


@bp.get("/accounts/<int:account_id>/transfers")
def account_transfers(account_id: int):
    account = _account(account_id, require_user())
    return jsonify(paginate(queries.entries_select(account), [(Entry.id, True)], _history_json))


def _date_arg(name: str) -> date | None:
    raw = request.args.get(name)
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise invalid(name, _("%(field)s is a date such as 2026-11-01.", field=name)) from None


@bp.get("/accounts/<int:account_id>/statement.csv")
def statement(account_id: int):
    account = _account(account_id, require_user())
    start, end = _date_arg("from"), _date_arg("to")
    return statement_response(account, start, end)


# --- transfers ---------------------------------------------------------------------------------


@bp.get("/fees/quote")
def fee_quote():
    """What a payment would cost its payer: `{amount, fee, paid_by, total}` (the pay page asks before paying)."""
    user = require_user()
    numbers = {}
    for name in ("from_account_id", "to_account_id", "amount"):
        raw = request.args.get(name, "")
        if not raw.isdigit() or len(raw) > 16:
            raise invalid(name, _("%(name)s is a positive whole number.", name=name))
        numbers[name] = int(raw)
    found = service.quote_payment(actor=user, **numbers)
    return jsonify({"amount": numbers["amount"], "fee": found.fee, "paid_by": found.paid_by,
                    "total": numbers["amount"] + found.payer_total})  # fmt: skip


@bp.post("/transfers")
def create_transfer():
    user = require_user()
    data = parse_body(NewTransfer)
    key = request.headers.get("Idempotency-Key")
    made, moved = service.pay(
        from_account_id=data.from_account_id,
        to_account_id=data.to_account_id,
        amount=data.amount,
        description=data.description,
        actor=user,
        idempotency_key=key,
    )
    body = transfer_json(queries.transfers_by_ids([made.id])[made.id])
    return (jsonify(body), 201) if moved else jsonify(body)


@bp.get("/transfers/<int:transfer_id>")
def show_transfer(transfer_id: int):
    return jsonify(transfer_json(_transfer(transfer_id, require_user())))


@bp.post("/transfers/<int:transfer_id>/reverse")
def reverse_transfer(transfer_id: int):
    user = require_user()
    data = parse_body(Reversal)
    reversal = service.reverse(transfer_id=transfer_id, reason=data.reason, actor=user)
    return created(transfer_json(queries.transfers_by_ids([reversal.id])[reversal.id]))


# --- payment requests --------------------------------------------------------------------------


@bp.post("/payment-requests")
@rate_limit("payment_requests", per="user")
def create_payment_request():
    user = require_user()
    data = parse_body(NewPaymentRequest)
    made = service.request_payment(
        actor=user,
        from_account_id=data.from_account_id,
        to_account_id=data.to_account_id,
        amount=data.amount,
        description=data.description,
        expires_in_days=data.expires_in_days,
    )
    return created(payment_request_json(made))


@bp.get("/payment-requests")
def list_payment_requests():
    user = require_user()
    direction = request.args.get("direction", "in")
    if direction not in ("in", "out"):
        raise invalid("direction", _('direction is "in" (asked of me) or "out" (I asked).'))
    ids = [a.id for a in queries.accounts_of_user(user)]
    stmt = queries.payment_requests_select(ids, direction)
    if state := request.args.get("state"):
        stmt = stmt.where(PaymentRequest.state == state)
    order = [(PaymentRequest.id, True)]
    return jsonify(paginate(stmt, order, lambda rows: [payment_request_json(r) for r in rows]))


@bp.post("/payment-requests/<int:request_id>/accept")
def accept_payment_request(request_id: int):
    user = require_user()
    accepted = service.accept_request(actor=user, request_id=request_id)
    return jsonify(payment_request_json(accepted))


@bp.post("/payment-requests/<int:request_id>/decline")
def decline_payment_request(request_id: int):
    user = require_user()
    declined = service.decline_request(actor=user, request_id=request_id)
    return jsonify(payment_request_json(declined))
