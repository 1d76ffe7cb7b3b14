"""A password change, a reset or "sign out everywhere" ends the person's other sessions, tokens and sockets
(issue 11, hole 5; API.md 1.1 "Trust rules": Passwords)."""

import re

from flask import g

from platform6 import mail
from platform6.accounts import service
from platform6.extensions import db, socketio
from tests.conftest import PASSWORD


def signed_in_elsewhere(app, login_as):
    """Another browser, signed in as the same person."""
    other = app.test_client()
    assert other.post("/sign-in", data={"email": login_as.email, "password": PASSWORD}).status_code == 302
    return other


def opens_dashboard(client) -> bool:
    # The test requests share the test's app context, where Flask-Login keeps the last request's user.
    g.pop("_login_user", None)
    return client.get("/dashboard").status_code == 200


def test_a_password_change_on_the_settings_page_ends_every_other_session_token_and_socket(
    app, client, api, create_user, login
):
    user = login(create_user())
    laptop = signed_in_elsewhere(app, user)
    token = api.token(user)
    socket = socketio.test_client(app, flask_test_client=laptop)
    assert socket.is_connected() and opens_dashboard(laptop)
    response = client.post(
        "/settings",
        data={"form": "password", "password-current_password": PASSWORD, "password-new_password": "a new password"},
    )
    assert response.status_code == 302
    assert opens_dashboard(client)  # the session that made the change carries on
    assert not opens_dashboard(laptop)  # the old cookie opens nothing
    assert api.get("/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert not socket.is_connected()


def test_a_wrong_current_password_on_the_page_changes_nothing(app, client, create_user, login):
    user = login(create_user())
    laptop = signed_in_elsewhere(app, user)
    response = client.post(
        "/settings", data={"form": "password", "password-current_password": "not it", "password-new_password": "x" * 9}
    )
    assert response.status_code == 422 and "That is not your current password." in response.get_data(as_text=True)
    assert opens_dashboard(laptop)


def test_put_me_password_keeps_the_token_it_used_and_ends_the_rest(app, client, api, create_user, login):
    user = login(create_user())
    used = api.token(user)
    other = service.create_token(user=user, name="sync script")
    db.session.commit()
    g.pop("_login_user", None)  # these sockets come with a token, not with the page's session
    other_socket = socketio.test_client(app, auth={"token": other})
    used_socket = socketio.test_client(app, auth={"token": used})
    body = {"current_password": PASSWORD, "new_password": "a new password"}
    assert api.put("/me/password", json=body, user=user).status_code == 204
    assert api.get("/me", user=user).status_code == 200
    assert api.get("/me", headers={"Authorization": f"Bearer {other}"}).status_code == 401
    assert not opens_dashboard(client)
    assert not other_socket.is_connected() and used_socket.is_connected()
    assert client.post("/sign-in", data={"email": user.email, "password": "a new password"}).status_code == 302


def test_put_me_password_refuses_a_wrong_current_password_and_a_short_new_one(api, create_user):
    user = create_user()
    wrong = api.put("/me/password", json={"current_password": "nope", "new_password": "long enough"}, user=user)
    assert wrong.status_code == 403 and wrong.get_json()["error"]["code"] == "forbidden"
    short = api.put("/me/password", json={"current_password": PASSWORD, "new_password": "short"}, user=user)
    assert short.status_code == 422 and "new_password" in short.get_json()["error"]["fields"]
    assert api.put("/me/password", json={"new_password": "long enough"}, user=user).status_code == 422
    assert api.put("/me/password", json={}).status_code == 401
    db.session.refresh(user)
    assert user.check_password(PASSWORD) and user.session_version == 1


def test_a_password_reset_ends_every_session_and_token(app, client, api, create_user):
    app.config["MAIL_BACKEND"] = "memory"
    user = create_user()
    laptop = signed_in_elsewhere(app, user)
    token = api.token(user)
    client.post("/forgot-password", data={"email": user.email})
    link = re.search(r"http://localhost(/reset-password/\S+)", mail.outbox()[0].get_content()).group(1)
    assert client.post(link, data={"new_password": "a brand new one", "confirm": "a brand new one"}).status_code == 302
    assert opens_dashboard(client)  # the reset signs this browser in
    assert not opens_dashboard(laptop)
    assert api.get("/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_sign_out_everywhere_ends_this_session_too_and_every_token(app, client, api, create_user, login):
    user = login(create_user())
    laptop = signed_in_elsewhere(app, user)
    token = api.token(user)
    assert "Sign out everywhere" in client.get("/settings").get_data(as_text=True)
    response = client.post("/settings/sign-out-everywhere")
    assert response.status_code == 302 and response.headers["Location"].endswith("/sign-in")
    assert not opens_dashboard(client) and not opens_dashboard(laptop)
    assert api.get("/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert client.post("/sign-in", data={"email": user.email, "password": PASSWORD}).status_code == 302
    assert opens_dashboard(client)
