"""Shared fixtures: an app per test on a real database (SQLite by default, PostgreSQL with DATABASE_URL),
factories for people and groups, an API client that signs requests, and a SQL query counter."""

import itertools
import os
from contextlib import contextmanager

import pytest
from sqlalchemy import event, text

from platform6 import create_app
from platform6.extensions import db, limiter

PASSWORD = "correct horse"
_counter = itertools.count(1)


def _database_line() -> str:
    return f"database: {os.environ.get('DATABASE_URL') or 'sqlite (temporary file)'}"


def pytest_report_header(config):
    return _database_line()


def pytest_terminal_summary(terminalreporter):
    # pytest -q prints no header, and .ci/run reads this line to know which database the run used.
    terminalreporter.write_line(_database_line())


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


_apps_made = 0  # how many apps the tests have made: see _ReusedApp


def make_app(database_url: str, **extra):
    global _apps_made
    _apps_made += 1
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "SERVER_NAME": "localhost",
        # The real cost (scrypt, N=2**15) is ~0.1 s a hash: a cheaper scrypt keeps factories fast.
        "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
    }
    config.update(extra)
    if config["SQLALCHEMY_DATABASE_URI"].startswith("postgres"):
        from platform6.config import database_url as normalise

        config["SQLALCHEMY_DATABASE_URI"] = normalise(config["SQLALCHEMY_DATABASE_URI"], "")
    return create_app(config)


@pytest.fixture(scope="session")
def _schema(database_url):
    app = make_app(database_url)
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.engine.dispose()
    yield


def _empty_all_tables() -> None:
    """Every table emptied, children first, and on PostgreSQL the ids restarted from 1.

    Rows are deleted rather than truncated: TRUNCATE makes new files for every table, ~0.5 s a test."""
    tables = list(reversed(db.metadata.sorted_tables))
    for table in tables:
        db.session.execute(table.delete())
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SELECT setval(oid, 1, false) FROM pg_class WHERE relkind = 'S'"))
    db.session.commit()


class _ReusedApp:
    """The test app, made once and reused while no other app has been made since.

    Building an app costs ~0.2 s (Werkzeug compiles every URL rule), a third of a typical test. The
    extensions (Socket.IO, the rate limiter) are bound to the app made last, so after a test that made
    another app (a live server, `other_app`) the next test gets a new one. A reused app gets its
    settings back, and its rate-limit counts and mail outbox emptied.
    """

    def __init__(self):
        self.app = None
        self.made_as = 0
        self.settings: dict = {}

    def get(self, database_url: str):
        if self.app is None or self.made_as != _apps_made:
            self.app = make_app(database_url)
            self.made_as = _apps_made
            self.settings = dict(self.app.config)
        else:  # as good as new: what the last test changed goes
            self.app.config.clear()
            self.app.config.update(self.settings)
            self.app.extensions.pop("mail_outbox", None)
            limiter.reset()
        return self.app


@pytest.fixture(scope="session")
def _reused_app(_schema):
    return _ReusedApp()


@pytest.fixture
def app(_reused_app, database_url):
    app = _reused_app.get(database_url)
    with app.app_context():
        yield app
        db.session.rollback()
        db.session.remove()
        _empty_all_tables()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def create_user(app):
    from platform6.accounts.service import create_user as create

    def factory(name: str | None = None, email: str | None = None, password: str = PASSWORD, **kwargs):
        n = next(_counter)
        user = create(name=name or f"Person {n}", email=email or f"person{n}@example.org", password=password, **kwargs)
        db.session.commit()
        return user

    return factory


@pytest.fixture
def create_group(app, create_user):
    from platform6.groups.service import add_member
    from platform6.groups.service import create_group as create

    def factory(admin=None, privacy: str = "closed", members=(), name: str | None = None, **kwargs):
        admin = admin or create_user()
        group = create(actor=admin, name=name or f"Group {next(_counter)}", privacy=privacy, **kwargs)
        for member in members:
            add_member(actor=admin, group=group, user_id=member.id)
        db.session.commit()
        return group

    return factory


class ApiClient:
    """Calls /api/v1 as a given user (a token is made on first use) or anonymously."""

    def __init__(self, client):
        self.client = client
        self.tokens: dict[int, str] = {}

    def token(self, user) -> str:
        if user.id not in self.tokens:
            from platform6.accounts.service import create_token

            self.tokens[user.id] = create_token(user=user)
            db.session.commit()
        return self.tokens[user.id]

    def call(self, method: str, path: str, json=None, user=None, headers=None, data=None):
        headers = dict(headers or {})
        if user is not None:
            headers["Authorization"] = f"Bearer {self.token(user)}"
        response = self.client.open(f"/api/v1{path}", method=method, json=json, data=data, headers=headers)
        db.session.expire_all()
        return response

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def post(self, path, json=None, **kw):
        return self.call("POST", path, json=json, **kw)

    def patch(self, path, json=None, **kw):
        return self.call("PATCH", path, json=json, **kw)

    def put(self, path, json=None, **kw):
        return self.call("PUT", path, json=json, **kw)

    def delete(self, path, **kw):
        return self.call("DELETE", path, **kw)


@pytest.fixture
def api(client):
    return ApiClient(client)


@pytest.fixture
def login(client):
    """Sign a user in on the page client (the test password is the factories' default)."""

    def sign_in(user, password: str = PASSWORD):
        response = client.post("/sign-in", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    return sign_in


@contextmanager
def count_queries():
    """Counts the SQL statements run inside the block: `with count_queries() as queries: ...; len(queries)`."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


@pytest.fixture
def queries():
    return count_queries
