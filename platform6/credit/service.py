"""Every write of mutual credit: networks, accounts, limits, transfers routed between networks, reversals, requests.

The ledger is double-entry and append-only. A transfer locks the accounts it touches in id
order (`SELECT ... FOR UPDATE` on PostgreSQL; on SQLite the write lock, taken with
`BEGIN IMMEDIATE` or the first write), reads their stored balances, checks every leg,
then writes legs, entries (hash-chained per account) and new balances in one transaction.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_EVEN, Context, Decimal, InvalidOperation

from sqlalchemy import Row, bindparam, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from ..accounts.models import User
from ..errors import Conflict, Forbidden, NotFound, RuleViolation, invalid
from ..extensions import db, socketio
from ..groups.models import Group
from ..limits import MAX_INT
from ..notifications.service import notify
from ..outbox import after_commit
from ..permissions import ensure_admin, ensure_group_visible
from ..timeutil import iso, utcnow
from . import queries
from .models import KINDS, STATUSES, Account, Entry, Leg, LimitChange, Network, PaymentRequest, Transfer

MAX_DECIMALS = 8
#: a network's exchange rate (parent units per unit of its own): within these bounds and with at most
#: RATE_DIGITS significant digits, so it is stored exactly and a payment routed through a chain of
#: networks stays within the precision of the routing arithmetic
MIN_RATE, MAX_RATE, RATE_DIGITS = Decimal("0.000001"), Decimal(1_000_000), 15
REQUEST_DAYS = 14
_DECIMAL = Context(prec=60)
_accounts = Account.__table__


def _endpoints_statement():
    users, groups = User.__table__, Group.__table__
    joined = _accounts.outerjoin(
        users, (_accounts.c.holder_type == "user") & (users.c.id == _accounts.c.holder_id)
    ).outerjoin(groups, (_accounts.c.holder_type == "group") & (groups.c.id == _accounts.c.holder_id))
    return (
        select(_accounts, func.coalesce(users.c.name, groups.c.name, "").label("holder_name"))
        .select_from(joined)
        .where(_accounts.c.id.in_(bindparam("ids", expanding=True)))
    )


# The payment's hot path runs these prebuilt Core statements (building them per call costs more than running them).
_ENDPOINTS = _endpoints_statement()
_READ_ACCOUNTS = select(_accounts).where(_accounts.c.id.in_(bindparam("ids", expanding=True))).order_by(_accounts.c.id)
_INSERT_TRANSFER = insert(Transfer.__table__).returning(Transfer.__table__.c.id)
_INSERT_LEG = insert(Leg.__table__).returning(Leg.__table__.c.id)
_INSERT_ENTRIES = insert(Entry.__table__)
_UPDATE_BALANCES = (
    update(_accounts)
    .where(_accounts.c.id == bindparam("account_id"))
    .values(balance=bindparam("new_balance"), last_hash=bindparam("new_hash"))
)


# --- permissions -------------------------------------------------------------------------------


def _visible_account(actor, account_id: int) -> Account:
    account = queries.account_by_id(account_id)
    if account is None or (actor is not None and not queries.can_see_account(actor, account)):
        raise NotFound("No such account.")
    return account


def _ensure_network_admin(actor, network: Network) -> None:
    if actor is not None and not queries.is_network_admin(actor, network):
        raise Forbidden("Only the network's admins may do that.")


def _ensure_controls(actor, account: Account) -> None:
    if actor is None or queries.controls_account(actor, account):
        return
    if queries.can_see_account(actor, account):
        raise Forbidden("Only the account's holder may spend from it.")
    raise NotFound("No such account.")


# --- networks and accounts ---------------------------------------------------------------------


def _check_limit(field: str, value: int | None, *, nullable: bool = False) -> None:
    if value is None and nullable:
        return
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_INT:
        raise invalid(field, f"{field} must be a whole number from 0 to {MAX_INT}.")


def parse_rate(raw: str) -> Decimal:
    """A typed exchange rate, refused on `exchange_rate` unless a plain number within the bounds."""
    refusal = invalid(
        "exchange_rate",
        f'The exchange rate is a number from {MIN_RATE} to {MAX_RATE} such as "1" or "0.5", '
        f"with at most {RATE_DIGITS} significant digits.",
    )
    if not isinstance(raw, str) or len(raw) > 40:
        raise refusal
    try:
        rate = Decimal(raw.strip())
    except InvalidOperation:
        raise refusal from None
    if not _usable_rate(rate):
        raise refusal
    return rate


def _usable_rate(rate: Decimal) -> bool:
    significant = "".join(map(str, rate.as_tuple().digits)).strip("0")
    return rate.is_finite() and MIN_RATE <= rate <= MAX_RATE and len(significant) <= RATE_DIGITS


def rate_text(rate: Decimal) -> str:
    """The rate as stored and shown: plain digits, exact ("0.5", "1000000", never "1E+6")."""
    return format(rate.normalize(_DECIMAL), "f")


def _holder_exists(actor, holder_type: str, holder_id: int) -> None:
    if holder_type == "user":
        if db.session.get(User, holder_id) is None:
            raise NotFound("No such person.")
    elif holder_type == "group":
        ensure_group_visible(actor, db.session.get(Group, holder_id))
    else:
        raise invalid("holder.type", 'The holder type is "user" or "group".')


def create_network(
    *,
    actor: User,
    name: str,
    group_id: int,
    currency_code: str,
    currency_name: str,
    currency_symbol: str,
    currency_decimals: int,
    default_credit_limit: int = 0,
    default_debit_limit: int | None = None,
    parent_id: int | None = None,
    exchange_rate: str = "1",
    clearing_holder: tuple[str, int] | None = None,
    kind_credit_limits: dict[str, int] | None = None,
) -> Network:
    """A network governed by the group's admins; with `parent_id`, a node linked by clearing/settlement accounts."""
    group = ensure_group_visible(actor, db.session.get(Group, group_id))
    ensure_admin(actor, group)
    fields = _network_fields(
        name=name,
        currency_code=currency_code,
        currency_name=currency_name,
        currency_symbol=currency_symbol,
        currency_decimals=currency_decimals,
        default_credit_limit=default_credit_limit,
        default_debit_limit=default_debit_limit,
        kind_credit_limits=kind_credit_limits,
        exchange_rate=exchange_rate,
        linked=parent_id is not None,
    )
    parent = None
    if parent_id is not None:
        parent = queries.network_by_id(parent_id)
        if parent is None or not queries.can_see_network(actor, parent):
            raise NotFound("No such parent network.")
        _ensure_network_admin(actor, parent)
    network = Network(group_id=group.id, parent_id=parent_id, **fields)
    db.session.add(network)
    db.session.flush()
    if parent is not None:
        holder_type, holder_id = clearing_holder or ("group", group.id)
        _holder_exists(actor, holder_type, holder_id)
        if holder_type == "group" and holder_id != group.id:
            ensure_admin(actor, db.session.get(Group, holder_id))
        elif holder_type == "user" and holder_id != actor.id:
            raise Forbidden("Only you may hold a clearing account for a person: yourself.")
        if _existing(parent.id, holder_type, holder_id, "clearing"):
            raise Conflict("That holder already holds a clearing account in the parent network.")
        settlement = _link_account(network, "network", network.id, "settlement")
        clearing = _link_account(
            parent, holder_type, holder_id, "clearing", parent.default_credit_limit, parent.default_debit_limit
        )
        db.session.flush()
        network.settlement_account_id, network.clearing_account_id = settlement.id, clearing.id
        db.session.flush()
    return network


