"""Periodic fees: each account of a kind that owes one is charged once per period, whatever restarts
or how many workers run. A `credit_fee_charges` row, unique per (account, period), is the claim: it
is inserted first (doing nothing when it exists), and only the insert that made it posts the fee."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from ..database import begin_write
from ..extensions import db
from .fees import fees_of, period_of
from .ledger import charge_fee
from .models import Account, FeeCharge, Network


@dataclass(frozen=True)
class DueFee:
    network_id: int
    account_id: int
    kind: str
    period: str
    amount: int


def due_fees(now: datetime) -> list[DueFee]:
    """Every periodic fee owed for the period `now` is in and not yet charged."""
    due: list[DueFee] = []
    for network in db.session.scalars(
        select(Network).where(Network.operations_account_id.is_not(None)).order_by(Network.id)
    ):
        for rule in fees_of(network)["periodic"]:
            period = period_of(rule["every"], now)
            charged = select(FeeCharge.id).where(FeeCharge.account_id == Account.id, FeeCharge.period == period)
            accounts = db.session.scalars(
                select(Account.id)
                .where(
                    Account.network_id == network.id,
                    Account.purpose == "member",
                    Account.kind == rule["kind"],
                    Account.status != "closed",
                    ~charged.exists(),
                )
                .order_by(Account.id)
            )
            due += [DueFee(network.id, a, rule["kind"], period, rule["amount"]) for a in accounts]
    return due


def charge(due: DueFee, now: datetime) -> int | None:
    """Charge one fee; the transfer's id, or None when this account's period was charged already."""
    begin_write()
    network = db.session.get(Network, due.network_id)
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    claimed = db.session.execute(
        insert(FeeCharge)
        .values(
            account_id=due.account_id,
            network_id=due.network_id,
            period=due.period,
            kind=due.kind,
            amount=due.amount,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["account_id", "period"])
        .returning(FeeCharge.id)
    ).scalar_one_or_none()
    if claimed is None:
        return None
    made = charge_fee(
        from_account_id=due.account_id,
        to_account_id=network.operations_account_id,
        amount=due.amount,
        description=f"{due.kind} fee {due.period}",
    )
    db.session.execute(FeeCharge.__table__.update().where(FeeCharge.id == claimed).values(transfer_id=made.id))
    return made.id
