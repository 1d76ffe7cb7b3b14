"""Every write about people: sign-up, sign-in with throttling, profile changes, API tokens."""

import hashlib
import secrets
from collections.abc import Callable
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from .. import handles, mail
from ..errors import Conflict, Forbidden, NotFound, RateLimited, Unauthorized, ValidationFailed, invalid
from ..extensions import db
from ..i18n import LANGUAGES, is_time_zone, normal_locale
from ..outbox import after_commit
from ..timeutil import utcnow
from .models import ApiToken, LoginAttempt, User

MIN_PASSWORD_LENGTH = 8


def normalise_email(email: str) -> str:
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise invalid("email", str(exc)) from None


def _check_password(password: str, field: str = "password") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise invalid(field, _("Use at least %(num)d characters.", num=MIN_PASSWORD_LENGTH))
    if len(password) > 1024:
        raise invalid(field, _("Use at most 1024 characters."))


def _check_name(name: str) -> str:
    name = " ".join(name.split())
    if not 1 <= len(name) <= 100:
        raise invalid("name", _("Give a name of 1 to 100 characters."))
    return name


def handle_taken(handle: str, except_user_id: int | None = None) -> bool:
    stmt = select(User.id).where(User.handle == handle)
    if except_user_id is not None:
        stmt = stmt.where(User.id != except_user_id)
    return db.session.scalar(stmt) is not None


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def create_user(
    *,
    email: str,
    name: str,
    password: str,
    handle: str | None = None,
    locale: str | None = None,
    time_zone: str | None = None,
) -> User:
    """A new person; `locale` and `time_zone` default to English and UTC (422 when given and unknown)."""
    settings = _checked_settings(locale, time_zone)
    email = normalise_email(email)
    name = _check_name(name)
    _check_password(password)
    if user_by_email(email) is not None:
        raise Conflict(_("An account with that email exists already."), fields={"email": [_("Already registered.")]})
    if handle:
        handle = handles.normalise(handle)
        if handle_taken(handle):
            raise Conflict(_("That handle is taken."), fields={"handle": [_("Taken; choose another.")]})
    else:
        handle = handles.from_name(name, handle_taken)
    user = User(email=email, name=name, handle=handle, **settings)
    user.set_password(password)
    try:
        with db.session.begin_nested():  # the unique columns decide a race the checks above cannot see
            db.session.add(user)
    except IntegrityError:
        raise Conflict(_("An account with that email or handle exists already.")) from None
    return user


def _unusable_password() -> str:
    """Not a hash of anything (werkzeug's hashes have "$" separators), so no password matches it; random,
    so that each person's reset-link fingerprint differs."""
    return "!unclaimed-" + secrets.token_hex(16)


def create_unclaimed_user(*, email: str, name: str, handle: str = "") -> User:
    """A person brought in by an import (Loomio's or a group export): no password works until they set
    one with the password-reset link, which is how they claim the account.

    `handle` is kept when it is free and well formed, else one is made from the name.
    """
    email = normalise_email(email)
    name = _check_name(name)
    if user_by_email(email) is not None:
        raise Conflict(_("An account with that email exists already."), fields={"email": [_("Already registered.")]})
    try:
        handle = handles.normalise(handle) if handle else ""
    except ValidationFailed:
        handle = ""
    if not handle or handle_taken(handle):
        handle = handles.from_name(name, handle_taken)
    user = User(email=email, name=name, handle=handle, password_hash=_unusable_password())
    db.session.add(user)
    db.session.flush()
    return user


def placeholder_user(*, key: str, name: str) -> User:
    """A stand-in person who can never sign in or be emailed (an address under .invalid), the same one per key."""
    email = f"{key}@placeholder.invalid"
    user = user_by_email(email)
    if user is None:
        user = User(
            email=email, name=name, handle=handles.from_name(key, handle_taken), password_hash=_unusable_password()
        )
        db.session.add(user)
        db.session.flush()
    return user


def update_profile(
    *,
    user: User,
    name: str | None = None,
    handle: str | None = None,
    locale: str | None = None,
    time_zone: str | None = None,
) -> User:
    """Change a person's name, handle, language or time zone; an unknown language or zone is refused (422)."""
    settings = _checked_settings(locale, time_zone)
    if name is not None:
        user.name = _check_name(name)
    if handle is not None:
        handle = handles.normalise(handle)
        if handle_taken(handle, except_user_id=user.id):
            raise Conflict(_("That handle is taken."), fields={"handle": [_("Taken; choose another.")]})
        user.handle = handle
    for attribute, value in settings.items():
        setattr(user, attribute, value)
    db.session.flush()
    return user


def _checked_settings(locale: str | None, time_zone: str | None) -> dict:
    settings, errors = {}, {}
    if locale is not None:
        settings["locale"] = normal_locale(locale)
        if settings["locale"] is None:
            errors["locale"] = [_("Choose one of: %(languages)s.", languages=", ".join(LANGUAGES))]
    if time_zone is not None:
        settings["time_zone"] = time_zone
        if not is_time_zone(time_zone):
            errors["time_zone"] = [_("Give a time zone by its IANA name, such as Europe/Rome.")]
    if errors:
        raise ValidationFailed(errors, _("That language or time zone is not one we know."))
    return settings


def set_site_admin(*, email: str, site_admin: bool) -> User:
    """Grant or take back the site-wide tools (the Loomio import page); an operator's command, not a page."""
    user = user_by_email(email)
    if user is None:
        raise NotFound(_("No account has the email %(email)s.", email=normalise_email(email)))
    user.is_site_admin = site_admin
    db.session.flush()
    return user