def _network_fields(
    *,
    name: str,
    currency_code: str,
    currency_name: str,
    currency_symbol: str,
    currency_decimals: int,
    default_credit_limit: int,
    default_debit_limit: int | None,
    kind_credit_limits: dict[str, int] | None,
    exchange_rate: str,
    linked: bool,
) -> dict:
    """A network's own columns, checked and normalised, as every way of making one stores them
    (the exchange rate is checked always, and kept only for a network linked to a parent)."""
    name = name.strip()
    if not name:
        raise invalid("name", "Give the network a name.")
    if not currency_code.strip() or not currency_name.strip():
        raise invalid("currency", "The currency needs a code and a name.")
    if not 0 <= currency_decimals <= MAX_DECIMALS:
        raise invalid("currency.decimals", f"decimals is from 0 to {MAX_DECIMALS}.")
    _check_limit("default_credit_limit", default_credit_limit)
    _check_limit("default_debit_limit", default_debit_limit, nullable=True)
    kind_credit_limits = _check_kind_limits(kind_credit_limits or {})
    rate = parse_rate(exchange_rate)
    return {
        "name": name,
        "currency_code": currency_code.strip(),
        "currency_name": currency_name.strip(),
        "currency_symbol": currency_symbol.strip(),
        "currency_decimals": currency_decimals,
        "default_credit_limit": default_credit_limit,
        "default_debit_limit": default_debit_limit,
        "kind_credit_limits": kind_credit_limits,
        "exchange_rate": rate_text(rate) if linked else "1",
    }


def _link_account(
    network: Network,
    holder_type: str,
    holder_id: int,
    purpose: str,
    credit_limit: int = 0,
    debit_limit: int | None = None,
) -> Account:
    """A settlement account (held by its network) or a clearing account (in the parent, for a node below)."""
    account = Account(
        network_id=network.id,
        holder_type=holder_type,
        holder_id=holder_id,
        kind="business",
        purpose=purpose,
        credit_limit=credit_limit,
        debit_limit=debit_limit,
    )
    db.session.add(account)
    return account


def replay_network(
    *,
    group: Group,
    parent: Network | None,
    name: str,
    currency_code: str,
    currency_name: str,
    currency_symbol: str,
    currency_decimals: int,
    exchange_rate: str,
    default_credit_limit: int,
    default_debit_limit: int | None,
    kind_credit_limits: dict[str, int],
    created_at: datetime,
) -> Network:
    """A network from history (a group file), governed by `group`, under the rules of one made here.

    Its accounts come next (`replay_account`), then its settlement and clearing links (`replay_links`).
    """
    fields = _network_fields(
        name=name,
        currency_code=currency_code,
        currency_name=currency_name,
        currency_symbol=currency_symbol,
        currency_decimals=currency_decimals,
        default_credit_limit=default_credit_limit,
        default_debit_limit=default_debit_limit,
        kind_credit_limits=kind_credit_limits,
        exchange_rate=exchange_rate,
        linked=parent is not None,
    )
    network = Network(group_id=group.id, parent_id=parent.id if parent else None, created_at=created_at, **fields)
    db.session.add(network)
    db.session.flush()
    return network


