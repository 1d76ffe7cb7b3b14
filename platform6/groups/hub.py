"""The group page as the hub: each feature's section (its count and where it leads) and what needs the reader.

Groups import no feature (forums, governance, skills and credit import groups), so the features' parts are
registered here by a composition root (platform6/group_hub.py). Every count and attention item is a scalar
subquery; `hub_for` asks them all in ONE statement, so the group page's query count does not grow with the
number of sections, members or threads.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from flask_babel import ngettext
from sqlalchemy import ColumnElement, Integer, Select, bindparam, func, literal, select

from ..extensions import db
from .models import Group, GroupFollow, JoinRequest, Membership
from .permissions import can_see_content, user_id_of


@dataclass
class Section:
    """A tab of the group's hub: `count(group_id)` a scalar subquery, `url(group)` where it leads."""

    key: str
    order: int
    #: a lazy_gettext string
    label: object
    count: Callable[[ColumnElement], ColumnElement]
    url: Callable[[Group], str]
    #: fn(group, counts) -> template variables of the section's block on the group page, or None for none
    items: Callable[[Group, dict], dict | None] | None = None
    #: shown to the group's members only (the credit a group holds is its own business)
    members_only: bool = False
    #: left out of the tabs at 0 (a group without credit has nothing to show there)
    hide_when_empty: bool = False


@dataclass
class Attention:
    """Something the reader should do in this group: `count(group_id, user_id, role)` a scalar subquery, or None
    when it never concerns this reader (an admin's task for a plain member)."""

    key: str
    count: Callable[[ColumnElement, ColumnElement, str], ColumnElement | None]
    #: fn(n) -> the sentence, with its number
    text: Callable[[int], str]
    url: Callable[[Group], str]


SECTIONS: list[Section] = []
ATTENTIONS: list[Attention] = []


def section(item: Section) -> Section:
    SECTIONS.append(item)
    SECTIONS.sort(key=lambda s: s.order)
    return item


def attention(item: Attention) -> Attention:
    ATTENTIONS.append(item)
    return item


@dataclass
class Hub:
    #: {section key: count}
    counts: dict[str, int] = field(default_factory=dict)
    #: [(attention, n)] with n > 0, in registration order
    attention: list[tuple[Attention, int]] = field(default_factory=list)
    following: bool = False
    followers: int = 0
    #: {section key: template variables}
    items: dict[str, dict] = field(default_factory=dict)

    @property
    def sections(self) -> list[Section]:
        return [s for s in SECTIONS if s.key in self.counts and (self.counts[s.key] or not s.hide_when_empty)]


def _count(*where) -> ColumnElement:
    return select(func.count()).where(*where).scalar_subquery()


@lru_cache(maxsize=64)
def _statement(signed_in: bool, content_visible: bool, role: str | None) -> tuple[Select, tuple[str, ...]]:
    """The one statement asking every count a reader of this kind sees, with the group and the reader as bound
    parameters: built once per kind of reader, not once per page view (building it cost more than running it)."""
    group_id, user_id = bindparam("group_id", type_=Integer), bindparam("user_id", type_=Integer)
    columns: dict[str, ColumnElement] = {
        "followers": _count(GroupFollow.group_id == group_id),
        "following": _count(GroupFollow.group_id == group_id, GroupFollow.user_id == user_id)
        if signed_in
        else literal(0),
    }
    if content_visible:
        for s in SECTIONS:
            if role is not None or not s.members_only:
                columns[f"section:{s.key}"] = s.count(group_id)
    if role is not None:
        for a in ATTENTIONS:
            expression = a.count(group_id, user_id, role)
            if expression is not None:
                columns[f"attention:{a.key}"] = expression
    return select(*(value.label(f"c{n}") for n, value in enumerate(columns.values()))), tuple(columns)


def hub_for(user, group: Group, mine: Membership | None) -> Hub:
    """What the group page shows of every feature, and what needs `user`, in one query (plus each section's
    few items, fetched only when its count says there are some)."""
    uid = user_id_of(user)
    statement, keys = _statement(uid is not None, can_see_content(user, group), mine.role if mine else None)
    row = db.session.execute(statement, {"group_id": group.id, "user_id": uid}).one()
    values = {key: value or 0 for key, value in zip(keys, row, strict=True)}
    hub = Hub(following=bool(values["following"]), followers=values["followers"])
    hub.counts = {s.key: values[f"section:{s.key}"] for s in SECTIONS if f"section:{s.key}" in values}
    hub.attention = [(a, values[f"attention:{a.key}"]) for a in ATTENTIONS if values.get(f"attention:{a.key}")]
    for s in SECTIONS:
        if s.items is not None and hub.counts.get(s.key):
            found = s.items(group, hub.counts)
            if found is not None:
                hub.items[s.key] = found
    return hub


# Groups' own parts: members and subgroups are counted on the group's row and by the page; join requests here.

attention(
    Attention(
        key="join_requests",
        count=lambda group_id, user_id, role: (
            _count(JoinRequest.group_id == group_id, JoinRequest.state == "pending") if role == "admin" else None
        ),
        text=lambda n: ngettext(
            "%(num)d join request is waiting for an answer",
            "%(num)d join requests are waiting for an answer",
            n,
        ),
        url=lambda group: f"/groups/{group.handle}/join-requests",
    )
)
