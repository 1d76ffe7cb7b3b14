"""Every write about groups: creating them, settings, memberships, join requests, invitation links."""

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from .. import handles
from ..accounts.models import User
from ..errors import Conflict, Forbidden, NotFound, invalid
from ..extensions import db
from ..i18n import for_person
from ..markup import render_markdown
from ..notifications.service import notify, notify_select
from ..timeutil import utcnow
from .models import PRIVACIES, ROLES, VOLUMES, Group, GroupFollow, Invitation, JoinRequest, Membership
from .permissions import ensure_admin, ensure_group_visible, ensure_member, forget_memberships, membership

SETTINGS = (
    "members_can_start_discussions",
    "members_can_raise_polls",
    "members_can_add_members",
    "members_can_create_subgroups",
)


def _notify_each(user_ids, *, kind: str, url: str, text, actor_id: int, group_id: int) -> None:
    """`notify` each person (they are few: one, or a group's admins) with `text()` written in their language."""
    for person in db.session.scalars(select(User).where(User.id.in_(sorted(set(user_ids) - {actor_id})))):
        with for_person(person):
            notify(user_ids=[person.id], kind=kind, url=url, text=text(), actor_id=actor_id, group_id=group_id)


def _check_place(place: str) -> str:
    place = " ".join((place or "").split())
    if len(place) > 100:
        raise invalid("place", _("Give a place of at most 100 characters."))
    return place


def _check_name(name: str) -> str:
    name = " ".join(name.split())
    if not 1 <= len(name) <= 100:
        raise invalid("name", _("Give a name of 1 to 100 characters."))
    return name


def _check_privacy(privacy: str, parent: Group | None) -> str:
    if privacy not in PRIVACIES:
        raise invalid("privacy", _("Choose open, closed or secret."))
    if parent is not None and parent.privacy == "secret" and privacy != "secret":
        raise invalid("privacy", _("A subgroup of a secret group must be secret too."))
    return privacy


def handle_taken(handle: str) -> bool:
    return db.session.scalar(select(Group.id).where(Group.handle == handle)) is not None


def group_by_id(group_id: int) -> Group | None:
    return db.session.get(Group, group_id)


def _locked_group(group: Group) -> Group:
    """Re-read the group FOR UPDATE (PostgreSQL), so admin-count rules hold under concurrency."""
    return db.session.scalar(
        select(Group).where(Group.id == group.id).with_for_update().execution_options(populate_existing=True)
    )


def _bump_members_count(group_id: int, delta: int) -> None:
    db.session.execute(update(Group).where(Group.id == group_id).values(members_count=Group.members_count + delta))


#: what other features do, in the same transaction, when someone joins a group: (group_id, user_id)
_WHEN_JOINED: list[Callable[[int, int], None]] = []


def when_joined(callback: Callable[[int, int], None]) -> Callable[[int, int], None]:
    """Run `callback(group_id, user_id)` whenever someone becomes a member (groups import no feature)."""
    _WHEN_JOINED.append(callback)
    return callback


def _add_membership(group: Group, user_id: int, role: str, inviter_id: int | None = None) -> Membership:
    created = Membership(group_id=group.id, user_id=user_id, role=role, inviter_id=inviter_id)
    try:
        with db.session.begin_nested():  # the unique (group, user) decides a race the callers' checks cannot see
            db.session.add(created)
    except IntegrityError:
        raise Conflict(_("Already a member of this group.")) from None
    _bump_members_count(group.id, +1)
    db.session.refresh(group, ["members_count"])
    forget_memberships()
    for callback in _WHEN_JOINED:
        callback(group.id, user_id)
    return created


def create_group(
    *,
    actor: User,
    name: str,
    handle: str | None = None,
    description: str = "",
    privacy: str = "closed",
    parent_id: int | None = None,
    settings: dict[str, bool] | None = None,
    place: str = "",
) -> Group:
    """A new group with `actor` as its first admin; a subgroup needs the parent's admins' say."""
    parent = None
    if parent_id is not None:
        parent = ensure_group_visible(actor, group_by_id(parent_id))
        ensure_member(actor, parent, "members_can_create_subgroups")
    name = _check_name(name)
    privacy = _check_privacy(privacy, parent)
    if handle:
        handle = handles.normalise(handle, max_length=40)
        if handle_taken(handle):
            raise Conflict(_("That group handle is taken."), fields={"handle": [_("Taken; choose another.")]})
    else:
        handle = handles.from_name(name, handle_taken, max_length=40)
    group = Group(
        name=name,
        handle=handle,
        description=description or "",
        description_html=render_markdown(description),
        place=_check_place(place),
        privacy=privacy,
        parent_id=parent.id if parent else None,
        created_by_id=actor.id,
        **{key: value for key, value in (settings or {}).items() if key in SETTINGS},
    )
    try:
        with db.session.begin_nested():  # the unique handle decides a race handle_taken cannot see
            db.session.add(group)
    except IntegrityError:
        raise Conflict(_("That group handle is taken.")) from None
    _add_membership(group, actor.id, "admin")
    return group


