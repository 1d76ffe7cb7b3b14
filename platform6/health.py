"""`/healthz` for the load balancer, and a clear 503 while the database cannot be reached."""

import logging

from flask import Blueprint, Flask, jsonify, make_response, render_template, request
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import exc, text

from .extensions import csrf, db
from .i18n import browser_locale
from .transaction import discard

log = logging.getLogger(__name__)

bp = Blueprint("health", __name__)
csrf.exempt(bp)

#: seconds a client is asked to wait before retrying while the database is away
RETRY_AFTER = 5
UNAVAILABLE = "The service is briefly unavailable: its database cannot be reached. Try again in a moment."
#: the same, on the page (the API's message stays English, as its error codes do)
UNAVAILABLE_PAGE = _l("The service is briefly unavailable: its database cannot be reached. Try again in a moment.")

#: errors that mean "the database is not answering" rather than "this code is wrong"
DATABASE_DOWN = (exc.OperationalError, exc.InterfaceError, exc.DisconnectionError, exc.TimeoutError)


@bp.get("/healthz")
def healthz():
    """200 `{"status": "ok"}` when the database answers, else 503 (the load balancer takes the process out)."""
    try:
        db.session.execute(text("SELECT 1"))
    except DATABASE_DOWN as err:
        _forget_connections()
        log.warning("health check: the database does not answer: %s", err.__class__.__name__)
        return jsonify({"status": "unavailable", "database": "down"}), 503
    return jsonify({"status": "ok", "database": "ok"}), 200


def is_database_down(err: BaseException) -> bool:
    """True for a lost or refused database connection (SQLite's "no such table" is a bug, not an outage)."""
    if isinstance(err, exc.DBAPIError) and "no such" in str(err.orig):
        return False
    return isinstance(err, DATABASE_DOWN)


def _forget_connections() -> None:
    """Roll back what can be, so the next request starts clean; pool_pre_ping replaces dead connections."""
    try:
        discard()
    except Exception:  # the connection is gone; removing the session is enough
        log.debug("rollback on a lost connection failed", exc_info=True)
    db.session.remove()


def unavailable_response():
    from .api import error_body

    if request.path.startswith("/api/"):
        response = jsonify(error_body("service_unavailable", UNAVAILABLE))
        response.status_code = 503
    else:
        # A page of its own: base.html would ask the database who is signed in, and so would the usual choice
        # of language (the person's setting); the browser's language is chosen without it.
        with force_locale(browser_locale()):
            page = render_template("errors/unavailable.html", message=str(UNAVAILABLE_PAGE))
        response = make_response(page, 503)
    response.headers["Retry-After"] = str(RETRY_AFTER)
    return response


def configure_health(app: Flask) -> None:
    app.register_blueprint(bp)

    def database_error(err: Exception):
        if not is_database_down(err):
            return app.error_handler_spec[None][None][Exception](err)
        _forget_connections()
        log.warning("database unavailable on %s %s: %s", request.method, request.path, err.__class__.__name__)
        return unavailable_response()

    for error in DATABASE_DOWN:
        app.register_error_handler(error, database_error)
