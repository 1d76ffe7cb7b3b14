"""Scheduled credit work: payment requests past their expiry become `expired`."""

from ..notifications.scheduler import job
from . import service


@job(every_seconds=30)
def expire_payment_requests() -> None:
    """One conditional UPDATE claims every due request, so two workers never expire one twice."""
    service.expire_requests()
