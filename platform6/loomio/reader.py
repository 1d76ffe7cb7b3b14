"""Reading a Loomio group export: JSON lines of `{"table": ..., "record": {...}}`, all checked before anything is written.

The file is refused whole, naming its first bad line, when a line is not UTF-8 JSON of that shape
(a file cut short ends in such a line, or without the line break Loomio writes after every line), a
line is of a table Loomio does not write, a record of a table we import lacks its id or holds a
value of the wrong type in a field we read, two records of a table share an id, or a record names
a record that Loomio always writes in the same file (a membership's group and person, a stance's
poll...) and this file does not hold. References Loomio may leave pointing outside the file (a
group's parent, an author who was deleted, a reaction's target) are not refused; the import skips
or notes them. Checking everything first is what makes an import all or nothing.

The records are matched only within their source: the export's top group (the group without a
parent in the file, the lowest id if there are several), named by its Loomio id and key.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from ..errors import invalid

#: Loomio tables that have no counterpart here, and why (both shapes of the file; see loomio-export-format.md)
NOT_IMPORTED = {
    "events": "the timeline is rebuilt from the comments, polls and votes themselves",
    "topic_items": "the timeline is rebuilt from the comments, polls and votes themselves",
    "topics": "threads of Loomio's topic-shaped exports are not imported",
    "topic_readers": "read state is not carried over",
    "notifications": "notifications are not carried over",
    "notification_deliveries": "notifications are not carried over",
    "discussion_readers": "read state is not carried over",
    "attachments": "files are not copied (their links point at the Loomio server)",
    "poll_templates": "custom templates have no counterpart here",
    "discussion_templates": "custom templates have no counterpart here",
    "membership_requests": "pending join requests are not carried over",
    "tags": "tag colours and order have no counterpart here",
    "stance_receipts": "the votes themselves are imported, not their receipts",
    "anonymous_poll_voters": "anonymous ballots of Loomio's topic-shaped exports are not imported",
    "anonymous_ballots": "anonymous ballots of Loomio's topic-shaped exports are not imported",
    "anonymous_ballot_choices": "anonymous ballots of Loomio's topic-shaped exports are not imported",
    "legacy_anonymous_vote_reasons": "anonymous ballots of Loomio's topic-shaped exports are not imported",
}


def _is_whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _text(value) -> str | None:
    return None if value is None or isinstance(value, str) else "is not text"


def _whole(value) -> str | None:
    return None if value is None or _is_whole(value) else "is not a whole number"


def _flag(value) -> str | None:
    return None if value is None or isinstance(value, bool) else "is not true or false"


def _parses(parse: Callable, value, what: str) -> str | None:
    if value is None:
        return None
    try:
        parse(value)
    except (TypeError, ValueError):
        return f"is not {what}"
    return None


def _time(value) -> str | None:
    return _parses(datetime.fromisoformat, value, "a time")


def _date(value) -> str | None:
    return _parses(date.fromisoformat, value, "a date")


_RICH = {"description": _text, "description_format": _text}
#: the fields the import reads, per imported table, and the type each must have when present
FIELDS: dict[str, dict[str, Callable]] = {
    "users": {
        "email": _text, "name": _text, "username": _text, "created_at": _time, "deactivated_at": _time, "bot": _flag,
    },
    "groups": {
        **_RICH, "parent_id": _whole, "name": _text, "handle": _text, "key": _text, "created_at": _time,
        "creator_id": _whole, "is_visible_to_public": _flag, "membership_granted_upon": _text,
        "members_can_start_discussions": _flag, "members_can_raise_motions": _flag,
        "members_can_add_members": _flag, "members_can_create_subgroups": _flag,
    },
    "memberships": {
        "group_id": _whole, "user_id": _whole, "admin": _flag, "accepted_at": _time, "revoked_at": _time,
    },
    "discussions": {
        **_RICH, "group_id": _whole, "author_id": _whole, "title": _text, "created_at": _time, "closed_at": _time,
        "discarded_at": _time, "last_activity_at": _time, "pinned_at": _time,
    },
    "comments": {
        "discussion_id": _whole, "user_id": _whole, "body": _text, "body_format": _text, "parent_type": _text,
        "parent_id": _whole, "created_at": _time, "edited_at": _time, "discarded_at": _time,
    },
    "polls": {
        "group_id": _whole, "discussion_id": _whole, "author_id": _whole, "poll_type": _text, "title": _text,
        "details": _text, "details_format": _text, "created_at": _time, "closing_at": _time, "closed_at": _time,
        "discarded_at": _time, "anonymous": _flag, "hide_results": _text, "specified_voters_only": _flag,
        "stance_reason_required": _text, "default_duration_in_days": _whole, "minimum_stance_choices": _whole,
        "maximum_stance_choices": _whole, "dots_per_person": _whole, "min_score": _whole, "max_score": _whole,
    },
    "poll_options": {"poll_id": _whole, "name": _text, "icon": _text, "priority": _whole},
    "stances": {
        "poll_id": _whole, "participant_id": _whole, "latest": _flag, "cast_at": _time, "revoked_at": _time,
        "reason": _text, "reason_format": _text,
    },
    "stance_choices": {"stance_id": _whole, "poll_option_id": _whole, "score": _whole},
    "outcomes": {
        "poll_id": _whole, "author_id": _whole, "latest": _flag, "statement": _text, "statement_format": _text,
        "poll_option_id": _whole, "review_on": _date, "created_at": _time,
    },
    "reactions": {"reactable_type": _text, "reactable_id": _whole, "user_id": _whole, "reaction": _text, "created_at": _time},
}  # fmt: skip

#: references Loomio always writes with their target: (table, column) -> (target table, required)
REFERENCES: dict[tuple[str, str], tuple[str, bool]] = {
    ("memberships", "group_id"): ("groups", True),
    ("memberships", "user_id"): ("users", True),
    ("discussions", "group_id"): ("groups", False),
    ("comments", "discussion_id"): ("discussions", False),
    ("polls", "group_id"): ("groups", False),
    ("poll_options", "poll_id"): ("polls", True),
    ("stances", "poll_id"): ("polls", True),
    ("stance_choices", "stance_id"): ("stances", True),
    ("outcomes", "poll_id"): ("polls", True),
}


@dataclass(frozen=True)
class Line:
    number: int
    table: str
    record: dict

    @property
    def id(self):
        """A positive integer in every imported table; Loomio's other tables may have none, or a UUID."""
        return self.record.get("id")


