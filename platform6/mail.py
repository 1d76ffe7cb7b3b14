"""Email: `send_email(...)` through SMTP from MAIL_* settings, or into a list with MAIL_BACKEND="memory".

Settings (app config, else the environment): MAIL_BACKEND (`smtp`, `memory` or `none`; default
`smtp` when MAIL_SERVER is set, else `none`), MAIL_SERVER, MAIL_PORT (25), MAIL_USERNAME,
MAIL_PASSWORD, MAIL_USE_TLS (STARTTLS, "1"/"0"), MAIL_USE_SSL, MAIL_FROM, MAIL_TIMEOUT (10 s).
Callers queue it with `outbox.after_commit` so nothing is sent for a rolled-back change.
"""

import logging
import os
import smtplib
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app

log = logging.getLogger(__name__)

DEFAULT_FROM = "Platform 6 <no-reply@platform6.localhost>"


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


def build_message(*, to: str, subject: str, text: str, html: str | None = None) -> EmailMessage:
    message = EmailMessage()
    message["From"] = setting("MAIL_FROM") or DEFAULT_FROM
    message["To"] = to
    message["Subject"] = " ".join(subject.split())
    message["Message-ID"] = make_msgid(domain="platform6")
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


def send_email(*, to: str, subject: str, text: str, html: str | None = None) -> bool:
    """Send one message; returns False (and logs) when it could not be sent, never raises for SMTP trouble."""
    message = build_message(to=to, subject=subject, text=text, html=html)
    kind = backend()
    if kind == "memory":
        outbox().append(message)
        return True
    if kind != "smtp":
        log.info("mail not sent (MAIL_BACKEND=%s): %s to %s", kind, message["Subject"], to)
        return False
    server, port = setting("MAIL_SERVER", "localhost"), int(setting("MAIL_PORT", 25))
    timeout = float(setting("MAIL_TIMEOUT", 10))
    try:
        smtp_class = smtplib.SMTP_SSL if _flag("MAIL_USE_SSL") else smtplib.SMTP
        with smtp_class(server, port, timeout=timeout) as smtp:
            if _flag("MAIL_USE_TLS"):
                smtp.starttls()
            if setting("MAIL_USERNAME"):
                smtp.login(setting("MAIL_USERNAME"), setting("MAIL_PASSWORD", ""))
            smtp.send_message(message)
        return True
    except (OSError, smtplib.SMTPException):
        log.exception("could not send mail %r to %s via %s:%s", message["Subject"], to, server, port)
        return False