def replay_account(
    *,
    network: Network,
    holder_type: str,
    holder_id: int,
    kind: str,
    purpose: str,
    credit_limit: int | None,
    debit_limit: int | None,
    status: str,
    warning_percent: int | None,
    created_at: datetime,
) -> Account:
    """An account from history with its limits, status and warning, under the rules of one opened here.

    A network holds its settlement account and nothing else; a settlement account has no limits.
    """
    if (holder_type == "network") != (purpose == "settlement"):
        raise invalid("holder", "A network holds its settlement account, and nothing else.")
    if status not in STATUSES:
        raise invalid("status", f"status is one of {', '.join(STATUSES)}.")
    _check_warning(warning_percent)
    if purpose == "member":
        account = _open_member_account(network, holder_type, holder_id, kind, credit_limit, debit_limit, False)
    elif purpose == "clearing":
        _check_limit("credit_limit", credit_limit)
        _check_limit("debit_limit", debit_limit, nullable=True)
        account = _link_account(network, holder_type, holder_id, purpose, credit_limit, debit_limit)
    else:
        account = _link_account(network, holder_type, holder_id, purpose)
    account.status, account.warning_percent, account.created_at = status, warning_percent, created_at
    db.session.flush()
    return account


def replay_links(*, network: Network, parent: Network | None, settlement: Account | None, clearing: Account | None):
    """Tie a replayed network to its settlement account and, below a parent, to its clearing account there."""
    if settlement is not None and (settlement.network_id != network.id or settlement.purpose != "settlement"):
        raise invalid("settlement_account", "The settlement account is the network's own, of purpose settlement.")
    if parent is not None:
        if clearing is None or settlement is None:
            raise invalid("clearing_account", "A network inside its parent has a clearing and a settlement account.")
        if clearing.network_id != parent.id or clearing.purpose != "clearing":
            raise invalid("clearing_account", "The clearing account is in the parent network, of purpose clearing.")
    network.settlement_account_id = settlement.id if settlement else None
    network.clearing_account_id = clearing.id if parent is not None else None
    db.session.flush()


def _check_kind_limits(limits: dict) -> dict[str, int]:
    for kind, value in limits.items():
        if kind not in KINDS or kind == "sole_trader":
            raise invalid("kind_credit_limits", "Defaults by kind are for business, individual and employee accounts.")
        _check_limit(f"kind_credit_limits.{kind}", value)
    return dict(limits)


def set_network_defaults(
    *,
    actor: User | None,
    network: Network,
    default_credit_limit: int,
    default_debit_limit: int | None,
    kind_credit_limits: dict[str, int],
) -> Network:
    """The limits new accounts get (network admins); accounts already open keep theirs."""
    _ensure_network_admin(actor, network)
    _check_limit("default_credit_limit", default_credit_limit)
    _check_limit("default_debit_limit", default_debit_limit, nullable=True)
    network.kind_credit_limits = _check_kind_limits(kind_credit_limits)
    network.default_credit_limit, network.default_debit_limit = default_credit_limit, default_debit_limit
    db.session.flush()
    return network


def _existing(network_id: int, holder_type: str, holder_id: int, purpose: str) -> bool:
    return (
        db.session.scalar(
            select(Account.id).where(
                Account.network_id == network_id,
                Account.holder_type == holder_type,
                Account.holder_id == holder_id,
                Account.purpose == purpose,
            )
        )
        is not None
    )


def open_account(
    *,
    actor: User | None,
    network: Network,
    holder_type: str,
    holder_id: int,
    kind: str,
    credit_limit: int | None = None,
    debit_limit: int | None = None,
    keep_default_debit_limit: bool = True,
) -> Account:
    """An account for a person or a group (network admins; actor=None for trusted callers like the demo)."""
    _ensure_network_admin(actor, network)
    _holder_exists(actor, holder_type, holder_id)
    return _open_member_account(
        network, holder_type, holder_id, kind, credit_limit, debit_limit, keep_default_debit_limit
    )


def _open_member_account(
    network: Network,
    holder_type: str,
    holder_id: int,
    kind: str,
    credit_limit: int | None,
    debit_limit: int | None,
    keep_default_debit_limit: bool,
) -> Account:
    """A holder's one member account in the network, within the limits and kind rules every account keeps."""
    if kind not in KINDS:
        raise invalid("kind", f"kind is one of {', '.join(KINDS)}.")
    _check_limit("credit_limit", credit_limit, nullable=True)
    _check_limit("debit_limit", debit_limit, nullable=True)
    if kind == "sole_trader":
        if credit_limit:
            raise RuleViolation("validation_failed", "credit_limit", _SOLE_TRADER)
        credit_limit = 0
    if _existing(network.id, holder_type, holder_id, "member"):
        raise Conflict("That holder already has an account in this network.")
    if debit_limit is None and keep_default_debit_limit:
        debit_limit = network.default_debit_limit
    account = Account(
        network_id=network.id,
        holder_type=holder_type,
        holder_id=holder_id,
        kind=kind,
        purpose="member",
        credit_limit=network.default_limit_for(kind) if credit_limit is None else credit_limit,
        debit_limit=debit_limit,
    )
    try:
        with db.session.begin_nested():  # the unique holder per network decides a race `_existing` cannot see
            db.session.add(account)
    except IntegrityError:
        raise Conflict("That holder already has an account in this network.") from None
    return account