@dataclass(frozen=True)
class Source:
    """The export's top group on its Loomio instance: a file's records are matched only with its source's."""

    group_id: int
    group_key: str


@dataclass(frozen=True)
class Export:
    lines: list[Line]
    source: Source


class _BadLine(Exception):
    def __init__(self, number: int, reason: str) -> None:
        super().__init__(reason)
        self.number, self.reason = number, reason


def _parse_line(number: int, raw: bytes) -> Line:
    try:
        text = raw.decode("utf-8").lstrip("\ufeff")
    except UnicodeDecodeError:
        raise _BadLine(number, "is not UTF-8 text") from None
    try:
        item = json.loads(text)
    except (ValueError, RecursionError):
        raise _BadLine(
            number, "is not JSON (or is nested too deep to read); a file cut short ends in such a line"
        ) from None
    if not isinstance(item, dict) or not isinstance(item.get("table"), str) or not isinstance(item.get("record"), dict):
        raise _BadLine(number, 'is not a {"table": ..., "record": {...}} object')
    table, record = item["table"], item["record"]
    if table in NOT_IMPORTED:
        return Line(number, table, record)
    if table not in FIELDS:
        raise _BadLine(number, f"holds a record of {table[:60]!r}, a table Loomio does not export")
    if not _is_whole(record.get("id")) or not 0 < record["id"] < 2**63:
        raise _BadLine(number, f"holds a {table} record without an id")
    for column, check in FIELDS[table].items():
        wrong = check(record.get(column))
        if wrong:
            raise _BadLine(number, f"holds a {table} record whose {column} {wrong}")
    return Line(number, table, record)


def _check_references(lines: list[Line]) -> None:
    ids: dict[str, set[int]] = {table: set() for table in FIELDS}
    for line in lines:
        if line.table in FIELDS:
            if line.id in ids[line.table]:
                raise _BadLine(line.number, f"holds {line.table} record {line.id} a second time")
            ids[line.table].add(line.id)
    for line in lines:
        for (table, column), (target, required) in REFERENCES.items():
            if line.table != table:
                continue
            value = line.record.get(column)
            if value is None and not required:
                continue
            if value not in ids[target]:
                raise _BadLine(line.number, f"holds a {table} record whose {column} ({value}) is not in the file")


def _source(lines: list[Line]) -> Source:
    groups = [line for line in lines if line.table == "groups"]
    if not groups:
        raise invalid("file", "This export holds no group, so there is nothing to import.")
    ids = {line.id for line in groups}
    tops = [line for line in groups if line.record.get("parent_id") not in ids]
    if not tops:
        raise _BadLine(groups[0].number, "holds a group whose parents lead back to itself")
    top = min(tops, key=lambda line: line.id)
    key = top.record.get("key")
    if not key or len(key) > 64:
        raise _BadLine(top.number, "holds the export's top group without its key, which tells which group it is")
    return Source(group_id=top.id, group_key=key)


def read_export(data: bytes) -> Export:
    """The export's records in file order and its source; ValidationFailed ("file") naming the first bad line."""
    raws = data.split(b"\n")
    lines: list[Line] = []
    first_bad: _BadLine | None = None
    for number, raw in enumerate(raws, start=1):
        if raw.strip():
            try:
                lines.append(_parse_line(number, raw))
            except _BadLine as bad:
                first_bad = first_bad or bad
    if not any(line.table in FIELDS for line in lines):
        raise invalid(
            "file",
            "This is not a Loomio group export: no line holds a Loomio record. The export is JSON lines, "
            'one {"table": ..., "record": {...}} object a line, from the group\'s “Export data” menu.',
        )
    try:
        if first_bad:
            raise first_bad
        if raws[-1].strip():
            raise _BadLine(
                len(raws), "does not end with a line break, as Loomio ends every line: the file was cut short"
            )
        _check_references(lines)
        return Export(lines=lines, source=_source(lines))
    except _BadLine as bad:
        raise invalid("file", f"Nothing was imported: line {bad.number} {bad.reason}.") from None
