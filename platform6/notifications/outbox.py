"""The email outbox: every email is a row written in the transaction of the change that causes it; the worker
sends them in batches, one SMTP connection a batch, each row marked sent in its own commit right after the
server's 250, retried with back-off while the server is down. See docs/production.md, "Delivery".
"""

import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app, url_for
from flask_babel import force_locale
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import DateTime, Integer, Row, Select, String, case, insert, literal, or_, select, text, update

from .. import mail
from ..extensions import db
from ..i18n import DEFAULT_LOCALE, LANGUAGES, Message, language_of
from ..timeutil import utcnow
from ..transaction import unit_of_work
from .models import EmailContent, OutboxEmail

log = logging.getLogger(__name__)

#: defaults for the MAIL_* delivery settings (app config, else the environment)
DEFAULTS = {
    "MAIL_BATCH_SIZE": 200,
    "MAIL_RETRY_BASE_SECONDS": 30,
    "MAIL_RETRY_MAX_SECONDS": 300,
    "MAIL_MAX_ATTEMPTS": 12,
    "MAIL_CLAIM_SECONDS": 300,
}

#: fn(user_id, group_id or None) that turns the member's email volume down; the forums register theirs
UNSUBSCRIBERS: list[Callable[[int, int | None], None]] = []


def _number(name: str) -> float:
    return float(mail.setting(name, DEFAULTS[name]))


def absolute_url(path: str) -> str:
    """A link for an email: SITE_URL + path (the worker has no request to take the host from)."""
    base = current_app.config.get("SITE_URL")
    if base:
        return base.rstrip("/") + path
    try:
        return url_for("pages.home", _external=True).rstrip("/") + path
    except RuntimeError:
        return path


# --- writing (inside the caller's transaction; never commits) ------------------------------------------------


def content(*, subject: str, text: str) -> EmailContent:
    row = EmailContent(subject=" ".join(subject.split())[:200], text=text)
    db.session.add(row)
    db.session.flush()
    return row


def queue_email(
    *, to: str, subject: str, text: str, user_id: int | None = None, unsubscribe_group_id: int | None = None
) -> OutboxEmail:
    """One email, sent by the worker once (and only if) the current transaction commits."""
    row = OutboxEmail(
        content_id=content(subject=subject, text=text).id,
        to_address=to,
        user_id=user_id,
        unsubscribe_group_id=unsubscribe_group_id,
        next_attempt_at=utcnow(),
    )
    db.session.add(row)
    db.session.flush()
    return row


def queue_emails(
    *, subject: str | Message, text: str | Message, recipients: Select, unsubscribe_group_id: int | None = None
) -> int:
    """The same email to each (user_id, email) row `recipients` selects, in one INSERT ... SELECT; a Message is
    written once per language and each person gets the one in theirs."""
    now, users = utcnow(), db.metadata.tables["users"]
    recipients = recipients.subquery()
    if isinstance(subject, Message) or isinstance(text, Message):
        # written only in the languages its readers have: no stored email nobody is sent
        spoken = select(language_of(users.c.locale)).join(recipients, users.c.id == recipients.c[0]).distinct()
        languages = sorted(
            {language if language in LANGUAGES else DEFAULT_LOCALE for language in db.session.scalars(spoken)}
        )
    else:
        languages = [DEFAULT_LOCALE]
    if not languages:
        return 0
    contents = {
        language: content(subject=_in(language, subject), text=_in(language, text)).id for language in languages
    }
    chosen = case(
        {language: literal(content_id, Integer) for language, content_id in contents.items()},
        value=language_of(users.c.locale),
        else_=literal(contents.get(DEFAULT_LOCALE, next(iter(contents.values()))), Integer),
    )
    source = (
        select(
            chosen,
            recipients.c[0],
            recipients.c[1],
            literal(unsubscribe_group_id, Integer),
            literal("pending", String),
            literal(0, Integer),
            literal(now, DateTime),
            literal("", String),
            literal(now, DateTime),
        )
        .select_from(recipients)
        .join(users, users.c.id == recipients.c[0])
    )
    columns = ["content_id", "user_id", "to_address", "unsubscribe_group_id", "status", "attempts"]
    columns += ["next_attempt_at", "last_error", "created_at"]
    return db.session.execute(insert(OutboxEmail).from_select(columns, source)).rowcount


def _in(language: str, words: str | Message) -> str:
    with force_locale(language):
        return str(words)


# --- one-click unsubscribe (RFC 8058) ------------------------------------------------------------------------


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="one-click-unsubscribe")


def unsubscribe_token(user_id: int, group_id: int | None) -> str:
    return _signer().dumps([user_id, group_id or 0])


def read_unsubscribe_token(token: str) -> tuple[int, int | None] | None:
    try:
        user_id, group_id = _signer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(user_id, int) or not isinstance(group_id, int):
        return None
    return user_id, group_id or None


def unsubscribe(*, user_id: int, group_id: int | None) -> None:
    for turn_down in UNSUBSCRIBERS:
        turn_down(user_id, group_id)


# --- sending (the worker; owns its commits) ------------------------------------------------------------------


def message_id(row: Row) -> str:
    """The same Message-ID every time this row is sent, so a resend after a crash is recognisably the same email."""
    host = urlsplit(current_app.config.get("SITE_URL") or "").hostname or "platform6.localhost"
    return f"<outbox.{row.id}.{row.created_at:%Y%m%d%H%M%S}@{host}>"


