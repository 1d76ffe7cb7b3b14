"""Password reset: "forgot password" -> an emailed link -> a new password; the link is single-use and expires."""

import re
import time
from unittest import mock

import pytest

from platform6 import mail
from platform6.accounts import service


@pytest.fixture
def outbox(app):
    app.config["MAIL_BACKEND"] = "memory"
    return mail.outbox()


def reset_link(message) -> str:
    found = re.search(r"http://localhost(/reset-password/\S+)", message.get_content())
    assert found, message.get_content()
    return found.group(1)


def test_forgot_password_emails_a_link_that_sets_a_new_password_and_signs_in(client, create_user, outbox):
    user = create_user(email="rosa@example.org")
    assert client.get("/forgot-password").status_code == 200
    response = client.post("/forgot-password", data={"email": "Rosa@Example.org"})
    assert response.status_code == 302
    assert len(outbox) == 1 and outbox[0]["To"] == "rosa@example.org"
    link = reset_link(outbox[0])
    assert client.get(link).status_code == 200
    done = client.post(link, data={"new_password": "a brand new one", "confirm": "a brand new one"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/dashboard")
    assert client.get("/dashboard").status_code == 200
    client.post("/sign-out")
    old = client.post("/sign-in", data={"email": user.email, "password": "correct horse"})
    assert old.status_code == 401
    new = client.post("/sign-in", data={"email": user.email, "password": "a brand new one"})
    assert new.status_code == 302


def test_the_link_works_once(client, create_user, outbox):
    create_user(email="rosa@example.org")
    client.post("/forgot-password", data={"email": "rosa@example.org"})
    link = reset_link(outbox[0])
    assert client.post(link, data={"new_password": "first new one", "confirm": "first new one"}).status_code == 302
    client.post("/sign-out")
    again = client.post(link, data={"new_password": "second new one", "confirm": "second new one"})
    assert again.status_code == 404
    assert "expired or has already been used" in again.get_data(as_text=True)


def test_an_older_link_stops_working_once_the_password_changed(client, create_user, outbox):
    create_user(email="rosa@example.org")
    client.post("/forgot-password", data={"email": "rosa@example.org"})
    client.post("/forgot-password", data={"email": "rosa@example.org"})
    first, second = reset_link(outbox[0]), reset_link(outbox[1])
    assert client.post(second, data={"new_password": "new password", "confirm": "new password"}).status_code == 302
    assert client.get(first).status_code == 404


def test_the_link_expires(app, client, create_user, outbox):
    create_user(email="rosa@example.org")
    client.post("/forgot-password", data={"email": "rosa@example.org"})
    link = reset_link(outbox[0])
    assert app.config["PASSWORD_RESET_MINUTES"] == 60
    almost = time.time() + 59 * 60
    with mock.patch("itsdangerous.timed.time.time", return_value=almost):
        assert client.get(link).status_code == 200
    too_late = time.time() + 61 * 60
    with mock.patch("itsdangerous.timed.time.time", return_value=too_late):
        assert client.get(link).status_code == 404


def test_a_forged_or_altered_link_is_refused(client, create_user, outbox):
    create_user(email="rosa@example.org")
    client.post("/forgot-password", data={"email": "rosa@example.org"})
    link = reset_link(outbox[0])
    assert client.get(link[:-3] + "abc").status_code == 404
    assert client.get("/reset-password/not-a-token").status_code == 404


def test_an_unknown_email_gets_the_same_answer_and_no_mail(client, outbox):
    response = client.post("/forgot-password", data={"email": "nobody@example.org"}, follow_redirects=True)
    assert "If an account uses nobody@example.org" in response.get_data(as_text=True)
    assert client.post("/forgot-password", data={"email": "not an email"}).status_code == 302
    assert outbox == []


def test_the_new_password_follows_the_password_rules(client, create_user, outbox):
    create_user(email="rosa@example.org")
    client.post("/forgot-password", data={"email": "rosa@example.org"})
    link = reset_link(outbox[0])
    short = client.post(link, data={"new_password": "short", "confirm": "short"})
    assert short.status_code == 422 and "at least 8" in short.get_data(as_text=True)
    differ = client.post(link, data={"new_password": "long enough 1", "confirm": "long enough 2"})
    assert differ.status_code == 422 and "differ" in differ.get_data(as_text=True)
    assert client.get(link).status_code == 200  # still usable: nothing was changed


def test_no_mail_leaves_when_the_request_is_rolled_back(app, create_user, outbox):
    from platform6.extensions import db

    create_user(email="rosa@example.org")
    service.send_password_reset(email="rosa@example.org", link_for=lambda token: f"http://localhost/r/{token}")
    db.session.rollback()
    assert outbox == []
