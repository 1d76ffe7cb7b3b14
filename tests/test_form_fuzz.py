"""Generated input on every page form: no answer is a 500, and a refusal (4xx) writes nothing.

Every POST page route of the authorization matrix is called, with the CSRF token on, by a person
the matrix says may use it (the member where the member may, else the admin), in the world the
matrix builds. The fields are the form's own names (from the matrix's valid body and the page that
shows the form) plus junk names, each given junk values: huge, negative and non-ASCII numbers,
years past 9999, NUL, repeated keys where one value is expected, or the valid value. A fixed number
of examples per route with a fixed seed keeps the run the same in CI.
"""

import hashlib
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from platform6.extensions import db
from tests.authorization import LOGIN
from tests.authorization.world import build_world
from tests.conftest import _empty_all_tables, make_app
from tests.test_authorization_matrix import ALL_BODIES, ALL_PREPARE, ROWS, fill

EXAMPLES = 6
PRIVACY = "closed"
PAGE_POSTS = sorted(key for key in ROWS if key[0] == "POST" and not key[1].startswith("/api/"))
REFUSED = (LOGIN, 401, 403, 404)
#: tables a refusal writes to by design: a wrong password is counted, so that many answer 429
RECORDS_REFUSALS = {"login_attempts"}

JUNK_NAMES = ["id", "user_id", "amount", "closing_at", "next", "role", "x"]
JUNK_VALUES = [
    "",
    " ",
    "0",
    "-1",
    "1",
    "2",
    "1.5",
    "-0",
    "²",
    "١٢",
    "9" * 20,
    "9" * 5000,
    str(2**63),
    "1e309",
    "9e999999",
    "NaN",
    "Infinity",
    "9999-12-31",
    "9999-12-31T23:59",
    "0001-01-01T00:00",
    "2026-13-45T25:61",
    "y",
    "true",
    "on",
    "[]",
    "{}",
    "null",
    "a\x00b",
    "<script>alert(1)</script>",
    "x" * 3000,
    "admin",
    "secret",
    "accept",
]


@pytest.fixture(scope="module")
def _fuzz_app(_schema, database_url):
    app = make_app(database_url, WTF_CSRF_ENABLED=True, PASSWORD_HASH_METHOD="pbkdf2:sha256:1")
    for name in [key for key in app.config if key.startswith("RATELIMIT_") and isinstance(app.config[key], str)]:
        if name != "RATELIMIT_STORAGE_URI":
            app.config[name] = "100000/minute"  # rate limits have their own tests
    yield app
    with app.app_context():
        _empty_all_tables()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app(_fuzz_app):
    with _fuzz_app.app_context():
        yield _fuzz_app
        db.session.rollback()
        db.session.remove()
        _empty_all_tables()
        db.session.remove()


def fingerprint() -> str:
    """Every row of every table, hashed: any insert, update or delete changes it (the world is small)."""
    digest = hashlib.sha256()
    for table in [table for table in db.metadata.sorted_tables if table.name not in RECORDS_REFUSALS]:
        rows = db.session.execute(select(table)).all()
        digest.update(f"{table.name}:{sorted(map(repr, rows))}".encode())
    db.session.rollback()  # end the read: SQLite would keep the request from writing
    return digest.hexdigest()


def actor_with_rights(route) -> str:
    """The member where the matrix lets the member through, else the admin."""
    member = ROWS[route][PRIVACY][2]
    return "member" if member not in REFUSED else "admin"


def form_field_names(client, path: str) -> list[str]:
    """The names of the inputs on the page at `path` (a form's own page), if it has one."""
    response = client.get(path)
    if response.status_code != 200 or "text/html" not in response.content_type:
        return []
    return sorted(set(re.findall(r'name="([^"]+)"', response.get_data(as_text=True))) - {"csrf_token"})


def signed_in(app, user):
    """A client signed in as `user`, and a valid CSRF token for its session."""
    client = app.test_client()
    raw = hashlib.sha1(str(user.id).encode()).hexdigest()
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
        session["csrf_token"] = raw
    return client, URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(raw)


@pytest.mark.parametrize("route", PAGE_POSTS, ids=lambda route: route[1])
def test_generated_form_input_never_gives_a_500_and_a_refusal_writes_nothing(app, create_user, create_group, route):
    world = build_world(create_user, create_group)
    if route in ALL_PREPARE:
        ALL_PREPARE[route](world, PRIVACY)
    actor = actor_with_rights(route)
    valid = ALL_BODIES[route](world, PRIVACY, actor) if route in ALL_BODIES else {}
    path = fill(route[1], world, PRIVACY)
    client, token = signed_in(app, world.users[actor])
    names = sorted(set(valid) | set(form_field_names(client, path)) | set(JUNK_NAMES))
    db.session.commit()

    def values_for(name: str):
        given = valid.get(name, [])
        choices = JUNK_VALUES + [str(value) for value in (given if isinstance(given, list | tuple) else [given])]
        return st.lists(st.one_of(st.sampled_from(choices), st.text(max_size=12)), min_size=1, max_size=3)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(st.data())
    def check(data):
        chosen = data.draw(st.lists(st.sampled_from(names), unique=True, max_size=len(names)))
        form = MultiDict([(name, value) for name in chosen for value in data.draw(values_for(name), label=name)])
        form["csrf_token"] = token
        before = fingerprint()
        response = client.post(path, data=form)
        db.session.expire_all()
        assert response.status_code < 500, f"{route[1]} answered {response.status_code} to {form!r}"
        if 400 <= response.status_code < 500:
            assert fingerprint() == before, f"{route[1]} refused {form!r} with {response.status_code} but wrote"

    check()
