"""Reading a Loomio group export: JSON lines of `{"table": ..., "record": {...}}`, each kept with its line number.

A line that is not UTF-8, not JSON, not such an object or a record without an integer id is a
`Problem` (reported as skipped, with its line number); a file in which no line is a record at all is
not an export, and `read_export` refuses it whole.
"""

import json
from dataclasses import dataclass

from ..errors import invalid


@dataclass(frozen=True)
class Line:
    number: int
    table: str
    record: dict

    @property
    def id(self) -> int:
        return self.record["id"]


@dataclass(frozen=True)
class Problem:
    number: int
    reason: str


def _parse_line(number: int, raw: bytes) -> Problem | Line:
    try:
        text = raw.decode("utf-8").lstrip("\ufeff")
    except UnicodeDecodeError:
        return Problem(number, "not UTF-8 text")
    try:
        item = json.loads(text)
    except ValueError:
        return Problem(number, "not JSON")
    if not isinstance(item, dict) or not isinstance(item.get("table"), str) or not isinstance(item.get("record"), dict):
        return Problem(number, 'not a {"table": ..., "record": {...}} object')
    record_id = item["record"].get("id")
    if not isinstance(record_id, int) or isinstance(record_id, bool) or not 0 < record_id < 2**63:
        return Problem(number, "the record has no id")
    return Line(number, item["table"], item["record"])


def read_export(data: bytes) -> tuple[list[Line], list[Problem]]:
    """The export's records in file order, and the lines that could not be read."""
    lines: list[Line] = []
    problems: list[Problem] = []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if not raw.strip():
            continue
        found = _parse_line(number, raw)
        (lines if isinstance(found, Line) else problems).append(found)
    if not lines:
        raise invalid(
            "file",
            "This is not a Loomio group export: no line holds a Loomio record. The export is JSON lines, "
            'one {"table": ..., "record": {...}} object a line, from the group\'s “Export data” menu.',
        )
    if not any(line.table == "groups" for line in lines):
        raise invalid("file", "This export holds no group, so there is nothing to import.")
    return lines, problems
