"""Ranking people for a request and requests for a person: pure, deterministic functions (no database).

Order, as API.md states it: whoever has every required skill at its level ranks above anyone who
lacks one; among equals, required coverage counts most, then level fit, nice-to-have skills,
shared languages, location or remote fit, and availability. Related skills (taxonomy) count partly.
`score` is in 0..1: complete candidates score 0.5..1, the others below 0.5.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .taxonomy import Taxonomy, fold

#: weights of the parts of a score within its tier, in API.md's order of importance (they sum to 1)
WEIGHTS = {"coverage": 0.50, "level": 0.20, "nice": 0.12, "language": 0.08, "place": 0.06, "availability": 0.04}
#: weeks a request without a deadline is assumed to run, to turn its hours into hours per week
DEFAULT_WEEKS = 4.0
#: below this score a match is weak: pages show it only behind "Show more"
WEAK_SCORE = 0.35


@dataclass(frozen=True)
class Wanted:
    key: str
    name: str
    level: int
    required: bool


@dataclass(frozen=True)
class RequestSpec:
    id: int
    skills: tuple[Wanted, ...]
    languages: frozenset[str] = frozenset()
    location: str = ""
    remote_ok: bool = True
    hours_estimate: int | None = None
    #: weeks until the deadline (None: no deadline)
    weeks: float | None = None


@dataclass(frozen=True)
class PersonSpec:
    id: int
    #: skill key -> level
    skills: Mapping[str, int]
    languages: frozenset[str] = frozenset()
    location: str = ""
    remote_ok: bool = True
    hours_per_week: int | None = None


@dataclass(frozen=True)
class Match:
    score: float
    #: every required skill held (exactly or by synonym) at its level
    complete: bool
    #: the request's skill names the person fully meets
    matched: tuple[str, ...]
    #: the request's skill names they do not fully meet (absent, lower level, or only a related skill)
    missing: tuple[str, ...]
    #: request skill name -> what partly covers it ("Docker (related)", "level 2 of 4")
    partial: dict[str, str] = field(default_factory=dict)
    #: request skill name -> the related skill the person holds instead (for pages to word in any language)
    related: dict[str, str] = field(default_factory=dict)
    #: request skill name -> (level held, level wanted) when held below the wanted level
    short: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def weak(self) -> bool:
        """A match pages fold away: below WEAK_SCORE, or with nothing of the request's skills (not even related)."""
        return self.score < WEAK_SCORE or not (self.matched or self.partial)


def level_factor(held: int, wanted: int) -> float:
    """1 at or above the wanted level; each level short costs a quarter (at least 0.25 remains)."""
    return 1.0 if held >= wanted else max(0.25, 1 - 0.25 * (wanted - held))


def _credit(want: Wanted, person: PersonSpec, taxonomy: Taxonomy) -> tuple[float, str | None, tuple | None]:
    """The best credit any held skill gives `want`, a note when it is partial, and what the note says:
    ("related", held skill's name) or ("level", held, wanted)."""
    best, note, why = 0.0, None, None
    for key, level in sorted(person.skills.items()):
        similarity = taxonomy.similarity(want.key, key)
        if similarity == 0:
            continue
        credit = similarity * level_factor(level, want.level)
        if credit > best:
            best = credit
            if similarity < 1:
                entry = taxonomy.entry(key)
                why = ("related", entry.name if entry else key)
                note = f"{why[1]} (related)"
            elif level < want.level:
                why = ("level", level, want.level)
                note = f"level {level} of {want.level}"
            else:
                note, why = None, None
    return best, note, why


def _place_fit(request: RequestSpec, person: PersonSpec) -> float:
    here, there = fold(request.location), fold(person.location)
    if here and there and (here in there or there in here):
        return 1.0
    if request.remote_ok:
        return 1.0 if person.remote_ok else 0.5
    return 0.0 if here else 0.5


def _availability(request: RequestSpec, person: PersonSpec) -> float:
    if person.hours_per_week is None:
        return 0.5
    if not request.hours_estimate:
        return min(1.0, person.hours_per_week / 5)
    weeks = max(1.0, request.weeks if request.weeks is not None else DEFAULT_WEEKS)
    return min(1.0, person.hours_per_week / (request.hours_estimate / weeks))


def score(request: RequestSpec, person: PersonSpec, taxonomy: Taxonomy) -> Match:
    """How well `person` fits `request`, with the skill names that decided it."""
    matched, missing, partial, related, short = [], [], {}, {}, {}
    required_credits, nice_credits, level_fits = [], [], []
    complete = True
    for want in request.skills:
        credit, note, why = _credit(want, person, taxonomy)
        held = person.skills.get(want.key)
        full = held is not None and held >= want.level
        (matched if full else missing).append(want.name)
        if note and not full:
            partial[want.name] = note
            if why[0] == "related":
                related[want.name] = why[1]
            else:
                short[want.name] = why[1:]
        if full and want.required:
            level_fits.append(min(1.0, 0.6 + 0.1 * (held - want.level)))
        (required_credits if want.required else nice_credits).append(credit)
        if want.required and not full:
            complete = False
    coverage = sum(required_credits) / len(required_credits) if required_credits else 1.0
    parts = {
        "coverage": coverage,
        "level": sum(level_fits) / len(level_fits) if level_fits else 0.0,
        "nice": sum(nice_credits) / len(nice_credits) if nice_credits else 0.0,
        "language": 1.0
        if not request.languages or request.languages & person.languages
        else (0.5 if not person.languages else 0.0),
        "place": _place_fit(request, person),
        "availability": _availability(request, person),
    }
    within = sum(WEIGHTS[name] * value for name, value in parts.items())
    final = 0.5 + 0.5 * within if complete else 0.499 * within
    return Match(round(final, 4), complete, tuple(matched), tuple(missing), partial, related, short)


def _order(match: Match) -> tuple:
    return (not match.complete, -match.score)


def rank_people(request: RequestSpec, people: Iterable[PersonSpec], taxonomy: Taxonomy) -> list[tuple[int, Match]]:
    """(person id, match) best first; ties go to the lower id so the order never wobbles."""
    scored = [(person.id, score(request, person, taxonomy)) for person in people]
    return sorted(scored, key=lambda pair: (*_order(pair[1]), pair[0]))


def rank_requests(person: PersonSpec, requests: Iterable[RequestSpec], taxonomy: Taxonomy) -> list[tuple[int, Match]]:
    """(request id, match) best first; ties go to the newer request (higher id)."""
    scored = [(request.id, score(request, person, taxonomy)) for request in requests]
    return sorted(scored, key=lambda pair: (*_order(pair[1]), -pair[0]))


def overlap_count(request: RequestSpec, person_skill_names: Iterable[str]) -> int:
    """The baseline the benchmark beats: how many request skill names a person lists, as plain text."""
    held = {" ".join(name.lower().split()) for name in person_skill_names}
    return sum(1 for want in request.skills if " ".join(want.name.lower().split()) in held)
