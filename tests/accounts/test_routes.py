"""Sign up, sign in, sign out and settings pages; CSRF on every form; the session cookie's flags."""

import re

import pytest
from sqlalchemy import select

from platform6.accounts.models import ApiToken, User
from platform6.extensions import db
from tests.conftest import PASSWORD, make_app


def text_of(response) -> str:
    return response.get_data(as_text=True)


# Sign up, in and out


def test_sign_up_through_the_form_signs_the_person_in(client):
    assert "Create your account" in text_of(client.get("/sign-up"))
    response = client.post(
        "/sign-up", data={"name": "Zoë Smith", "email": "Zoe@Example.org", "password": "long enough"}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/dashboard")
    assert "Hello, Zoë Smith" in text_of(client.get("/dashboard"))
    user = db.session.scalar(select(User))
    assert (user.email, user.handle) == ("zoe@example.org", "zoesmith")
    assert client.get("/sign-up").status_code == 302  # signed in already


@pytest.mark.parametrize(
    ("data", "field_message"),
    [
        ({"name": "", "email": "a@example.org", "password": "long enough"}, "Give your name."),
        ({"name": "A", "email": "not an email", "password": "long enough"}, "must have an @-sign"),
        ({"name": "A", "email": "a@example.org", "password": "short"}, "Use at least 8 characters."),
        ({"name": "A", "email": "taken@example.org", "password": "long enough"}, "Already registered."),
        ({"name": "A", "email": "a@example.org", "password": "long enough", "handle": "bad handle!"}, "Use 2 to 30"),
    ],
)
def test_sign_up_form_errors(client, create_user, data, field_message):
    create_user(email="taken@example.org")
    response = client.post("/sign-up", data=data)
    assert response.status_code == 422
    assert field_message in text_of(response)
    assert 'aria-invalid="true"' in text_of(response)


def test_sign_in_and_out(client, create_user):
    user = create_user(email="ada@example.org")
    response = client.post("/sign-in", data={"email": "ADA@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert user.name in text_of(client.get("/dashboard"))
    assert client.get("/sign-in").status_code == 302
    response = client.post("/sign-out", follow_redirects=True)
    assert "You are signed out." in text_of(response)
    assert client.get("/dashboard").status_code == 302


def test_a_wrong_password_is_a_form_error_and_repeated_failures_are_refused(app, client, create_user):
    create_user(email="ada@example.org")
    app.config["LOGIN_MAX_FAILURES_PER_EMAIL"] = 3
    for _ in range(3):
        response = client.post("/sign-in", data={"email": "ada@example.org", "password": "wrong password"})
        assert response.status_code == 401
        assert "That email and password do not match an account." in text_of(response)
    response = client.post("/sign-in", data={"email": "ada@example.org", "password": PASSWORD})
    assert response.status_code == 429 and "Too many failed sign-ins" in text_of(response)
    empty = client.post("/sign-in", data={"email": "", "password": ""})
    assert empty.status_code == 200 and "Give your email." in text_of(empty)


def test_sign_in_goes_back_where_the_person_was_but_never_off_site(client, create_user):
    user = create_user()
    response = client.get("/groups/new")
    assert response.status_code == 302 and "/sign-in?next=%2Fgroups%2Fnew" in response.headers["Location"]
    response = client.post("/sign-in?next=/groups/new", data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"].endswith("/groups/new")
    client.post("/sign-out")
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        response = client.post(
            "/sign-in", query_string={"next": target}, data={"email": user.email, "password": PASSWORD}
        )
        assert "evil" not in response.headers["Location"], target
        client.post("/sign-out")


# Settings


def test_settings_need_a_signed_in_person(client):
    assert client.get("/settings").status_code == 302


def test_change_name_and_handle(client, login, create_user):
    user = login(create_user(name="Ada", handle="ada"))
    create_user(handle="taken")
    response = client.post(
        "/settings", data={"form": "profile", "profile-name": "Ada L", "profile-handle": "@AdaL"}, follow_redirects=True
    )
    assert "Your profile is saved." in text_of(response)
    db.session.expire_all()
    assert (db.session.get(User, user.id).name, db.session.get(User, user.id).handle) == ("Ada L", "adal")
    taken = client.post("/settings", data={"form": "profile", "profile-name": "Ada", "profile-handle": "taken"})
    assert taken.status_code == 422 and "Taken; choose another." in text_of(taken)
    empty = client.post("/settings", data={"form": "profile", "profile-name": "", "profile-handle": "ada"})
    assert empty.status_code == 422 and "Give your name." in text_of(empty)


def test_change_password(client, login, create_user):
    user = login(create_user())
    wrong = client.post(
        "/settings",
        data={"form": "password", "password-current_password": "nope", "password-new_password": "new password"},
    )
    assert wrong.status_code == 422 and "That is not your current password." in text_of(wrong)
    short = client.post(
        "/settings",
        data={"form": "password", "password-current_password": PASSWORD, "password-new_password": "short"},
    )
    assert short.status_code == 422 and "Use at least 8 characters." in text_of(short)
    response = client.post(
        "/settings",
        data={"form": "password", "password-current_password": PASSWORD, "password-new_password": "new password"},
        follow_redirects=True,
    )
    assert "Your password is changed." in text_of(response)
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password("new password")


def test_api_token_is_shown_once_then_revoked(client, login, create_user):
    login(create_user())
    response = client.post("/settings", data={"form": "token", "token-name": "sync script"})
    assert response.status_code == 200
    token = re.search(r'value="(p6_[^"]+)"', text_of(response)).group(1)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    page = text_of(client.get("/settings"))
    assert "sync script" in page and token not in page
    stored = db.session.scalar(select(ApiToken))
    assert stored.token_hash != token
    response = client.post(f"/settings/tokens/{stored.id}/revoke", follow_redirects=True)
    assert "The token no longer works." in text_of(response)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert client.post(f"/settings/tokens/{stored.id}/revoke").status_code == 404
    empty = client.post("/settings", data={"form": "token", "token-name": ""})
    assert empty.status_code == 422 and "Give the token a name." in text_of(empty)


def test_someone_elses_token_cannot_be_revoked(client, login, create_user):
    from platform6.accounts.service import create_token

    other = create_user()
    create_token(user=other, name="theirs")
    db.session.commit()
    login(create_user())
    token_id = db.session.scalar(select(ApiToken.id))
    assert client.post(f"/settings/tokens/{token_id}/revoke").status_code == 404
    assert db.session.get(ApiToken, token_id).revoked_at is None


# The session cookie and CSRF


def test_the_session_cookie_is_httponly_and_samesite_lax(client, create_user):
    user = create_user()
    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


@pytest.fixture
def csrf_client(app, database_url):
    """A second app on the same database with CSRF on, as in production."""
    protected = make_app(database_url, WTF_CSRF_ENABLED=True)
    with protected.app_context():
        yield protected.test_client()
        db.session.remove()
        db.engine.dispose()


def page_forms(app) -> list[str]:
    """Every state-changing page route (the JSON API uses bearer tokens, not cookies)."""
    rules = []
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods and not rule.rule.startswith("/api/"):
            rules.append(rule)
    return rules


def fill(rule, values: dict) -> str:
    path = rule.rule
    for name in rule.arguments:
        path = re.sub(rf"<(?:[^:>]+:)?{name}>", str(values.get(name, 1)), path)
    path = re.sub(r"<any\([^)]*\):decision>", "approve", path)
    return path


def test_signing_in_with_csrf_on_works_through_the_form(csrf_client, create_user):
    user = create_user()
    page = text_of(csrf_client.get("/sign-in"))
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = csrf_client.post("/sign-in", data={"csrf_token": token, "email": user.email, "password": PASSWORD})
    assert response.status_code == 302
