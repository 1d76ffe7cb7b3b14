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

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..errors import invalid

#: Loomio tables that have no counterpart here, and why (both shapes of the file; see loomio-export-format.md)
NOT_IMPORTED = {
    "events": _l("the timeline is rebuilt from the comments, polls and votes themselves"),
    "topic_items": _l("the timeline is rebuilt from the comments, polls and votes themselves"),
    "topics": _l("read for the group, thread and settings of its discussion or poll"),
    "topic_readers": _l("read state is not carried over"),
    "notifications": _l("notifications are not carried over"),
    "notification_deliveries": _l("notifications are not carried over"),
    "discussion_readers": _l("read state is not carried over"),
    "attachments": _l("a person's or group's picture (avatar, cover, logo) is not brought"),
    "poll_templates": _l("custom templates have no counterpart here"),
    "discussion_templates": _l("custom templates have no counterpart here"),
    "membership_requests": _l("pending join requests are not carried over"),
    "stance_receipts": _l("the votes themselves are imported, not their receipts"),
    "anonymous_poll_voters": _l("who voted in an anonymous poll is not carried over (their ballots are)"),
    "anonymous_ballot_choices": _l("read as part of its anonymous ballot"),
    "legacy_anonymous_vote_reasons": _l("read as part of its anonymous ballot"),
}


def _is_whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _text(value) -> str | None:
    return None if value is None or isinstance(value, str) else _("is not text")


def _whole(value) -> str | None:
    return None if value is None or _is_whole(value) else _("is not a whole number")


def _flag(value) -> str | None:
    return None if value is None or isinstance(value, bool) else _("is not true or false")


def _parses(parse: Callable, value) -> bool:
    if value is None:
        return True
    try:
        parse(value)
    except (TypeError, ValueError):
        return False
    return True


def _time(value) -> str | None:
    return None if _parses(datetime.fromisoformat, value) else _("is not a time")


def _date(value) -> str | None:
    return None if _parses(date.fromisoformat, value) else _("is not a date")


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
        "discarded_at": _time, "last_activity_at": _time, "pinned_at": _time, "topic_id": _whole,
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
        "show_none_of_the_above": _flag, "topic_id": _whole, "opening_at": _time, "opened_at": _time,
        "stv_seats": _whole,
    },
    "poll_options": {"poll_id": _whole, "name": _text, "icon": _text, "priority": _whole},
    "stances": {
        "poll_id": _whole, "participant_id": _whole, "latest": _flag, "cast_at": _time, "revoked_at": _time,
        "reason": _text, "reason_format": _text, "none_of_the_above": _flag,
    },
    "stance_choices": {"stance_id": _whole, "poll_option_id": _whole, "score": _whole},
    "outcomes": {
        "poll_id": _whole, "author_id": _whole, "latest": _flag, "statement": _text, "statement_format": _text,
        "poll_option_id": _whole, "review_on": _date, "created_at": _time,
    },
    "reactions": {"reactable_type": _text, "reactable_id": _whole, "user_id": _whole, "reaction": _text, "created_at": _time},
    # the topic shape's: read to place discussions, polls, comments and anonymous ballots, then dropped
    "topics": {
        "group_id": _whole, "topicable_type": _text, "topicable_id": _whole, "pinned_at": _time,
        "last_activity_at": _time, "locked_at": _time,
    },
    "anonymous_ballots": {"poll_id": _whole, "none_of_the_above": _flag},
    # the topic shape's group tags: labels here, in Loomio's colour
    "tags": {"group_id": _whole, "name": _text, "color": _text},
}  # fmt: skip
#: tables whose records carry no whole-number id (an anonymous ballot's is a UUID the exporter makes up)
NO_ID = {"anonymous_ballots"}
#: tables read only to build the events shape's records from the topic shape's
TOPIC_TABLES = ("topics", "anonymous_ballots")

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
    ("stance_choices", "poll_option_id"): ("poll_options", True),
    ("discussions", "topic_id"): ("topics", False),
    ("polls", "topic_id"): ("topics", False),
    ("anonymous_ballots", "poll_id"): ("polls", True),
    ("tags", "group_id"): ("groups", False),
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
    #: "events" (Loomio until mid-2025) or "topics" (Loomio's current shape); see loomio-export-format.md 10.1
    shape: str = "events"


class _BadLine(Exception):
    def __init__(self, number: int, reason: str) -> None:
        super().__init__(reason)
        self.number, self.reason = number, reason


