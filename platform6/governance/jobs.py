"""Scheduled work for decisions: close due polls, send "closing soon" reminders (each claimed once)."""

from ..notifications.scheduler import job
from . import service


@job(every_seconds=5)
def close_due_polls() -> None:
    service.close_due_polls()


@job(every_seconds=60)
def send_closing_reminders() -> None:
    service.send_closing_reminders()
