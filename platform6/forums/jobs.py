"""Scheduled work for threads: big groups' news expanded to each member, and the daily digest email for members
whose group volume is "digest"."""

from datetime import timedelta

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..extensions import db
from ..groups.models import Group, Membership
from ..i18n import for_person
from ..notifications.outbox import queue_email
from ..notifications.scheduler import job
from ..timeutil import utcnow
from ..transaction import unit_of_work
from . import delivery
from .delivery import absolute_url
from .models import DigestState, Discussion, DiscussionReader, GroupFanout

DIGEST_EVERY = timedelta(days=1)
#: people handled per run, so one run stays short; the rest are due on the next
BATCH = 200


def _ensure_states(now) -> None:
    """Give every digest reader a state row, due at once (their first digest covers the last day)."""
    missing = (
        select(Membership.user_id)
        .where(Membership.volume == "digest")
        .where(~select(DigestState.user_id).where(DigestState.user_id == Membership.user_id).exists())
        .distinct()
    )
    for user_id in db.session.scalars(missing):
        try:
            with db.session.begin_nested():
                db.session.add(DigestState(user_id=user_id, sent_until=now - DIGEST_EVERY))
        except IntegrityError:
            continue  # another worker made it


def _claim(state: DigestState, now) -> bool:
    """Compare-and-swap the period's end, so two workers never send the same digest."""
    claimed = db.session.execute(
        update(DigestState)
        .where(DigestState.user_id == state.user_id, DigestState.sent_until == state.sent_until)
        .values(sent_until=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    return claimed == 1


def digest_threads(user_id: int, since) -> list[tuple[Discussion, Group, int]]:
    """Threads active since `since` in the person's digest groups, with how many comments they have not read."""
    rows = db.session.execute(
        select(Discussion, Group, DiscussionReader.last_read_position)
        .join(Group, Group.id == Discussion.group_id)
        .join(Membership, (Membership.group_id == Group.id) & (Membership.user_id == user_id))
        .outerjoin(
            DiscussionReader,
            (DiscussionReader.discussion_id == Discussion.id) & (DiscussionReader.user_id == user_id),
        )
        .where(Membership.volume == "digest", Discussion.last_activity_at > since)
        .order_by(Group.name, Discussion.last_activity_at.desc())
        .limit(100)
    ).all()
    return [
        (d, g, d.last_position - (read or 0)) for d, g, read in rows if d.last_position - (read or 0) > 0 or not read
    ]


@job(every_seconds=600)
def send_daily_digests() -> None:
    now = utcnow()
    _ensure_states(now)
    due = db.session.scalars(
        select(DigestState)
        .where(DigestState.sent_until <= now - DIGEST_EVERY)
        .order_by(DigestState.user_id)
        .limit(BATCH)
    ).all()
    for state in due:
        since = state.sent_until
        if not _claim(state, now):
            continue
        user = db.session.get(User, state.user_id)
        threads = digest_threads(state.user_id, since)
        if user is None or not threads:
            continue
        with for_person(user):
            lines = [_("Hello %(name)s,", name=user.name), "", _("What happened in your groups since yesterday:"), ""]
            for discussion, group, unread in threads:
                news = ngettext("%(num)d new", "%(num)d new", unread)
                lines.append(
                    f"- [{group.name}] {discussion.title}: {news} — {absolute_url(f'/d/{discussion.id}/unread')}"
                )
            lines += ["", _("You get this once a day because your volume for these groups is “daily digest”.")]
            text, address = "\n".join(lines), user.email
            subject = ngettext(
                "Platform 6 daily digest: %(num)d active thread",
                "Platform 6 daily digest: %(num)d active threads",
                len(threads),
            )
        queue_email(to=address, subject=subject, text=text, user_id=user.id)


@job(every_seconds=1)
def expand_group_fanouts() -> None:
    """Tell the members of big groups what the requests recorded as one row each, one fan-out a transaction."""
    waiting = db.session.scalars(
        select(GroupFanout.id).where(GroupFanout.expanded_at.is_(None)).order_by(GroupFanout.id).limit(BATCH)
    ).all()
    for fanout_id in waiting:
        with unit_of_work():
            delivery.expand(fanout_id)
