"""Scheduled work of the skills board: reminders about unanswered applications, expiring requests."""

from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select, update

from ..accounts.models import User
from ..extensions import db
from ..notifications.scheduler import job
from ..notifications.service import notify
from ..timeutil import utcnow
from . import queries
from .models import Application, SkillRequest
from .service import managers_of

EXPIRY_REMINDER_DAYS = 5
APPLICATION_REMINDER_DAYS = (2, 7)


@job(every_seconds=300)
def skills_reminders() -> None:
    now = utcnow()
    remind_unanswered_applications(now)
    remind_expiring_requests(now)
    expire_requests(now)


def remind_unanswered_applications(now: datetime) -> int:
    """Remind the group of applications pending for 2 and 7 days; each reminder claimed once."""
    sent = 0
    for stage, days in reversed(list(enumerate(APPLICATION_REMINDER_DAYS, start=1))):
        due = list(
            db.session.scalars(
                select(Application).where(
                    Application.state == "pending",
                    Application.reminders_sent < stage,
                    Application.created_at <= now - timedelta(days=days),
                )
            )
        )
        for application in due:
            claimed = db.session.execute(
                update(Application)
                .where(Application.id == application.id, Application.reminders_sent < stage)
                .values(reminders_sent=stage)
            ).rowcount
            if not claimed:
                continue
            request = queries.request_by_id(application.request_id)
            applicant = db.session.get(User, application.user_id)
            notify(
                user_ids=managers_of(request),
                kind="skill_application_waiting",
                url=f"/skills/requests/{request.id}",
                text=lambda applicant=applicant, request=request, days=days: ngettext(
                    "%(name)s has waited %(num)d day for an answer about %(title)s",
                    "%(name)s has waited %(num)d days for an answer about %(title)s",
                    days,
                    name=applicant.name,
                    title=request.title,
                ),
                group_id=request.group_id,
            )
            sent += 1
    return sent


def remind_expiring_requests(now: datetime) -> int:
    due = list(
        db.session.scalars(
            select(SkillRequest).where(
                SkillRequest.state == "open",
                SkillRequest.expiry_reminded_at.is_(None),
                SkillRequest.expires_at <= now + timedelta(days=EXPIRY_REMINDER_DAYS),
                SkillRequest.expires_at > now,
            )
        )
    )
    sent = 0
    for request in due:
        claimed = db.session.execute(
            update(SkillRequest)
            .where(SkillRequest.id == request.id, SkillRequest.expiry_reminded_at.is_(None))
            .values(expiry_reminded_at=now)
        ).rowcount
        if claimed:
            notify(
                user_ids=managers_of(request),
                kind="skill_request_expiring",
                url=f"/skills/requests/{request.id}",
                text=lambda request=request: ngettext(
                    "%(title)s expires in %(num)d day or less",
                    "%(title)s expires in %(num)d days or less",
                    EXPIRY_REMINDER_DAYS,
                    title=request.title,
                ),
                group_id=request.group_id,
            )
            sent += 1
    return sent


def expire_requests(now: datetime) -> int:
    """Open requests past their deadline (or 60 days old) close as cancelled, reason "expired"."""
    due = list(
        db.session.scalars(select(SkillRequest).where(SkillRequest.state == "open", SkillRequest.expires_at <= now))
    )
    expired = 0
    for request in due:
        claimed = db.session.execute(
            update(SkillRequest)
            .where(SkillRequest.id == request.id, SkillRequest.state == "open")
            .values(state="cancelled", closed_reason="expired")
        ).rowcount
        if claimed:
            notify(
                user_ids=[request.author_id] if request.author_id else [],
                kind="skill_request_expired",
                url=f"/skills/requests/{request.id}",
                text=lambda request=request: _("%(title)s expired without enough volunteers", title=request.title),
                group_id=request.group_id,
            )
            expired += 1
    return expired
