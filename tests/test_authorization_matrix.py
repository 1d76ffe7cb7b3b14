"""The authorization matrix, generated from the app's own route map.

Every route (method + URL rule) is called by each of four people — anonymous, an outsider, a member
and an admin — on an open, a closed and a secret group, and must answer exactly the status written in
its row. A route without a row fails the suite ("unlisted route"), so a new route cannot ship without
someone deciding, in writing, who may call it.

Adding a route: add its row to the feature's module in tests/authorization/ (forums, governance,
credit, skills, groups), or to EXPECTED below for the foundation (pages, accounts, groups' API,
notifications), with `same(...)` when the group does not matter, `content(...)` for a group's content
(the closed and the secret group answer alike), else one tuple per privacy. URL parameters are filled
by tests/authorization/world.py's PARAMS from the world it builds (add a piece built on first use there
for a new kind of object). Next to the rows, for writes, BODIES gives a valid body so the answer shows
the permission check and not a validation error; QUERIES gives query strings, and PREPARE what must
exist before the four calls on each privacy.

Outcomes: an HTTP status, or LOGIN for a page's redirect to the sign-in page. Within one route the
four people call in the order anonymous, outsider, member, admin (each with its own session or
token), so a write that succeeds for the member has happened when the admin calls.
"""

import re

import pytest

from platform6.accounts.service import create_token
from platform6.extensions import db
from tests.authorization import (
    ACTORS,
    LOGIN,
    PRIVACIES,
    by_privacy,
    credit,
    forums,
    fresh,
    governance,
    grafting,
    groups,
    remote,
    same,
    skills,
)
from tests.authorization.world import PARAMS, World, build_world
from tests.conftest import _empty_all_tables, make_app

