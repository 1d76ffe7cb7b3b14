"""The base of every page form: NUL characters dropped, WTForms' own messages in the reader's language."""

import pytest
from flask_babel import refresh
from wtforms import FieldList, FormField, IntegerField, StringField

from platform6.forms import Form, Subform


class Row(Subform):
    name = StringField()


class ExampleForm(Form):
    class Meta:
        csrf = False

    count = IntegerField()
    title = StringField()
    rows = FieldList(FormField(Row), min_entries=1)


def _validated(app, locale: str, data: dict) -> ExampleForm:
    with app.test_request_context("/", method="POST", data=data, headers={"Accept-Language": locale}):
        refresh()  # the test's app context outlives each request context: forget the language chosen before
        form = ExampleForm()
        form.validate()
        return form


@pytest.mark.parametrize(
    ("locale", "message"), [("en", "Not a valid integer value."), ("it", "Non è una valore intero valido")]
)
def test_wtforms_own_messages_are_in_the_readers_language(app, locale, message):
    form = _validated(app, locale, {"count": "many"})
    assert form.count.errors == [message]


def test_the_language_of_one_request_does_not_leak_into_the_next(app):
    assert _validated(app, "it", {"count": "x"}).count.errors == ["Non è una valore intero valido"]
    assert _validated(app, "en", {"count": "x"}).count.errors == ["Not a valid integer value."]


def test_nul_characters_are_dropped_from_fields_and_from_rows_inside_lists(app):
    form = _validated(app, "en", {"title": "a\x00b", "rows-0-name": "c\x00d"})
    assert form.title.data == "ab"
    assert form.rows[0].form.name.data == "cd"
