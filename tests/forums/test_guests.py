"""Thread guests (issue 16): someone who is not a member reads and takes part in one thread, and nothing else
of the group; the thread's author or a group admin invites and removes them, on the page and through the API."""

import time

import pytest
from sqlalchemy import select

from platform6.errors import Conflict, Forbidden
from platform6.extensions import db, socketio
from platform6.forums import guests, service
from platform6.forums.models import Comment, DiscussionGuest
from platform6.notifications.models import Notification


@pytest.fixture
def cast(create_user, create_group, create_discussion):
    """A closed group (admin Ada, member Ben) with two threads, and Gus, who belongs to no group, a guest of
    the first thread."""
    ada, ben = create_user(name="Ada", handle="ada"), create_user(name="Ben", handle="ben")
    gus = create_user(name="Gus", handle="gus", email="gus@example.org")
    group = create_group(admin=ada, members=[ben], privacy="closed")
    thread = create_discussion(group=group, author=ben, title="Roof repairs")
    other = create_discussion(group=group, author=ada, title="Budget")
    guests.invite_guest(actor=ada, discussion=thread, user=gus)
    db.session.commit()
    return type("Cast", (), {"ada": ada, "ben": ben, "gus": gus, "group": group, "thread": thread, "other": other})


def _notes(user, kind=None):
    where = [Notification.user_id == user.id] + ([Notification.kind == kind] if kind else [])
    return list(db.session.scalars(select(Notification).where(*where)))


# --- the service ------------------------------------------------------------------------------------


def test_the_threads_author_or_an_admin_invites_and_another_member_may_not(cast, create_user):
    newcomer, other = create_user(), create_user()
    guests.invite_guest(actor=cast.ben, discussion=cast.thread, user=newcomer)  # Ben started the thread
    db.session.commit()
    carol = create_user()
    from platform6.groups.service import add_member

    add_member(actor=cast.ada, group=cast.group, user_id=carol.id)
    db.session.commit()
    with pytest.raises(Forbidden):
        guests.invite_guest(actor=carol, discussion=cast.thread, user=other)
    with pytest.raises(Forbidden):  # a guest invites nobody
        guests.invite_guest(actor=cast.gus, discussion=cast.thread, user=other)


def test_a_member_or_a_guest_twice_is_a_clear_refusal(cast):
    with pytest.raises(Conflict, match="member of the group"):
        guests.invite_guest(actor=cast.ada, discussion=cast.thread, user=cast.ben)
    with pytest.raises(Conflict, match="guest of this thread already"):
        guests.invite_guest(actor=cast.ada, discussion=cast.thread, user=cast.gus)
    db.session.rollback()
    assert db.session.scalar(select(db.func.count()).select_from(DiscussionGuest)) == 1


def test_the_guest_is_told_in_their_own_language(cast, create_user):
    lucia = create_user(name="Lucia", locale="it")
    guests.invite_guest(actor=cast.ada, discussion=cast.thread, user=lucia)
    db.session.commit()
    (note,) = _notes(lucia, "guest_invited")
    assert note.text == "Ada ti ha invitato alla discussione “Roof repairs”"
    assert note.url == f"/d/{cast.thread.id}"


def test_a_guest_comments_reacts_and_hears_of_new_comments_and_mentions(cast):
    comment = service.post_comment(actor=cast.gus, discussion=cast.thread, body="I can fix the gutter")
    service.add_reaction(actor=cast.gus, comment=comment, emoji="👍")
    db.session.commit()
    assert comment.author_id == cast.gus.id
    service.edit_comment(actor=cast.gus, comment=comment, body="I can fix the gutter on Monday")
    oops = service.post_comment(actor=cast.gus, discussion=cast.thread, body="wrong thread, sorry")
    service.delete_comment(actor=cast.gus, comment=oops)  # their own comment, as a member may
    db.session.commit()
    with pytest.raises(Forbidden):  # not someone else's
        service.delete_comment(
            actor=cast.gus, comment=service.post_comment(actor=cast.ben, discussion=cast.thread, body="mine")
        )
    db.session.rollback()
    service.post_comment(actor=cast.ben, discussion=cast.thread, body="Thanks!")
    service.post_comment(actor=cast.ada, discussion=cast.thread, body="@gus when?")
    service.post_comment(actor=cast.ada, discussion=cast.other, body="@gus not here")
    db.session.commit()
    assert [n.kind for n in _notes(cast.gus) if n.kind != "guest_invited"] == ["comment", "mention"]
    assert all(n.url.startswith(f"/d/{cast.thread.id}") for n in _notes(cast.gus))
    assert _notes(cast.ben, "comment") == []  # members hear by their group's volume, as before


