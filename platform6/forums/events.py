"""Socket.IO for threads: the `discussion_id` and `group_id` rooms, and pushing changes to them after commit.

Emits leave the request on a background task, so a thread with many listeners does not slow the poster.
"""

from ..errors import NotFound
from ..extensions import db, socketio
from ..groups.models import Group
from ..groups.permissions import can_see_content, can_see_group
from ..outbox import after_commit
from ..realtime import access_may_end, register_room
from . import service
from .models import Discussion, DiscussionGuest
from .permissions import forget_guests
from .queries import visible_discussion
from .schemas import discussion_json, one_comment_json


def discussion_room(discussion_id: int) -> str:
    return f"discussion:{discussion_id}"


def group_room(group_id: int) -> str:
    return f"group:{group_id}"


def _resolve_discussion(user, discussion_id: int) -> str | None:
    try:
        visible_discussion(user, discussion_id)
    except NotFound:
        return None
    return discussion_room(discussion_id)


def _resolve_group(user, group_id: int) -> str | None:
    """Watching a group page: new threads arrive there (members, or anyone for an open group)."""
    group = db.session.get(Group, group_id)
    if group is None or not can_see_group(user, group) or not can_see_content(user, group):
        return None
    return group_room(group_id)


register_room("discussion_id", _resolve_discussion)
register_room("group_id", _resolve_group)
access_may_end(Discussion, "group_id")  # a thread moved to another group: its listeners are checked again
# a guest removed leaves the thread's room (and its polls' rooms) the moment that commits
access_may_end(DiscussionGuest, person=lambda guest: guest.user_id, forget=forget_guests)


def emit_after_commit(event: str, payload: dict, room: str) -> None:
    """Send `event` to `room` once the transaction commits, off the request's thread."""
    after_commit(lambda: socketio.start_background_task(socketio.emit, event, payload, to=room))


@service.comment_created.connect
def _comment_created(comment, **_):
    emit_after_commit("comment_created", {"comment": one_comment_json(comment)}, discussion_room(comment.discussion_id))


@service.comment_changed.connect
def _comment_changed(comment, **_):
    emit_after_commit("comment_updated", {"comment": one_comment_json(comment)}, discussion_room(comment.discussion_id))


@service.discussion_created.connect
def _discussion_created(discussion, **_):
    payload = {"discussion": discussion_json(discussion)}
    emit_after_commit("discussion_created", payload, group_room(discussion.group_id))


@service.discussion_changed.connect
def _discussion_changed(discussion, **_):
    payload = {"discussion": discussion_json(discussion)}
    emit_after_commit("discussion_updated", payload, discussion_room(discussion.id))
    emit_after_commit("discussion_updated", payload, group_room(discussion.group_id))
