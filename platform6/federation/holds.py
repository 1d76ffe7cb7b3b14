"""The holds a Credit Commons transaction puts on local accounts (FEDERATION.md §3.1): reserved at validation,
posted or released exactly once. The ledger keeps their sums on the accounts (credit's reserve/release/post_held);
the rows here say which transaction holds what."""

from sqlalchemy import delete, select

from ..credit import service as credit_service
from ..credit.models import Transfer
from ..extensions import db
from .models import CCTransaction, Hold


def hold(row: CCTransaction, legs: list[credit_service.PlannedLeg]) -> None:
    """Check the legs against limits less holds (RuleViolation/Conflict if refused) and reserve them for `row`."""
    for account_id, direction, amount in credit_service.reserve(legs):
        db.session.add(Hold(cc_transaction_id=row.id, account_id=account_id, direction=direction, amount=amount))
    db.session.flush()


def release(row: CCTransaction) -> None:
    """Give back what `row` holds (it was erased)."""
    credit_service.release(_take(row))


def post(row: CCTransaction, legs: list[credit_service.PlannedLeg]) -> Transfer:
    """Post what `row` holds: its legs become a transfer, its holds go."""
    return credit_service.post_held(legs=legs, held=_take(row), description=row.description)


def _take(row: CCTransaction) -> list[credit_service.HeldAmount]:
    held = [
        (h.account_id, h.direction, h.amount)
        for h in db.session.scalars(select(Hold).where(Hold.cc_transaction_id == row.id))
    ]
    db.session.execute(delete(Hold).where(Hold.cc_transaction_id == row.id))
    return held
