"""Socket.IO: who may connect, their own notification room, and `join` for unknown rooms."""

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
