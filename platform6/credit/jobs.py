"""Scheduled credit work: payment requests past their expiry become `expired`; periodic fees are charged."""

import logging
from datetime import datetime

from ..notifications.scheduler import job
from ..timeutil import utcnow
from ..transaction import unit_of_work
from . import periodic_fees, service

log = logging.getLogger(__name__)


@job(every_seconds=30)
def expire_payment_requests() -> None:
    """One conditional UPDATE claims every due request, so two workers never expire one twice."""
    service.expire_requests()


@job(every_seconds=600)
def charge_periodic_fees(*, now: datetime | None = None) -> list[int]:
    """Each fee in a transaction of its own, so one that fails leaves the others charged; the transfers made here."""
    now = now or utcnow()
    with unit_of_work(write=False):
        due = periodic_fees.due_fees(now)
    made = []
    for item in due:
        try:
            with unit_of_work():
                transfer_id = periodic_fees.charge(item, now)
        except Exception:
            log.exception("charging %s to account %s failed; the next run tries again", item.period, item.account_id)
            continue
        if transfer_id is not None:
            made.append(transfer_id)
    return made