_SOLE_TRADER = "A sole trader's account must stay in credit: its credit limit is always 0."


def _limit_target(account_id: int, actor) -> Account:
    account = _visible_account(actor, account_id)
    network = queries.network_by_id(account.network_id)
    _ensure_network_admin(actor, network)
    if account.purpose == "settlement":
        raise RuleViolation("validation_failed", None, "A settlement account has no limits.")
    return account


def set_credit_limit(*, account_id: int, credit_limit: int, actor: User | None, source: str | None = None) -> Account:
    """Set how far below zero the account may go (network admins, or a decision with actor=None)."""
    _check_limit("credit_limit", credit_limit)
    account = _limit_target(account_id, actor)
    if account.kind == "sole_trader" and credit_limit != 0:
        raise RuleViolation("validation_failed", "credit_limit", _SOLE_TRADER)
    _record_limit(account, "credit_limit", credit_limit, actor, source)
    account.credit_limit = credit_limit
    db.session.flush()
    return account


def set_debit_limit(
    *, account_id: int, debit_limit: int | None, actor: User | None, source: str | None = None
) -> Account:
    """Set how high the balance may go (None: no limit)."""
    _check_limit("debit_limit", debit_limit, nullable=True)
    account = _limit_target(account_id, actor)
    _record_limit(account, "debit_limit", debit_limit, actor, source)
    account.debit_limit = debit_limit
    db.session.flush()
    return account


def _record_limit(account: Account, field: str, value: int | None, actor, source: str | None) -> None:
    db.session.add(
        LimitChange(
            account_id=account.id,
            field=field,
            old_value=getattr(account, field),
            new_value=value,
            actor_id=actor.id if actor is not None else None,
            source=source,
        )
    )


def set_status(*, account_id: int, status: str, actor: User) -> Account:
    """Freeze, unfreeze or close an account (network admins)."""
    if status not in STATUSES:
        raise invalid("status", f"status is one of {', '.join(STATUSES)}.")
    account = _limit_target(account_id, actor)
    account.status = status
    db.session.flush()
    return account


def _check_warning(warning_percent: int | None) -> None:
    if warning_percent is not None and not 1 <= warning_percent <= 100:
        raise invalid("warning_percent", "The warning threshold is a percentage from 1 to 100.")


def set_warning(*, account_id: int, warning_percent: int | None, actor: User) -> Account:
    """The holder's "tell me when I am within N% of my limit" (None turns it off)."""
    _check_warning(warning_percent)
    account = _visible_account(actor, account_id)
    _ensure_controls(actor, account)
    account.warning_percent = warning_percent
    db.session.flush()
    return account


# --- routing -----------------------------------------------------------------------------------


@dataclass
class PlannedLeg:
    network_id: int
    from_account_id: int
    to_account_id: int
    amount: int


def _ancestry(network_id: int) -> list[Network]:
    """The network, its parent, ... up to the root."""
    chain: list[Network] = []
    seen: set[int] = set()
    current: int | None = network_id
    while current is not None and current not in seen:
        seen.add(current)
        network = db.session.get(Network, current)
        chain.append(network)
        current = network.parent_id
    return chain


def _route_rate(network: Network) -> Decimal:
    """The network's stored rate, when routing can use it: one stored before rates were bounded may not be."""
    try:
        rate = Decimal(network.exchange_rate)
    except InvalidOperation:
        rate = None
    if rate is None or not _usable_rate(rate):
        raise RuleViolation(
            "no_route", "to_account_id", f"{network.name}'s exchange rate is out of range: no payment can cross it."
        )
    return rate


def _minor(major: Decimal, network: Network) -> int:
    value = _DECIMAL.multiply(major, Decimal(10) ** network.currency_decimals)
    try:
        amount = int(value.quantize(Decimal(1), rounding=ROUND_HALF_EVEN, context=_DECIMAL))
    except InvalidOperation:  # more digits than the routing precision holds: far past MAX_INT
        amount = MAX_INT + 1
    if amount <= 0:
        raise RuleViolation("validation_failed", "amount", f"The amount is too small to reach {network.name}.")
    if amount > MAX_INT:
        raise RuleViolation("validation_failed", "amount", "The amount is too large.")
    return amount


