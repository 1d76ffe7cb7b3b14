"""Socket.IO: who may connect, their own notification room, and `join` for unknown rooms."""

import time

from platform6.extensions import db, socketio
from platform6.notifications.service import notify


def test_a_connection_without_session_or_token_is_refused(app):
    client = socketio.test_client(app)
    assert not client.is_connected()


def test_a_bad_token_is_refused_and_a_good_one_accepted(app, api, create_user):
    assert not socketio.test_client(app, auth={"token": "nope"}).is_connected()
    user = create_user()
    client = socketio.test_client(app, auth={"token": api.token(user)})
    assert client.is_connected()


def test_the_session_cookie_connects(app, client, create_user, login):
    user = create_user()
    login(user)
    socket = socketio.test_client(app, flask_test_client=client)
    assert socket.is_connected()


def test_notifications_reach_the_users_own_room_after_commit(app, api, create_user):
    user, other = create_user(), create_user()
    mine = socketio.test_client(app, auth={"token": api.token(user)})
    theirs = socketio.test_client(app, auth={"token": api.token(other)})
    notify(user_ids=[user.id], kind="mention", url="/x", text="You were mentioned")
    assert mine.get_received() == []  # nothing before the commit
    db.session.commit()
    received = mine.get_received()
    assert [event["name"] for event in received] == ["notification"]
    assert received[0]["args"][0]["notification"]["kind"] == "mention"
    assert theirs.get_received() == []


def test_rolled_back_notifications_are_never_pushed(app, api, create_user):
    user = create_user()
    socket = socketio.test_client(app, auth={"token": api.token(user)})
    notify(user_ids=[user.id], kind="mention", url="/x", text="never")
    db.session.rollback()
    db.session.commit()
    assert socket.get_received() == []


def test_joining_an_unknown_room_answers_not_found(app, api, create_user):
    socket = socketio.test_client(app, auth={"token": api.token(create_user())})
    assert socket.emit("join", {"nothing_id": 1}, callback=True) == {"error": {"code": "not_found"}}
    assert socket.emit("join", "garbage", callback=True) == {"error": {"code": "not_found"}}


# --- live updates stop the moment access ends (issue 11, hole 4) -------------------------------------


def _thread(create_group, admin, members=(), privacy="closed"):
    from platform6.forums import service as forums

    group = create_group(admin=admin, members=members, privacy=privacy)
    discussion = forums.start_discussion(actor=admin, group=group, title="Plans", description="")
    db.session.commit()
    return group, discussion


def _watching(app, api, user, group, discussion, token=None):
    """A socket in the thread's and the group's rooms, with nothing received yet."""
    socket = socketio.test_client(app, auth={"token": token or api.token(user)})
    assert socket.emit("join", {"discussion_id": discussion.id}, callback=True) == {"ok": True}
    assert socket.emit("join", {"group_id": group.id}, callback=True) == {"ok": True}
    socket.get_received()
    return socket


def _live_events(socket, wait: float = 0.3) -> list[str]:
    """Names of the thread events received (the forum emits on a background task)."""
    time.sleep(wait)
    names = [event["name"] for event in socket.get_received()] if socket.is_connected() else []
    return [name for name in names if name in ("comment_created", "discussion_created")]


def _comment_and_new_thread(author, group, discussion):
    from platform6.forums import service as forums

    forums.post_comment(actor=author, discussion=discussion, body="after")
    forums.start_discussion(actor=author, group=group, title="Another", description="")
    db.session.commit()


def test_a_revoked_tokens_socket_is_disconnected_and_hears_nothing_more(app, api, create_user, create_group):
    alice, bob = create_user(), create_user()
    group, discussion = _thread(create_group, alice, members=[bob])
    bobs = _watching(app, api, bob, group, discussion)
    assert api.delete("/tokens/current", user=bob).status_code == 204
    assert not bobs.is_connected()
    _comment_and_new_thread(alice, group, discussion)
    assert _live_events(bobs) == []


def test_a_removed_member_leaves_the_groups_rooms_and_others_stay(app, api, create_user, create_group):
    from platform6.groups import service as groups

    alice, bob, carol = create_user(), create_user(), create_user()
    group, discussion = _thread(create_group, alice, members=[bob, carol])
    bobs, carols = (_watching(app, api, person, group, discussion) for person in (bob, carol))
    groups.remove_member(actor=alice, group=group, user_id=bob.id)
    db.session.commit()
    _comment_and_new_thread(alice, group, discussion)
    assert _live_events(bobs) == []
    assert bobs.is_connected()  # still signed in: their own notifications keep coming
    assert sorted(_live_events(carols)) == ["comment_created", "discussion_created"]


def test_an_outsider_watching_an_open_group_hears_nothing_once_it_turns_secret(app, api, create_user, create_group):
    from platform6.groups import service as groups

    alice, outsider = create_user(), create_user()
    group, discussion = _thread(create_group, alice, privacy="open")
    watching = _watching(app, api, outsider, group, discussion)
    admins = _watching(app, api, alice, group, discussion)
    groups.update_group(actor=alice, group=group, privacy="secret")
    db.session.commit()
    _comment_and_new_thread(alice, group, discussion)
    assert _live_events(watching) == []
    assert sorted(_live_events(admins)) == ["comment_created", "discussion_created"]


def test_sockets_in_other_processes_are_told_to_leave_through_the_shared_table(
    app, api, create_user, create_group, monkeypatch
):
    """With a message queue, a socket may live in another app process: the decision comes from socket_rooms,
    and the leave or disconnect goes to Socket.IO's manager, which forwards it to the process holding it."""
    from platform6.groups import service as groups
    from platform6.realtime import SocketRoom

    alice, bob = create_user(), create_user()
    group, discussion = _thread(create_group, alice, members=[bob])
    elsewhere = [
        SocketRoom(sid="remote-1", user_id=bob.id, credential="session:1", room=f"user:{bob.id}"),
        SocketRoom(
            sid="remote-1",
            user_id=bob.id,
            credential="session:1",
            room=f"discussion:{discussion.id}",
            room_key="discussion_id",
            room_value=discussion.id,
        ),
    ]
    db.session.add_all(elsewhere)
    db.session.commit()
    calls = []
    monkeypatch.setattr(socketio.server, "leave_room", lambda sid, room, namespace: calls.append(("leave", sid, room)))
    monkeypatch.setattr(socketio.server, "disconnect", lambda sid, namespace: calls.append(("disconnect", sid)))
    groups.remove_member(actor=alice, group=group, user_id=bob.id)
    db.session.commit()
    assert calls == [("leave", "remote-1", f"discussion:{discussion.id}")]
    bob.session_version += 1  # a password change elsewhere ends the session that socket came with
    db.session.commit()
    assert calls[-1] == ("disconnect", "remote-1")
    assert db.session.scalars(db.select(SocketRoom.sid).where(SocketRoom.sid == "remote-1")).all() == []
