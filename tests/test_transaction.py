"""The one transaction boundary (platform6/transaction.py): commit once at the end, nothing written on a
refusal, a unique-key clash answered as a Conflict, a socket refusal as an ack."""

import pytest
from sqlalchemy import func, select

from platform6.accounts.models import User
from platform6.errors import Conflict, Forbidden, RuleViolation, invalid
from platform6.extensions import db
from platform6.transaction import socket_transaction, unit_of_work


def _person(email: str) -> User:
    return User(email=email, name="Someone", handle=email.split("@")[0], password_hash="x")


def _people_with(email: str) -> int:
    db.session.remove()  # a new session sees only what was committed
    return db.session.scalar(select(func.count()).select_from(User).where(User.email == email))


def test_a_unit_of_work_commits_at_its_end(app):
    with unit_of_work():
        db.session.add(_person("kept@example.org"))
    assert _people_with("kept@example.org") == 1


def test_a_refusal_leaves_nothing_written_even_after_a_flush(app):
    with pytest.raises(RuleViolation), unit_of_work():
        db.session.add(_person("half@example.org"))
        db.session.flush()
        raise invalid("name", "Refused after the write.")
    assert _people_with("half@example.org") == 0


def test_a_unique_key_filled_meanwhile_is_a_conflict_not_a_crash(app, create_user):
    taken = create_user(email="taken@example.org")
    with pytest.raises(Conflict), unit_of_work():
        db.session.add(_person(taken.email))
    assert _people_with("taken@example.org") == 1


def test_a_socket_handler_answers_a_refusal_with_an_ack_and_writes_nothing(app):
    @socket_transaction
    def handler():
        db.session.add(_person("socket@example.org"))
        db.session.flush()
        raise Forbidden()

    assert handler() == {"error": {"code": "forbidden", "message": "You may not do that."}}
    assert _people_with("socket@example.org") == 0


def test_a_page_refusal_shown_on_its_form_is_a_422_that_writes_nothing(client, create_user):
    create_user(email="first@example.org")
    answer = client.post(
        "/sign-up",
        data={"email": "first@example.org", "name": "Again", "password": "correct horse"},
    )
    assert answer.status_code == 422 and b"Already registered." in answer.data
    assert _people_with("first@example.org") == 1  # still only the first
