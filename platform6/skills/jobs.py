"""Scheduled work of the skills board: reminders about unanswered applications, expiring requests."""

from ..notifications.scheduler import job
from ..timeutil import utcnow
from . import service


@job(every_seconds=300)
def skills_reminders() -> None:
    now = utcnow()
    service.remind_unanswered_applications(now)
    service.remind_expiring_requests(now)
    service.expire_requests(now)
