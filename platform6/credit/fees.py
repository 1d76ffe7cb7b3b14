"""A network's fees (API.md "Network fees"): the rules, the transfer fee a payment owes, and what a
member sees of them. Charging the periodic fees is in periodic_fees.py (it posts through the ledger,
which asks this module for a payment's fee)."""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select

from ..errors import NotFound, invalid
from ..extensions import db
from ..limits import MAX_INT, is_whole
from .models import KINDS, Account, Entry, FeeCharge, Leg, Network
from .networks import _ensure_controls, _ensure_network_admin, _visible_account

NO_FEES = {"transfer": None, "periodic": []}
PAID_BY = ("payer", "payee")
EVERY = ("month", "year")
#: 100% in basis points: a fee rate above it would charge more than the payment
MAX_BASIS_POINTS = 10_000
TRANSFER_FIELDS = {"basis_points", "fixed", "min", "max", "paid_by"}
PERIODIC_FIELDS = {"kind", "amount", "every"}


def _minor(value, path: str, *, low: int = 0) -> int:
    if not is_whole(value, low):
        raise invalid(
            path,
            _(
                "%(path)s must be a whole number of minor units from %(low)d to %(high)d.",
                path=path,
                low=low,
                high=MAX_INT,
            ),
        )
    return value


def clean_fees(raw) -> dict:
    """A network's fees, checked in full (422 on `fees.<path>`); returns a clean copy.

    The one check for every way fees arrive: the API, the page, a binding proposal (raised and
    run) and a group import.
    """
    if raw is None:
        return {"transfer": None, "periodic": []}
    if not isinstance(raw, dict) or set(raw) - {"transfer", "periodic"}:
        raise invalid("fees", _('fees is {"transfer": {...} | null, "periodic": [...]}.'))
    transfer = raw.get("transfer")
    clean_transfer = None
    if transfer is not None:
        if not isinstance(transfer, dict):
            raise invalid("fees.transfer", _("fees.transfer is an object or null."))
        extra = sorted(set(transfer) - TRANSFER_FIELDS)
        if extra:
            raise invalid(f"fees.transfer.{extra[0]}", _("A transfer fee has no %(field)s.", field=extra[0]))
        for field in ("basis_points", "fixed", "paid_by"):
            if field not in transfer:
                raise invalid(f"fees.transfer.{field}", _("A transfer fee needs %(field)s.", field=field))
        basis_points = transfer["basis_points"]
        if not is_whole(basis_points, 0) or basis_points > MAX_BASIS_POINTS:
            raise invalid(
                "fees.transfer.basis_points",
                _("basis_points is a whole number from 0 to %(high)d.", high=MAX_BASIS_POINTS),
            )
        clean_transfer = {
            "basis_points": basis_points,
            "fixed": _minor(transfer["fixed"], "fees.transfer.fixed"),
            "min": None,
            "max": None,
            "paid_by": transfer["paid_by"],
        }
        for bound in ("min", "max"):
            if transfer.get(bound) is not None:
                clean_transfer[bound] = _minor(transfer[bound], f"fees.transfer.{bound}")
        if clean_transfer["paid_by"] not in PAID_BY:
            raise invalid("fees.transfer.paid_by", _("paid_by is payer or payee."))
        low, high = clean_transfer["min"], clean_transfer["max"]
        if low is not None and high is not None and low > high:
            raise invalid("fees.transfer.max", _("max is at least min."))
    periodic = raw.get("periodic", [])
    if not isinstance(periodic, list) or len(periodic) > 2 * len(KINDS):
        raise invalid("fees.periodic", _("fees.periodic is a list of at most %(num)d fees.", num=2 * len(KINDS)))
    clean_periodic, seen = [], set()
    for i, item in enumerate(periodic):
        path = f"fees.periodic.{i}"
        if not isinstance(item, dict) or set(item) != PERIODIC_FIELDS:
            raise invalid(path, _("A periodic fee is {kind, amount, every}."))
        if item["kind"] not in KINDS:
            raise invalid(f"{path}.kind", _("kind is one of %(kinds)s.", kinds=", ".join(KINDS)))
        if item["every"] not in EVERY:
            raise invalid(f"{path}.every", _("every is month or year."))
        _minor(item["amount"], f"{path}.amount", low=1)
        if (item["kind"], item["every"]) in seen:
            raise invalid(
                f"{path}.kind",
                _(
                    "There is already a fee every %(every)s for %(kind)s accounts.",
                    every=item["every"],
                    kind=item["kind"],
                ),
            )
        seen.add((item["kind"], item["every"]))
        clean_periodic.append({"kind": item["kind"], "amount": item["amount"], "every": item["every"]})
    return {"transfer": clean_transfer, "periodic": clean_periodic}


