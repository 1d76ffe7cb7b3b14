"""Every write about thread guests: inviting and removing them, and replaying them from history (Loomio).

A guest is not a member of the thread's group; who may do what as a guest is in forums.permissions.
"""

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..errors import Conflict, Forbidden, NotFound, invalid
from ..extensions import db
from ..groups.models import Group
from ..groups.permissions import is_member
from ..groups.service import when_joined
from ..i18n import Message
from ..notifications.service import notify
from ..timeutil import utcnow
from .models import Discussion, DiscussionGuest
from .permissions import can_see_discussion, forget_guests, may_administer


def _ensure_may_administer(actor: User, discussion: Discussion) -> None:
    if not can_see_discussion(actor, discussion):
        raise NotFound(_("No such thread."))
    if not may_administer(actor, discussion):
        raise Forbidden(_("Only the thread's author or the group's admins may do that."))


def _write_guest(
    discussion: Discussion, user: User, invited_by_id: int | None, created_at: datetime
) -> DiscussionGuest:
    """The guest row as inviting and replaying write it: never a member of the group, never twice."""
    if is_member(user, db.session.get(Group, discussion.group_id)):
        raise Conflict(_("%(name)s is a member of the group and sees the thread already.", name=user.name))
    guest = DiscussionGuest(
        discussion_id=discussion.id, user_id=user.id, user=user, invited_by_id=invited_by_id, created_at=created_at
    )
    try:
        with db.session.begin_nested():
            db.session.add(guest)
    except IntegrityError:
        raise Conflict(_("%(name)s is a guest of this thread already.", name=user.name)) from None
    forget_guests()
    return guest


def invite_guest(*, actor: User, discussion: Discussion, user: User | None) -> DiscussionGuest:
    """Let someone who is not a member read and take part in this one thread; they are told in their language."""
    _ensure_may_administer(actor, discussion)
    if user is None:
        raise invalid("email", _("Nobody here has that email address: they need an account first."))
    guest = _write_guest(discussion, user, actor.id, utcnow())
    notify(
        user_ids=[user.id],
        kind="guest_invited",
        url=f"/d/{discussion.id}",
        text=Message("%(name)s invited you to the thread “%(title)s”", name=actor.name, title=discussion.title),
        actor_id=actor.id,
        group_id=discussion.group_id,
    )
    return guest


def remove_guest(*, actor: User, discussion: Discussion, user_id: int) -> None:
    """Take a guest's access to the thread away, at once (also from its live updates)."""
    _ensure_may_administer(actor, discussion)
    guest = db.session.scalar(
        select(DiscussionGuest).where(
            DiscussionGuest.discussion_id == discussion.id, DiscussionGuest.user_id == user_id
        )
    )
    if guest is None:
        raise NotFound(_("That person is not a guest of this thread."))
    db.session.delete(guest)
    db.session.flush()
    forget_guests()


def replay_guest(
    *, discussion: Discussion, user_id: int, invited_by_id: int | None = None, created_at: datetime
) -> DiscussionGuest:
    """A thread guest from history (a Loomio export), under the live rules; nobody is told."""
    user = db.session.get(User, user_id)
    if user is None:
        raise invalid("user_id", _("No such person."))
    guest = _write_guest(discussion, user, invited_by_id, created_at)
    db.session.flush()
    return guest


@when_joined
def _a_member_is_nobody_s_guest(group_id: int, user_id: int) -> None:
    """A guest who joins the group reads its threads as a member, so their guest places there go: leaving the
    group, or being removed from it, then ends their access to those threads too (as Loomio revokes it)."""
    db.session.execute(
        delete(DiscussionGuest).where(
            DiscussionGuest.user_id == user_id,
            DiscussionGuest.discussion_id.in_(select(Discussion.id).where(Discussion.group_id == group_id)),
        )
    )
    forget_guests()
