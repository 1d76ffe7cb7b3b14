"""notify(): the one way every module tells people something happened. Imports no feature."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Boolean, DateTime, Integer, Select, String, insert, literal, select, update

from ..extensions import db, socketio
from ..outbox import after_commit
from ..timeutil import iso, utcnow
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
) -> list[int]:
    """Record a notification for each user (never the actor), push it to their open pages after commit; the ids."""
    recipients = sorted({uid for uid in user_ids if uid != actor_id})
    if not recipients:
        return []
    now = utcnow()
    rows = [
        {"user_id": uid, "kind": kind, "url": url, "text": text[:300], "actor_id": actor_id, "group_id": group_id,
         "read": False, "created_at": now}
        for uid in recipients
    ]  # fmt: skip
    inserted = db.session.execute(insert(Notification).returning(Notification.id, Notification.user_id), rows).all()
    _push_after_commit(inserted, kind=kind, url=url, text=text[:300], created_at=now)
    return [notification_id for notification_id, _ in inserted]


def notify_select(
    *, audience: Select, kind: str, url: str, text: str, actor_id: int | None = None, group_id: int | None = None
) -> int:
    """`notify` for everyone `audience` (a SELECT of user ids) names, in one INSERT ... SELECT.

    The caller's audience must leave out the actor: nobody is told of their own action."""
    now, text = utcnow(), text[:300]
    audience = audience.subquery()
    source = select(
        audience.c[0], literal(kind, String), literal(url, String), literal(text, String),
        literal(actor_id, Integer), literal(group_id, Integer), literal(False, Boolean), literal(now, DateTime),
    )  # fmt: skip
    columns = ["user_id", "kind", "url", "text", "actor_id", "group_id", "read", "created_at"]
    statement = insert(Notification).from_select(columns, source).returning(Notification.id, Notification.user_id)
    inserted = db.session.execute(statement).all()
    _push_after_commit(inserted, kind=kind, url=url, text=text, created_at=now)
    return len(inserted)


def _push_after_commit(inserted, *, kind: str, url: str, text: str, created_at) -> None:
    common = {"kind": kind, "read": False, "url": url, "text": text, "created_at": iso(created_at)}

    def push() -> None:
        for notification_id, user_id in inserted:
            socketio.emit("notification", {"notification": {"id": notification_id, **common}}, to=user_room(user_id))

    after_commit(push)


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


#: how a burst of one kind reads ("5 payments received today")
BURST_NAMES = {
    "payment_received": "payments received",
    "payment_reversed": "payments reversed",
    "payment_request": "payment requests",
    "mention": "mentions",
    "reply": "replies",
    "discussion_created": "new threads",
    "poll_created": "new polls",
    "join_request": "requests to join",
}


@dataclass
class Burst:
    """Notifications of one kind, about one group (or one place), on one day: shown as one line."""

    kind: str
    day: date
    items: list[Notification] = field(default_factory=list)

    @property
    def unread(self) -> bool:
        return any(not n.read for n in self.items)

    def summary(self, today: date) -> str:
        if today == self.day:
            when = "today"
        elif (today - self.day).days == 1:
            when = "yesterday"
        else:
            when = f"on {self.day:%-d %B %Y}"
        return f"{len(self.items)} {BURST_NAMES.get(self.kind, 'notifications')} {when}"


def bursts(notifications: Iterable[Notification]) -> list[Burst]:
    """Group notifications (newest first) into bursts, each where its newest one stands."""
    grouped: dict[tuple, Burst] = {}
    for n in notifications:
        day = n.created_at.date()
        key = (n.kind, n.group_id or n.url, day)
        grouped.setdefault(key, Burst(kind=n.kind, day=day)).items.append(n)
    return list(grouped.values())
