"""Email transport: one SMTP connection for a batch of messages (or a list with MAIL_BACKEND="memory").

Settings (app config, else the environment): MAIL_BACKEND (`smtp`, `memory` or `none`; default
`smtp` when MAIL_SERVER is set, else `none`), MAIL_SERVER, MAIL_PORT (25), MAIL_USERNAME,
MAIL_PASSWORD, MAIL_USE_TLS (STARTTLS, "1"/"0"), MAIL_USE_SSL, MAIL_FROM, MAIL_TIMEOUT (10 s).
Notifications and digests never call this from a request: they write rows to the outbox
(platform6/notifications/outbox.py) and the worker sends them through `connection()`.
"""

import logging
import os
import smtplib
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes
from email.charset import QP, Charset
from email.header import Header
from email.message import EmailMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import default as default_policy
from email.utils import formatdate, make_msgid, parseaddr

from flask import current_app

log = logging.getLogger(__name__)

DEFAULT_FROM = "Platform 6 <no-reply@platform6.localhost>"


class TransientFailure(Exception):
    """The mail server cannot take mail now (down, 4xx, connection lost): try again later."""


class ServerUnavailable(TransientFailure):
    """The mail server cannot be reached or dropped the connection: no message is to blame."""


class PermanentFailure(Exception):
    """The mail server refused this message for good (5xx): trying again will not help."""


def setting(name: str, default=None):
    value = current_app.config.get(name)
    if value is None:
        value = os.environ.get(name, default)
    return value


def _flag(name: str) -> bool:
    return str(setting(name, "0")).lower() in ("1", "true", "yes", "on")


def backend() -> str:
    return setting("MAIL_BACKEND") or ("smtp" if setting("MAIL_SERVER") else "none")


def outbox() -> list[EmailMessage]:
    """Messages "sent" with MAIL_BACKEND="memory" (what tests read)."""
    return current_app.extensions.setdefault("mail_outbox", [])


def _utf8_part(text: str, subtype: str) -> MIMEText:
    charset = Charset("utf-8")
    charset.body_encoding = QP  # readable in any mail client's "show source"
    return MIMEText(text, subtype, charset)


def compose(
    *,
    to: str,
    subject: str,
    text: str,
    html: str | None = None,
    message_id: str | None = None,
    headers: dict[str, str] | None = None,
) -> bytes:
    """The message as it goes on the wire (the compat32 classes: a third of the cost of EmailMessage's headers)."""
    if html is None:
        message = _utf8_part(text, "plain")
    else:
        message = MIMEMultipart("alternative")
        message.attach(_utf8_part(text, "plain"))
        message.attach(_utf8_part(html, "html"))
    message["From"] = setting("MAIL_FROM") or DEFAULT_FROM
    message["To"] = to
    subject = " ".join(subject.split())
    message["Subject"] = subject if subject.isascii() else Header(subject, "utf-8")
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = message_id or make_msgid(domain="platform6")
    for name, value in (headers or {}).items():
        message[name] = value
    return message.as_bytes()


def sender_address() -> str:
    return parseaddr(setting("MAIL_FROM") or DEFAULT_FROM)[1]


class _SMTPSender:
    def __init__(self, smtp: smtplib.SMTP):
        self.smtp = smtp

    def send(self, to: str, data: bytes) -> None:
        try:
            refused = self.smtp.sendmail(sender_address(), [to], data)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise (PermanentFailure if min(codes) >= 500 else TransientFailure)(str(exc.recipients)) from exc
        except smtplib.SMTPResponseException as exc:
            raise (PermanentFailure if exc.smtp_code >= 500 else TransientFailure)(
                f"{exc.smtp_code} {exc.smtp_error!r}"
            ) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise ServerUnavailable(repr(exc)) from exc
        if refused:
            raise PermanentFailure(str(refused))


class _MemorySender:
    def send(self, to: str, data: bytes) -> None:
        outbox().append(message_from_bytes(data, policy=default_policy))


class _OffSender:
    def send(self, to: str, data: bytes) -> None:
        raise PermanentFailure(f"mail is switched off (MAIL_BACKEND={backend()}); set MAIL_SERVER")


@contextmanager
def connection() -> Iterator[_SMTPSender | _MemorySender | _OffSender]:
    """One connection to the mail server for a batch; `send(to, data)` raises TransientFailure or PermanentFailure.

    Opening it raises ServerUnavailable when the server cannot be reached.
    """
    kind = backend()
    if kind == "memory":
        yield _MemorySender()
        return
    if kind != "smtp":
        yield _OffSender()
        return
    server, port = setting("MAIL_SERVER", "localhost"), int(setting("MAIL_PORT", 25))
    timeout = float(setting("MAIL_TIMEOUT", 10))
    try:
        smtp_class = smtplib.SMTP_SSL if _flag("MAIL_USE_SSL") else smtplib.SMTP
        smtp = smtp_class(server, port, timeout=timeout)
        if _flag("MAIL_USE_TLS"):
            smtp.starttls()
        if setting("MAIL_USERNAME"):
            smtp.login(setting("MAIL_USERNAME"), setting("MAIL_PASSWORD", ""))
    except (OSError, smtplib.SMTPException) as exc:
        raise ServerUnavailable(f"cannot reach {server}:{port}: {exc!r}") from exc
    try:
        yield _SMTPSender(smtp)
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()


def send_email(*, to: str, subject: str, text: str, html: str | None = None) -> bool:
    """Send one message now (a password reset the person waits for); False (logged) when it could not be sent."""
    data = compose(to=to, subject=subject, text=text, html=html)
    try:
        with connection() as sender:
            sender.send(to, data)
        return True
    except (TransientFailure, PermanentFailure) as exc:
        log.warning("could not send mail %r to %s: %s", subject, to, exc)
        return False
