"""Template links kept per process (platform6/urls.py) are the links Flask would build, request by request."""

from flask import render_template_string, url_for


def link(app, template: str, path: str = "/", **request) -> str:
    with app.test_request_context(path, **request):
        return render_template_string(template)


def test_a_relative_endpoint_follows_the_blueprint_of_each_request(app):
    assert link(app, "{{ url_for('.members', handle='co') }}", "/groups/co") == "/groups/co/members"
    assert link(app, "{{ url_for('.show', discussion_id=7) }}", "/d/1") == "/d/7"
    assert link(app, "{{ url_for('.show', handle='co') }}", "/groups/co") == "/groups/co"


def test_the_script_root_is_part_of_each_link(app):
    assert link(app, "{{ url_for('pages.home') }}", base_url="http://localhost/p6/") == "/p6/"
    assert link(app, "{{ url_for('pages.home') }}") == "/"


def test_external_links_values_of_other_types_and_anchors_are_built_each_time(app):
    assert link(app, "{{ url_for('pages.home', _external=True) }}") == "http://localhost/"
    assert link(app, "{{ url_for('pages.home', x=True) }}") == "/?x=True"
    assert link(app, "{{ url_for('pages.home', x=1) }}") == "/?x=1"
    assert link(app, "{{ url_for('pages.home', _anchor='top') }}") == "/#top"


def test_static_links_name_their_content(app):
    with app.test_request_context("/"):
        expected = url_for("static", filename="css/app.css")
    assert "?v=" in expected
    assert link(app, "{{ url_for('static', filename='css/app.css') }}") == expected


def test_outside_a_request_links_are_external_as_emails_need(app):
    assert app.jinja_env.from_string("{{ url_for('pages.home') }}").render() == "http://localhost/"
