"""What other features attach to a thread (polls, outcomes...), shown between its comments by time.

A feature registers `fn(discussion, user) -> list[TimelineItem]`; the thread page includes each
item's `template` at its place in time among the top-level comments, with `item` set (so the
template reads `item.context`, `item.created_at`) beside the page's own variables. Sources must load what they
show in a fixed number of queries, so the thread page's query count does not grow with rows.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class TimelineItem:
    created_at: datetime
    #: a template path, rendered with `context` as its variables
    template: str
    context: dict = field(default_factory=dict)


TimelineSource = Callable[[object, object], list[TimelineItem]]
TIMELINE_SOURCES: list[TimelineSource] = []


def register_timeline_source(fn: TimelineSource) -> TimelineSource:
    """Add a source of items for thread pages (usable as a decorator)."""
    if fn not in TIMELINE_SOURCES:
        TIMELINE_SOURCES.append(fn)
    return fn


#: fn(timeline, user, membership) -> items for the top of a thread (governance: its open decisions)
THREAD_TOP: list = []


def register_thread_top(fn):
    """Add what the top of a thread shows, from its timeline (usable as a decorator)."""
    if fn not in THREAD_TOP:
        THREAD_TOP.append(fn)
    return fn


def thread_top(timeline: list, user, membership) -> list:
    return [item for fn in THREAD_TOP for item in fn(timeline, user, membership)]


def timeline_items(discussion, user) -> list[TimelineItem]:
    """Every registered source's items for this thread, oldest first."""
    items = [item for source in TIMELINE_SOURCES for item in source(discussion, user)]
    return sorted(items, key=lambda item: item.created_at)
