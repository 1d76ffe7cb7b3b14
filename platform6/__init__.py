"""Platform 6: discussions and decisions, a skills board and mutual credit for co-operative networks."""

import importlib
import logging
import os
from pathlib import Path
from types import ModuleType

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DataError, IntegrityError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from . import config as settings
from .api import MAX_ID
from .errors import DomainError
from .extensions import csrf, db, login_manager, migrate, socketio
from .health import configure_health
from .i18n import configure_i18n
from .openapi import configure_api_docs
from .ratelimit import configure_rate_limits
from .security import configure_security
from .static_assets import configure_static_assets
from .transaction import Platform6Flask, discard
from .web import refuse_nul_in_query

log = logging.getLogger(__name__)

# Feature modules, in the order their blueprints, panels, jobs and demo steps load.
FEATURES = (
    "accounts",
    "groups",
    "credit",
    "federation",
    "forums",
    "governance",
    "skills",
    "notifications",
    "loomio",
    "exports",
)
#: the modules of a feature that create_app loads when they exist (see DESIGN.md's layout)
ROOMS = ("routes", "api", "events", "jobs")


class SafeIntConverter(IntegerConverter):
    """`<int:...>` in URLs, capped at 2**31-1 — the largest id an `Integer` key can hold on PostgreSQL — so a
    larger id answers 404 rather than an "integer out of range" error."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def create_app(config: dict | None = None) -> Flask:
    app = Platform6Flask(
        __name__,
        instance_path=str(Path(__file__).resolve().parent.parent / "instance"),
        template_folder="../templates",
        static_folder="../static",
    )
    configure_settings(app, config or {})
    configure_logging(app)
    load_features()
    configure_database(app)
    configure_extensions(app)
    configure_i18n(app)
    configure_security(app)
    configure_static_assets(app)
    configure_rate_limits(app)
    register_blueprints(app)
    app.before_request(refuse_nul_in_query)
    register_error_handlers(app)
    configure_health(app)
    configure_api_docs(app)
    register_template_helpers(app)
    register_cli(app)
    return app


def configure_settings(app: Flask, overrides: dict) -> None:
    os.makedirs(app.instance_path, exist_ok=True)
    app.url_map.converters["int"] = SafeIntConverter
    app.config.update(settings.load(app.instance_path, overrides))
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", engine_options(app.config["SQLALCHEMY_DATABASE_URI"]))


def engine_options(url: str) -> dict:
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": 30, "check_same_thread": False}}
    return {"pool_pre_ping": True}


def configure_logging(app: Flask) -> None:
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """SQLite: WAL, foreign keys on, and transactions begun by SQLAlchemy rather than the driver."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection) -> None:
    """On SQLite, `execution_options(sqlite_immediate=True)` takes the write lock when the transaction begins."""
    if connection.dialect.name == "sqlite":
        immediate = connection.get_execution_options().get("sqlite_immediate")
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def configure_database(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent.parent / "migrations"))
    from . import outbox  # noqa: F401 - registers the after-commit listeners


def configure_extensions(app: Flask) -> None:
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.sign_in"
    login_manager.login_message = "Sign in to see that page."
    login_manager.login_message_category = "info"
    socketio.init_app(
        app,
        message_queue=app.config.get("SOCKETIO_MESSAGE_QUEUE"),
        async_mode=app.config.get("SOCKETIO_ASYNC_MODE", "threading"),
        manage_session=False,
    )

    from .accounts.service import user_for_session

    login_manager.user_loader(user_for_session)


def feature_modules(room: str) -> list[ModuleType]:
    """Each feature's `room` module (routes, api, events, jobs, demo...), in FEATURES order."""
    found = []
    for feature in FEATURES:
        name = f"{__name__}.{feature}.{room}"
        try:
            found.append(importlib.import_module(name))
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    return found


def load_features() -> None:
    """Import every feature's rooms before any extension is bound, so that their Socket.IO
    handlers, scheduled jobs and dashboard panels are registered for every app instance."""
    from . import group_hub, realtime  # noqa: F401 - the group page's feature sections; the socket handlers

    for room in ROOMS:
        feature_modules(room)


def register_blueprints(app: Flask) -> None:
    from . import dashboard, pages

    app.register_blueprint(pages.bp)
    app.register_blueprint(dashboard.bp)
    for room in ("routes", "api"):
        for module in feature_modules(room):
            # a room serving more than one blueprint lists them (federation: the member's API and the CC protocol)
            for blueprint in getattr(module, "blueprints", [module.bp] if hasattr(module, "bp") else []):
                app.register_blueprint(blueprint)


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def register_error_handlers(app: Flask) -> None:
    from .api import domain_error_response, error_body, http_error_response

    @app.errorhandler(DomainError)
    def domain_error(err: DomainError):
        discard()
        if _wants_json():
            return domain_error_response(err)
        return render_template("errors/error.html", status=err.status, message=err.message), err.status

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException):
        if _wants_json():
            return http_error_response(err)
        if err.code == 400 and "CSRF" in (err.description or ""):
            message = _("The form was out of date. Go back, reload the page and try again.")
        elif err.description == type(err).description:  # Werkzeug's own English sentence: ours, translated
            message = _http_error_messages().get(err.code, err.description)
        else:
            message = err.description
        return render_template("errors/error.html", status=err.code, message=message), err.code

    @app.errorhandler(DataError)
    @app.errorhandler(OverflowError)
    def out_of_range(err: DataError | OverflowError):
        """A value the database cannot hold (an id in a body past PostgreSQL's integer range, or past
        the 64 bits SQLite's driver binds, which it raises as OverflowError): bad input."""
        discard()
        message = "A value in the request is out of range."
        if _wants_json():
            return jsonify(error_body("validation_failed", message)), 422
        return render_template(
            "errors/error.html", status=422, message=_("A value in the request is out of range.")
        ), 422

    @app.errorhandler(IntegrityError)
    def made_meanwhile(err: IntegrityError):
        """A unique key that another request filled at the same moment (services map the races they
        expect to their own Conflict; this answers any other the same way): 409, not a 500."""
        discard()
        message = "That clashes with a change made at the same moment. Reload and try again."
        if _wants_json():
            return jsonify(error_body("conflict", message)), 409
        message = _("That clashes with a change made at the same moment. Reload and try again.")
        return render_template("errors/error.html", status=409, message=message), 409

    @app.errorhandler(Exception)
    def unexpected_error(err: Exception):
        discard()
        log.exception("unhandled error on %s %s", request.method, request.path)
        if _wants_json():
            return jsonify(error_body("internal_error", "Something went wrong on our side.")), 500
        return render_template("errors/error.html", status=500, message=_("Something went wrong on our side.")), 500


def _http_error_messages() -> dict[int, str]:
    """Pages' words for the HTTP errors raised without a message of their own (abort(404))."""
    return {
        400: _("The request could not be understood."),
        403: _("You may not see this page."),
        404: _("There is no page at this address. It may have moved, or the link may be wrong."),
        405: _("This page cannot be used that way."),
        413: _("What was sent is too large."),
        429: _("Too many requests in a short time. Wait a moment and try again."),
    }


def register_template_helpers(app: Flask) -> None:
    from . import formatting
    from .groups.permissions import JINJA_GLOBALS
    from .template_words import install_template_words
    from .urls import configure_template_urls

    app.jinja_env.globals.update(JINJA_GLOBALS)
    configure_template_urls(app)
    install_template_words(app.jinja_env)
    app.jinja_env.filters.update(formatting.FILTERS)
    app.context_processor(formatting.layout_context)


def register_cli(app: Flask) -> None:
    from . import cli

    cli.register(app)
