"""notify(): the one way every module tells people something happened. Imports no feature."""

from collections.abc import Iterable

from sqlalchemy import select, update

from ..extensions import db, socketio
from ..outbox import after_commit
from ..timeutil import iso
from .models import Notification


def as_json(notification: Notification) -> dict:
    return {
        "id": notification.id,
        "kind": notification.kind,
        "read": notification.read,
        "url": notification.url,
        "text": notification.text,
        "created_at": iso(notification.created_at),
    }


def user_room(user_id: int) -> str:
    return f"user:{user_id}"


def notify(
    *,
    user_ids: Iterable[int],
    kind: str,
    url: str,
    text: str,
    actor_id: int | None = None,
    group_id: int | None = None,
) -> list[Notification]:
    """Record a notification for each user (never the actor) and push it to their open pages after commit."""
    recipients = sorted({uid for uid in user_ids if uid != actor_id})
    rows = [
        Notification(user_id=uid, kind=kind, url=url, text=text[:300], actor_id=actor_id, group_id=group_id)
        for uid in recipients
    ]
    db.session.add_all(rows)
    db.session.flush()
    payloads = [(row.user_id, as_json(row)) for row in rows]

    def push() -> None:
        for uid, payload in payloads:
            socketio.emit("notification", {"notification": payload}, to=user_room(uid))

    after_commit(push)
    return rows


def mark_read(*, user_id: int, ids: Iterable[int] | None) -> int:
    """Mark the user's notifications read: the given ids, or all when ids is None."""
    stmt = update(Notification).where(Notification.user_id == user_id, Notification.read.is_(False))
    if ids is not None:
        stmt = stmt.where(Notification.id.in_(list(ids)))
    return db.session.execute(stmt.values(read=True)).rowcount


def unread_count(user_id: int) -> int:
    return db.session.scalar(
        select(db.func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read.is_(False))
    )
