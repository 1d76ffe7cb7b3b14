"""The import's summary: counts per Loomio table, and why records were skipped (grouped, with line numbers)."""

from collections import defaultdict

from .reader import Line

CLAIM = (
    "People are imported as accounts with no password. Each claims theirs on the sign-in page with "
    "“Forgot your password?” and the email address their Loomio account used; someone who already "
    "had an account here with that email keeps it, and finds the imported groups in it."
)


class Summary:
    """Counts per table and the reasons records were skipped (grouped, with their first line numbers)."""

    LINES_SHOWN = 20

    def __init__(self) -> None:
        self.counts: dict[str, dict[str, int]] = defaultdict(lambda: {"imported": 0, "skipped": 0})
        self.skipped: dict[tuple[str, str], dict] = {}
        self.notes: list[dict] = []

    def imported(self, table: str, how: str = "imported") -> None:
        self.counts[table][how] = self.counts[table].get(how, 0) + 1

    def skip(self, table: str, number: int, reason: str) -> None:
        self.counts[table]["skipped"] += 1
        entry = self.skipped.setdefault((table, reason), {"table": table, "reason": reason, "count": 0, "lines": []})
        entry["count"] += 1
        if len(entry["lines"]) < self.LINES_SHOWN:
            entry["lines"].append(number)

    def note(self, line: Line, text: str) -> None:
        self.notes.append({"table": line.table, "id": line.id, "line": line.number, "note": text})

    def as_dict(self, groups: list[dict]) -> dict:
        return {
            "counts": {table: self.counts[table] for table in sorted(self.counts)},
            "imported": sum(n for c in self.counts.values() for how, n in c.items() if how != "skipped"),
            "skipped": sum(c["skipped"] for c in self.counts.values()),
            "skipped_records": sorted(self.skipped.values(), key=lambda e: (e["lines"][0], e["table"])),
            "notes": self.notes,
            "groups": groups,
            "people": CLAIM,
        }
