"""Telling members about thread activity by their group's volume (mute, app (in-app), digest, email), and a
thread's guests in the app.

Everything is set-based: one INSERT ... SELECT writes the notifications, one writes the outbox emails
(sent later by the worker). A group larger than FANOUT_INLINE_MEMBERS costs the request one
GroupFanout row instead, which the worker expands the same way (see jobs.expand_group_fanouts).
"""

from collections.abc import Iterable

from flask import current_app
from sqlalchemy import ColumnElement, select, update

from ..accounts.models import User
from ..extensions import db
from ..groups.models import Group, Membership
from ..i18n import Message
from ..markup import plain_text
from ..notifications import outbox
from ..notifications.service import notify_select
from ..timeutil import utcnow
from .models import DiscussionGuest, GroupFanout

#: groups up to this size are told inside the request (measured: bench/bench_delivery.py)
FANOUT_INLINE_MEMBERS = 100

absolute_url = outbox.absolute_url


def deliver(
    *,
    user_ids: Iterable[int],
    kind: str,
    url: str,
    group: Group,
    actor: User,
    text: str | Message,
    body: str = "",
    discussion_id: int | None = None,
):
    """Tell the members among `user_ids` (a mention, a reply): not the actor, not those who muted the group;
    and the guests of the thread `discussion_id` among them."""
    wanted = sorted({uid for uid in user_ids if uid != actor.id})
    if wanted:
        _tell(group=group, actor_id=actor.id, kind=kind, url=url, text=text, preview=plain_text(body, limit=600),
              who=Membership.user_id.in_(wanted))  # fmt: skip
        if discussion_id is not None:
            _tell_guests(discussion_id, group, actor, kind, url, text, DiscussionGuest.user_id.in_(wanted))


def deliver_to_guests(
    *,
    discussion_id: int,
    group: Group,
    actor: User,
    kind: str,
    url: str,
    text: str | Message,
    except_user_ids: Iterable[int] = (),
) -> None:
    """Tell every guest of the thread (but the actor and `except_user_ids`) in the app: a guest has no volume
    in the group, nor its digest, so this is how they hear of the thread's news."""
    _tell_guests(
        discussion_id, group, actor, kind, url, text, DiscussionGuest.user_id.not_in(sorted(set(except_user_ids)))
    )


def _tell_guests(
    discussion_id: int, group: Group, actor: User, kind: str, url: str, text: str | Message, who: ColumnElement
) -> None:
    audience = select(DiscussionGuest.user_id).where(
        DiscussionGuest.discussion_id == discussion_id, DiscussionGuest.user_id != actor.id, who
    )
    notify_select(audience=audience, kind=kind, url=url, text=text, actor_id=actor.id, group_id=group.id)


def deliver_to_group(
    *,
    group: Group,
    actor: User,
    kind: str,
    url: str,
    text: str | Message,
    body: str = "",
    except_user_ids: Iterable[int] = (),
) -> None:
    """Tell every member of the group (but the actor and `except_user_ids`), now or through the worker."""
    skip = sorted(set(except_user_ids))
    preview = plain_text(body, limit=600)
    limit = current_app.config.get("FANOUT_INLINE_MEMBERS", FANOUT_INLINE_MEMBERS)
    if group.members_count <= limit:
        _tell(group=group, actor_id=actor.id, kind=kind, url=url, text=text, preview=preview,
              who=Membership.user_id.not_in(skip))  # fmt: skip
        return
    words = text.as_json() if isinstance(text, Message) else None
    db.session.add(
        GroupFanout(group_id=group.id, actor_id=actor.id, kind=kind, url=url, text=str(text)[:300], words=words,
                    preview=preview, except_user_ids=skip)
    )  # fmt: skip


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
    text = Message.from_json(fanout.words) if fanout.words else fanout.text
    _tell(group=group, actor_id=fanout.actor_id, kind=fanout.kind, url=fanout.url, text=text,
          preview=fanout.preview, who=Membership.user_id.not_in(fanout.except_user_ids or []))  # fmt: skip
    return True


def _tell(
    *, group: Group, actor_id: int | None, kind: str, url: str, text: str | Message, preview: str, who: ColumnElement
):
    listening = [Membership.group_id == group.id, Membership.volume != "mute", who]
    if actor_id is not None:
        listening.append(Membership.user_id != actor_id)
    notify_select(audience=select(Membership.user_id).where(*listening), kind=kind, url=url, text=text,
                  actor_id=actor_id, group_id=group.id)  # fmt: skip
    loud = select(User.id, User.email).join(Membership, Membership.user_id == User.id)
    loud = loud.where(*listening, Membership.volume == "email")
    values = {"what": text, "preview": preview, "link": absolute_url(url), "group": group.name}
    if preview:
        message = Message(
            "%(what)s.\n\n%(preview)s\n\nOpen it: %(link)s\n\nYou get these emails because your volume for "
            "%(group)s is 'email'; change it on the group's page.",
            **values,
        )
    else:
        message = Message(
            "%(what)s.\n\nOpen it: %(link)s\n\nYou get these emails because your volume for %(group)s is "
            "'email'; change it on the group's page.",
            **values,
        )
    outbox.queue_emails(subject=Message("[%(group)s] %(what)s", **values), text=message, recipients=loud,
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
