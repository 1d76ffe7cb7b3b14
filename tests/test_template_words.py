"""Template words (platform6/template_words.py): kept per language, formatted and escaped as Jinja's own."""

from flask import render_template_string
from flask_babel import refresh

PAGE = (
    '{{ _("Threads") }}|{{ _("Threads labelled “%(label)s”.", label=name) }}|'
    "{{ ngettext('%(num)s member', '%(num)s members', n) }}|{% trans %}Threads{% endtrans %}"
)


def render(app, language: str, **context) -> str:
    with app.test_request_context("/", headers={"Accept-Language": language}):
        refresh()  # as every request does first (the test's app context outlives each request)
        return render_template_string(PAGE, **context)


def test_each_request_gets_its_own_language_though_words_are_kept(app):
    assert render(app, "it", name="x", n=2).split("|") == [
        "Discussioni", "Discussioni con l'etichetta «x».", "2 membri", "Discussioni"
    ]  # fmt: skip
    assert render(app, "en", name="x", n=1).split("|") == ["Threads", "Threads labelled “x”.", "1 member", "Threads"]
    assert render(app, "it", name="x", n=1).split("|")[0::2] == ["Discussioni", "1 membro"]


def test_placeholders_are_escaped_and_the_word_itself_is_not(app):
    html = render(app, "en", name="<b>&co</b>", n=3)
    assert "Threads labelled “&lt;b&gt;&amp;co&lt;/b&gt;”." in html and "3 members" in html


def test_a_word_is_always_a_format_string(app):
    with app.test_request_context("/"):
        assert render_template_string('{{ _("100%% sure") }}') == "100% sure"
        assert render_template_string('{{ _("%(n)s%% done", n=5) }}') == "5% done"


def test_outside_html_nothing_is_escaped(app):
    with app.test_request_context("/"):
        text = '{% autoescape false %}{{ _("Hello %(name)s", name=name) }}{% endautoescape %}'
        assert render_template_string(text, name="<O'Brien>") == "Hello <O'Brien>"
