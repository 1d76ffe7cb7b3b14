"""Socket.IO plumbing: who is connecting, their own room, and `join` for rooms that features register."""

from collections.abc import Callable

from flask import request
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, join_room

from .accounts.service import active_token
from .extensions import socketio
from .notifications.service import user_room

#: "discussion_id" -> fn(user, id) returning the room name, or None when the user may not see it
ROOM_RESOLVERS: dict[str, Callable[[object, int], str | None]] = {}
_CONNECTED_USERS: dict[str, int] = {}


def register_room(key: str, resolver: Callable[[object, int], str | None]) -> None:
    """Let clients `join` {key: id}; the resolver checks visibility and names the room."""
    ROOM_RESOLVERS[key] = resolver


def _user_for(auth):
    if current_user.is_authenticated:
        return current_user._get_current_object()
    if isinstance(auth, dict) and isinstance(auth.get("token"), str):
        token = active_token(auth["token"])
        if token is not None:
            return token.user
    return None


def socket_user():
    """The user of the current Socket.IO connection."""
    from .accounts.models import User
    from .extensions import db

    uid = _CONNECTED_USERS.get(request.sid)
    return db.session.get(User, uid) if uid else None


@socketio.on("connect")
def on_connect(auth=None):
    user = _user_for(auth)
    if user is None:
        raise ConnectionRefusedError("unauthorized")
    _CONNECTED_USERS[request.sid] = user.id
    join_room(user_room(user.id))


@socketio.on("disconnect")
def on_disconnect(*_args):
    _CONNECTED_USERS.pop(request.sid, None)


@socketio.on("join")
def on_join(data):
    user = socket_user()
    if user is None or not isinstance(data, dict):
        return {"error": {"code": "not_found"}}
    for key, resolver in ROOM_RESOLVERS.items():
        value = data.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= 2**53 - 1:
            room = resolver(user, value)
            if room is None:
                return {"error": {"code": "not_found"}}
            try:
                join_room(room)
            except KeyError:  # the connection closed while it was joining
                return {"error": {"code": "not_found"}}
            return {"ok": True}
    return {"error": {"code": "not_found"}}
