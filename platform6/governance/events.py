"""Live results over Socket.IO: `join` {"poll_id"}, then `vote_cast` and `poll_closed` (API.md "Live updates")."""

from ..extensions import db, socketio
from ..outbox import after_commit
from ..realtime import register_room
from . import queries, service
from .models import Poll
from .schemas import poll_json


def poll_room(poll_id: int) -> str:
    return f"poll:{poll_id}"


def _resolve(user, poll_id: int) -> str | None:
    poll = db.session.get(Poll, poll_id)
    if poll is None or not queries.can_see_poll(user, poll):
        return None
    return poll_room(poll.id)


register_room("poll_id", _resolve)


@service.vote_cast.connect
def _on_vote_cast(poll: Poll) -> None:
    """{poll_id, voters_count, results|null}: results are null while hidden; no voter is ever named."""
    payload = {
        "poll_id": poll.id,
        "voters_count": poll.voters_count,
        "results": queries.results_of(poll) if poll.results_visible() else None,
    }
    after_commit(lambda: socketio.emit("vote_cast", payload, to=poll_room(payload["poll_id"])))


@service.poll_closed.connect
def _on_poll_closed(poll: Poll) -> None:
    payload = {"poll": poll_json(poll)}
    room = poll_room(poll.id)
    after_commit(lambda: socketio.emit("poll_closed", payload, to=room))
