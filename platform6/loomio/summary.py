"""The import's summary: counts per Loomio table, why records were skipped (grouped, with line numbers),
and the same told in plain words for the group's admin: what came across, what was mapped to
something else, and what was left behind."""

from collections import defaultdict

from .reader import Line

CLAIM = (
    "People are imported as accounts with no password. Each claims theirs on the sign-in page with "
    "“Forgot your password?” and the email address their Loomio account used; someone who already "
    "had an account here with that email keeps it, and finds the imported groups in it."
)
#: Loomio's tables in the words an admin uses
WORDS = {
    "groups": "groups", "users": "people", "memberships": "memberships", "discussions": "threads",
    "comments": "comments", "polls": "polls", "poll_options": "poll options", "stances": "votes",
    "stance_choices": "vote choices", "anonymous_ballots": "anonymous ballots", "outcomes": "outcomes",
    "reactions": "reactions", "attachments": "files", "events": "timeline entries", "topic_items": "timeline entries",
    "notifications": "notifications", "notification_deliveries": "notification deliveries",
    "discussion_readers": "read markers and thread guests", "topic_readers": "read markers and thread guests",
    "poll_templates": "poll templates", "discussion_templates": "thread templates",
    "membership_requests": "requests to join", "tags": "tag colours", "stance_receipts": "voting receipts",
    "anonymous_poll_voters": "lists of who voted anonymously",
}  # fmt: skip
HOW = {
    "linked": "already had an account here",
    "stand-in": "as stand-ins who cannot sign in",
    "updated": "changed since the last import",
    "as a link": "as links to the Loomio server",
}
ALREADY = "already imported"


class Summary:
    """Counts per table and the reasons records were skipped (grouped, with their first line numbers)."""

    LINES_SHOWN = 20

    def __init__(self) -> None:
        self.counts: dict[str, dict[str, int]] = defaultdict(lambda: {"imported": 0, "skipped": 0})
        self.skipped: dict[tuple[str, str], dict] = {}
        self.notes: list[dict] = []
        #: what was mapped to something else and what was left behind, in plain words, each said once
        self.mapped_to: dict[str, int] = {}
        self.left: dict[str, int] = {}

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

    def mapped(self, text: str) -> None:
        """Something that came across as something else (said once, however many records it is about)."""
        self.mapped_to[text] = self.mapped_to.get(text, 0) + 1

    def left_behind(self, text: str) -> None:
        self.left[text] = self.left.get(text, 0) + 1

    def came_across(self) -> list[str]:
        said = []
        for table, counts in self.counts.items():
            brought = {how: n for how, n in counts.items() if how != "skipped" and n}
            if not brought:
                continue
            total = sum(brought.values())
            ways = [f"{n} {HOW.get(how, how)}" for how, n in brought.items() if how != "imported"]
            said.append(f"{total} {WORDS.get(table, table)}" + (f" ({', '.join(ways)})" if ways else ""))
        return said

    def left_behind_words(self) -> list[str]:
        said = [f"{text} ({n})" if n > 1 else text for text, n in self.left.items()]
        for entry in self.skipped.values():
            if entry["reason"] != ALREADY:
                said.append(f"{entry['count']} {WORDS.get(entry['table'], entry['table'])}: {entry['reason']}")
        return said

    def as_dict(self, groups: list[dict]) -> dict:
        already = sum(e["count"] for e in self.skipped.values() if e["reason"] == ALREADY)
        return {
            "counts": {table: self.counts[table] for table in sorted(self.counts)},
            "imported": sum(n for c in self.counts.values() for how, n in c.items() if how != "skipped"),
            "skipped": sum(c["skipped"] for c in self.counts.values()),
            "skipped_records": sorted(self.skipped.values(), key=lambda e: (e["lines"][0], e["table"])),
            "notes": self.notes,
            "groups": groups,
            "people": CLAIM,
            "in_plain_words": {
                "came_across": self.came_across(),
                "mapped_to_something_else": [f"{t} ({n})" if n > 1 else t for t, n in self.mapped_to.items()],
                "left_behind": self.left_behind_words(),
                "already_here": already,
            },
        }
