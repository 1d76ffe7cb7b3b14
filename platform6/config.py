"""Settings, read from the environment (see DESIGN.md's run contract)."""

import logging
import os
import secrets
from pathlib import Path

log = logging.getLogger(__name__)


def database_url(raw: str | None, instance_path: str) -> str:
    """Normalise DATABASE_URL so that plain `postgresql://` URLs use the psycopg 3 driver."""
    if not raw:
        return f"sqlite:///{Path(instance_path) / 'platform6.db'}"
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix) :]
    return raw


def secret_key(instance_path: str) -> str:
    """SECRET_KEY from the environment, else a random key kept in instance/secret_key."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
        log.warning("SECRET_KEY is not set: made a random one in %s", path)
    return path.read_text().strip()


def flag(name: str, default: bool = False) -> bool:
    """A yes/no setting from the environment: 1, true, yes or on (any case) mean yes."""
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    return raw.strip().lower() in ("1", "true", "yes", "on")


def load(instance_path: str, overrides: dict) -> dict:
    """Settings from the environment, then `overrides` (what tests and scripts pass to create_app)."""
    values = {
        "SQLALCHEMY_DATABASE_URI": database_url(os.environ.get("DATABASE_URL"), instance_path),
        "SOCKETIO_MESSAGE_QUEUE": os.environ.get("SOCKETIO_MESSAGE_QUEUE") or None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
        #: failed sign-ins for one email within LOGIN_WINDOW_MINUTES before refusing
        "LOGIN_MAX_FAILURES_PER_EMAIL": 10,
        #: failed sign-ins from one address within the window before refusing
        "LOGIN_MAX_FAILURES_PER_ADDRESS": 50,
        "LOGIN_WINDOW_MINUTES": 15,
        "INVITATION_DAYS": 14,
        #: how long an emailed password-reset link works
        "PASSWORD_RESET_MINUTES": 60,
        #: werkzeug's method string; its scrypt default (N=2**15) in production, a cheaper scrypt in tests
        "PASSWORD_HASH_METHOD": "scrypt",
        # Production (docs/production.md): HTTPS, proxies, rate limits.
        "PREFERRED_URL_SCHEME": os.environ.get("PREFERRED_URL_SCHEME") or "http",
        #: how many proxies in front of the app set X-Forwarded-For/-Proto/-Host (0: none, trust no header)
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES") or 0),
        "RATELIMIT_ENABLED": flag("RATELIMIT_ENABLED", True),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI") or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        #: if Redis is away, let requests through (logged) rather than fail them; sign-in keeps its per-email rule
        "RATELIMIT_SWALLOW_ERRORS": True,
        #: the named limits of platform6.ratelimit, per client address unless the route says per user
        #: refused sign-ins (page and POST /api/v1/tokens together); signing in with the right password is free
        "RATELIMIT_SIGN_IN": os.environ.get("RATELIMIT_SIGN_IN") or "30/minute",
        #: accounts made: generous, since a whole co-op meeting may sign up behind one address (NAT)
        "RATELIMIT_SIGN_UP": os.environ.get("RATELIMIT_SIGN_UP") or "1000/hour;5000/day",
        "RATELIMIT_TOKENS": os.environ.get("RATELIMIT_TOKENS") or "30/minute",
        "RATELIMIT_PASSWORD_RESET": os.environ.get("RATELIMIT_PASSWORD_RESET") or "5/minute;30/day",
        #: graft requests from other installations (and wrong pickup tokens), per address
        "RATELIMIT_GRAFT_REQUESTS": os.environ.get("RATELIMIT_GRAFT_REQUESTS") or "5/hour",
        "RATELIMIT_PAYMENTS": os.environ.get("RATELIMIT_PAYMENTS") or "120/minute",
        #: payment requests asked, per person: each one notifies the payer
        "RATELIMIT_PAYMENT_REQUESTS": os.environ.get("RATELIMIT_PAYMENT_REQUESTS") or "20/minute;200/day",
        #: relays a neighbouring Credit Commons node may send us (each one holds value until it completes or expires)
        "RATELIMIT_CC_RELAYS": os.environ.get("RATELIMIT_CC_RELAYS") or "30/minute",
        #: any call to a node's Credit Commons routes, reads included, per neighbouring server
        "RATELIMIT_CC_REQUESTS": os.environ.get("RATELIMIT_CC_REQUESTS") or "120/minute",
        # Federation (docs/federation.md): a validated transaction's window W, a hop's timeout T, the member's budget
        "FEDERATION_WINDOW_SECONDS": float(os.environ.get("FEDERATION_WINDOW_SECONDS") or 300),
        "FEDERATION_TIMEOUT_SECONDS": float(os.environ.get("FEDERATION_TIMEOUT_SECONDS") or 10),
        "FEDERATION_BUDGET_SECONDS": float(os.environ.get("FEDERATION_BUDGET_SECONDS") or 25),
        #: call peers over plain HTTP (tests on loopback); otherwise only https:// peer URLs are called
        "FEDERATION_ALLOW_HTTP": flag("FEDERATION_ALLOW_HTTP"),
        #: call peers on loopback or private networks (tests, a VPN between installations); otherwise only public
        #: addresses (federation/addresses.py)
        "FEDERATION_ALLOW_PRIVATE_ADDRESSES": flag("FEDERATION_ALLOW_PRIVATE_ADDRESSES"),
    }
    values.update(overrides)
    https = values["PREFERRED_URL_SCHEME"] == "https"
    for cookie in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"):
        values.setdefault(cookie, flag(cookie, https))
    if "SECRET_KEY" not in values:
        values["SECRET_KEY"] = secret_key(instance_path)
    return values