def update_group(
    *,
    actor: User,
    group: Group,
    name: str | None = None,
    description: str | None = None,
    privacy: str | None = None,
    settings: dict[str, bool] | None = None,
    place: str | None = None,
) -> Group:
    ensure_admin(actor, group)
    if place is not None:
        group.place = _check_place(place)
    if name is not None:
        group.name = _check_name(name)
    if description is not None:
        group.description = description
        group.description_html = render_markdown(description)
    if privacy is not None:
        parent = group_by_id(group.parent_id) if group.parent_id else None
        group.privacy = _check_privacy(privacy, parent)
    for key, value in (settings or {}).items():
        if key in SETTINGS:
            setattr(group, key, bool(value))
    db.session.flush()
    return group


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise invalid("role", _("Choose member, admin or observer."))
    return role


def _membership_of(group: Group, user_id: int) -> Membership | None:
    return db.session.scalar(select(Membership).where(Membership.group_id == group.id, Membership.user_id == user_id))


def _admins_count(group: Group) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Membership).where(Membership.group_id == group.id, Membership.role == "admin")
    )


def add_member(*, actor: User, group: Group, user_id: int, role: str = "member") -> Membership:
    """An admin (or a member, where the group allows it) adds someone; only admins make admins."""
    ensure_member(actor, group, "members_can_add_members")
    role = _check_role(role)
    if role == "admin":
        ensure_admin(actor, group)
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_("No such user."))
    if _membership_of(group, user_id) is not None:
        raise Conflict(_("Already a member of this group."))
    created = _add_membership(group, user_id, role, inviter_id=actor.id)
    _settle_pending_requests(group, user_id, actor)
    _notify_each(
        [user_id],
        kind="membership_added",
        url=f"/groups/{group.handle}",
        text=lambda: _("%(name)s added you to %(group)s", name=actor.name, group=group.name),
        actor_id=actor.id,
        group_id=group.id,
    )
    return created


def add_member_by_decision(*, group: Group, user_id: int, role: str) -> Membership:
    """Carry out a binding proposal's `add_member` (the group decided; no actor's rights apply).

    Re-validated at close: a user who vanished or already joined is a failure the caller records.
    """
    role = _check_role(role)
    if db.session.get(User, user_id) is None:
        raise NotFound(_("No such user."))
    existing = _membership_of(group, user_id)
    if existing is not None:
        if existing.role == role:
            raise Conflict(_("Already a member with that role."))
        existing.role = role
        db.session.flush()
        forget_memberships()
        return existing
    return _add_membership(group, user_id, role)


def restore_membership(*, group: Group, user_id: int, role: str, joined_at: datetime | None = None) -> Membership:
    """A membership carried over from another platform (the Loomio import): no actor's rights apply and
    nobody is notified. An existing membership stays as it is, except that an admin role is kept or given."""
    role = _check_role(role)
    existing = _membership_of(group, user_id)
    if existing is not None:
        if role == "admin" and existing.role != "admin":
            existing.role = "admin"
            db.session.flush()
            forget_memberships()
        return existing
    created = _add_membership(group, user_id, role)
    if joined_at is not None:
        created.joined_at = joined_at
        db.session.flush()
    return created


def check_volume(volume: str) -> str:
    if volume not in VOLUMES:
        raise invalid("volume", _("Choose mute, app, digest or email."))
    return volume


def replay_membership(*, group: Group, user_id: int, role: str, joined_at: datetime, volume: str) -> Membership:
    """A membership from history (a group file) with its role, join time and volume; nobody is told.

    Unlike `restore_membership`, a second membership of the same person is refused: history lists each
    member once, so a repeat is bad input (422).
    """
    role, volume = _check_role(role), check_volume(volume)
    if _membership_of(group, user_id) is not None:
        raise invalid("person", _("This person is a member already: each member is listed once."))
    created = _add_membership(group, user_id, role)
    created.joined_at, created.volume = joined_at, volume
    db.session.flush()
    return created


