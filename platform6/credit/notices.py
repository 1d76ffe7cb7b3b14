"""Credit's notifications, each written in its recipient's language and time zone (platform6/i18n.py)."""

from collections import defaultdict
from collections.abc import Callable, Iterable
from types import SimpleNamespace

from sqlalchemy import select

from ..accounts.models import User
from ..extensions import db
from ..i18n import for_person
from ..notifications.service import notify


def tell(*, user_ids: Iterable[int], kind: str, url: str, text: Callable[[], str], actor_id: int | None = None) -> None:
    """`notify` the users, `text()` written once per language and zone among them (one query for their settings)."""
    recipients = set(user_ids) - {actor_id}
    if not recipients:
        return
    readers: dict[tuple[str, str], list[int]] = defaultdict(list)
    for user_id, locale, zone in db.session.execute(
        select(User.id, User.locale, User.time_zone).where(User.id.in_(recipients))
    ):
        readers[(locale, zone)].append(user_id)
    for (locale, zone), ids in sorted(readers.items()):
        with for_person(SimpleNamespace(locale=locale, time_zone=zone)):
            notify(user_ids=ids, kind=kind, url=url, text=text(), actor_id=actor_id)