def _parse_line(number: int, raw: bytes) -> Line:
    try:
        text = raw.decode("utf-8").lstrip("\ufeff")
    except UnicodeDecodeError:
        raise _BadLine(number, _("is not UTF-8 text")) from None
    try:
        item = json.loads(text)
    except (ValueError, RecursionError):
        raise _BadLine(
            number, _("is not JSON (or is nested too deep to read); a file cut short ends in such a line")
        ) from None
    if not isinstance(item, dict) or not isinstance(item.get("table"), str) or not isinstance(item.get("record"), dict):
        raise _BadLine(number, _('is not a {"table": ..., "record": {...}} object'))
    table, record = item["table"], item["record"]
    if table in NOT_IMPORTED and table not in FIELDS:
        return Line(number, table, record)
    if table not in FIELDS:
        raise _BadLine(number, _("holds a record of %(table)r, a table Loomio does not export", table=table[:60]))
    if table in NO_ID:
        if not isinstance(record.get("id"), str) or not record["id"]:
            raise _BadLine(number, _("holds a %(table)s record without an id", table=table))
    elif not _is_whole(record.get("id")) or not 0 < record["id"] < 2**63:
        raise _BadLine(number, _("holds a %(table)s record without an id", table=table))
    for column, check in FIELDS[table].items():
        wrong = check(record.get(column))
        if wrong:
            raise _BadLine(
                number,
                _("holds a %(table)s record whose %(column)s %(wrong)s", table=table, column=column, wrong=wrong),
            )
    return Line(number, table, record)


def _check_references(lines: list[Line]) -> None:
    ids: dict[str, set] = {table: set() for table in FIELDS}
    for line in lines:
        if line.table in FIELDS:
            if line.id in ids[line.table]:
                raise _BadLine(
                    line.number, _("holds %(table)s record %(id)s a second time", table=line.table, id=line.id)
                )
            ids[line.table].add(line.id)
    for line in lines:
        for (table, column), (target, required) in REFERENCES.items():
            if line.table != table:
                continue
            value = line.record.get(column)
            if value is None and not required:
                continue
            if value not in ids[target]:
                raise _BadLine(
                    line.number,
                    _(
                        "holds a %(table)s record whose %(column)s (%(value)s) is not in the file",
                        table=table,
                        column=column,
                        value=value,
                    ),
                )


def _check_ballots(lines: list[Line]) -> None:
    """Each choice names an option of its own ballot's poll: a choice moved to another poll's option is corrupt."""
    option_poll = {line.id: line.record.get("poll_id") for line in lines if line.table == "poll_options"}
    stance_poll = {line.id: line.record.get("poll_id") for line in lines if line.table == "stances"}
    ballot_poll = {line.id: line.record.get("poll_id") for line in lines if line.table == "anonymous_ballots"}
    for line in lines:
        if line.table == "stance_choices":
            owner = stance_poll.get(line.record.get("stance_id"))
        elif line.table == "anonymous_ballot_choices":
            ballot = line.record.get("anonymous_ballot_id")
            if ballot not in ballot_poll:
                raise _BadLine(
                    line.number,
                    _("holds a choice of the anonymous ballot %(ballot)r, not in the file", ballot=str(ballot)[:40]),
                )
            owner = ballot_poll[ballot]
            option = line.record.get("poll_option_id")
            if option not in option_poll:
                raise _BadLine(
                    line.number, _("holds a choice whose poll_option_id (%(option)s) is not in the file", option=option)
                )
            if not _is_whole(line.record.get("score")):
                raise _BadLine(line.number, _("holds a choice whose score is not a whole number"))
        else:
            continue
        if option_poll.get(line.record.get("poll_option_id")) != owner:
            raise _BadLine(line.number, _("holds a choice of an option from another poll than its vote's"))


def _shape(lines: list[Line]) -> str:
    """Which of Loomio's two export shapes the file has, from the file itself (loomio-export-format.md 10.1)."""
    tables = {line.table for line in lines}
    if tables & {"topics", "topic_items", "topic_readers"}:
        shape = "topics"
    elif (
        tables & {"events", "discussion_readers"}
        or any(line.table in ("discussions", "polls") and "group_id" in line.record for line in lines)
        or any(line.table == "comments" and "discussion_id" in line.record for line in lines)
    ):
        shape = "events"
    elif tables & {"anonymous_ballots", "anonymous_poll_voters", "notification_deliveries", "stance_receipts"}:
        shape = "topics"
    else:
        shape = "events"  # groups, people and memberships only: both shapes read alike
    key = "topic_id" if shape == "topics" else "group_id"
    for line in lines:
        if line.table in ("discussions", "polls") and key not in line.record:
            raise _BadLine(
                line.number,
                _(
                    "holds a %(table)s record without %(key)s, which every %(table)s record of this file's shape has "
                    "(Loomio's events-shaped exports give group_id, its topic-shaped ones topic_id): "
                    "the file has a shape this import does not know",
                    table=line.table,
                    key=key,
                ),
            )
    return shape


