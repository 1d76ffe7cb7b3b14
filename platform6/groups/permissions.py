"""Who may see and do what with a group's things: one place, used by services, pages and the API.

`user` may be None or Flask-Login's anonymous user. What a person may not even know exists
raises NotFound (404), what they can see but may not change raises Forbidden (403).
"""

from flask import g, has_app_context
from flask_babel import gettext as _
from sqlalchemy import select

from ..errors import Forbidden, NotFound
from ..extensions import db
from .models import Group, Membership


def user_id_of(user) -> int | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user.id


def membership(user, group: Group) -> Membership | None:
    """The user's membership of the group, cached for the request."""
    uid = user_id_of(user)
    if uid is None:
        return None
    cache = g.setdefault("memberships", {}) if has_app_context() else {}
    key = (uid, group.id)
    if key not in cache:
        cache[key] = db.session.scalar(
            select(Membership).where(Membership.group_id == group.id, Membership.user_id == uid)
        )
    return cache[key]


def content_visible_group_ids(user):
    """A select of the ids of groups whose content the user may see: open groups and their own."""
    open_groups = select(Group.id).where(Group.privacy == "open")
    uid = user_id_of(user)
    if uid is None:
        return open_groups
    return open_groups.union(select(Membership.group_id).where(Membership.user_id == uid))


def forget_memberships() -> None:
    """Drop the request's membership cache after a service changed memberships."""
    if has_app_context():
        g.pop("memberships", None)


def is_member(user, group: Group) -> bool:
    return membership(user, group) is not None


def is_admin(user, group: Group) -> bool:
    found = membership(user, group)
    return found is not None and found.is_admin


def is_author_or_admin(user, author_id: int | None, group: Group) -> bool:
    """May moderate a thread or a comment: its author while still a member, or one of the group's admins."""
    uid = user_id_of(user)
    if uid is not None and author_id == uid and is_member(user, group):
        return True
    return is_admin(user, group)


def can_see_group(user, group: Group) -> bool:
    """The group's record (name, description): everyone, except for a secret group's outsiders."""
    return group.privacy != "secret" or is_member(user, group)


def can_see_content(user, group: Group) -> bool:
    """Threads, comments, polls, requests and members: everyone for an open group, else members."""
    return group.privacy == "open" or is_member(user, group)


def can_admin(user, group: Group) -> bool:
    return is_admin(user, group)


def can_member(user, group: Group, setting: str | None = None) -> bool:
    """Admins, or members when the group's `members_can_*` setting (if named) allows it."""
    found = membership(user, group)
    if found is None:
        return False
    return found.is_admin or setting is None or bool(getattr(group, setting))


def ensure_group_visible(user, group: Group | None) -> Group:
    if group is None or not can_see_group(user, group):
        raise NotFound(_("No such group."))
    return group


def ensure_content_visible(user, group: Group) -> None:
    if not can_see_content(user, group):
        raise NotFound()


def ensure_member(user, group: Group, setting: str | None = None) -> Membership:
    """A member (allowed by `setting` when given); outsiders who cannot see the group get NotFound."""
    ensure_content_visible(user, group)
    if not can_member(user, group, setting):
        if setting is None or not is_member(user, group):
            raise Forbidden(_("Only members of this group may do that."))
        raise Forbidden(_("In this group only admins may do that."))
    return membership(user, group)


def ensure_admin(user, group: Group) -> Membership:
    ensure_group_visible(user, group)
    if not is_admin(user, group):
        raise Forbidden(_("Only the group's admins may do that."))
    return membership(user, group)


JINJA_GLOBALS = {
    "is_member": is_member,
    "is_admin": is_admin,
    "can_admin": can_admin,
    "can_see_content": can_see_content,
    "can_member": can_member,
}