def plan_route(payer: Account, payee: Account, amount: int) -> list[PlannedLeg]:
    """One leg per network from the payer's network up to the nearest common ancestor and down to the payee's."""
    if payer.network_id == payee.network_id:
        return [PlannedLeg(payer.network_id, payer.id, payee.id, amount)]
    up, down = _ancestry(payer.network_id), _ancestry(payee.network_id)
    down_ids = [n.id for n in down]
    common = next((i for i, n in enumerate(up) if n.id in down_ids), None)
    if common is None:
        raise RuleViolation("no_route", "to_account_id", "There is no route between these two networks.")
    ups, top, downs = up[:common], up[common], list(reversed(down[: down_ids.index(up[common].id)]))
    major = _DECIMAL.divide(Decimal(amount), Decimal(10) ** ups[0].currency_decimals) if ups else None
    legs: list[PlannedLeg] = []
    current = payer.id
    for network in ups:
        legs.append(PlannedLeg(network.id, current, network.settlement_account_id, _minor(major, network)))
        current = network.clearing_account_id
        major = _DECIMAL.multiply(major, _route_rate(network))
    if major is None:
        major = _DECIMAL.divide(Decimal(amount), Decimal(10) ** top.currency_decimals)
    target = downs[0].clearing_account_id if downs else payee.id
    legs.append(PlannedLeg(top.id, current, target, _minor(major, top) if ups else amount))
    for i, network in enumerate(downs):
        major = _DECIMAL.divide(major, _route_rate(network))
        target = downs[i + 1].clearing_account_id if i + 1 < len(downs) else payee.id
        legs.append(PlannedLeg(network.id, network.settlement_account_id, target, _minor(major, network)))
    return legs


# --- posting -----------------------------------------------------------------------------------


def serialise_writes() -> None:
    """SQLite: take the database's write lock before reading what a write depends on.

    A fresh transaction begins with BEGIN IMMEDIATE; one that has already read takes the lock
    with a write that changes nothing. PostgreSQL needs neither: its row locks do the job.
    """
    session: Session = db.session()
    if session.get_bind().dialect.name != "sqlite":
        return
    if not session.in_transaction():
        session.connection(execution_options={"sqlite_immediate": True})
        return
    try:
        session.execute(text("UPDATE credit_accounts SET id = id WHERE 0 = 1"))
    except OperationalError:  # another writer committed after this transaction's first read
        raise Conflict("The ledger was busy with another payment; try again.", code="conflict") from None


def _lock_accounts(ids, known: dict[int, dict] | None = None) -> dict[int, dict]:
    """Lock the accounts in id order and read their current rows (after `serialise_writes`).

    On SQLite the write lock is already held, so rows read since are current and `known` ones
    are not read again; PostgreSQL locks every row with `SELECT ... FOR UPDATE`.
    """
    ordered = sorted(set(ids))
    rows: dict[int, dict] = {}
    sqlite = db.session.get_bind().dialect.name == "sqlite"
    if sqlite and known:
        rows = {i: known[i] for i in ordered if i in known}
        ordered = [i for i in ordered if i not in rows]
    if ordered:
        stmt = _READ_ACCOUNTS if sqlite else _READ_ACCOUNTS.with_for_update()
        rows |= {row.id: dict(row._mapping) for row in db.session.execute(stmt, {"ids": ordered})}
    return rows


def _post(values: dict, legs: list[PlannedLeg], rows: dict[int, dict], *, check: bool) -> tuple[Transfer, dict]:
    """Apply the legs to the locked rows (checking each when `check`), then write everything.

    The hot path of every payment, so it writes with SQLAlchemy Core (one INSERT for the
    transfer, one per leg, one for all entries, one UPDATE for all balances) and hands back
    the Transfer as an ORM object already in the session. Returns it and the new balances.
    """
    if check:
        for account_id in {a for leg in legs for a in (leg.from_account_id, leg.to_account_id)}:
            if rows[account_id]["status"] != "active":
                raise Conflict("That account is frozen: it can neither pay nor be paid.", code="account_frozen")
    balances = {account_id: row["balance"] for account_id, row in rows.items()}
    for leg in legs:
        balances[leg.from_account_id] -= leg.amount
        balances[leg.to_account_id] += leg.amount
        if not check:
            continue
        payer, payee = rows[leg.from_account_id], rows[leg.to_account_id]
        if payer["purpose"] != "settlement":
            floor = 0 if payer["kind"] == "sole_trader" else -payer["credit_limit"]
            if balances[leg.from_account_id] < floor:
                raise RuleViolation(
                    "insufficient_credit", "amount", "The payment would take the account below its credit limit."
                )
        if payee["debit_limit"] is not None and balances[leg.to_account_id] > payee["debit_limit"]:
            raise RuleViolation("over_debit_limit", "amount", "The payment would take the payee above its debit limit.")
    if any(abs(b) > MAX_INT for b in balances.values()):
        raise RuleViolation("validation_failed", "amount", "The amount is too large.")
    now = values["created_at"] = values.get("created_at") or utcnow()
    values = {"state": "completed", "reverses_id": None, "reason": None, "idempotency_key": None,
              "request_hash": None, "created_by_id": None} | values  # fmt: skip
    try:
        values["id"] = db.session.execute(_INSERT_TRANSFER, values).scalar_one()
    except IntegrityError:
        raise _made_meanwhile(values) from None
    stored: list[dict] = []
    for position, leg in enumerate(legs):
        row = {"transfer_id": values["id"], "position": position, "network_id": leg.network_id,
               "from_account_id": leg.from_account_id, "to_account_id": leg.to_account_id, "amount": leg.amount,
               "created_at": now}  # fmt: skip
        row["id"] = db.session.execute(_INSERT_LEG, row).scalar_one()
        stored.append(row)
    entries: list[dict] = []
    running = {a: r["balance"] for a, r in rows.items()}
    heads = {a: r["last_hash"] for a, r in rows.items()}
    for leg in stored:
        for account_id, amount in ((leg["from_account_id"], -leg["amount"]), (leg["to_account_id"], leg["amount"])):
            running[account_id] += amount
            entry = {
                "account_id": account_id,
                "transfer_id": values["id"],
                "leg_id": leg["id"],
                "amount": amount,
                "balance_after": running[account_id],
                "created_at": now,
            }
            heads[account_id] = entry["hash"] = Entry.chain_hash(heads[account_id], **entry)
            entries.append(entry)
    db.session.execute(_INSERT_ENTRIES, entries)
    touched = [a for a in rows if running[a] != rows[a]["balance"] or heads[a] != rows[a]["last_hash"]]
    db.session.execute(
        _UPDATE_BALANCES, [{"account_id": a, "new_balance": running[a], "new_hash": heads[a]} for a in touched]
    )
    identity = db.session.identity_map
    for account_id in touched:
        loaded = identity.get(Session.identity_key(Account, account_id))
        if loaded is not None:
            set_committed_value(loaded, "balance", running[account_id])
            set_committed_value(loaded, "last_hash", heads[account_id])
    return _persistent(values, stored), running


