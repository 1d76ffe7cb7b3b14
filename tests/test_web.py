"""How every page answers a service's refusal (platform6/web.py): who may not act, or what they may not
see, answers the error page with its status (403/404); any other refusal is told on the page."""

import pytest
from flask import get_flashed_messages
from flask_wtf import FlaskForm
from wtforms import StringField

from platform6.errors import Conflict, Forbidden, NotFound, RuleViolation, invalid
from platform6.extensions import db
from platform6.web import refused, show_error_on_form

REFUSALS_OF_WHO = [Forbidden("Only an admin may close this thread."), NotFound("No such thread.")]


class NameForm(FlaskForm):
    name = StringField("Name")


def _error_page(app, err):
    """What the app answers for an error a handler raised (its DomainError handler)."""
    return app.make_response(app.handle_user_exception(err))


@pytest.mark.parametrize("err", REFUSALS_OF_WHO, ids=lambda err: str(err.status))
def test_a_refused_action_of_someone_who_may_not_answers_the_error_page(app, create_user, err):
    person = create_user(name="Ada")
    with app.test_request_context("/d/1/close", method="POST"):
        person.name = "Changed by the refused action"
        with pytest.raises(type(err)) as raised:
            refused(err, "/d/1")
        response = _error_page(app, raised.value)
        assert not get_flashed_messages()
    assert response.status_code == err.status
    assert err.message in response.get_data(as_text=True)
    db.session.expire_all()
    assert person.name == "Ada"


@pytest.mark.parametrize("err", [RuleViolation("closed", message="The thread is closed."), Conflict("Answered.")])
def test_a_refusal_by_a_rule_goes_back_to_the_page_with_the_reason(app, create_user, err):
    person = create_user(name="Ada")
    with app.test_request_context("/d/1/close", method="POST"):
        person.name = "Changed by the refused action"
        response = refused(err, "/d/1")
        assert get_flashed_messages(with_categories=True) == [("error", err.message)]
    assert response.status_code == 302 and response.headers["Location"] == "/d/1"
    db.session.expire_all()
    assert person.name == "Ada"


def test_a_refused_action_may_go_back_with_another_redirect_status(app):
    with app.test_request_context("/groups/g/leave", method="POST"):
        assert (
            refused(RuleViolation(message="A group needs at least one admin."), "/groups/g", code=303).status_code
            == 303
        )


@pytest.mark.parametrize("err", REFUSALS_OF_WHO, ids=lambda err: str(err.status))
def test_a_form_the_service_refuses_for_who_sends_it_answers_the_error_page(app, err):
    with app.test_request_context("/groups/g/members", method="POST"):
        form = NameForm(meta={"csrf": False})
        with pytest.raises(type(err)) as raised:
            show_error_on_form(form, err)
        assert _error_page(app, raised.value).status_code == err.status
        assert not form.form_errors and not form.name.errors


def test_a_form_the_service_finds_invalid_shows_the_reasons_on_the_form(app):
    with app.test_request_context("/groups/g/members", method="POST"):
        form = NameForm(meta={"csrf": False})
        show_error_on_form(form, invalid("name", "Give a shorter name."))
        show_error_on_form(form, RuleViolation(message="Someone else saved first."))
        assert form.name.errors == ["Give a shorter name."]
        assert form.form_errors == ["Someone else saved first."]