def render(row: Row) -> bytes:
    """The message for a claimed row (CLAIMED's columns)."""
    body, headers = row.text, {}
    if row.user_id is not None:
        link = absolute_url(f"/unsubscribe/{unsubscribe_token(row.user_id, row.unsubscribe_group_id)}")
        what = "these emails" if row.unsubscribe_group_id else "the daily digest"
        body = f"{body.rstrip()}\n\n--\nStop {what} with one click: {link}\n"
        headers = {"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    return mail.compose(to=row.to_address, subject=row.subject, text=body, message_id=message_id(row), headers=headers)


@dataclass
class BatchResult:
    sent: int = 0
    failed: int = 0
    #: the mail server could not be reached: the worker waits before the next batch
    server_down: bool = False


#: what the worker reads of a claimed email
CLAIMED = (
    OutboxEmail.id,
    OutboxEmail.user_id,
    OutboxEmail.to_address,
    OutboxEmail.unsubscribe_group_id,
    OutboxEmail.attempts,
    OutboxEmail.created_at,
    EmailContent.subject,
    EmailContent.text,
)


def _claim(size: int, worker: str) -> list[Row]:
    """Hold up to `size` due rows for this worker in one short transaction (SKIP LOCKED: workers never share)."""
    now = utcnow()
    due = (
        select(OutboxEmail.id)
        .where(
            OutboxEmail.status == "pending",
            OutboxEmail.next_attempt_at <= now,
            or_(OutboxEmail.claimed_until.is_(None), OutboxEmail.claimed_until < now),
        )
        .order_by(OutboxEmail.id)
        .limit(size)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    with unit_of_work():
        db.session.execute(
            update(OutboxEmail)
            .where(OutboxEmail.id.in_(due))
            .values(claimed_by=worker, claimed_until=now + timedelta(seconds=_number("MAIL_CLAIM_SECONDS")))
            .execution_options(synchronize_session=False)
        )
        # plain rows, not ORM objects: each row's own commit would otherwise expire and reload them all
        return db.session.execute(
            select(*CLAIMED)
            .join(EmailContent, EmailContent.id == OutboxEmail.content_id)
            .where(OutboxEmail.claimed_by == worker, OutboxEmail.status == "pending")
            .order_by(OutboxEmail.id)
        ).all()


def _finish(ids: list[int], worker: str, **values) -> None:
    with unit_of_work():
        if db.session.get_bind().dialect.name == "postgresql":
            # the commit returns before its WAL reaches disk: a killed worker loses nothing (the server has it);
            # only a crash of PostgreSQL itself may forget the last ~0.6 s of "sent" marks, and resend those emails
            db.session.execute(text("SET LOCAL synchronous_commit = off"))
        db.session.execute(
            update(OutboxEmail)
            .where(OutboxEmail.id.in_(ids), OutboxEmail.claimed_by == worker)
            .values(claimed_by=None, claimed_until=None, **values)
            .execution_options(synchronize_session=False)
        )


def backoff_seconds(attempts: int) -> float:
    return min(_number("MAIL_RETRY_BASE_SECONDS") * 2 ** max(attempts - 1, 0), _number("MAIL_RETRY_MAX_SECONDS"))


def _retry_later(row: Row, worker: str, error: str) -> None:
    """Back off one email the server would not take now, or fail it when out of attempts (a site admin retries)."""
    attempts = row.attempts + 1
    status = "failed" if attempts >= _number("MAIL_MAX_ATTEMPTS") else "pending"
    after = utcnow() + timedelta(seconds=backoff_seconds(attempts))
    _finish([row.id], worker, attempts=attempts, status=status, next_attempt_at=after, last_error=error[:500])


def send_batch(size: int | None = None) -> BatchResult:
    """Send up to one batch of due emails over one connection."""
    worker = secrets.token_hex(8)
    claimed = _claim(int(size or _number("MAIL_BATCH_SIZE")), worker)
    result = BatchResult()
    if not claimed:
        return result
    started, lease = time.monotonic(), _number("MAIL_CLAIM_SECONDS")
    done = 0
    try:
        with mail.connection() as sender:
            for row in claimed:
                if time.monotonic() - started > lease / 2:
                    break  # never near the end of our hold, when another worker may take the rows
                try:
                    sender.send(row.to_address, render(row))
                except mail.ServerUnavailable:
                    raise
                except mail.TransientFailure as exc:  # a 4xx for this message (greylisting, a full mailbox)
                    _retry_later(row, worker, str(exc))
                except mail.PermanentFailure as exc:
                    _finish([row.id], worker, status="failed", attempts=row.attempts + 1, last_error=str(exc)[:500])
                    result.failed += 1
                else:
                    # its own small commit right after the 250: a crash now resends at most this one message
                    _finish([row.id], worker, status="sent", sent_at=utcnow(), last_error="")
                    result.sent += 1
                done += 1
    except mail.ServerUnavailable as exc:
        # no message is to blame: they keep their attempts, and the worker waits (jobs.deliver_emails)
        log.warning("mail server unavailable, %d emails wait: %s", len(claimed) - done, exc)
        result.server_down = True
        _finish([row.id for row in claimed[done:]], worker, last_error=str(exc)[:500])
        return result
    if done < len(claimed):
        _finish([row.id for row in claimed[done:]], worker)
    return result


def retry(*, ids: list[int] | None = None) -> int:
    """Put failed emails (those ids, or all) back in the queue, due now (a site admin's action)."""
    stmt = update(OutboxEmail).where(OutboxEmail.status == "failed")
    if ids is not None:
        stmt = stmt.where(OutboxEmail.id.in_(ids))
    values = {"status": "pending", "attempts": 0, "next_attempt_at": utcnow(), "claimed_by": None}
    return db.session.execute(stmt.values(**values).execution_options(synchronize_session=False)).rowcount
