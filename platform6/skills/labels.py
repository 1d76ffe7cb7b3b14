"""What the skills board's codes and taxonomy names read as, in the reader's language."""

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from .taxonomy import taxonomy

REQUEST_STATE_LABELS = {
    "open": _l("open"),
    "assigned": _l("assigned"),
    "completed": _l("completed"),
    "cancelled": _l("cancelled"),
}
APPLICATION_STATE_LABELS = {
    "pending": _l("pending"),
    "accepted": _l("accepted"),
    "declined": _l("declined"),
    "withdrawn": _l("withdrawn"),
}


def state_label(state: str) -> str:
    return str(REQUEST_STATE_LABELS.get(state, state))


def application_state_label(state: str) -> str:
    return str(APPLICATION_STATE_LABELS.get(state, state))


def skill_label(name: str) -> str:
    """A skill's name as the reader's language has it: the taxonomy's names are in the catalogue
    (taxonomy_names.py lists them for extraction), found by name, synonym or key; a name people typed themselves
    stays as they wrote it."""
    if not name:
        return ""
    entry = taxonomy().entry(taxonomy().key_of(name))
    return gettext(entry.name) if entry is not None else name


def category_label(category: str | None) -> str:
    return gettext(category) if category else ""
