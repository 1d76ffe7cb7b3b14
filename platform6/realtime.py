"""Socket.IO plumbing: who is connecting, their own room, `join` for rooms that features register, and
taking sockets out of rooms the moment their person's access ends.

Every socket's rooms are written down in `socket_rooms`, in the database, so that every app process sees
them (with SOCKETIO_MESSAGE_QUEUE, several processes share the sockets). When a change that may end
someone's access is about to commit (a revoked token, a raised session version, or whatever a feature
declared with `access_may_end`: a deleted membership, a group turned secret...), the rooms concerned are
asked again of the resolvers `join` used, inside that transaction; as soon as it commits, the sockets
whose credential ended are disconnected and the others leave the rooms they lost, through the message
queue when they live in another process.
"""

from collections.abc import Callable
from contextvars import ContextVar
from datetime import datetime

from flask import request
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, join_room
from sqlalchemy import BigInteger, ForeignKey, String, delete, event, inspect, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from .accounts.models import ApiToken, User
from .accounts.service import active_token
from .extensions import db, socketio
from .limits import is_whole
from .notifications.service import user_room
from .outbox import after_commit
from .timeutil import utcnow
from .transaction import socket_transaction, unit_of_work

#: "discussion_id" -> fn(user, id) returning the room name, or None when the user may not see it
ROOM_RESOLVERS: dict[str, Callable[[object, int], str | None]] = {}
_CONNECTED_USERS: dict[str, int] = {}


