"""Scheduled work for decisions: close due polls, send "closing soon" reminders (each claimed once, each
poll in a transaction of its own, so one poll that fails leaves the others done)."""

import logging
from datetime import datetime

from ..errors import Conflict
from ..notifications.scheduler import job
from ..timeutil import utcnow
from ..transaction import unit_of_work
from . import queries, service

log = logging.getLogger(__name__)


@job(every_seconds=5)
def close_due_polls(*, now: datetime | None = None) -> list[int]:
    """Close every poll whose closing_at has passed; the ids closed here (not by another worker)."""
    now = now or utcnow()
    with unit_of_work(write=False):
        due = service.due_poll_ids(now=now)
    closed = []
    for poll_id in due:
        try:
            with unit_of_work():
                service.close_poll(poll=queries.poll_by_id(poll_id), now=now)
        except Conflict:  # another worker or a person closed it first
            continue
        except Exception:
            log.exception("closing poll %s failed; the next run tries again", poll_id)
            continue
        closed.append(poll_id)
    return closed


@job(every_seconds=60)
def send_closing_reminders(*, now: datetime | None = None) -> list[int]:
    """Remind the voters of each poll closing within a day; the ids reminded here."""
    now = now or utcnow()
    with unit_of_work(write=False):
        due = service.polls_due_a_reminder(now=now)
    sent = []
    for poll_id in due:
        with unit_of_work():
            reminded = service.remind_voters(poll_id=poll_id, now=now)
        if reminded:
            sent.append(poll_id)
    return sent
