"""Networks and accounts: who may run them, their limits, rates and status."""

from datetime import datetime
from decimal import Context, Decimal, InvalidOperation

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..errors import Conflict, Forbidden, NotFound, RuleViolation, invalid
from ..extensions import db
from ..groups.models import Group
from ..groups.permissions import ensure_admin, ensure_group_visible
from ..limits import MAX_INT, is_whole
from . import queries
from .models import KINDS, STATUSES, Account, LimitChange, Network

MAX_DECIMALS = 8
#: a network's exchange rate (parent units per unit of its own): within these bounds and with at most
#: RATE_DIGITS significant digits, so it is stored exactly and a payment routed through a chain of
#: networks stays within the precision of the routing arithmetic
MIN_RATE, MAX_RATE, RATE_DIGITS = Decimal("0.000001"), Decimal(1_000_000), 15
_DECIMAL = Context(prec=60)


# --- permissions -------------------------------------------------------------------------------


def _visible_account(actor, account_id: int) -> Account:
    account = queries.account_by_id(account_id)
    if account is None or (actor is not None and not queries.can_see_account(actor, account)):
        raise NotFound(_("No such account."))
    return account


def _ensure_network_admin(actor, network: Network) -> None:
    if actor is not None and not queries.is_network_admin(actor, network):
        raise Forbidden(_("Only the network's admins may do that."))


def _ensure_controls(actor, account: Account) -> None:
    if actor is None or queries.controls_account(actor, account):
        return
    if queries.can_see_account(actor, account):
        raise Forbidden(_("Only the account's holder may spend from it."))
    raise NotFound(_("No such account."))


# --- networks and accounts ---------------------------------------------------------------------


def _check_limit(field: str, value: int | None, *, nullable: bool = False) -> None:
    if value is None and nullable:
        return
    if not is_whole(value, 0):
        raise invalid(field, _("%(field)s must be a whole number from 0 to %(max)s.", field=field, max=MAX_INT))


def parse_rate(raw: str) -> Decimal:
    """A typed exchange rate, refused on `exchange_rate` unless a plain number within the bounds."""
    refusal = invalid(
        "exchange_rate",
        _(
            'The exchange rate is a number from %(min)s to %(max)s such as "1" or "0.5", '
            "with at most %(digits)s significant digits.",
            min=MIN_RATE,
            max=MAX_RATE,
            digits=RATE_DIGITS,
        ),
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
            raise NotFound(_("No such person."))
    elif holder_type == "group":
        ensure_group_visible(actor, db.session.get(Group, holder_id))
    else:
        raise invalid("holder.type", _('The holder type is "user" or "group".'))


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
            raise NotFound(_("No such parent network."))
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
            raise Forbidden(_("Only you may hold a clearing account for a person: yourself."))
        if _existing(parent.id, holder_type, holder_id, "clearing"):
            raise Conflict(_("That holder already holds a clearing account in the parent network."))
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
        raise invalid("name", _("Give the network a name."))
    if not currency_code.strip() or not currency_name.strip():
        raise invalid("currency", _("The currency needs a code and a name."))
    if not 0 <= currency_decimals <= MAX_DECIMALS:
        raise invalid("currency.decimals", _("decimals is from 0 to %(max)s.", max=MAX_DECIMALS))
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


def open_settlement_account(*, network: Network) -> Account:
    """The network's settlement account, opened if it has none yet (a root network linked to a trunk on another
    installation: federation's vostro account stands for that trunk)."""
    if network.settlement_account_id is not None:
        return queries.account_by_id(network.settlement_account_id)
    account = _link_account(network, "network", network.id, "settlement")
    db.session.flush()
    network.settlement_account_id = account.id
    db.session.flush()
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
        raise invalid("holder", _("A network holds its settlement account, and nothing else."))
    if status not in STATUSES:
        raise invalid("status", _("status is one of %(choices)s.", choices=", ".join(STATUSES)))
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
        raise invalid("settlement_account", _("The settlement account is the network's own, of purpose settlement."))
    if parent is not None:
        if clearing is None or settlement is None:
            raise invalid("clearing_account", _("A network inside its parent has a clearing and a settlement account."))
        if clearing.network_id != parent.id or clearing.purpose != "clearing":
            raise invalid("clearing_account", _("The clearing account is in the parent network, of purpose clearing."))
    network.settlement_account_id = settlement.id if settlement else None
    network.clearing_account_id = clearing.id if parent is not None else None
    db.session.flush()


def _check_kind_limits(limits: dict) -> dict[str, int]:
    for kind, value in limits.items():
        if kind not in KINDS or kind == "sole_trader":
            raise invalid(
                "kind_credit_limits", _("Defaults by kind are for business, individual and employee accounts.")
            )
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
        raise invalid("kind", _("kind is one of %(choices)s.", choices=", ".join(KINDS)))
    _check_limit("credit_limit", credit_limit, nullable=True)
    _check_limit("debit_limit", debit_limit, nullable=True)
    if kind == "sole_trader":
        if credit_limit:
            raise RuleViolation("validation_failed", "credit_limit", _SOLE_TRADER)
        credit_limit = 0
    if _existing(network.id, holder_type, holder_id, "member"):
        raise Conflict(_("That holder already has an account in this network."))
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
        raise Conflict(_("That holder already has an account in this network.")) from None
    return account


_SOLE_TRADER = _l("A sole trader's account must stay in credit: its credit limit is always 0.")


def _limit_target(account_id: int, actor) -> Account:
    account = _visible_account(actor, account_id)
    network = queries.network_by_id(account.network_id)
    _ensure_network_admin(actor, network)
    if account.purpose == "settlement" and not account.stands_for_remote_trunk:
        raise RuleViolation("validation_failed", None, _("A settlement account has no limits."))
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
        raise invalid("status", _("status is one of %(choices)s.", choices=", ".join(STATUSES)))
    account = _limit_target(account_id, actor)
    account.status = status
    db.session.flush()
    return account


def _check_warning(warning_percent: int | None) -> None:
    if warning_percent is not None and not 1 <= warning_percent <= 100:
        raise invalid("warning_percent", _("The warning threshold is a percentage from 1 to 100."))


def set_warning(*, account_id: int, warning_percent: int | None, actor: User) -> Account:
    """The holder's "tell me when I am within N% of my limit" (None turns it off)."""
    _check_warning(warning_percent)
    account = _visible_account(actor, account_id)
    _ensure_controls(actor, account)
    account.warning_percent = warning_percent
    db.session.flush()
    return account