def _from_topics(lines: list[Line]) -> list[Line]:
    """A topic-shaped export's records as the events shape has them (loomio-export-format.md 10.2–10.6).

    Discussions and polls take their group (and a poll its thread) from their topic; a comment
    finds its thread through its parent chain; each anonymous ballot becomes a stance without a
    voter, with its choices and legacy reason in the record (`_choices`), as a closed anonymous
    poll's stances are in the events shape.
    """
    topics = {line.id: line.record for line in lines if line.table == "topics"}
    records = {(line.table, line.id): line.record for line in lines}
    out: list[Line] = []
    for line in lines:
        if line.table in TOPIC_TABLES:
            continue
        record = line.record
        topic = topics.get(record.get("topic_id"), {})
        if line.table == "discussions":
            record = {
                "pinned_at": topic.get("pinned_at"),
                "last_activity_at": topic.get("last_activity_at"),
                "closed_at": topic.get("locked_at"),
                **record,
                "group_id": topic.get("group_id"),
            }
        elif line.table == "polls":
            in_thread = topic.get("topicable_type") == "Discussion"
            record = {
                **record,
                "group_id": topic.get("group_id"),
                "discussion_id": topic.get("topicable_id") if in_thread else None,
            }
        elif line.table == "comments":
            record = {**record, "discussion_id": _thread_of(record, records)}
        elif line.table == "topic_readers" and topic.get("topicable_type") == "Discussion":
            record = {**record, "discussion_id": topic.get("topicable_id")}
        out.append(Line(line.number, line.table, record))
    choices: dict[str, list[dict]] = {}
    reasons: dict[str, str] = {}
    for line in lines:
        if line.table == "anonymous_ballot_choices":
            choices.setdefault(line.record["anonymous_ballot_id"], []).append(line.record)
        elif line.table == "legacy_anonymous_vote_reasons":
            reasons[line.record.get("anonymous_ballot_id")] = str(line.record.get("body") or "")
    ballots = sorted((line for line in lines if line.table == "anonymous_ballots"), key=lambda b: b.record["id"])
    per_poll: dict[int, int] = {}
    for line in ballots:
        poll_id = line.record["poll_id"]
        per_poll[poll_id] = per_poll.get(poll_id, 0) + 1
        poll = records[("polls", poll_id)]
        stance = {
            # the exporter makes up a new UUID per ballot and file: a ballot is known by its poll and place
            "id": poll_id * 1_000_000 + per_poll[poll_id],
            "poll_id": poll_id,
            "participant_id": None,
            "latest": True,
            "cast_at": poll.get("closed_at") or poll.get("created_at"),
            "none_of_the_above": bool(line.record.get("none_of_the_above")),
            "reason": reasons.get(line.record["id"], ""),
            "reason_format": "md",
            "_choices": choices.get(line.record["id"], []),
        }
        out.append(Line(line.number, "anonymous_ballots", stance))
    return out


def _thread_of(comment: dict, records: dict, depth: int = 0) -> int | None:
    """The discussion a topic-shaped comment belongs to, through what it replies to; None outside any thread."""
    parent_type, parent_id = comment.get("parent_type"), comment.get("parent_id")
    if depth > 1000:
        return None
    if parent_type == "Discussion":
        return parent_id
    if parent_type == "Comment" and ("comments", parent_id) in records:
        return _thread_of(records[("comments", parent_id)], records, depth + 1)
    poll = None
    if parent_type == "Poll":
        poll = records.get(("polls", parent_id))
    elif parent_type == "Stance" and ("stances", parent_id) in records:
        poll = records.get(("polls", records[("stances", parent_id)].get("poll_id")))
    if poll is None:
        return None
    topic = records.get(("topics", poll.get("topic_id")), {})
    return topic.get("topicable_id") if topic.get("topicable_type") == "Discussion" else None


def _source(lines: list[Line]) -> Source:
    groups = [line for line in lines if line.table == "groups"]
    if not groups:
        raise invalid("file", _("This export holds no group, so there is nothing to import."))
    ids = {line.id for line in groups}
    tops = [line for line in groups if line.record.get("parent_id") not in ids]
    if not tops:
        raise _BadLine(groups[0].number, _("holds a group whose parents lead back to itself"))
    top = min(tops, key=lambda line: line.id)
    key = top.record.get("key")
    if not key or len(key) > 64:
        raise _BadLine(top.number, _("holds the export's top group without its key, which tells which group it is"))
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
            _(
                "This is not a Loomio group export: no line holds a Loomio record. The export is JSON lines, "
                'one {"table": ..., "record": {...}} object a line, from the group\'s “Export data” menu.'
            ),
        )
    try:
        if first_bad:
            raise first_bad
        if raws[-1].strip():
            raise _BadLine(
                len(raws), _("does not end with a line break, as Loomio ends every line: the file was cut short")
            )
        shape = _shape(lines)
        _check_references(lines)
        _check_ballots(lines)
        if shape == "topics":
            lines = _from_topics(lines)
        return Export(lines=lines, source=_source(lines), shape=shape)
    except _BadLine as bad:
        raise invalid(
            "file", _("Nothing was imported: line %(line)d %(reason)s.", line=bad.number, reason=bad.reason)
        ) from None