def user_for_session(session_id: str) -> User | None:
    """The person a session belongs to (Flask-Login's id, "<user id>:<session version>"), or None once
    that session has been ended by a password change or reset or by "sign out everywhere"."""
    user_id, _colon, version = session_id.partition(":")
    version = version or "1"  # a session signed in before versions existed, which no change has ended yet
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.session_version == int(version) else None


def end_sessions(*, user: User, except_token_id: int | None = None) -> None:
    """Sign the person out everywhere: every session and every API token (but `except_token_id`) stops
    working, and their live connections close (platform6.realtime watches both changes)."""
    user.session_version += 1
    db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None), ApiToken.id != (except_token_id or 0))
        .values(revoked_at=utcnow())
    )
    db.session.flush()


def change_password(
    *, user: User, current_password: str, new_password: str, except_token_id: int | None = None
) -> None:
    """A new password, which ends every other session and token: the caller signs its own session in
    again (pages) or keeps using `except_token_id` (the API)."""
    if not user.check_password(current_password):
        raise Forbidden(
            _("That is not your current password."),
            fields={"current_password": [_("That is not your current password.")]},
        )
    _check_password(new_password, "new_password")
    user.set_password(new_password)
    end_sessions(user=user, except_token_id=except_token_id)


def _recent_failures(column, value: str) -> int:
    since = utcnow() - timedelta(minutes=current_app.config["LOGIN_WINDOW_MINUTES"])
    return db.session.scalar(
        select(func.count()).select_from(LoginAttempt).where(column == value, LoginAttempt.created_at > since)
    )


def authenticate(*, email: str, password: str, address: str) -> User:
    """The user with this email and password; refused for a while after repeated failures."""
    email_key = email.strip().lower()[:254]
    address = (address or "unknown")[:64]
    config = current_app.config
    if (
        _recent_failures(LoginAttempt.email, email_key) >= config["LOGIN_MAX_FAILURES_PER_EMAIL"]
        or _recent_failures(LoginAttempt.address, address) >= config["LOGIN_MAX_FAILURES_PER_ADDRESS"]
    ):
        raise RateLimited(
            _("Too many failed sign-ins; try again in a few minutes."),
            retry_after=config["LOGIN_WINDOW_MINUTES"] * 60,
        )
    user = user_by_email(email_key)
    if user is None or not user.check_password(password):
        # In a transaction of its own: the failure must outlive the error response's rollback.
        with db.engine.begin() as connection:
            connection.execute(insert(LoginAttempt).values(email=email_key, address=address, created_at=utcnow()))
        raise Unauthorized(_("That email and password do not match an account."))
    return user


def create_token(*, user: User, name: str = "API token") -> str:
    """A new API token for the user; only its hash is kept, so this is the one time it is seen."""
    token = "p6_" + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=user.id, token_hash=ApiToken.hash(token), name=name[:100] or "API token"))
    db.session.flush()
    return token


def active_token(token: str) -> ApiToken | None:
    """The unrevoked token with this secret, its user loaded."""
    return db.session.scalar(
        select(ApiToken)
        .options(joinedload(ApiToken.user))
        .where(ApiToken.token_hash == ApiToken.hash(token), ApiToken.revoked_at.is_(None))
    )


def revoke_token(*, user: User, token_id: int) -> None:
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id or token.revoked_at is not None:
        raise NotFound(_("No such token."))
    token.revoked_at = utcnow()
    db.session.flush()


def tokens_of(user: User) -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)).order_by(ApiToken.id)
        )
    )


# --- password reset ------------------------------------------------------------------------------
# The emailed token is signed, carries the user's id and a fingerprint of their current password
# hash, and expires after PASSWORD_RESET_MINUTES: setting a password changes the hash, so a link
# works once, and an older link stops working as soon as any password change happens.

_RESET_SALT = "platform6-password-reset"


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_RESET_SALT)


def _password_fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:20]


def password_reset_token(user: User) -> str:
    return _reset_serializer().dumps({"user": user.id, "password": _password_fingerprint(user)})


def user_for_reset_token(token: str) -> User | None:
    """The user a reset link is for, or None when it is forged, expired or already used."""
    max_age = current_app.config["PASSWORD_RESET_MINUTES"] * 60
    try:
        data = _reset_serializer().loads(token, max_age=max_age)
    except BadSignature:  # also SignatureExpired
        return None
    if not isinstance(data, dict) or not isinstance(data.get("user"), int):
        return None
    user = db.session.get(User, data["user"])
    if user is None or data.get("password") != _password_fingerprint(user):
        return None
    return user


def send_password_reset(*, email: str, link_for: Callable[[str], str]) -> None:
    """Email a reset link (`link_for(token)`) if an account has this email; says nothing either way."""
    try:
        user = user_by_email(normalise_email(email))
    except ValidationFailed:  # an address that cannot have an account
        return
    if user is None:
        return
    link = link_for(password_reset_token(user))
    minutes = current_app.config["PASSWORD_RESET_MINUTES"]
    text = (
        f"Hello {user.name},\n\n"
        f"Someone (we hope you) asked to set a new password for your Platform 6 account.\n"
        f"Open this link within {minutes} minutes to choose one; it works once:\n\n{link}\n\n"
        "If you did not ask, ignore this email: your password stays as it is.\n"
    )
    after_commit(lambda: mail.send_email(to=user.email, subject="Set a new Platform 6 password", text=text))


def reset_password(*, token: str, new_password: str) -> User:
    """Set a new password with an emailed token (which stops working once used)."""
    user = user_for_reset_token(token)
    if user is None:
        raise invalid("token", _("This link has expired or has been used. Ask for a new one."))
    _check_password(new_password, "new_password")
    user.set_password(new_password)
    end_sessions(user=user)
    return user
