"""Pages outside one feature: front page, dashboard, a person's page, notifications and the bell, error pages."""

import re

import pytest
from jinja2 import ChoiceLoader, DictLoader

from platform6 import dashboard
from platform6.extensions import db
from platform6.groups import service
from platform6.notifications.service import notify


def text_of(response) -> str:
    return response.get_data(as_text=True)


def test_front_page_invites_people_in_and_lists_public_groups(client, create_group):
    create_group(name="Open Bakers", privacy="open")
    create_group(name="Hidden Cabal", privacy="secret")
    page = text_of(client.get("/"))
    assert "Create an account" in page and "Open Bakers" in page and "Hidden Cabal" not in page


def test_signed_in_people_land_on_their_dashboard(client, login, create_user, create_group):
    assert client.get("/dashboard").status_code == 302
    ada = create_user(name="Ada")
    create_group(admin=ada, name="Bakers", privacy="open")
    login(ada)
    assert client.get("/").headers["Location"].endswith("/dashboard")
    page = text_of(client.get("/dashboard"))
    assert "Hello, Ada" in page and "Bakers" in page and ">admin<" in page


def test_the_dashboard_points_admins_to_waiting_join_requests(client, login, create_user, create_group):
    ada, ben = create_user(), create_user()
    group = create_group(admin=ada, name="Printers", privacy="closed", handle="printers")
    service.join(actor=ben, group=group, introduction="hi")
    db.session.commit()
    login(ada)
    page = text_of(client.get("/dashboard"))
    assert "1 join request" in page and "/groups/printers/join-requests" in page


def test_features_add_dashboard_panels(app, client, login, create_user, monkeypatch):
    panels = {"test/shown.html": "<p>Shown panel {{ panel.n }}</p>", "test/hidden.html": "<p>Hidden panel</p>"}
    monkeypatch.setattr(app.jinja_env, "loader", ChoiceLoader([DictLoader(panels), app.jinja_env.loader]))
    monkeypatch.setattr(dashboard, "PANELS", [])
    dashboard.panel(template="test/shown.html", order=2)(lambda user: {"n": user.name})
    dashboard.panel(template="test/hidden.html", order=1)(lambda user: None)
    login(create_user(name="Ada"))
    page = text_of(client.get("/dashboard"))
    assert "Shown panel Ada" in page
    assert "Hidden panel" not in page  # a panel returning None is left out
    assert "will show here" not in page


def test_a_persons_page_is_for_those_who_can_see_them_in_a_group(client, login, create_user, create_group):
    ada, ben, cy = create_user(name="Ada", handle="ada"), create_user(handle="ben"), create_user(handle="cy")
    create_group(admin=ada, name="Open Bakers", privacy="open")
    create_group(admin=ada, name="Closed Printers", privacy="closed", members=[ben])
    create_group(admin=ada, name="Secret Ovens", privacy="secret", members=[ben])
    page = text_of(client.get("/people/ada"))  # anyone can see an open group's members
    assert "Open Bakers" in page and "Closed Printers" not in page and "Secret Ovens" not in page
    login(ben)
    page = text_of(client.get("/people/@ADA"))
    assert "Open Bakers" in page and "Closed Printers" in page and "Secret Ovens" in page
    login(cy)
    assert client.get("/people/ben").status_code == 404  # only in groups cy cannot see into
    assert client.get("/people/nobody").status_code == 404
    own = text_of(client.get("/people/cy"))
    assert "Edit your profile" in own and "Not in any group yet." in own


def test_notifications_page_and_the_bell(client, login, create_user):
    ada = create_user()
    notify(user_ids=[ada.id], kind="mention", url="/groups", text="Ben mentioned you")
    notify(user_ids=[ada.id], kind="mention", url="/dashboard", text="Cy mentioned you")
    db.session.commit()
    login(ada)
    page = text_of(client.get("/dashboard"))
    assert "Notifications, 2 unread" in page and re.search(r"data-unread-count>2<", page)
    page = text_of(client.get("/notifications"))
    assert "2 unread notifications" in page and "Ben mentioned you" in page
    first = re.search(r'href="(/notifications/\d+)"', page).group(1)
    assert client.get(first).status_code == 302
    assert "Notifications, 1 unread" in text_of(client.get("/dashboard"))
    response = client.post("/notifications/read", follow_redirects=True)
    assert "Notifications, 0 unread" in text_of(response)
    assert client.get("/notifications").status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/no/such/page", 404), ("GET", "/sign-out", 405), ("GET", "/groups/%00", 404),
     ("GET", f"/notifications/{2**60}", 404), ("POST", "/groups/x/members/99999999999999999999/role", 404)],
)  # fmt: skip
def test_error_pages_are_pages(client, method, path, status):
    response = client.open(path, method=method)
    assert response.status_code == status
    assert "<h1>" in text_of(response) and "Go to the front page" in text_of(response)


def test_no_page_answers_500(client, login, create_user, create_group):
    """Every GET page with its arguments filled in, as an admin, a member and a stranger."""
    ada, ben, cy = create_user(handle="ada"), create_user(handle="ben"), create_user(handle="cy")
    group = create_group(admin=ada, privacy="closed", handle="printers", members=[ben])
    service.join(actor=cy, group=group, introduction="<script>alert(1)</script>")
    _, token = service.create_invitation(actor=ada, group=group, days=3)
    db.session.commit()
    values = {"handle": "printers", "token": token, "notification_id": 1, "user_id": ada.id}
    for who in (None, ada, ben, cy):
        if who is not None:
            login(who)
        for rule in client.application.url_map.iter_rules():
            if "GET" not in rule.methods or rule.rule.startswith(("/api/", "/static", "/socket.io")):
                continue
            path = rule.rule
            for name in rule.arguments:
                path = re.sub(rf"<(?:[^:>]+:)?{name}>", str(values.get(name, 1)), path)
            response = client.get(path)
            assert response.status_code < 500, path
            assert "<script>alert(1)</script>" not in text_of(response), path


def test_nul_characters_typed_into_forms_do_not_break_pages(client, login, create_user, create_group):
    """PostgreSQL refuses NUL in text: page forms drop it."""
    ada = create_user(handle="ada", email="ada@example.org")
    create_group(admin=ada, privacy="closed", handle="printers")
    assert client.post("/sign-in", data={"email": "ada\x00@example.org", "password": "x\x00"}).status_code == 401
    signed_up = client.post("/sign-up", data={"name": "Nu\x00l", "email": "nul@example.org", "password": "long enough"})
    assert signed_up.status_code == 302
    login(ada)
    for path, data in [
        ("/groups/new", {"name": "Ba\x00kers", "privacy": "open"}),
        ("/groups/printers/members", {"who": "n\x00ul"}),
        ("/groups/printers/settings", {"name": "Printers\x00", "privacy": "closed"}),
        ("/settings", {"form": "token", "token-name": "a\x00"}),
    ]:
        assert client.post(path, data=data).status_code < 500, path
    assert "Bakers" in text_of(client.get("/groups/bakers"))
