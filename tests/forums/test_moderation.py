"""Who moderates a thread: its author while a member, or the group's admins, and nobody else.

The authorization matrix's thread belongs to its member, so it shows the author may; these show that
another member may not, through every page and API route that moderates, and that nothing changes.
"""

import pytest

from platform6.extensions import db
from platform6.forums.models import Comment, Discussion
from platform6.groups.service import remove_member

# (method, path, body): {d} is the thread, {c} its comment, {elsewhere} another group the admin runs
PAGE_ACTIONS = [
    ("GET", "/d/{d}/edit", None),
    ("POST", "/d/{d}/edit", {"title": "Renamed"}),
    ("POST", "/d/{d}/close", None),
    ("POST", "/d/{d}/reopen", None),
    ("POST", "/d/{d}/pin", None),
    ("POST", "/d/{d}/unpin", None),
    ("GET", "/d/{d}/move", None),
    ("POST", "/d/{d}/move", {"group_id": "{elsewhere}"}),
    ("POST", "/comments/{c}/delete", None),
]
API_ACTIONS = [
    ("PATCH", "/discussions/{d}", {"title": "Renamed"}),
    ("PATCH", "/discussions/{d}", {"closed": True}),
    ("PATCH", "/discussions/{d}", {"pinned": True}),
    ("POST", "/discussions/{d}/move", {"group_id": "{elsewhere}"}),
    ("DELETE", "/comments/{c}", None),
]


@pytest.fixture
def thread(create_user, create_group, create_discussion, post_comment):
    """Alice admins the group and a second one; Bob started the thread and wrote its comment; Carol is a
    member of both groups (so moving there is not refused for want of a target)."""
    alice, bob, carol = create_user(), create_user(), create_user()
    group = create_group(admin=alice, members=[bob, carol])
    elsewhere = create_group(admin=alice, members=[carol])
    discussion = create_discussion(group=group, author=bob, title="Cargo bike")
    comment = post_comment(discussion, bob, "Shall we buy one?")
    return alice, bob, carol, group, elsewhere, discussion, comment


def unchanged(discussion: Discussion, comment: Comment, group_id: int) -> bool:
    db.session.expire_all()
    d, c = db.session.get(Discussion, discussion.id), db.session.get(Comment, comment.id)
    return (d.title, d.closed, d.pinned, d.group_id, c.deleted_at) == ("Cargo bike", False, False, group_id, None)


def filled(path: str, body: dict | None, thread) -> tuple[str, dict | None]:
    *_, elsewhere, discussion, comment = thread
    ids = {"{d}": discussion.id, "{c}": comment.id, "{elsewhere}": elsewhere.id}
    path = path.format(d=discussion.id, c=comment.id)
    return path, body and {key: ids.get(value, value) for key, value in body.items()}


@pytest.mark.parametrize(("method", "path", "body"), PAGE_ACTIONS)
def test_another_member_may_not_moderate_from_the_pages(client, login, thread, method, path, body):
    _, _, carol, group, _, discussion, comment = thread
    login(carol)
    path, body = filled(path, body, thread)
    assert client.open(path, method=method, data=body).status_code == 403
    assert unchanged(discussion, comment, group.id)


@pytest.mark.parametrize(("method", "path", "body"), API_ACTIONS)
def test_another_member_may_not_moderate_through_the_api(api, thread, method, path, body):
    _, _, carol, group, _, discussion, comment = thread
    path, body = filled(path, body, thread)
    response = api.call(method, path, json=body, user=carol)
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"
    assert unchanged(discussion, comment, group.id)


def test_the_moderation_links_show_to_the_author_and_admins_only(client, login, thread):
    alice, bob, carol, _, _, discussion, _ = thread
    for person, shown in ((bob, True), (alice, True), (carol, False)):
        login(person)
        html = client.get(f"/d/{discussion.id}").get_data(as_text=True)
        assert (f'action="/d/{discussion.id}/close"' in html) is shown, person.name
        client.post("/sign-out")


def test_an_author_who_left_the_group_no_longer_moderates(api, thread):
    alice, bob, _, group, _, discussion, comment = thread
    remove_member(actor=alice, group=group, user_id=bob.id)
    db.session.commit()
    # the group is closed: to someone who left, its threads are not there at all
    assert api.patch(f"/discussions/{discussion.id}", {"closed": True}, user=bob).status_code == 404
    assert api.delete(f"/comments/{comment.id}", user=bob).status_code == 404
    assert unchanged(discussion, comment, group.id)
    # the admins still may
    assert api.patch(f"/discussions/{discussion.id}", {"closed": True}, user=alice).get_json()["closed"] is True
