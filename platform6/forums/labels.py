"""Thread labels: each group's own labels (a name unique in the group, a colour from an accessible palette),
managed by its admins and put on threads by whoever may edit them. A poll is labelled by the thread it is in.

Flushes, never commits (the caller's boundary does).
"""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..accounts.models import User
from ..errors import NotFound, invalid
from ..extensions import db
from ..groups.models import Group
from ..groups.permissions import ensure_admin
from .models import LABEL_MAX, Discussion, DiscussionLabel

#: colour key -> (its name, the chip's background); each keeps white text at a contrast of at least 4.5:1 (WCAG AA)
PALETTE = {
    "grey": (_l("Grey"), "#4b5563"),
    "red": (_l("Red"), "#b91c1c"),
    "orange": (_l("Orange"), "#b45309"),
    "green": (_l("Green"), "#15803d"),
    "teal": (_l("Teal"), "#0f766e"),
    "blue": (_l("Blue"), "#1d4ed8"),
    "purple": (_l("Purple"), "#7e22ce"),
    "pink": (_l("Pink"), "#be185d"),
}
#: a group's labels are few enough to choose from at a glance (history from elsewhere is brought whole)
LABELS_MAX = 50


def group_labels(group_id: int) -> list[DiscussionLabel]:
    return list(
        db.session.scalars(
            select(DiscussionLabel).where(DiscussionLabel.group_id == group_id).order_by(DiscussionLabel.name)
        )
    )


def _key(name: str) -> str:
    return " ".join(str(name or "").split()).casefold()


def label_named(group_id: int, name: str) -> DiscussionLabel | None:
    """The group's label of that name, whatever its case ("Budget" is "budget")."""
    wanted = _key(name)
    return next((label for label in group_labels(group_id) if _key(label.name) == wanted), None)


def _check_name(name: str) -> str:
    name = " ".join(str(name or "").split())
    if not 1 <= len(name) <= LABEL_MAX:
        raise invalid("name", _("Give the label a name of 1 to %(max)d characters.", max=LABEL_MAX))
    return name


def _check_colour(colour: str | None, group_id: int) -> str:
    if colour is None or colour == "":
        # the palette's colours in turn, so labels made without a choice still look apart
        return list(PALETTE)[len(group_labels(group_id)) % len(PALETTE)]
    if colour not in PALETTE:
        raise invalid("colour", _("Choose one of the palette's colours."))
    return colour


def nearest_colour(hex_colour: str | None, group_id: int) -> str:
    """The palette colour closest to a colour given as #rrggbb (another tool's), else the next in turn."""
    text = str(hex_colour or "").strip().lstrip("#")
    if len(text) != 6:
        return _check_colour(None, group_id)
    try:
        rgb = [int(text[i : i + 2], 16) for i in (0, 2, 4)]
    except ValueError:
        return _check_colour(None, group_id)

    def distance(key: str) -> int:
        ours = PALETTE[key][1].lstrip("#")
        return sum((int(ours[i * 2 : i * 2 + 2], 16) - rgb[i]) ** 2 for i in range(3))

    return min(PALETTE, key=distance)


def _write_label(group: Group, name: str, colour: str) -> DiscussionLabel:
    if label_named(group.id, name) is not None:
        raise invalid("name", _("The group has a label “%(name)s” already.", name=name))
    label = DiscussionLabel(group_id=group.id, name=name, colour=colour)
    db.session.add(label)
    db.session.flush()
    return label


def create_label(*, actor: User, group: Group, name: str, colour: str | None = None) -> DiscussionLabel:
    """A new label of the group (its admins only); without a colour, the palette's next one."""
    ensure_admin(actor, group)
    if len(group_labels(group.id)) >= LABELS_MAX:
        raise invalid("name", _("A group has at most %(max)d labels: delete one first.", max=LABELS_MAX))
    return _write_label(group, _check_name(name), _check_colour(colour, group.id))


def delete_label(*, actor: User, group: Group, name: str) -> None:
    """Delete the group's label (its admins only): it comes off every thread that had it."""
    ensure_admin(actor, group)
    label = label_named(group.id, name)
    if label is None:
        raise NotFound(_("The group has no label “%(name)s”.", name=name))
    db.session.delete(label)
    db.session.flush()


def assign(discussion: Discussion, names: list[str]) -> None:
    """Put exactly these labels of the thread's group on it (the caller checked who may edit the thread)."""
    chosen = []
    for name in names:
        label = label_named(discussion.group_id, name)
        if label is None:
            raise invalid("labels", _("The group has no label “%(name)s”.", name=" ".join(str(name).split())))
        if label not in chosen:
            chosen.append(label)
    discussion.labels = chosen


def follow_move(discussion: Discussion, group: Group) -> None:
    """A thread moved to another group keeps the labels that group has by the same names, and drops the others."""
    discussion.labels = [found for label in discussion.labels if (found := label_named(group.id, label.name))]


def replay_label(*, group: Group, name: str, colour: str | None = None) -> tuple[DiscussionLabel, bool]:
    """A label from another tool's history (a Loomio tag) with its colour as #rrggbb, and whether it is new: the
    group's label of that name if it has one, else a new one in the nearest palette colour."""
    name = _check_name(name)
    found = label_named(group.id, name)
    if found is not None:
        return found, False
    return _write_label(group, name, nearest_colour(colour, group.id)), True


def replay_labels(*, discussion: Discussion, names: list[str]) -> None:
    """Add these labels (made when the thread's group lacks them) to a thread written from history; nobody is told."""
    group = db.session.get(Group, discussion.group_id)
    for name in names:
        label, _new = replay_label(group=group, name=name)
        if label not in discussion.labels:
            discussion.labels.append(label)
    db.session.flush()
