"""`flask site-admin EMAIL [--remove]`: the operator's way to hand out the site-wide tools."""

from platform6.extensions import db


def test_site_admin_is_granted_and_taken_back_by_email(app, create_user, login, client):
    user = create_user(email="ops@example.org")
    runner = app.test_cli_runner()
    granted = runner.invoke(args=["site-admin", "OPS@example.org"])
    assert granted.exit_code == 0, granted.output
    assert "ops@example.org is a site admin" in granted.output
    login(user)
    assert client.get("/admin/loomio-import").status_code == 200
    removed = runner.invoke(args=["site-admin", "ops@example.org", "--remove"])
    assert removed.exit_code == 0 and "no longer" in removed.output
    db.session.expire_all()
    assert client.get("/admin/loomio-import").status_code == 403


def test_an_unknown_email_is_a_clear_error(app):
    result = app.test_cli_runner().invoke(args=["site-admin", "nobody@example.org"])
    assert result.exit_code != 0
    assert "No account has the email nobody@example.org" in result.output