def fees_of(network: Network) -> dict:
    return network.fees or dict(NO_FEES)


def set_fees(*, network: Network, fees, actor) -> Network:
    """Set the network's fees (its admins, or a passed proposal with actor=None); the first time, the
    operations account they are paid into opens, held by the network's group."""
    _ensure_network_admin(actor, network)
    network.fees = clean_fees(fees)
    if network.operations_account_id is None:
        account = Account(
            network_id=network.id,
            holder_type="group",
            holder_id=network.group_id,
            kind="business",
            purpose="operations",
            credit_limit=0,
            debit_limit=None,
        )
        db.session.add(account)
        db.session.flush()
        network.operations_account_id = account.id
    db.session.flush()
    return network


def transfer_fee(fees: dict | None, amount: int) -> int:
    """The fee on a payment of `amount`: basis points (rounded half up) plus the fixed part, within min and max."""
    rule = (fees or NO_FEES)["transfer"]
    if rule is None:
        return 0
    fee = (amount * rule["basis_points"] + MAX_BASIS_POINTS // 2) // MAX_BASIS_POINTS + rule["fixed"]
    if rule["min"] is not None:
        fee = max(fee, rule["min"])
    if rule["max"] is not None:
        fee = min(fee, rule["max"])
    return fee


@dataclass(frozen=True)
class FeeQuote:
    """What a payment owes its starting network: `fee` paid by `paid_by` into `operations_account_id`."""

    fee: int
    paid_by: str
    operations_account_id: int | None

    @property
    def payer_total(self) -> int:
        return self.fee if self.paid_by == "payer" else 0


NO_FEE = FeeQuote(0, "payer", None)


def quote(*, fees: dict | None, operations_account_id: int | None, payer_purpose: str, payee_purpose: str, amount: int):
    """The fee a payment of `amount` owes (NO_FEE when none): money moving into or out of the
    operations account itself pays none."""
    if operations_account_id is None or "operations" in (payer_purpose, payee_purpose):
        return NO_FEE
    fee = transfer_fee(fees, amount)
    if fee == 0:
        return NO_FEE
    return FeeQuote(fee, fees["transfer"]["paid_by"], operations_account_id)


def quote_for(payer: Account, payee: Account, amount: int) -> FeeQuote:
    """The fee quoted to a person before paying (the pay page and `GET /fees/quote`)."""
    network = db.session.get(Network, payer.network_id)
    return quote(
        fees=network.fees,
        operations_account_id=network.operations_account_id,
        payer_purpose=payer.purpose,
        payee_purpose=payee.purpose,
        amount=amount,
    )


def quote_payment(*, actor, from_account_id: int, to_account_id: int, amount: int) -> FeeQuote:
    """The fee a payment would owe, for one who may pay from the account (else 404/403 as for paying)."""
    if not is_whole(amount):
        raise invalid("amount", _("The amount is a positive whole number of minor units."))
    payer = _visible_account(actor, from_account_id)
    _ensure_controls(actor, payer)
    payee = db.session.get(Account, to_account_id)
    if payee is None:
        raise NotFound(_("No such account to pay."))
    return quote_for(payer, payee, amount)


# --- what a member sees -------------------------------------------------------------------------


def period_of(every: str, at: datetime) -> str:
    return f"{at:%Y-%m}" if every == "month" else f"{at:%Y}"


def next_period(every: str, period: str) -> str:
    if every == "year":
        return str(int(period) + 1)
    year, month = map(int, period.split("-"))
    return f"{year + month // 12}-{month % 12 + 1:02d}"


@dataclass(frozen=True)
class UpcomingFee:
    kind: str
    amount: int
    every: str
    period: str
    #: True: not yet charged for the current period
    due_now: bool


def upcoming_fees(account: Account, now: datetime) -> list[UpcomingFee]:
    """The periodic fees the account's kind owes next: this period's while not charged yet, else the next."""
    if account.purpose != "member":
        return []
    network = db.session.get(Network, account.network_id)
    rules = [r for r in fees_of(network)["periodic"] if r["kind"] == account.kind]
    if not rules:
        return []
    charged = set(db.session.scalars(select(FeeCharge.period).where(FeeCharge.account_id == account.id)))
    result = []
    for rule in rules:
        period = period_of(rule["every"], now)
        due = period not in charged
        result.append(
            UpcomingFee(
                rule["kind"], rule["amount"], rule["every"], period if due else next_period(rule["every"], period), due
            )
        )
    return result


@dataclass(frozen=True)
class PastFee:
    created_at: datetime
    transfer_id: int
    description: str
    amount: int


def past_fees(account: Account, limit: int = 20) -> list[PastFee]:
    """The fees the account paid, newest first: periodic charges and transfer fees."""
    charges = db.session.execute(
        select(FeeCharge.created_at, FeeCharge.transfer_id, FeeCharge.kind, FeeCharge.period, FeeCharge.amount)
        .where(FeeCharge.account_id == account.id)
        .order_by(FeeCharge.id.desc())
        .limit(limit)
    )
    legs = db.session.execute(
        select(Leg.created_at, Leg.transfer_id, Leg.amount)
        .where(Leg.from_account_id == account.id, Leg.fee.is_(True))
        .order_by(Leg.id.desc())
        .limit(limit)
    )
    found = [PastFee(c.created_at, c.transfer_id, f"{c.kind} fee {c.period}", c.amount) for c in charges]
    found += [
        PastFee(leg.created_at, leg.transfer_id, f"Transfer fee on transfer {leg.transfer_id}", leg.amount)
        for leg in legs
    ]
    return sorted(found, key=lambda f: f.created_at, reverse=True)[:limit]


def fee_income_by_month(network: Network) -> list[dict]:
    """The operations account's net income per month (fees less fees returned by reversals), oldest first."""
    if network.operations_account_id is None:
        return []
    if db.session.get_bind().dialect.name == "sqlite":
        month = func.strftime("%Y-%m", Entry.created_at)
    else:
        month = func.to_char(Entry.created_at, "YYYY-MM")
    rows = db.session.execute(
        select(month.label("month"), func.sum(Entry.amount))
        .where(Entry.account_id == network.operations_account_id)
        .group_by(month)
        .order_by(month)
    )
    return [{"month": m, "amount": int(total)} for m, total in rows]


# --- history (group imports) ---------------------------------------------------------------------


def replay_fees(*, network: Network, fees: dict | None, operations: Account | None) -> None:
    """A replayed network's fees and operations account (already replayed among its accounts)."""
    if fees is None and operations is None:
        return
    if operations is None:
        raise invalid("operations_account", _("A network with fees has an operations account to pay them into."))
    if (operations.network_id, operations.purpose, operations.holder_type, operations.holder_id) != (
        network.id,
        "operations",
        "group",
        network.group_id,
    ):
        raise invalid("operations_account", _("The operations account is the network's own, held by its group."))
    network.fees = clean_fees(fees)
    network.operations_account_id = operations.id
    db.session.flush()


def replay_fee_charge(
    *, network: Network, account: Account, period: str, kind: str, amount: int, transfer_id: int | None, created_at
) -> None:
    """A periodic fee charged in history: recorded so the worker never charges that period again."""
    if account.network_id != network.id:
        raise invalid("account", _("The account is not in this network."))
    taken = select(FeeCharge.id).where(FeeCharge.account_id == account.id, FeeCharge.period == period)
    if db.session.scalar(taken) is not None:
        raise invalid("period", _("This account's period is charged twice in the file."))
    db.session.add(
        FeeCharge(
            account_id=account.id,
            network_id=network.id,
            period=period,
            kind=kind,
            amount=amount,
            transfer_id=transfer_id,
            created_at=created_at,
        )
    )
    db.session.flush()