# (method, rule) -> {privacy: (anonymous, outsider, member, admin)}
EXPECTED: dict[tuple[str, str], dict] = {
    # --- pages: front, people, dashboard -------------------------------------------------------
    ("GET", "/"): same(200, 302, 302, 302),
    ("GET", "/people/<handle>"): same(200, 200, 200, 200),  # the person is in the open group's public member list
    ("GET", "/dashboard"): same(LOGIN, 200, 200, 200),
    ("GET", "/healthz"): same(200, 200, 200, 200),
    # --- pages: accounts --------------------------------------------------------------------------
    ("GET", "/sign-up"): same(200, 302, 302, 302),  # signed-in people are sent on
    ("POST", "/sign-up"): same(302, 302, 302, 302),
    ("GET", "/sign-in"): same(200, 302, 302, 302),
    ("POST", "/sign-in"): same(302, 302, 302, 302),
    ("POST", "/sign-out"): same(302, 302, 302, 302),
    ("GET", "/language"): same(302, 302, 302, 302),
    ("GET", "/forgot-password"): same(200, 200, 200, 200),
    ("POST", "/forgot-password"): same(302, 302, 302, 302),
    ("GET", "/reset-password/<token>"): same(200, 200, 200, 200),
    ("POST", "/reset-password/<token>"): same(302, 302, 302, 302),
    ("GET", "/settings"): same(LOGIN, 200, 200, 200),
    ("POST", "/settings"): same(LOGIN, 200, 200, 200),
    ("POST", "/settings/tokens/<int:token_id>/revoke"): same(LOGIN, 404, 302, 404),
    ("POST", "/settings/sign-out-everywhere"): same(LOGIN, 302, 302, 302),
    # --- pages: groups ----------------------------------------------------------------------------
    ("GET", "/groups"): same(200, 200, 200, 200),
    ("GET", "/groups/<handle>"): by_privacy((200, 200, 200, 200), (200, 200, 200, 200), (404, 404, 200, 200)),
    ("GET", "/groups/new"): by_privacy((LOGIN, 403, 403, 200), (LOGIN, 404, 403, 200), (LOGIN, 404, 403, 200)),
    ("POST", "/groups/new"): by_privacy((LOGIN, 403, 403, 302), (LOGIN, 404, 403, 302), (LOGIN, 404, 403, 302)),
    ("POST", "/groups/<handle>/join"): by_privacy(
        (LOGIN, 303, 303, 303), (LOGIN, 303, 303, 303), (LOGIN, 404, 303, 303)
    ),
    ("POST", "/groups/<handle>/leave"): by_privacy(
        (LOGIN, 404, 303, 303), (LOGIN, 404, 303, 303), (LOGIN, 404, 303, 303)
    ),
    # --- pages: notifications ---------------------------------------------------------------------
    ("GET", "/notifications"): same(LOGIN, 200, 200, 200),
    ("POST", "/notifications/read"): same(LOGIN, 302, 302, 302),
    # someone else's notification: back to one's own list, revealing nothing
    ("GET", "/notifications/<int:notification_id>"): same(LOGIN, 302, 302, 302),
    # --- API: accounts ----------------------------------------------------------------------------
    ("POST", "/api/v1/users"): same(201, 201, 201, 201),
    ("POST", "/api/v1/tokens"): same(201, 201, 201, 201),
    ("DELETE", "/api/v1/tokens/current"): same(401, 204, 204, 204),
    ("GET", "/api/v1/users/<int:user_id>"): same(401, 404, 200, 200),
    ("GET", "/api/v1/me"): same(401, 200, 200, 200),
    ("PATCH", "/api/v1/me"): same(401, 200, 200, 200),
    ("PUT", "/api/v1/me/password"): same(401, 204, 204, 204),
    # --- API: groups ------------------------------------------------------------------------------
    ("POST", "/api/v1/groups"): by_privacy((401, 403, 403, 201), (401, 404, 403, 201), (401, 404, 403, 201)),
    ("GET", "/api/v1/groups/<int:group_id>"): by_privacy(
        (200, 200, 200, 200), (200, 200, 200, 200), (404, 404, 200, 200)
    ),
    ("PATCH", "/api/v1/groups/<int:group_id>"): by_privacy(
        (401, 403, 403, 200), (401, 403, 403, 200), (401, 404, 403, 200)
    ),
    ("GET", "/api/v1/groups/<int:group_id>/members"): by_privacy(
        (200, 200, 200, 200), (404, 404, 200, 200), (404, 404, 200, 200)
    ),
    ("POST", "/api/v1/groups/<int:group_id>/members"): by_privacy(
        (401, 403, 403, 201), (401, 404, 403, 201), (401, 404, 403, 201)
    ),
    ("PATCH", "/api/v1/groups/<int:group_id>/members/<int:user_id>"): by_privacy(
        (401, 403, 403, 200), (401, 403, 403, 200), (401, 404, 403, 200)
    ),
    ("DELETE", "/api/v1/groups/<int:group_id>/members/<int:user_id>"): by_privacy(
        (401, 403, 403, 204), (401, 403, 403, 204), (401, 404, 403, 204)
    ),
    ("POST", "/api/v1/groups/<int:group_id>/join"): by_privacy(
        (401, 201, 409, 409), (401, 202, 409, 409), (401, 404, 409, 409)
    ),
    ("GET", "/api/v1/groups/<int:group_id>/join-requests"): by_privacy(
        (401, 403, 403, 200), (401, 403, 403, 200), (401, 404, 403, 200)
    ),
    ("POST", "/api/v1/groups/<int:group_id>/join-requests/<int:request_id>/approve"): by_privacy(
        (401, 403, 403, 201), (401, 403, 403, 201), (401, 404, 403, 201)
    ),
    ("POST", "/api/v1/groups/<int:group_id>/join-requests/<int:request_id>/decline"): by_privacy(
        (401, 403, 403, 200), (401, 403, 403, 200), (401, 404, 403, 200)
    ),
    ("POST", "/api/v1/groups/<int:group_id>/invitations"): by_privacy(
        (401, 403, 403, 201), (401, 404, 403, 201), (401, 404, 403, 201)
    ),
    ("DELETE", "/api/v1/groups/<int:group_id>/invitations/<int:invitation_id>"): by_privacy(
        (401, 403, 403, 204), (401, 403, 403, 204), (401, 404, 403, 204)
    ),
    # an invitation link is authority by itself; accepting it again as a member answers the membership
    ("POST", "/api/v1/invitations/<token>/accept"): same(401, 201, 201, 201),
    # --- API: documentation ----------------------------------------------------------------------
    ("GET", "/api/v1/openapi.json"): same(200, 200, 200, 200),
    ("GET", "/api/docs"): same(200, 200, 200, 200),
    # --- API: notifications -----------------------------------------------------------------------
    ("GET", "/api/v1/notifications"): same(401, 200, 200, 200),
    ("POST", "/api/v1/notifications/read"): same(401, 200, 200, 200),
    # --- emails: the signed one-click unsubscribe link is the authority (RFC 8058), no sign-in ------
    ("GET", "/unsubscribe/<token>"): same(200, 200, 200, 200),
    ("POST", "/unsubscribe/<token>"): same(200, 200, 200, 200),
    # --- pages: the email outbox (site admins only, and none of these four is one) ----------------
    ("GET", "/admin/outbox"): same(LOGIN, 403, 403, 403),
    ("POST", "/admin/outbox/retry"): same(LOGIN, 403, 403, 403),
    # --- pages: the Loomio import (site admins only, and none of these four is one) --------------
    ("GET", "/admin/loomio-import"): same(LOGIN, 403, 403, 403),
    ("POST", "/admin/loomio-import"): same(LOGIN, 403, 403, 403),
    # --- group export and import (issue 7): admins export their group; only site admins import ---
    ("GET", "/groups/<handle>/export"): by_privacy(
        (LOGIN, 403, 403, 200), (LOGIN, 403, 403, 200), (LOGIN, 404, 403, 200)
    ),
    ("GET", "/admin/import-group"): same(LOGIN, 403, 403, 403),
    ("POST", "/admin/import-group"): same(LOGIN, 403, 403, 403),
    ("GET", "/api/v1/groups/<int:group_id>/export"): by_privacy(
        (401, 403, 403, 200), (401, 403, 403, 200), (401, 404, 403, 200)
    ),
    ("POST", "/api/v1/group-imports"): same(401, 403, 403, 403),
}