def set_role(*, actor: User, group: Group, user_id: int, role: str) -> Membership:
    ensure_admin(actor, group)
    role = _check_role(role)
    group = _locked_group(group)
    target = _membership_of(group, user_id)
    if target is None:
        raise NotFound(_("That person is not a member."))
    if target.role == "admin" and role != "admin" and _admins_count(group) <= 1:
        raise Conflict(_("A group needs at least one admin: make someone else an admin first."))
    target.role = role
    db.session.flush()
    forget_memberships()
    return target


def remove_member(*, actor: User, group: Group, user_id: int) -> None:
    """An admin removes a member, or a member leaves; the last admin cannot go."""
    if actor.id != user_id:
        ensure_admin(actor, group)
    else:
        ensure_group_visible(actor, group)
    group = _locked_group(group)
    target = _membership_of(group, user_id)
    if target is None:
        raise NotFound(_("That person is not a member."))
    if target.role == "admin" and _admins_count(group) <= 1:
        raise Conflict(_("The last admin cannot leave: make someone else an admin first."))
    db.session.delete(target)
    db.session.flush()
    _bump_members_count(group.id, -1)
    db.session.refresh(group, ["members_count"])
    forget_memberships()


def join(*, actor: User, group: Group, introduction: str = "") -> Membership | JoinRequest:
    """Join an open group at once; ask to join a closed one (a pending request for its admins)."""
    ensure_group_visible(actor, group)
    if membership(actor, group) is not None:
        raise Conflict(_("You are a member already."))
    if group.privacy == "open":
        joined = _add_membership(group, actor.id, "member")
        _settle_pending_requests(group, actor.id, actor)
        return joined
    if group.privacy == "secret":
        raise NotFound(_("No such group."))
    pending = db.session.scalar(
        select(JoinRequest).where(
            JoinRequest.group_id == group.id, JoinRequest.user_id == actor.id, JoinRequest.state == "pending"
        )
    )
    if pending is not None:
        return pending
    request = JoinRequest(group_id=group.id, user_id=actor.id, introduction=(introduction or "").strip()[:2000])
    db.session.add(request)
    db.session.flush()
    _notify_each(
        admin_ids(group),
        kind="join_request",
        url=f"/groups/{group.handle}/join-requests",
        text=lambda: _("%(name)s asks to join %(group)s", name=actor.name, group=group.name),
        actor_id=actor.id,
        group_id=group.id,
    )
    return request


def admin_ids(group: Group) -> list[int]:
    return list(
        db.session.scalars(
            select(Membership.user_id).where(Membership.group_id == group.id, Membership.role == "admin")
        )
    )


#: why a join request cannot be answered again, by its state
_ANSWERED = {
    "approved": lambda: _("That request was approved already."),
    "declined": lambda: _("That request was declined already."),
    "withdrawn": lambda: _("That request was withdrawn already."),
}


def _pending_request(group: Group, request_id: int) -> JoinRequest:
    request = db.session.get(JoinRequest, request_id)
    if request is None or request.group_id != group.id:
        raise NotFound(_("No such join request."))
    if request.state != "pending":
        raise Conflict(_ANSWERED[request.state]())
    return request


def _settle_pending_requests(group: Group, user_id: int, actor: User) -> None:
    db.session.execute(
        update(JoinRequest)
        .where(JoinRequest.group_id == group.id, JoinRequest.user_id == user_id, JoinRequest.state == "pending")
        .values(state="approved", decided_by_id=actor.id, decided_at=utcnow())
    )


def approve_join_request(*, actor: User, group: Group, request_id: int) -> Membership:
    ensure_admin(actor, group)
    request = _pending_request(group, request_id)
    request.state, request.decided_by_id, request.decided_at = "approved", actor.id, utcnow()
    if _membership_of(group, request.user_id) is not None:
        raise Conflict(_("Already a member of this group."))
    created = _add_membership(group, request.user_id, "member", inviter_id=actor.id)
    _notify_each(
        [request.user_id],
        kind="join_approved",
        url=f"/groups/{group.handle}",
        text=lambda: _("You are now a member of %(group)s", group=group.name),
        actor_id=actor.id,
        group_id=group.id,
    )
    return created


def decline_join_request(*, actor: User, group: Group, request_id: int) -> JoinRequest:
    ensure_admin(actor, group)
    request = _pending_request(group, request_id)
    request.state, request.decided_by_id, request.decided_at = "declined", actor.id, utcnow()
    db.session.flush()
    return request


