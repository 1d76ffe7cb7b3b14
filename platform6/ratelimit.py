"""Named rate limits (Flask-Limiter): `@rate_limit("payments", per="user")` under a route's decorator.

Each name's rate is the setting `RATELIMIT_<NAME>` (e.g. `RATELIMIT_SIGN_IN = "30/minute"`), read on
every request, so deployments and tests change it without touching code. Routes that share a name
share one budget: the sign-in page and `POST /api/v1/tokens` both spend `sign_in`. Only writes
(POST, PUT, PATCH, DELETE) count; showing a form is free. Counters live in `RATELIMIT_STORAGE_URI`
(`memory://` in one process, `redis://...` when several app processes share the work).
"""

from collections.abc import Callable

from flask import Flask, Response, current_app, g, request
from flask_limiter.util import get_remote_address
from flask_login import current_user

from .extensions import limiter

WRITES = ["POST", "PUT", "PATCH", "DELETE"]
MESSAGE = "Too many requests; wait a little and try again."


def _by_address() -> str:
    return f"address:{get_remote_address()}"


def _by_user() -> str:
    """The API caller or the signed-in person; the address for anyone else."""
    user = g.get("api_user")
    if user is None and current_user and current_user.is_authenticated:
        user = current_user
    return f"user:{user.id}" if user is not None else _by_address()


def _by_peer() -> str:
    """A neighbouring server calling a Credit Commons route: the node it calls and the address it calls from (not
    the name it gives in cc-node, which is checked only later: a caller could give a new one each time)."""
    node = (request.view_args or {}).get("node", "")
    return f"peer:{node}:{get_remote_address()}"


KEYS: dict[str, Callable[[], str]] = {"address": _by_address, "user": _by_user, "peer": _by_peer}


#: which answers spend the budget: every write, only refused ones (sign-in: guessing costs, signing in does
#: not), or only accepted ones (sign-up: an account made costs, a form sent back with errors does not)
COUNTS: dict[str, Callable[[Response], bool] | None] = {
    "all": None,
    "failures": lambda response: response.status_code >= 400,
    "successes": lambda response: response.status_code < 400,
}


def rate_limit(name: str, *, per: str = "address", counts: str = "all", methods: list[str] | None = WRITES):
    """A decorator limiting a view (or every view of a blueprint) to the rate in the setting RATELIMIT_<NAME>,
    counted per address, user or peer, over every write (every request with `methods=None`) or only the refused or
    accepted ones (see COUNTS)."""
    setting = f"RATELIMIT_{name.upper()}"

    def rate() -> str:
        return current_app.config[setting]

    return limiter.shared_limit(
        rate, scope=name, key_func=KEYS[per], methods=methods, error_message=MESSAGE, deduct_when=COUNTS[counts]
    )


def configure_rate_limits(app: Flask) -> None:
    """Bind the limiter (a 429 goes through the app's error handlers: the API error body on /api paths)."""

    # Registered before the limiter's own header step, so it runs after it (Flask runs these last-first).
    @app.after_request
    def _retry_after_only_when_refused(response):
        if response.status_code not in (429, 503):
            response.headers.pop("Retry-After", None)
        return response

    limiter.init_app(app)