# Request bodies for writes: (world, privacy, actor) -> dict (JSON for the API, form data for pages).
BODIES = {
    ("POST", "/sign-up"): lambda w, p, a: {
        "name": "New",
        "email": f"{fresh('new')}@example.org",
        "password": "long enough",
    },
    ("POST", "/sign-in"): lambda w, p, a: {"email": w.users["member"].email, "password": "correct horse"},
    ("POST", "/forgot-password"): lambda w, p, a: {"email": w.users["member"].email},
    ("POST", "/reset-password/<token>"): lambda w, p, a: {"new_password": "brand new one", "confirm": "brand new one"},
    ("POST", "/settings"): lambda w, p, a: {"form": "token", "token-name": "script"},
    ("POST", "/groups/new"): lambda w, p, a: {"name": fresh("Sub "), "privacy": p},
    ("POST", "/api/v1/users"): lambda w, p, a: {
        "email": f"{fresh('api')}@example.org",
        "name": "New",
        "password": "long enough",
    },
    ("POST", "/api/v1/tokens"): lambda w, p, a: {"email": w.users["member"].email, "password": "correct horse"},
    ("PATCH", "/api/v1/me"): lambda w, p, a: {"name": "Renamed"},
    # the same password again: each person calls once per privacy
    ("PUT", "/api/v1/me/password"): lambda w, p, a: {
        "current_password": "correct horse",
        "new_password": "correct horse",
    },
    ("POST", "/api/v1/groups"): lambda w, p, a: {"name": fresh("Sub "), "privacy": p, "parent_id": w.groups[p].id},
    ("PATCH", "/api/v1/groups/<int:group_id>"): lambda w, p, a: {"description": "Changed"},
    ("POST", "/api/v1/groups/<int:group_id>/members"): lambda w, p, a: {"user_id": w.users["newcomer"].id},
    ("PATCH", "/api/v1/groups/<int:group_id>/members/<int:user_id>"): lambda w, p, a: {"role": "admin"},
    ("POST", "/api/v1/groups/<int:group_id>/invitations"): lambda w, p, a: {"days": 7},
    ("POST", "/api/v1/notifications/read"): lambda w, p, a: {"ids": []},
}

# Query strings: (world, privacy, actor) -> dict
QUERIES = {
    ("GET", "/groups/new"): lambda w, p, a: {"parent": w.groups[p].handle},
    ("POST", "/groups/new"): lambda w, p, a: {"parent": w.groups[p].handle},
}


FEATURES = (forums, governance, credit, skills, groups, grafting, remote)


def _merged(tables: list[dict]) -> dict:
    merged: dict = {}
    for table in tables:
        assert not merged.keys() & table.keys(), f"listed twice: {sorted(merged.keys() & table.keys())}"
        merged |= table
    return merged


