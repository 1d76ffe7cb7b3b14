"""CSRF: every state-changing HTML route (from the app's own route map) refuses a request without the token."""

import re

import pytest
from sqlalchemy import func, select

from platform6.extensions import db
from platform6.groups.models import Group
from tests.conftest import make_app

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
PLACEHOLDER = re.compile(r"<(?:(\w+)(?:\(([^)]*)\))?:)?\w+>")


def html_write_routes(app) -> list[tuple[str, str]]:
    """(method, rule) of every page route that changes state; the API (bearer tokens, no cookie) is not one, nor
    the one-click unsubscribe link (RFC 8058: a mail client POSTs it without a session; its signature authorises),
    nor the Credit Commons routes other servers call (/cc/: no cookie; the link's hash and signature authorise)."""
    return sorted(
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if not rule.rule.startswith(("/api/", "/unsubscribe/", "/cc/"))
        for method in rule.methods & WRITES
    )


def concrete(rule: str) -> str:
    """A URL for the rule: any value will do, the token check comes before the handler."""

    def value(m: re.Match) -> str:
        if m.group(1) == "any":
            return m.group(2).split(",")[0].strip()
        return "1" if m.group(1) in ("int", "SafeInt") else "x"

    return PLACEHOLDER.sub(value, rule)


@pytest.fixture
def csrf_app(database_url):
    app = make_app(database_url, WTF_CSRF_ENABLED=True)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def signed_in_client(app, user):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
    return client


def test_there_are_html_write_routes_to_check(app):
    routes = html_write_routes(app)
    assert ("POST", "/sign-in") in routes and ("POST", "/groups/new") in routes
    assert len(routes) >= 10


def test_every_html_write_route_refuses_a_request_without_the_csrf_token(app, csrf_app, create_user):
    user = create_user()
    refused = {}
    for method, rule in html_write_routes(csrf_app):
        for client in (csrf_app.test_client(), signed_in_client(csrf_app, user)):
            response = client.open(concrete(rule), method=method, data={"name": "Sneaky", "email": user.email})
            refused[(method, rule, bool(client.get_cookie("session")))] = response.status_code
            if response.status_code == 400:
                assert "out of date" in response.get_data(as_text=True)
    assert set(refused.values()) == {400}, {key: status for key, status in refused.items() if status != 400}


def test_a_forged_post_changes_nothing(app, csrf_app, create_user):
    client = signed_in_client(csrf_app, create_user())
    before = db.session.scalar(select(func.count()).select_from(Group))
    assert client.post("/groups/new", data={"name": "Forged", "privacy": "open"}).status_code == 400
    assert (
        client.post("/groups/new", data={"name": "Forged", "privacy": "open", "csrf_token": "wrong"}).status_code == 400
    )
    assert db.session.scalar(select(func.count()).select_from(Group)) == before


def test_with_the_token_from_the_form_the_same_post_works(app, csrf_app, create_user):
    user = create_user()
    client = csrf_app.test_client()
    page = client.get("/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"', page)
    assert token, "the sign-in form carries a CSRF token"
    value = token.group(1) or token.group(2)
    response = client.post("/sign-in", data={"email": user.email, "password": "correct horse", "csrf_token": value})
    assert response.status_code == 302


def test_the_api_needs_no_csrf_token_and_never_accepts_the_session_cookie(app, csrf_app, create_user):
    client = signed_in_client(csrf_app, create_user())
    response = client.post("/api/v1/groups", json={"name": "Via cookie"})
    assert response.status_code == 401  # not 400: the API is exempt from CSRF because it ignores the cookie
    assert response.get_json()["error"]["code"] == "unauthorized"
