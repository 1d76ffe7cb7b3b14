"""notify(): the one way every module tells people something happened. Imports no feature."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from types import SimpleNamespace

from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from sqlalchemy import Boolean, DateTime, Integer, Select, String, insert, literal, select, update

from ..extensions import db, socketio
from ..i18n import Message, for_person, in_language_of, plural_words
from ..outbox import after_commit
from ..timeutil import iso, utcnow
from .models import Notification

#: what a notification says: see `notify`
Words = str | Message | Callable[[], str]


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
    text: Words,
    actor_id: int | None = None,
    group_id: int | None = None,
) -> list[int]:
    """Record a notification for each user (never the actor), push it to their open pages after commit; the ids.

    `text`, for each recipient in their own language: a Message; or a function writing the words (amounts, times)
    as the reader reads them, called once per language and time zone among the recipients; or words that read
    the same in every language."""
    recipients = sorted({uid for uid in user_ids if uid != actor_id})
    if not recipients:
        return []
    users = _users()
    audience = select(users.c.id).where(users.c.id.in_(recipients))
    inserted = _insert(audience, kind=kind, url=url, text=text, actor_id=actor_id, group_id=group_id)
    return [notification_id for notification_id, _user_id, _text in inserted]


def notify_select(
    *,
    audience: Select,
    kind: str,
    url: str,
    text: Words,
    actor_id: int | None = None,
    group_id: int | None = None,
) -> int:
    """`notify` for everyone `audience` (a SELECT of user ids) names, in one INSERT ... SELECT.

    The caller's audience must leave out the actor: nobody is told of their own action."""
    return len(_insert(audience, kind=kind, url=url, text=text, actor_id=actor_id, group_id=group_id))


def _users():
    """The people table, by name: notifications are told of people by id and import no feature."""
    return db.metadata.tables["users"]


def _insert(audience: Select, *, kind, url, text, actor_id, group_id) -> list:
    """One INSERT ... SELECT of a notification per person `audience` names, each in that person's language (one
    per language and zone among them when the words are written by a function)."""
    if not callable(text):
        return _insert_words(audience, kind=kind, url=url, text=text, actor_id=actor_id, group_id=group_id)
    users, inserted = _users(), []
    readers = audience.subquery()
    settings = select(users.c.locale, users.c.time_zone).join(readers, readers.c[0] == users.c.id).distinct()
    for locale, zone in db.session.execute(settings).all():
        with for_person(SimpleNamespace(locale=locale, time_zone=zone)):
            words = text()
        theirs = audience.where(
            audience.selected_columns[0].in_(
                select(users.c.id).where(users.c.locale == locale, users.c.time_zone == zone)
            )
        )
        inserted += _insert_words(theirs, kind=kind, url=url, text=words, actor_id=actor_id, group_id=group_id)
    return inserted


def _insert_words(audience: Select, *, kind, url, text, actor_id, group_id) -> list:
    now, users = utcnow(), _users()
    audience = audience.subquery()
    source = (
        select(
            audience.c[0], literal(kind, String), literal(url, String), in_language_of(users.c.locale, _short(text)),
            literal(actor_id, Integer), literal(group_id, Integer), literal(False, Boolean), literal(now, DateTime),
        )
        .select_from(audience)
        .join(users, users.c.id == audience.c[0])
    )  # fmt: skip
    columns = ["user_id", "kind", "url", "text", "actor_id", "group_id", "read", "created_at"]
    statement = insert(Notification).from_select(columns, source)
    inserted = db.session.execute(statement.returning(Notification.id, Notification.user_id, Notification.text)).all()
    _push_after_commit(inserted, kind=kind, url=url, created_at=now)
    return inserted


class _Short(Message):
    """A Message cut to the notification's 300 characters in every language."""

    __slots__ = ()

    def __str__(self) -> str:
        return super().__str__()[:300]


def _short(text: str | Message) -> str | Message:
    return _Short(text.msgid, **text.values) if isinstance(text, Message) else text[:300]


def _push_after_commit(inserted, *, kind: str, url: str, created_at) -> None:
    common = {"kind": kind, "read": False, "url": url, "created_at": iso(created_at)}

    def push() -> None:
        for notification_id, user_id, text in inserted:
            socketio.emit(
                "notification", {"notification": {"id": notification_id, "text": text, **common}}, to=user_room(user_id)
            )

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
    "payment_received": plural_words("%(num)d payment received", "%(num)d payments received"),
    "payment_reversed": plural_words("%(num)d payment reversed", "%(num)d payments reversed"),
    "payment_request": plural_words("%(num)d payment request", "%(num)d payment requests"),
    "mention": plural_words("%(num)d mention", "%(num)d mentions"),
    "reply": plural_words("%(num)d reply", "%(num)d replies"),
    "comment": plural_words("%(num)d new comment", "%(num)d new comments"),
    "discussion_created": plural_words("%(num)d new thread", "%(num)d new threads"),
    "poll_created": plural_words("%(num)d new poll", "%(num)d new polls"),
    "join_request": plural_words("%(num)d request to join", "%(num)d requests to join"),
}
OTHER_BURST = plural_words("%(num)d notification", "%(num)d notifications")


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
        what = ngettext(*BURST_NAMES.get(self.kind, OTHER_BURST), len(self.items))
        if today == self.day:
            return _("%(what)s today", what=what)
        if (today - self.day).days == 1:
            return _("%(what)s yesterday", what=what)
        return _("%(what)s on %(day)s", what=what, day=format_date(self.day, "long"))


def bursts(notifications: Iterable[Notification]) -> list[Burst]:
    """Group notifications (newest first) into bursts, each where its newest one stands."""
    grouped: dict[tuple, Burst] = {}
    for n in notifications:
        day = n.created_at.date()
        key = (n.kind, n.group_id or n.url, day)
        grouped.setdefault(key, Burst(kind=n.kind, day=day)).items.append(n)
    return list(grouped.values())