def test_a_guest_may_not_comment_on_the_groups_other_thread(cast):
    from platform6.errors import NotFound

    with pytest.raises(NotFound):
        service.post_comment(actor=cast.gus, discussion=cast.other, body="sneaking in")


# --- the pages --------------------------------------------------------------------------------------


def test_a_guest_reads_and_comments_on_the_thread_and_nothing_else(cast, client, login):
    login(cast.gus)
    page = client.get(f"/d/{cast.thread.id}")
    assert page.status_code == 200 and "Post comment" in page.get_data(as_text=True)
    assert client.post(f"/d/{cast.thread.id}/comments", data={"body": "Hello all"}).status_code == 302
    assert db.session.scalar(select(Comment.author_id).where(Comment.body == "Hello all")) == cast.gus.id
    comment = db.session.scalar(select(Comment).where(Comment.body == "Hello all"))
    assert client.post(f"/comments/{comment.id}/react", data={"emoji": "🎉"}).status_code == 302
    assert client.get(f"/comments/{comment.id}/react").status_code == 200
    assert client.get(f"/d/{cast.other.id}").status_code == 404
    group_page = client.get(f"/groups/{cast.group.handle}")  # a closed group's name is public, its content is not
    assert group_page.status_code == 200 and "Budget" not in group_page.get_data(as_text=True)
    assert "Ben" not in group_page.get_data(as_text=True)
    assert client.get(f"/groups/{cast.group.handle}/decisions").status_code == 404
    assert client.get(f"/groups/{cast.group.handle}/threads/new").status_code == 404
    assert "Guests" not in client.get(f"/d/{cast.thread.id}").get_data(as_text=True)  # only for administrators


def test_a_guest_of_a_secret_groups_thread_gets_404_for_the_group(
    create_user, create_group, create_discussion, client, login
):
    ada, gus = create_user(), create_user()
    group = create_group(admin=ada, privacy="secret")
    thread, other = create_discussion(group=group, author=ada), create_discussion(group=group, author=ada)
    guests.invite_guest(actor=ada, discussion=thread, user=gus)
    db.session.commit()
    login(gus)
    assert client.get(f"/d/{thread.id}").status_code == 200
    assert client.get(f"/d/{other.id}").status_code == 404
    assert client.get(f"/groups/{group.handle}").status_code == 404
    assert client.get(f"/groups/{group.handle}/members").status_code == 404


def test_the_guest_finds_the_thread_on_their_dashboard(cast, client, login):
    login(cast.gus)
    html = client.get("/dashboard").get_data(as_text=True)
    assert "Threads you are a guest of" in html and f'href="/d/{cast.thread.id}"' in html
    assert f'href="/d/{cast.other.id}"' not in html
    login(cast.ben)
    assert "Threads you are a guest of" not in client.get("/dashboard").get_data(as_text=True)


