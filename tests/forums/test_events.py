"""Live updates: who may join a thread's or group's room, and what reaches them after commit."""

import time

from platform6.extensions import db, socketio
from platform6.forums import service


def events_named(socket, name: str, timeout: float = 2.0) -> list:
    """Events of that name received within `timeout` (emits leave the request on a background task)."""
    found, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        found += [e for e in socket.get_received() if e["name"] == name]
        if found:
            return found
        time.sleep(0.02)
    return found


def connect(app, api, user):
    socket = socketio.test_client(app, auth={"token": api.token(user)})
    assert socket.is_connected()
    return socket


def test_a_non_member_may_not_join_a_closed_groups_thread_or_group(app, api, create_user, create_discussion):
    alice, outsider = create_user(), create_user()
    discussion = create_discussion(author=alice, privacy="closed")
    socket = connect(app, api, outsider)
    assert socket.emit("join", {"discussion_id": discussion.id}, callback=True) == {"error": {"code": "not_found"}}
    assert socket.emit("join", {"group_id": discussion.group_id}, callback=True) == {"error": {"code": "not_found"}}
    assert socket.emit("join", {"discussion_id": 10**6}, callback=True) == {"error": {"code": "not_found"}}
    assert connect(app, api, alice).emit("join", {"discussion_id": discussion.id}, callback=True) == {"ok": True}


def test_comments_reach_the_threads_room_only_after_commit(app, api, create_user, create_group, create_discussion):
    alice, bob, outsider = create_user(), create_user(), create_user()
    group = create_group(admin=alice, members=[bob])
    discussion = create_discussion(group=group, author=alice)
    watcher, stranger = connect(app, api, bob), connect(app, api, outsider)
    watcher.emit("join", {"discussion_id": discussion.id}, callback=True)
    stranger.emit("join", {"discussion_id": discussion.id}, callback=True)  # refused
    watcher.get_received()
    comment = service.post_comment(actor=alice, discussion=discussion, body="**live**")
    time.sleep(0.1)
    assert [e for e in watcher.get_received() if e["name"] == "comment_created"] == []
    db.session.commit()
    created = events_named(watcher, "comment_created")
    payload = created[0]["args"][0]["comment"]
    assert payload["id"] == comment.id and payload["body_html"] == "<p><strong>live</strong></p>"
    assert payload["author"]["id"] == alice.id
    service.edit_comment(actor=alice, comment=comment, body="edited")
    db.session.commit()
    updated = events_named(watcher, "comment_updated")
    assert updated[0]["args"][0]["comment"]["body"] == "edited"
    assert events_named(stranger, "comment_created", timeout=0.2) == []


def test_rolled_back_comments_are_never_pushed(app, api, create_user, create_discussion):
    alice = create_user()
    discussion = create_discussion(author=alice)
    socket = connect(app, api, alice)
    socket.emit("join", {"discussion_id": discussion.id}, callback=True)
    service.post_comment(actor=alice, discussion=discussion, body="never")
    db.session.rollback()
    db.session.commit()
    assert events_named(socket, "comment_created", timeout=0.3) == []


def test_new_threads_arrive_on_a_watched_group_page(app, api, create_user, create_group):
    alice, bob = create_user(), create_user()
    group = create_group(admin=alice, members=[bob])
    socket = connect(app, api, bob)
    assert socket.emit("join", {"group_id": group.id}, callback=True) == {"ok": True}
    service.start_discussion(actor=alice, group=group, title="Fresh")
    db.session.commit()
    assert events_named(socket, "discussion_created")[0]["args"][0]["discussion"]["title"] == "Fresh"


def test_signed_out_visitors_cannot_connect(app):
    assert not socketio.test_client(app).is_connected()
