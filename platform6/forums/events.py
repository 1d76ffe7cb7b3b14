"""Socket.IO for threads: the `discussion_id` room and the emits services queue after commit."""

from ..errors import NotFound
from ..realtime import register_room
from .queries import visible_discussion


def discussion_room(discussion_id: int) -> str:
    return f"discussion:{discussion_id}"


def _resolve_discussion(user, discussion_id: int) -> str | None:
    try:
        visible_discussion(user, discussion_id)
    except NotFound:
        return None
    return discussion_room(discussion_id)


register_room("discussion_id", _resolve_discussion)