def test_an_admin_invites_by_email_and_removes_on_the_thread_page(cast, client, login, create_user):
    nell = create_user(name="Nell", email="nell@example.org")
    login(cast.ada)
    html = client.get(f"/d/{cast.thread.id}").get_data(as_text=True)
    assert 'id="guests"' in html and "Gus" in html and 'name="email"' in html
    assert 'for="email"' in html  # the field has its label
    response = client.post(f"/d/{cast.thread.id}/guests", data={"email": "NELL@example.org"})
    assert response.status_code == 302
    assert client.get(response.headers["Location"]).status_code == 200
    assert db.session.scalar(select(DiscussionGuest.user_id).where(DiscussionGuest.user_id == nell.id)) == nell.id
    response = client.post(f"/d/{cast.thread.id}/guests", data={"email": "nobody@example.org"})
    assert response.status_code == 422 and "need an account first" in response.get_data(as_text=True)
    response = client.post(f"/d/{cast.thread.id}/guests", data={"email": cast.ben.email})
    assert response.status_code == 422 and "sees the thread already" in response.get_data(as_text=True)
    assert client.post(f"/d/{cast.thread.id}/guests/{nell.id}/remove").status_code == 302
    assert client.post(f"/d/{cast.thread.id}/guests/{nell.id}/remove").status_code == 404
    login(cast.gus)
    assert client.post(f"/d/{cast.thread.id}/guests", data={"email": "nell@example.org"}).status_code == 403


def test_a_removed_guest_loses_the_thread_at_once(cast, client, login):
    login(cast.gus)
    assert client.get(f"/d/{cast.thread.id}").status_code == 200
    guests.remove_guest(actor=cast.ada, discussion=cast.thread, user_id=cast.gus.id)
    db.session.commit()
    assert client.get(f"/d/{cast.thread.id}").status_code == 404
    assert client.post(f"/d/{cast.thread.id}/comments", data={"body": "still here?"}).status_code == 404
    assert "Threads you are a guest of" not in client.get("/dashboard").get_data(as_text=True)


def test_a_guest_who_joins_the_group_then_leaves_it_loses_the_thread(cast, client, login):
    from platform6.groups import service as groups

    groups.add_member(actor=cast.ada, group=cast.group, user_id=cast.gus.id)
    db.session.commit()
    assert db.session.query(DiscussionGuest).filter_by(user_id=cast.gus.id).count() == 0
    login(cast.gus)
    assert client.get(f"/d/{cast.other.id}").status_code == 200  # a member reads every thread
    assert client.post(f"/groups/{cast.group.handle}/leave").status_code == 303
    assert client.get(f"/d/{cast.thread.id}").status_code == 404


# --- the API ----------------------------------------------------------------------------------------


def test_the_api_lists_invites_and_removes_guests(cast, api, create_user):
    nell = create_user(name="Nell", email="nell@example.org")
    url = f"/discussions/{cast.thread.id}/guests"
    listed = api.get(url, user=cast.ada).get_json()
    assert [g["user"]["name"] for g in listed["items"]] == ["Gus"] and listed["next"] is None
    assert listed["items"][0]["invited_by"] == {"id": cast.ada.id, "name": "Ada"}
    response = api.post(url, json={"email": "nell@example.org"}, user=cast.ben)
    assert response.status_code == 201 and response.get_json()["user_id"] == nell.id
    assert api.delete(f"{url}/{nell.id}", user=cast.ada).status_code == 204
    assert api.post(url, json={"user_id": nell.id}, user=cast.ada).status_code == 201


def test_the_api_answers_its_error_shapes(cast, api, create_user):
    url = f"/discussions/{cast.thread.id}/guests"
    missing = api.post(url, json={"email": "nobody@example.org"}, user=cast.ada)
    assert missing.status_code == 422
    assert (
        missing.get_json()["error"]["code"] == "validation_failed" and "email" in missing.get_json()["error"]["fields"]
    )
    assert api.post(url, json={}, user=cast.ada).get_json()["error"]["fields"].keys() == {"user_id"}
    assert api.post(url, json={"user_id": 999_999}, user=cast.ada).get_json()["error"]["code"] == "not_found"
    assert api.post(url, json={"user_id": cast.ben.id}, user=cast.ada).get_json()["error"]["code"] == "conflict"
    assert api.post(url, json={"user_id": "12"}, user=cast.ada).status_code == 422
    assert api.get(url, user=cast.gus).get_json()["error"]["code"] == "forbidden"
    assert api.get(url).status_code == 401
    assert api.get(url, user=create_user()).get_json()["error"]["code"] == "not_found"
    assert api.delete(f"{url}/{cast.ben.id}", user=cast.ada).get_json()["error"]["code"] == "not_found"


