"""Handles for people and groups: the one rule for their shape, and making one from a name."""

import re
import unicodedata
from collections.abc import Callable

from flask_babel import gettext as _

from .errors import invalid

HANDLE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{1,29}$")


def normalise(handle: str, field: str = "handle", max_length: int = 30) -> str:
    """Lower-case and check a handle typed by a person."""
    value = handle.strip().lstrip("@").lower()
    if not HANDLE_RE.match(value) or len(value) > max_length:
        raise invalid(
            field,
            _("Use 2 to %(num)d letters, digits, '-' or '_', starting with a letter or digit.", num=max_length),
        )
    return value


def from_name(name: str, taken: Callable[[str], bool], max_length: int = 30) -> str:
    """A free handle derived from a name: "Zoë Smith" -> "zoesmith", then "zoesmith2"... if taken."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "", ascii_name.lower())[: max_length - 4] or "member"
    if len(base) < 2:
        base = f"{base}-x"
    candidate, n = base, 1
    while taken(candidate):
        n += 1
        candidate = f"{base}{n}"
    return candidate