def _made_meanwhile(values: dict) -> Conflict:
    """The same payment or reversal, made by another request at the same moment, got its row in first:
    the unique idempotency key or `reverses_id` decided the race (the caller rolls back, as for any refusal)."""
    if values["reverses_id"] is not None:
        return Conflict("This transfer has already been reversed.")
    return Conflict(
        "The same payment (the same Idempotency-Key) is being made by another request: see the history before paying again."
    )


def _persistent(values: dict, legs: list[dict]) -> Transfer:
    """The rows just inserted, as ORM objects in the session (no further SQL)."""
    made = Transfer(**values)
    leg_objects = [Leg(**row) for row in legs]
    for obj in (made, *leg_objects):
        make_transient_to_detached(obj)
    set_committed_value(made, "legs", leg_objects)
    for leg in leg_objects:
        set_committed_value(leg, "transfer", made)
    db.session.add(made)
    db.session.add_all(leg_objects)
    return made


def _request_hash(from_account_id: int, to_account_id: int, amount: int, description: str) -> str:
    body = json.dumps([from_account_id, to_account_id, amount, description])
    return hashlib.sha256(body.encode()).hexdigest()


def _check_payment(amount, description: str, from_account_id: int, to_account_id: int) -> None:
    if not isinstance(amount, int) or isinstance(amount, bool) or not 1 <= amount <= MAX_INT:
        raise RuleViolation("validation_failed", "amount", "The amount is a positive whole number of minor units.")
    if not isinstance(description, str) or len(description) > 1000:
        raise RuleViolation("validation_failed", "description", "The description is text of at most 1000 characters.")
    if from_account_id == to_account_id:
        raise RuleViolation("validation_failed", "to_account_id", "An account cannot pay itself.")


def _account_rows(ids) -> dict[int, Row]:
    """Account rows with their holder's name, in one query (the payment's endpoints)."""
    return {row.id: row for row in db.session.execute(_ENDPOINTS, {"ids": list(ids)})}


def _endpoints(actor, from_account_id: int, to_account_id: int) -> tuple[Row, Row]:
    """The payer and payee rows, once the actor may spend from the payer."""
    found = _account_rows([from_account_id, to_account_id])
    payer, payee = found.get(from_account_id), found.get(to_account_id)
    if payer is None or (actor is not None and not queries.can_see_account(actor, payer)):
        raise NotFound("No such account.")
    _ensure_controls(actor, payer)
    if payee is None:
        raise NotFound("No such account to pay.")
    for field, account in (("from_account_id", payer), ("to_account_id", payee)):
        if account.purpose != "member":
            raise RuleViolation("validation_failed", field, "Clearing and settlement accounts move only by routing.")
    return payer, payee


def transfer(
    *,
    from_account_id: int,
    to_account_id: int,
    amount: int,
    description: str,
    actor: User | None,
    idempotency_key: str | None = None,
) -> Transfer:
    """Pay `amount` (payer's minor units) with every rule of API.md; actor=None: already authorised."""
    return pay(
        from_account_id=from_account_id,
        to_account_id=to_account_id,
        amount=amount,
        description=description,
        actor=actor,
        idempotency_key=idempotency_key,
    )[0]