def test_through_the_api_a_guest_reads_the_thread_and_not_the_group(cast, api):
    assert api.get(f"/discussions/{cast.thread.id}", user=cast.gus).status_code == 200
    assert api.post(f"/discussions/{cast.thread.id}/comments", json={"body": "hi"}, user=cast.gus).status_code == 201
    assert api.get(f"/discussions/{cast.thread.id}/comments", user=cast.gus).status_code == 200
    assert api.post(f"/discussions/{cast.thread.id}/read", json={}, user=cast.gus).get_json()["unread"] == 0
    assert api.get(f"/discussions/{cast.other.id}", user=cast.gus).status_code == 404
    assert api.get(f"/groups/{cast.group.id}/discussions", user=cast.gus).status_code == 404
    assert api.get(f"/groups/{cast.group.id}/members", user=cast.gus).status_code == 404
    assert api.patch(f"/discussions/{cast.thread.id}", json={"title": "Mine"}, user=cast.gus).status_code == 403


def test_the_guests_unread_threads_are_theirs_to_mark_read(cast, api, post_comment):
    post_comment(cast.thread, cast.ben, "news")
    post_comment(cast.other, cast.ben, "other news")
    unread = api.get("/discussions/unread", user=cast.gus).get_json()["items"]
    assert [(d["id"], d["unread"]) for d in unread] == [(cast.thread.id, None)]  # never opened
    assert api.post("/discussions/read", json={}, user=cast.gus).get_json() == {"marked": 1}
    assert api.get("/discussions/unread", user=cast.gus).get_json()["items"] == []


# --- search -----------------------------------------------------------------------------------------


def test_a_guest_finds_the_threads_comments_and_nothing_else_of_the_group(cast, api, post_comment):
    post_comment(cast.thread, cast.ben, "the swordfish gutter")
    post_comment(cast.other, cast.ada, "the swordfish budget")
    found = api.get("/search?q=swordfish", user=cast.gus).get_json()["items"]
    assert [(hit["type"], hit["title"]) for hit in found] == [("comment", "Roof repairs")]
    assert len(api.get("/search?q=swordfish", user=cast.ben).get_json()["items"]) == 2
    assert api.get(f"/search?q=swordfish&group_id={cast.group.id}", user=cast.gus).status_code == 404


def test_the_search_page_shows_a_guest_their_thread_only(cast, client, login, post_comment):
    post_comment(cast.thread, cast.ben, "the swordfish gutter")
    post_comment(cast.other, cast.ada, "the swordfish budget")
    login(cast.gus)
    html = client.get("/search?q=swordfish").get_data(as_text=True)
    assert "gutter" in html and "budget" not in html


# --- live updates -----------------------------------------------------------------------------------


def _events(socket, wait: float = 0.3) -> list[str]:
    time.sleep(wait)
    names = [event["name"] for event in socket.get_received()] if socket.is_connected() else []
    return [name for name in names if name in ("comment_created", "discussion_created")]


def test_a_guest_joins_the_threads_room_not_the_groups_and_leaves_it_when_removed(app, api, cast):
    socket = socketio.test_client(app, auth={"token": api.token(cast.gus)})
    assert socket.emit("join", {"discussion_id": cast.thread.id}, callback=True) == {"ok": True}
    assert socket.emit("join", {"discussion_id": cast.other.id}, callback=True) == {"error": {"code": "not_found"}}
    assert socket.emit("join", {"group_id": cast.group.id}, callback=True) == {"error": {"code": "not_found"}}
    socket.get_received()
    service.post_comment(actor=cast.ben, discussion=cast.thread, body="live")
    db.session.commit()
    assert _events(socket) == ["comment_created"]
    guests.remove_guest(actor=cast.ada, discussion=cast.thread, user_id=cast.gus.id)
    db.session.commit()
    service.post_comment(actor=cast.ben, discussion=cast.thread, body="after")
    db.session.commit()
    assert _events(socket) == []
    assert socket.is_connected()  # still signed in: their own notifications keep coming
