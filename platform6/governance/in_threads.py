"""The decisions raised in a thread, as the top of the thread shows them (Loomio's "current poll" panel).

The polls come from the thread's timeline (governance registers them as a timeline source), so this costs
one query at most: which of the open ones the reader has voted on. Forums shows what this returns at the
top of the thread (forums.timeline.register_thread_top): forums never imports governance.
"""

from dataclasses import dataclass

from ..forums.permissions import is_guest
from ..forums.timeline import register_thread_top
from ..groups.permissions import user_id_of
from .queries import VOTING_ROLES, voted_poll_ids

#: closed polls shown at the top besides the open ones: the latest, with its outcome
CLOSED_ON_TOP = 1


@dataclass(frozen=True)
class ThreadDecision:
    poll: object
    #: the reader may vote on it (a voting member or a guest of the thread, and among its named voters if any)
    may_vote: bool
    #: the reader has voted on it (False when signed out or not asked to vote)
    voted: bool


@register_thread_top
def thread_decisions(timeline: list, user, membership) -> list[ThreadDecision]:
    """The thread's open polls (soonest closing first), then its latest closed one."""
    polls = [item.context["poll"] for item in timeline if "poll" in item.context]
    open_polls = sorted((p for p in polls if p.closed_at is None), key=lambda p: p.closing_at)
    closed = sorted((p for p in polls if p.closed_at is not None), key=lambda p: p.closed_at, reverse=True)
    shown = open_polls + closed[:CLOSED_ON_TOP]
    if not shown:
        return []
    uid = user_id_of(user)
    # the thread's guests vote in its polls as its voting members do
    voter = (membership is not None and membership.role in VOTING_ROLES) or is_guest(user, shown[0].discussion_id)
    voted = voted_poll_ids(user, [p.id for p in open_polls]) if voter and open_polls else set()
    return [
        ThreadDecision(
            poll=poll,
            may_vote=voter and (poll.voter_ids is None or uid in poll.voter_ids),
            voted=poll.id in voted,
        )
        for poll in shown
    ]