ROWS = _merged([EXPECTED] + [feature.EXPECTED for feature in FEATURES])
ALL_BODIES = _merged([BODIES] + [getattr(feature, "BODIES", {}) for feature in FEATURES])
ALL_QUERIES = _merged([QUERIES] + [getattr(feature, "QUERIES", {}) for feature in FEATURES])
# (world, privacy) -> None: what must exist before a route's four calls on that privacy
ALL_PREPARE = _merged([getattr(feature, "PREPARE", {}) for feature in FEATURES])


def route_map(app) -> set[tuple[str, str]]:
    return {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


PLACEHOLDER = re.compile(r"<(?:[^<>:]+:)?(\w+)>")


def fill(rule: str, world: World, privacy: str) -> str:
    return PLACEHOLDER.sub(lambda found: str(PARAMS[found.group(1)](world, privacy, rule)), rule)


def call(app, world: World, privacy: str, actor: str, method: str, rule: str):
    client = app.test_client()
    headers = {}
    if actor != "anonymous":
        user = world.users[actor]
        if rule.startswith("/api/"):
            headers["Authorization"] = f"Bearer {create_token(user=user)}"
            db.session.commit()
        else:
            with client.session_transaction() as session:
                session["_user_id"] = user.get_id()
                session["_fresh"] = True
    key = (method, rule)
    body = ALL_BODIES[key](world, privacy, actor) if key in ALL_BODIES else None
    query = ALL_QUERIES[key](world, privacy, actor) if key in ALL_QUERIES else None
    kwargs = {"json": body} if rule.startswith("/api/") else {"data": body}
    path = fill(rule, world, privacy)
    db.session.commit()  # the test's own session holds no transaction (SQLite would lock the request out)
    # A fresh app context per request, as in production: nothing cached in `g` (the signed-in user,
    # memberships) carries over from one person's request to the next.
    with app.app_context():
        response = client.open(path, method=method, query_string=query, headers=headers, **kwargs)
    db.session.expire_all()
    location = response.headers.get("Location", "")
    if response.status_code == 302 and "/sign-in?next=" in location:
        return LOGIN
    return response.status_code


@pytest.fixture(scope="module")
def _matrix_app(_schema, database_url):
    # a cheap password hash: each route's world makes its people anew
    app = make_app(database_url, PASSWORD_HASH_METHOD="pbkdf2:sha256:1")
    for name in [key for key in app.config if key.startswith("RATELIMIT_") and isinstance(app.config[key], str)]:
        if name != "RATELIMIT_STORAGE_URI":
            app.config[name] = "100000/minute"  # the matrix is about permissions; limits have their own tests
    yield app
    with app.app_context():
        _empty_all_tables()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app(_matrix_app):
    """conftest's `app`, but one app for the whole matrix (making an app costs more than a route's twelve
    calls): each route gets a fresh app context and starts from empty tables."""
    with _matrix_app.app_context():
        yield _matrix_app
        db.session.rollback()
        db.session.remove()
        _empty_all_tables()
        db.session.remove()


def test_every_route_is_listed(app):
    routes = route_map(app)
    unlisted = sorted(routes - ROWS.keys())
    stale = sorted((ROWS.keys() | ALL_BODIES.keys() | ALL_QUERIES.keys() | ALL_PREPARE.keys()) - routes)
    assert not unlisted, f"unlisted route(s), give them a row: {unlisted}"
    assert not stale, f"rows, bodies or queries name routes that no longer exist: {stale}"


@pytest.mark.parametrize("route", sorted(ROWS), ids=lambda route: f"{route[0]} {route[1]}")
def test_route_answers_each_person_as_expected(app, create_user, create_group, route):
    method, rule = route
    world = build_world(create_user, create_group)
    observed = {}
    for privacy in PRIVACIES:
        if route in ALL_PREPARE:
            ALL_PREPARE[route](world, privacy)
        observed[privacy] = tuple(call(app, world, privacy, actor, method, rule) for actor in ACTORS)
    assert observed == ROWS[route]


@pytest.mark.parametrize("route", sorted(forums.GUEST), ids=lambda route: f"{route[0]} {route[1]}")
def test_a_thread_guest_answers_as_written(app, create_user, create_group, route):
    """The guest of the world's thread: that thread as a member, the rest of the group as an outsider."""
    world = build_world(create_user, create_group)
    observed = {}
    for privacy in PRIVACIES:
        world.thread_guest(privacy)
        observed[privacy] = call(app, world, privacy, "guest", *route)
    assert observed == forums.GUEST[route]