def create_invitation(*, actor: User, group: Group, days: int | None = None) -> tuple[Invitation, str]:
    """A shareable link (returned token shown once) that lets anyone holding it join."""
    ensure_member(actor, group, "members_can_add_members")
    days = current_app.config["INVITATION_DAYS"] if days is None else days
    if not 1 <= days <= 90:
        raise invalid("days", _("An invitation lasts 1 to 90 days."))
    token = secrets.token_urlsafe(24)
    invitation = Invitation(
        group_id=group.id,
        token_hash=Invitation.hash(token),
        created_by_id=actor.id,
        expires_at=utcnow() + timedelta(days=days),
    )
    db.session.add(invitation)
    db.session.flush()
    return invitation, token


def revoke_invitation(*, actor: User, group: Group, invitation_id: int) -> Invitation:
    ensure_admin(actor, group)
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.group_id != group.id:
        raise NotFound(_("No such invitation."))
    invitation.revoked_at = invitation.revoked_at or utcnow()
    db.session.flush()
    return invitation


def invitation_for(token: str) -> Invitation:
    """The usable invitation behind a link, else NotFound (expired and revoked links look the same)."""
    invitation = db.session.scalar(select(Invitation).where(Invitation.token_hash == Invitation.hash(token)))
    if invitation is None or not invitation.usable(utcnow()):
        raise NotFound(_("This invitation link has expired or was revoked."))
    return invitation


def accept_invitation(*, actor: User, token: str) -> Membership:
    invitation = invitation_for(token)
    group = db.session.get(Group, invitation.group_id)
    existing = _membership_of(group, actor.id)
    if existing is not None:
        return existing
    created = _add_membership(group, actor.id, "member", inviter_id=invitation.created_by_id)
    _settle_pending_requests(group, actor.id, actor)
    invitation.uses_count += 1
    db.session.flush()
    return created


# --- following an open group's public news -------------------------------------------------------------


def follow(*, actor: User, group: Group) -> GroupFollow:
    """Follow an open group's news (new threads, decisions and requests); following twice changes nothing."""
    ensure_group_visible(actor, group)
    if group.privacy != "open":
        raise Forbidden(_("Only open groups can be followed: their news is public."))
    existing = db.session.scalar(
        select(GroupFollow).where(GroupFollow.group_id == group.id, GroupFollow.user_id == actor.id)
    )
    if existing is not None:
        return existing
    created = GroupFollow(group_id=group.id, user_id=actor.id)
    try:
        with db.session.begin_nested():  # the unique (group, user) decides a race with a second click
            db.session.add(created)
    except IntegrityError:
        return db.session.scalar(
            select(GroupFollow).where(GroupFollow.group_id == group.id, GroupFollow.user_id == actor.id)
        )
    return created


def unfollow(*, actor: User, group: Group) -> None:
    """Stop following; not following already changes nothing."""
    ensure_group_visible(actor, group)
    db.session.execute(delete(GroupFollow).where(GroupFollow.group_id == group.id, GroupFollow.user_id == actor.id))


#: what followers are told, by the kind of news (their notification's text, in their language)
FOLLOWER_NEWS = {
    "discussion_created": lambda group, title: _("New thread in %(group)s: %(title)s", group=group, title=title),
    "poll_created": lambda group, title: _("New decision in %(group)s: %(title)s", group=group, title=title),
    "skill_request_posted": lambda group, title: _("%(group)s asks for help: %(title)s", group=group, title=title),
}


def tell_followers(*, group: Group, actor_id: int | None, kind: str, url: str, title: str) -> int:
    """Tell the followers of an open group (who are not its members: they hear as members) of public news.

    A closed or secret group's content is not public, so its followers (from when it was open) hear nothing.
    One INSERT ... SELECT per language and zone the followers read."""
    if group.privacy != "open":
        return 0
    audience = [
        GroupFollow.group_id == group.id,
        GroupFollow.user_id.not_in(select(Membership.user_id).where(Membership.group_id == group.id)),
    ]
    if actor_id is not None:
        audience.append(GroupFollow.user_id != actor_id)
    return notify_select(
        audience=select(GroupFollow.user_id).where(*audience), kind=kind, url=url, actor_id=actor_id,
        text=lambda: FOLLOWER_NEWS[kind](group.name, title), group_id=group.id,
    )  # fmt: skip