class SocketRoom(db.Model):
    """A room a connected socket is in (its person's own room included), and what let it in."""

    __tablename__ = "socket_rooms"

    id: Mapped[int] = mapped_column(primary_key=True)
    sid: Mapped[str] = mapped_column(String(64), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: "session:<the person's session version>" or "token:<api token id>"
    credential: Mapped[str] = mapped_column(String(40))
    room: Mapped[str] = mapped_column(String(100))
    #: what `join` was asked ({"discussion_id": 12}), to ask its resolver again; None for the person's own room
    room_key: Mapped[str | None] = mapped_column(String(40))
    room_value: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def register_room(key: str, resolver: Callable[[object, int], str | None]) -> None:
    """Let clients `join` {key: id}; the resolver checks visibility and names the room."""
    ROOM_RESOLVERS[key] = resolver


#: model -> (attributes, person): see access_may_end
_ACCESS_WATCHES: dict[type, tuple[tuple[str, ...], Callable[[object], int] | None]] = {}
#: what the resolvers cache per request, dropped before rooms are checked again
_CACHES_TO_FORGET: list[Callable[[], None]] = []


def access_may_end(
    model: type,
    *attributes: str,
    person: Callable[[object], int] | None = None,
    forget: Callable[[], None] | None = None,
) -> None:
    """Deleting a `model` row, or changing one of its `attributes`, may end someone's right to a room: when
    that commits, the rooms of `person(row)` (a user id), or everyone's rooms when `person` is None, are
    checked again and left where the resolver now refuses. `forget` drops what the resolvers cached of it."""
    _ACCESS_WATCHES[model] = (attributes, person)
    if forget is not None:
        _CACHES_TO_FORGET.append(forget)


access_may_end(User, "session_version", person=lambda user: user.id)
access_may_end(ApiToken, "revoked_at", person=lambda token: token.user_id)


def _user_and_credential(auth) -> tuple[User, str] | None:
    if current_user.is_authenticated:
        user = current_user._get_current_object()
        return user, f"session:{user.session_version}"
    if isinstance(auth, dict) and isinstance(auth.get("token"), str):
        token = active_token(auth["token"])
        if token is not None:
            return token.user, f"token:{token.id}"
    return None


def socket_user():
    """The user of the current Socket.IO connection."""
    uid = _CONNECTED_USERS.get(request.sid)
    return db.session.get(User, uid) if uid else None


@socketio.on("connect")
@socket_transaction
def on_connect(auth=None):
    found = _user_and_credential(auth)
    if found is None:
        raise ConnectionRefusedError("unauthorized")
    user, credential = found
    _CONNECTED_USERS[request.sid] = user.id
    join_room(user_room(user.id))
    db.session.add(SocketRoom(sid=request.sid, user_id=user.id, credential=credential, room=user_room(user.id)))


@socketio.on("disconnect")
def on_disconnect(*_args):
    _CONNECTED_USERS.pop(request.sid, None)
    if not _ending_sockets.get():  # else the commit that ended it deleted its rows
        with unit_of_work():
            db.session.execute(delete(SocketRoom).where(SocketRoom.sid == request.sid))


@socketio.on("join")
@socket_transaction
def on_join(data):
    user = socket_user()
    if user is None or not isinstance(data, dict):
        return {"error": {"code": "not_found"}}
    for key, resolver in ROOM_RESOLVERS.items():
        value = data.get(key)
        if is_whole(value):
            room = resolver(user, value)
            if room is None:
                return {"error": {"code": "not_found"}}
            credential = db.session.scalar(select(SocketRoom.credential).where(SocketRoom.sid == request.sid).limit(1))
            if credential is None:  # the connection closed, or its access ended, while it was joining
                return {"error": {"code": "not_found"}}
            try:
                join_room(room)
            except KeyError:
                return {"error": {"code": "not_found"}}
            db.session.add(
                SocketRoom(
                    sid=request.sid, user_id=user.id, credential=credential, room=room, room_key=key, room_value=value
                )
            )
            return {"ok": True}
    return {"error": {"code": "not_found"}}


# --- ending access --------------------------------------------------------------------------------

_PENDING = "platform6_access_checks"


@event.listens_for(Session, "after_flush")
def _note_changes_that_may_end_access(session: Session, _context) -> None:
    for row in (*session.deleted, *session.dirty):
        watch = _ACCESS_WATCHES.get(type(row))
        if watch is None:
            continue
        attributes, person = watch
        state = inspect(row)
        if row in session.deleted or any(state.attrs[name].history.has_changes() for name in attributes):
            pending = session.info.setdefault(_PENDING, set())
            pending.add(person(row) if person is not None else None)


@event.listens_for(Session, "after_soft_rollback")
def _forget_changes(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_PENDING, None)


@event.listens_for(Session, "before_commit")
def _check_rooms_again(session: Session) -> None:
    """Inside the committing transaction, so the resolvers see the change; the sockets move once it commits."""
    if session.in_nested_transaction():
        return
    session.flush()  # what commit would flush next may be the change that ends access
    if _PENDING not in session.info:
        return
    people = session.info.pop(_PENDING)
    for forget in _CACHES_TO_FORGET:
        forget()
    rows = select(SocketRoom)
    if None not in people:
        rows = rows.where(SocketRoom.user_id.in_(people))
    rows = list(session.scalars(rows))
    ended = {row.sid for row in rows if not _credential_holds(session, row)}
    resolved: dict[tuple[int, str, int], str | None] = {}
    left = [row for row in rows if row.sid not in ended and row.room_key and not _may_stay(session, row, resolved)]
    gone = [row.id for row in rows if row.sid in ended] + [row.id for row in left]
    if not gone:
        return
    session.execute(delete(SocketRoom).where(SocketRoom.id.in_(gone)))
    leaving = [(row.sid, row.room) for row in left]
    after_commit(lambda: _move_sockets(ended, leaving), first=True)


def _credential_holds(session: Session, row: SocketRoom) -> bool:
    kind, _, value = row.credential.partition(":")
    if kind == "session":
        user = session.get(User, row.user_id)
        return user is not None and str(user.session_version) == value
    token = session.get(ApiToken, int(value))
    return token is not None and token.revoked_at is None


def _may_stay(session: Session, row: SocketRoom, resolved: dict) -> bool:
    key = (row.user_id, row.room_key, row.room_value)
    if key not in resolved:
        resolver, user = ROOM_RESOLVERS.get(row.room_key), session.get(User, row.user_id)
        resolved[key] = resolver(user, row.room_value) if resolver is not None and user is not None else None
    return resolved[key] == row.room


#: true while this thread ends sockets whose rows its commit deleted: their disconnect handler has nothing to do
_ending_sockets: ContextVar[bool] = ContextVar("ending_sockets", default=False)


def _move_sockets(ended: set[str], leaving: list[tuple[str, str]]) -> None:
    """Through the message queue when a socket lives in another process."""
    reset = _ending_sockets.set(True)
    try:
        for sid in ended:
            socketio.server.disconnect(sid, namespace="/")
        for sid, room in leaving:
            socketio.server.leave_room(sid, room, namespace="/")
    finally:
        _ending_sockets.reset(reset)
