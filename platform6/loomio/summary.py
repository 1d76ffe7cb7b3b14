"""The import's summary: counts per Loomio table, why records were skipped (grouped, with line numbers),
and the same told in plain words for the group's admin: what came across, what was mapped to
something else, and what was left behind.

The machine fields (table names, counts, line numbers) never change with the language; the words
are written in the language in force while the import runs (the page's reader; the CLI's `--admin`).
"""

from collections import defaultdict

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from ..i18n import plural_words
from .reader import Line

CLAIM = _l(
    "People are imported as accounts with no password. Each claims theirs on the sign-in page with "
    "“Forgot your password?” and the email address their Loomio account used; someone who already "
    "had an account here with that email keeps it, and finds the imported groups in it."
)
#: Loomio's tables in the words an admin uses, with their count
WORDS = {
    "groups": plural_words("%(num)d group", "%(num)d groups"),
    "users": plural_words("%(num)d person", "%(num)d people"),
    "memberships": plural_words("%(num)d membership", "%(num)d memberships"),
    "discussions": plural_words("%(num)d thread", "%(num)d threads"),
    "comments": plural_words("%(num)d comment", "%(num)d comments"),
    "polls": plural_words("%(num)d poll", "%(num)d polls"),
    "poll_options": plural_words("%(num)d poll option", "%(num)d poll options"),
    "stances": plural_words("%(num)d vote", "%(num)d votes"),
    "stance_choices": plural_words("%(num)d vote choice", "%(num)d vote choices"),
    "anonymous_ballots": plural_words("%(num)d anonymous ballot", "%(num)d anonymous ballots"),
    "outcomes": plural_words("%(num)d outcome", "%(num)d outcomes"),
    "reactions": plural_words("%(num)d reaction", "%(num)d reactions"),
    "attachments": plural_words("%(num)d file", "%(num)d files"),
    "events": plural_words("%(num)d timeline entry", "%(num)d timeline entries"),
    "topic_items": plural_words("%(num)d timeline entry", "%(num)d timeline entries"),
    "notifications": plural_words("%(num)d notification", "%(num)d notifications"),
    "notification_deliveries": plural_words("%(num)d notification delivery", "%(num)d notification deliveries"),
    "discussion_readers": plural_words("%(num)d read marker or thread guest", "%(num)d read markers and thread guests"),
    "topic_readers": plural_words("%(num)d read marker or thread guest", "%(num)d read markers and thread guests"),
    "poll_templates": plural_words("%(num)d poll template", "%(num)d poll templates"),
    "discussion_templates": plural_words("%(num)d thread template", "%(num)d thread templates"),
    "membership_requests": plural_words("%(num)d request to join", "%(num)d requests to join"),
    "tags": plural_words("%(num)d tag (as a label)", "%(num)d tags (as labels)"),
    "stance_receipts": plural_words("%(num)d voting receipt", "%(num)d voting receipts"),
    "anonymous_poll_voters": plural_words(
        "%(num)d list of who voted anonymously", "%(num)d lists of who voted anonymously"
    ),
}
#: the ways a record came across other than plainly imported, with their count
HOW = {
    "linked": plural_words("%(num)d already had an account here", "%(num)d already had an account here"),
    "stand-in": plural_words("%(num)d as a stand-in who cannot sign in", "%(num)d as stand-ins who cannot sign in"),
    "updated": plural_words("%(num)d changed since the last import", "%(num)d changed since the last import"),
    "as a link": plural_words("%(num)d as a link to the Loomio server", "%(num)d as links to the Loomio server"),
    "existing": plural_words("%(num)d was a label here already", "%(num)d were labels here already"),
}
ALREADY = _l("already imported")


def _things(table: str, count: int) -> str:
    """A count of a Loomio table's records in the admin's words ("3 threads")."""
    if table in WORDS:
        return ngettext(*WORDS[table], count)
    return ngettext("%(num)d record of %(table)s", "%(num)d records of %(table)s", count, table=table)


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

    def skip(self, table: str, number: int, reason) -> None:
        reason = str(reason)
        self.counts[table]["skipped"] += 1
        entry = self.skipped.setdefault((table, reason), {"table": table, "reason": reason, "count": 0, "lines": []})
        entry["count"] += 1
        if len(entry["lines"]) < self.LINES_SHOWN:
            entry["lines"].append(number)

    def note(self, line: Line, text) -> None:
        self.notes.append({"table": line.table, "id": line.id, "line": line.number, "note": str(text)})

    def mapped(self, text) -> None:
        """Something that came across as something else (said once, however many records it is about)."""
        self.mapped_to[str(text)] = self.mapped_to.get(str(text), 0) + 1

    def left_behind(self, text) -> None:
        self.left[str(text)] = self.left.get(str(text), 0) + 1

    def came_across(self) -> list[str]:
        said = []
        for table, counts in self.counts.items():
            brought = {how: n for how, n in counts.items() if how != "skipped" and n}
            if not brought:
                continue
            ways = [ngettext(*HOW[how], n) for how, n in brought.items() if how != "imported"]
            things = _things(table, sum(brought.values()))
            said.append(_("%(things)s (%(ways)s)", things=things, ways=", ".join(ways)) if ways else things)
        return said

    @staticmethod
    def _counted(said: dict[str, int]) -> list[str]:
        return [
            ngettext("%(text)s (%(num)d record)", "%(text)s (%(num)d records)", n, text=text) if n > 1 else text
            for text, n in said.items()
        ]

    def left_behind_words(self) -> list[str]:
        said = self._counted(self.left)
        for entry in self.skipped.values():
            if entry["reason"] != str(ALREADY):
                things = _things(entry["table"], entry["count"])
                said.append(_("%(things)s: %(reason)s", things=things, reason=entry["reason"]))
        return said

    def as_dict(self, groups: list[dict]) -> dict:
        already = sum(e["count"] for e in self.skipped.values() if e["reason"] == str(ALREADY))
        return {
            "counts": {table: self.counts[table] for table in sorted(self.counts)},
            "imported": sum(n for c in self.counts.values() for how, n in c.items() if how != "skipped"),
            "skipped": sum(c["skipped"] for c in self.counts.values()),
            "skipped_records": sorted(self.skipped.values(), key=lambda e: (e["lines"][0], e["table"])),
            "notes": self.notes,
            "groups": groups,
            "people": str(CLAIM),
            "in_plain_words": {
                "came_across": self.came_across(),
                "mapped_to_something_else": self._counted(self.mapped_to),
                "left_behind": self.left_behind_words(),
                "already_here": already,
            },
        }
