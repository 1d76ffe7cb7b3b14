"""Limits on input that hold across every feature, each defined once.

Route handlers, forms and services import them from here, so the API, the pages, the imports
and the money parser all refuse the same values.
"""

#: the largest integer a JSON client can hold exactly (ids, amounts, limits, counts): 2^53 − 1
MAX_INT = 2**53 - 1

#: the deepest nesting of arrays and objects a JSON body may have; no body the API reads needs more
#: than a few levels, and a deeper one would only exhaust the stack of whatever walks it
MAX_JSON_DEPTH = 32

#: the longest title of a thread, a poll or a skills request
TITLE_MAX = 200
#: the title an imported thread, poll or request gets when its history has none
UNTITLED = "Untitled"


def history_title(value) -> str:
    """A title as an import keeps it: whitespace collapsed, cut to TITLE_MAX, UNTITLED when nothing is left.

    Live writes refuse such a title; history is kept rather than refused, the same way by every importer.
    """
    return " ".join(str(value or "").split())[:TITLE_MAX] or UNTITLED


def is_whole(value, lowest: int = 1, highest: int = MAX_INT) -> bool:
    """`value` (from JSON or a caller) is an int within [lowest, highest]; a bool is no number here."""
    return isinstance(value, int) and not isinstance(value, bool) and lowest <= value <= highest


def whole_number(text, lowest: int = 1, highest: int = MAX_INT) -> int | None:
    """`text` as an int when it is plain ASCII digits within [lowest, highest], else None.

    `str.isdigit()` is no guard: it accepts "²" and "١", which int() then refuses or reads, and a
    string of thousands of digits, which int() refuses too.
    """
    if not isinstance(text, str) or not 1 <= len(text) <= len(str(highest)) or not text.isascii():
        return None
    if not text.isdigit():
        return None
    value = int(text)
    return value if lowest <= value <= highest else None
