"""The skills taxonomy and the name layer: normalising free entries, synonyms, and how related two skills are.

The data lives in `data/taxonomy.txt` (categories, synonyms, related skills). Everything here is pure
and cached per process; the database only keeps the keys this module makes.
"""

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "taxonomy.txt"

#: how much a related skill counts towards a requested one (an exact or synonym match counts 1)
RELATED_CREDIT = 0.5

_SPACES = re.compile(r"\s+")
_EDGE_PUNCTUATION = re.compile(r"^[\s.,;:!?'\"()\[\]-]+|[\s.,;:!?'\"()\[\]-]+$")
#: words whose final "s" is not a plural
_NOT_PLURAL = {"ios", "css", "js", "ts", "gis", "dns", "k8s", "sms", "news", "bus", "analysis", "business", "logistics",
               "economics", "statistics", "analytics", "graphics", "ux", "apis", "kubernetes", "textiles", "obs",
               "aws", "bees", "diagnosis", "wordpress", "mathematics", "physics", "ethics", "politics", "access"}  # fmt: skip


def _fold_word(word: str) -> str:
    """Simple English plural folding of one word: "ies" -> "y", "ches/shes/xes/sses" -> stem, "s" -> ""."""
    if len(word) <= 3 or word in _NOT_PLURAL or not word.isalpha():
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "sses")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def clean(name: str) -> str:
    """A name as a person would want it shown: spaces collapsed, edge punctuation dropped, case kept."""
    return _EDGE_PUNCTUATION.sub("", _SPACES.sub(" ", name or "")).strip()


def fold(name: str) -> str:
    """The comparison form of a name: lower case, single spaces, "&" as "and", last word's plural folded."""
    words = clean(name).lower().replace("&", " and ").replace("’", "'").split()
    if words:
        words[-1] = _fold_word(words[-1])
    return " ".join(words)


@dataclass(frozen=True)
class Entry:
    name: str
    category: str
    key: str
    synonyms: tuple[str, ...] = ()
    related: tuple[str, ...] = field(default=())  # keys


@dataclass(frozen=True)
class Taxonomy:
    entries: dict[str, Entry]  # key -> entry
    aliases: dict[str, str]  # folded synonym or name -> key
    categories: tuple[str, ...]

    def key_of(self, name: str) -> str:
        """The canonical key of a name: a taxonomy skill's key when the name or a synonym matches, else its folded form."""
        folded = fold(name)
        return self.aliases.get(folded, folded)

    def entry(self, key: str) -> Entry | None:
        return self.entries.get(key)

    def display_name(self, name: str) -> str:
        found = self.entries.get(self.key_of(name))
        return found.name if found else clean(name)

    def similarity(self, wanted: str, held: str) -> float:
        """How much holding skill `held` counts towards `wanted` (keys): 1, RELATED_CREDIT or 0.

        Only explicit links count partly, never a shared category or similar text ("software
        development" and "early childhood development" share a word and nothing else)."""
        if wanted == held:
            return 1.0
        a, b = self.entries.get(wanted), self.entries.get(held)
        if a is None or b is None:
            return 0.0
        return RELATED_CREDIT if held in a.related or wanted in b.related else 0.0

    def related_keys(self, key: str) -> set[str]:
        """`key` and the skills related to it either way: every skill that gives `key` some credit."""
        keys = {key}
        found = self.entries.get(key)
        if found is not None:
            keys.update(found.related)
        keys.update(k for k, e in self.entries.items() if key in e.related)
        return keys

    def search(self, query: str, limit: int = 20) -> list[Entry]:
        """Entries whose name or a synonym starts with (then contains) the query, by name."""
        q = fold(query)
        if not q:
            return sorted(self.entries.values(), key=lambda e: e.name.lower())[:limit]
        starts, contains = set(), set()
        for alias, key in self.aliases.items():
            if alias.startswith(q):
                starts.add(key)
            elif q in alias:
                contains.add(key)
        ordered = sorted(starts, key=lambda k: self.entries[k].name.lower())
        ordered += sorted(contains - starts, key=lambda k: self.entries[k].name.lower())
        return [self.entries[k] for k in ordered[:limit]]


def parse(text: str) -> Taxonomy:
    raw: list[tuple[str, str, list[str], list[str]]] = []
    categories: list[str] = []
    category = "Other"
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("## "):
            category = line[3:].strip()
            categories.append(category)
            continue
        if not line or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split("|")] + ["", ""]
        synonyms = [s.strip() for s in parts[1].split(",") if s.strip()]
        related = [s.strip() for s in parts[2].split(",") if s.strip()]
        raw.append((parts[0], category, synonyms, related))
    aliases: dict[str, str] = {}
    for name, _, synonyms, _ in raw:
        key = fold(name)
        for alias in [name, *synonyms]:
            folded = fold(alias)
            if aliases.get(folded, key) != key:
                raise ValueError(f"taxonomy: {alias!r} names two skills")
            aliases[folded] = key
    entries = {}
    for name, cat, synonyms, related in raw:
        key = fold(name)
        related_keys = []
        for other in related:
            if fold(other) not in aliases:
                raise ValueError(f"taxonomy: {name!r} relates to unknown {other!r}")
            related_keys.append(aliases[fold(other)])
        entries[key] = Entry(name, cat, key, tuple(synonyms), tuple(related_keys))
    return Taxonomy(entries, aliases, tuple(categories))


@cache
def taxonomy() -> Taxonomy:
    return parse(DATA.read_text(encoding="utf-8"))