def pay(
    *,
    from_account_id: int,
    to_account_id: int,
    amount: int,
    description: str,
    actor: User | None,
    idempotency_key: str | None = None,
    at: datetime | None = None,
) -> tuple[Transfer, bool]:
    """`transfer`, also telling whether it moved money now (False: a retry answered with the first transfer).

    `at` dates the transfer in the past (a history imported from another ledger, the demo data);
    entries keep their id order, so give times in order.
    """
    _check_payment(amount, description, from_account_id, to_account_id)
    if idempotency_key is not None and not 1 <= len(idempotency_key) <= 255:
        raise invalid("Idempotency-Key", "An Idempotency-Key is 1 to 255 characters.")
    serialise_writes()
    payer, payee = _endpoints(actor, from_account_id, to_account_id)
    legs = plan_route(payer, payee, amount)
    known = {payer.id: dict(payer._mapping), payee.id: dict(payee._mapping)}
    rows = _lock_accounts([a for leg in legs for a in (leg.from_account_id, leg.to_account_id)], known)
    key = request_hash = None
    if idempotency_key is not None:
        key = f"{actor.id if actor is not None else '-'}:{idempotency_key}"
        request_hash = _request_hash(from_account_id, to_account_id, amount, description)
        earlier = db.session.scalar(select(Transfer).where(Transfer.idempotency_key == key))
        if earlier is not None:
            if earlier.request_hash != request_hash:
                raise Conflict("This Idempotency-Key was used for another payment.", code="conflict")
            return earlier, False
    values = {
        "from_account_id": payer.id,
        "to_account_id": payee.id,
        "amount": amount,
        "description": description,
        "idempotency_key": key,
        "request_hash": request_hash,
        "created_by_id": actor.id if actor is not None else None,
        "created_at": at,
    }
    made, balances = _post(values, legs, rows, check=True)
    _after_payment(made, payer, payee, rows, balances, actor)
    return made, True


def replay_transfer(
    *,
    legs: list[PlannedLeg],
    description: str,
    at: datetime,
    reverses_id: int | None = None,
    reason: str | None = None,
    created_by_id: int | None = None,
) -> Transfer:
    """A transfer from another ledger's history (an import), its legs as they were routed there.

    No limit, freeze or routing rule applies (the history happened); entries, balances and hash
    chains are written exactly as for a payment, so `credit verify` holds. A reversal marks its
    original reversed. Replay in the original order: entries keep their id order.
    """
    serialise_writes()
    rows = _lock_accounts([a for leg in legs for a in (leg.from_account_id, leg.to_account_id)])
    if reverses_id is not None:
        db.session.get(Transfer, reverses_id).mark_reversed()
    values = {
        "from_account_id": legs[0].from_account_id,
        "to_account_id": legs[-1].to_account_id,
        "amount": legs[0].amount,
        "description": description,
        "reverses_id": reverses_id,
        "reason": reason,
        "created_by_id": created_by_id,
        "created_at": at,
    }
    return _post(values, legs, rows, check=False)[0]


def _announce(made: Transfer, ends: list[Row], rows: dict[int, dict], balances: dict[int, int]) -> None:
    """After commit, tell each open account page (room `credit_account:<id>`) its new entry and balance."""
    payer, payee = ends
    messages = []
    for account, other in ((payer, payee), (payee, payer)):
        row = rows[account.id]
        floor = 0 if row["kind"] == "sole_trader" else -row["credit_limit"]
        entry_amount = -made.legs[0].amount if account.id == made.from_account_id else made.legs[-1].amount
        payload = {
            "account_id": account.id,
            "transfer_id": made.id,
            "entry_amount": entry_amount,
            "balance": balances[account.id],
            "can_spend": balances[account.id] - floor,
            "counterparty": other.holder_name,
            "description": made.description,
            "created_at": iso(made.created_at),
        }
        messages.append((queries.account_room(account.id), payload))

    def emit() -> None:
        for room, payload in messages:
            socketio.emit("credit_entry", payload, to=room)

    after_commit(emit)


def _after_payment(made: Transfer, payer: Row, payee: Row, rows, balances: dict[int, int], actor) -> None:
    _announce(made, [payer, payee], rows, balances)
    notify(
        user_ids=queries.controller_ids(payee),
        kind="payment_received",
        url=f"/credit/accounts/{payee.id}",
        text=f"Payment received from {payer.holder_name}: {made.description}"[:300],
        actor_id=actor.id if actor is not None else None,
    )
    before = rows[payer.id]
    if payer.warning_percent and before["credit_limit"] > 0 and payer.kind != "sole_trader":
        threshold = before["credit_limit"] * payer.warning_percent // 100
        spend_before = before["balance"] + before["credit_limit"]
        spend_after = balances[payer.id] + before["credit_limit"]
        if spend_after <= threshold < spend_before:
            notify(
                user_ids=queries.controller_ids(payer),
                kind="credit_warning",
                url=f"/credit/accounts/{payer.id}",
                text=f"Your account is within {payer.warning_percent}% of its credit limit.",
            )


