"""Who may see and take part in one thread: the group's rule (groups.permissions) plus the thread's guests.

One place for the guest rule: forums' queries, services, pages, socket rooms and search, and governance's
polls in a thread, all ask here. A guest sees that one thread (and its polls), nothing else of the group.
"""

from flask import g, has_app_context
from flask_babel import gettext as _
from sqlalchemy import select

from ..errors import Forbidden, NotFound
from ..extensions import db
from ..groups.models import Group
from ..groups.permissions import can_see_content, can_see_group, is_admin, is_author_or_admin, is_member, user_id_of
from .models import Discussion, DiscussionGuest


def guest_ids_select(discussion_id: int):
    """A select of the user ids of the thread's guests."""
    return select(DiscussionGuest.user_id).where(DiscussionGuest.discussion_id == discussion_id)


def guest_discussion_ids(user):
    """A select of the ids of the threads `user` is a guest of (none when signed out)."""
    return select(DiscussionGuest.discussion_id).where(DiscussionGuest.user_id == (user_id_of(user) or 0))


def is_guest(user, discussion_id: int | None) -> bool:
    """Whether `user` is a guest of the thread, cached for the request."""
    uid = user_id_of(user)
    if uid is None or discussion_id is None:
        return False
    cache = g.setdefault("discussion_guests", {}) if has_app_context() else {}
    key = (uid, discussion_id)
    if key not in cache:
        cache[key] = (
            db.session.scalar(
                select(DiscussionGuest.id).where(
                    DiscussionGuest.discussion_id == discussion_id, DiscussionGuest.user_id == uid
                )
            )
            is not None
        )
    return cache[key]


def forget_guests() -> None:
    """Drop the request's guest cache after a guest was invited or removed."""
    if has_app_context():
        g.pop("discussion_guests", None)


def _group_of(discussion: Discussion) -> Group:
    return discussion.group if "group" in discussion.__dict__ else db.session.get(Group, discussion.group_id)


def can_see_discussion(user, discussion: Discussion) -> bool:
    """Read the thread: whoever may see its group's content, and its guests."""
    group = _group_of(discussion)
    if can_see_group(user, group) and can_see_content(user, group):
        return True
    return is_guest(user, discussion.id)


def takes_part(user, discussion: Discussion) -> bool:
    """Comment, react and keep read state in the thread: the group's members and the thread's guests."""
    return is_member(user, _group_of(discussion)) or is_guest(user, discussion.id)


def ensure_takes_part(user, discussion: Discussion) -> None:
    if not can_see_discussion(user, discussion):
        raise NotFound(_("No such thread."))
    if not takes_part(user, discussion):
        raise Forbidden(_("Only members of this group may do that."))


def may_administer(user, discussion: Discussion) -> bool:
    """Edit, close, move the thread and invite its guests: its author while a member, or a group admin."""
    return is_author_or_admin(user, discussion.author_id, _group_of(discussion))


def may_delete_comment(user, author_id: int | None, discussion: Discussion) -> bool:
    """Its author while they take part in the thread (a member, or a guest), or one of the group's admins."""
    uid = user_id_of(user)
    mine = uid is not None and author_id == uid and takes_part(user, discussion)
    return mine or is_admin(user, _group_of(discussion))
