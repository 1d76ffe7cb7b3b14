"""Telling members about thread activity by their group's volume: mute, app (in-app), digest, email.

Everything is set-based: one INSERT ... SELECT writes the notifications, one writes the outbox emails
(sent later by the worker). A group larger than FANOUT_INLINE_MEMBERS costs the request one
GroupFanout row instead, which the worker expands the same way (see jobs.expand_group_fanouts).
"""

from collections.abc import Iterable

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, select, update

from ..accounts.models import User
from ..extensions import db
from ..groups.models import Group, Membership
from ..markup import plain_text
from ..notifications import outbox
from ..notifications.service import notify_select
from ..timeutil import utcnow
from .models import GroupFanout

#: groups up to this size are told inside the request (measured: bench/bench_delivery.py)
FANOUT_INLINE_MEMBERS = 100

absolute_url = outbox.absolute_url


def deliver(*, user_ids: Iterable[int], kind: str, url: str, group: Group, actor: User, text, body: str = ""):
    """Tell the members among `user_ids` (a mention, a reply): not the actor, not those who muted the group."""
    wanted = sorted({uid for uid in user_ids if uid != actor.id})
    if wanted:
        _tell(group=group, actor_id=actor.id, kind=kind, url=url, text=text, preview=plain_text(body, limit=600),
              who=Membership.user_id.in_(wanted))  # fmt: skip


def deliver_to_group(
    *, group: Group, actor: User, kind: str, url: str, text, body: str = "", except_user_ids: Iterable[int] = ()
) -> None:
    """Tell every member of the group (but the actor and `except_user_ids`), now or through the worker."""
    skip = sorted(set(except_user_ids))
    preview = plain_text(body, limit=600)
    limit = current_app.config.get("FANOUT_INLINE_MEMBERS", FANOUT_INLINE_MEMBERS)
    if group.members_count <= limit:
        _tell(group=group, actor_id=actor.id, kind=kind, url=url, text=text, preview=preview,
              who=Membership.user_id.not_in(skip))  # fmt: skip
        return
    db.session.add(
        # the row keeps words, not the message and its values: a fan-out is written in English for now
        GroupFanout(group_id=group.id, actor_id=actor.id, kind=kind, url=url, text=_english(text)[:300], preview=preview,
                    except_user_ids=skip)
    )  # fmt: skip


def _english(text) -> str:
    with force_locale("en"):
        return str(text)


def expand(fanout_id: int) -> bool:
    """Expand one fan-out (the worker); False when another worker has it. The caller commits."""
    claimed = db.session.execute(
        update(GroupFanout)
        .where(GroupFanout.id == fanout_id, GroupFanout.expanded_at.is_(None))
        .values(expanded_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        return False
    fanout = db.session.get(GroupFanout, fanout_id)
    group = db.session.get(Group, fanout.group_id)
    _tell(group=group, actor_id=fanout.actor_id, kind=fanout.kind, url=fanout.url, text=fanout.text,
          preview=fanout.preview, who=Membership.user_id.not_in(fanout.except_user_ids or []))  # fmt: skip
    return True


def _tell(*, group: Group, actor_id: int | None, kind: str, url: str, text, preview: str, who: ColumnElement):
    """Notify (and email, at volume "email") the listening members, each in their own language: `text` is a
    lazy_gettext string with its values, written once per language the audience reads (one query finds them)."""
    listening = [Membership.group_id == group.id, Membership.volume != "mute", who]
    if actor_id is not None:
        listening.append(Membership.user_id != actor_id)
    audience = select(Membership.user_id).join(User, User.id == Membership.user_id).where(*listening)
    locales = db.session.scalars(
        select(User.locale).join(Membership, Membership.user_id == User.id).where(*listening).distinct()
    ).all()
    link = absolute_url(url)
    for locale in sorted(locales):
        with force_locale(locale.replace("-", "_")):
            words = str(text)
            reading = User.locale == locale
            notify_select(audience=audience.where(reading), kind=kind, url=url, text=words, actor_id=actor_id,
                          group_id=group.id)  # fmt: skip
            loud = select(User.id, User.email).join(Membership, Membership.user_id == User.id)
            loud = loud.where(*listening, reading, Membership.volume == "email")
            opening = _("Open it: %(link)s", link=link)
            message = f"{words}.\n\n{preview}\n\n{opening}\n\n" if preview else f"{words}.\n\n{opening}\n\n"
            message += _(
                "You get these emails because your volume for %(group)s is “email”; change it on the group's page.",
                group=group.name,
            )
            outbox.queue_emails(subject=f"[{group.name}] {words}"[:200], text=message, recipients=loud,
                                unsubscribe_group_id=group.id)  # fmt: skip


def _turn_down(user_id: int, group_id: int | None) -> None:
    """One-click unsubscribe: in-app only for that group, or for every group read by digest."""
    where = [Membership.user_id == user_id]
    where.append(Membership.group_id == group_id if group_id else Membership.volume == "digest")
    db.session.execute(
        update(Membership).where(*where, Membership.volume.in_(("email", "digest"))).values(volume="app")
        .execution_options(synchronize_session=False)
    )  # fmt: skip


outbox.UNSUBSCRIBERS.append(_turn_down)