def reverse(*, transfer_id: int, reason: str, actor: User | None) -> Transfer:
    """A new transfer replaying the legs backwards (no limits or freezes); the original is marked reversed."""
    reason = (reason or "").strip()
    serialise_writes()
    original = db.session.get(Transfer, transfer_id)
    if original is None:
        raise NotFound("No such transfer.")
    payer = queries.account_by_id(original.from_account_id)
    payee = queries.account_by_id(original.to_account_id)
    network = queries.network_by_id(payer.network_id)
    if actor is not None and not queries.is_network_admin(actor, network):
        if queries.can_see_account(actor, payer) or queries.can_see_account(actor, payee):
            raise Forbidden("Only the admins of the payer's network may reverse a transfer.")
        raise NotFound("No such transfer.")
    if not reason:
        raise invalid("reason", "Say why the transfer is reversed.")
    if len(reason) > 1000:
        raise invalid("reason", "The reason is at most 1000 characters.")
    if original.reverses_id is not None or original.state == "reversed":
        original.mark_reversed()
    stmt = select(Transfer).where(Transfer.id == transfer_id).execution_options(populate_existing=True)
    legs = list(db.session.scalars(select(Leg).where(Leg.transfer_id == transfer_id)))
    rows = _lock_accounts([a for leg in legs for a in (leg.from_account_id, leg.to_account_id)])
    if db.session.get_bind().dialect.name != "sqlite":
        stmt = stmt.with_for_update()
    original = db.session.scalar(stmt)
    original.mark_reversed()
    legs.sort(key=lambda leg: leg.position, reverse=True)
    planned = [PlannedLeg(leg.network_id, leg.to_account_id, leg.from_account_id, leg.amount) for leg in legs]
    values = {
        "from_account_id": original.to_account_id,
        "to_account_id": original.from_account_id,
        "amount": planned[0].amount,
        "description": f"Reversal of transfer {original.id}: {reason}"[:1000],
        "reverses_id": original.id,
        "reason": reason,
        "created_by_id": actor.id if actor is not None else None,
    }
    reversal, _ = _post(values, planned, rows, check=False)
    notify(
        user_ids=queries.controller_ids(payer) + queries.controller_ids(payee),
        kind="payment_reversed",
        url=f"/credit/transfers/{reversal.id}",
        text=f"Transfer {original.id} was reversed: {reason}"[:300],
        actor_id=actor.id if actor is not None else None,
    )
    return reversal


# --- payment requests --------------------------------------------------------------------------


def request_payment(
    *,
    actor: User,
    from_account_id: int,
    to_account_id: int,
    amount: int,
    description: str,
    expires_in_days: int = REQUEST_DAYS,
) -> PaymentRequest:
    """An invoice from the payee (whom the actor controls) to the payer."""
    _check_payment(amount, description, from_account_id, to_account_id)
    if not 1 <= expires_in_days <= 365:
        raise invalid("expires_in_days", "A request expires after 1 to 365 days.")
    payee = _visible_account(actor, to_account_id)
    _ensure_controls(actor, payee)
    payer = _askable_payer(actor, payee, from_account_id)
    for field, account in (("from_account_id", payer), ("to_account_id", payee)):
        if account.is_linking:
            raise RuleViolation("validation_failed", field, "Clearing and settlement accounts move only by routing.")
    plan_route(payer, payee, amount)
    now = utcnow()
    request = PaymentRequest(
        from_account_id=payer.id,
        to_account_id=payee.id,
        amount=amount,
        description=description,
        created_by_id=actor.id,
        created_at=now,
        expires_at=now + timedelta(days=expires_in_days),
    )
    db.session.add(request)
    db.session.flush()
    notify(
        user_ids=queries.controller_ids(payer),
        kind="payment_request",
        url="/credit/requests",
        text=f"{actor.name} asks for a payment: {description}"[:300],
        actor_id=actor.id,
    )
    return request


def _askable_payer(actor: User, payee: Account, from_account_id: int) -> Account:
    """The account asked to pay, if the request may tell the actor who holds it (else 404, as for no account)."""
    payer = queries.account_by_id(from_account_id)
    if payer is None or not queries.holder_may_be_named_to(actor, payer, network_id=payee.network_id):
        message = "There is no account with this number that you can ask."
        raise NotFound(message, fields={"from_account_id": [message]})
    return payer


def _request_for_payer(actor: User, request_id: int) -> PaymentRequest:
    stmt = select(PaymentRequest).where(PaymentRequest.id == request_id)
    if db.session.get_bind().dialect.name != "sqlite":
        stmt = stmt.with_for_update()
    request = db.session.scalar(stmt.execution_options(populate_existing=True))
    if request is None:
        raise NotFound("No such payment request.")
    payer = queries.account_by_id(request.from_account_id)
    if not queries.controls_account(actor, payer):
        payee = queries.account_by_id(request.to_account_id)
        if queries.can_see_account(actor, payer) or queries.controls_account(actor, payee):
            raise Forbidden("Only the payer may answer a payment request.")
        raise NotFound("No such payment request.")
    return request


def accept_request(*, actor: User, request_id: int) -> PaymentRequest:
    """Pay the request; a refused payment raises its error and the request stays pending."""
    serialise_writes()
    request = _request_for_payer(actor, request_id)
    request.decide("accepted", utcnow())
    made = transfer(
        from_account_id=request.from_account_id,
        to_account_id=request.to_account_id,
        amount=request.amount,
        description=request.description,
        actor=actor,
    )
    request.transfer_id = made.id
    db.session.flush()
    return request


def decline_request(*, actor: User, request_id: int) -> PaymentRequest:
    request = _request_for_payer(actor, request_id)
    request.decide("declined", utcnow())
    db.session.flush()
    return request


def expire_requests(now: datetime | None = None) -> int:
    """Mark every pending request past its expiry as expired (a conditional UPDATE: safe with several workers)."""
    now = now or utcnow()
    result = db.session.execute(
        update(PaymentRequest)
        .where(PaymentRequest.state == "pending", PaymentRequest.expires_at <= now)
        .values(state="expired", decided_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount
