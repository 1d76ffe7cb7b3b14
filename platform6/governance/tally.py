"""Tallies: one pure function per kind, from the options and the counted ballots to API.md's results.

A ballot is a vote's `choices` ({option: int}, already validated for its kind). Each function
returns {"options": [{"name", "value", "voters", ...}] best first, "winner": name | None, ...};
`voters` is the number of ballots that give the option a non-zero value. A tie for first place
gives `winner` None: ties are reported, never broken. Whether anything was voted is decided by the
number of ballots, never by a total: a score poll's totals may be 0 or negative.
"""

from collections.abc import Callable, Sequence
from fractions import Fraction

Ballot = dict[str, int]
Result = dict


def _number(x: float) -> int | float:
    """A count for JSON: whole numbers as int, fractions (STV transfers) to 4 decimals."""
    rounded = round(x, 4)
    return int(rounded) if rounded == int(rounded) else rounded


def _sums(options: Sequence[str], ballots: Sequence[Ballot]) -> tuple[dict[str, int], dict[str, int]]:
    values = dict.fromkeys(options, 0)
    voters = dict.fromkeys(options, 0)
    for ballot in ballots:
        for name, value in ballot.items():
            if value:
                values[name] += value
                voters[name] += 1
    return values, voters


def _ranked(options: Sequence[str], values: dict, extra: Callable[[str], dict] | None = None) -> list[dict]:
    """Options best first (higher value; equal values keep the poll's order)."""
    order = sorted(range(len(options)), key=lambda i: (-values[options[i]], i))
    return [{"name": options[i], **(extra(options[i]) if extra else {})} for i in order]


def _winner(rows: list[dict], ballots: Sequence[Ballot]) -> str | None:
    if not rows or not ballots:
        return None
    if len(rows) > 1 and rows[1]["value"] == rows[0]["value"]:
        return None
    return rows[0]["name"]


def _counting(options: Sequence[str], ballots: Sequence[Ballot]) -> Result:
    values, voters = _sums(options, ballots)
    rows = _ranked(options, values, lambda name: {"value": values[name], "voters": voters[name]})
    return {"options": rows, "winner": _winner(rows, ballots)}


def tally_proposal(options: Sequence[str], ballots: Sequence[Ballot]) -> Result:
    """agree / abstain / disagree / block: value = number of voters."""
    return _counting(options, ballots)


def tally_poll(options: Sequence[str], ballots: Sequence[Ballot]) -> Result:
    """Choose min..max options: value = number of voters who chose the option."""
    return _counting(options, ballots)


def tally_count(options: Sequence[str], ballots: Sequence[Ballot]) -> Result:
    """yes / no: value = number of voters."""
    return _counting(options, ballots)


def tally_check(options: Sequence[str], ballots: Sequence[Ballot]) -> Result:
    """looks_good / not_sure / concerned: value = number of voters."""
    return _counting(options, ballots)


def tally_dot_vote(options: Sequence[str], ballots: Sequence[Ballot]) -> Result:
    """value = dots given to the option."""
    return _counting(options, ballots)


def tally_question(options: Sequence[str], ballots: Sequence[Ballot]) -> Result:
    """Answers are reasons only: there is nothing to count."""
    return {"options": [], "winner": None}


def score_average(total: int, ballots: int) -> float:
    """total / ballots to 2 decimals, exact halves to even (3/8 → 0.38, 1/8 → 0.12); 0 without ballots."""
    return float(round(Fraction(total, ballots), 2)) if ballots else 0


def tally_score(options: Sequence[str], ballots: Sequence[Ballot]) -> Result:
    """value = sum of scores; `average` = that sum over the number of ballots."""
    values, voters = _sums(options, ballots)

    def row(name: str) -> dict:
        return {"value": values[name], "voters": voters[name], "average": score_average(values[name], len(ballots))}

    rows = _ranked(options, values, row)
    return {"options": rows, "winner": _winner(rows, ballots)}


def tally_meeting(options: Sequence[str], ballots: Sequence[Ballot]) -> Result:
    """Each time: 2 yes, 1 if-need-be, 0 no; value = 2×yes + 1×if-need-be (counts of each too)."""
    values, voters = _sums(options, ballots)
    answers = {name: [0, 0, 0] for name in options}
    for ballot in ballots:
        for name, value in ballot.items():
            answers[name][value] += 1

    def row(name: str) -> dict:
        no, if_need_be, yes = answers[name]
        return {"value": values[name], "voters": voters[name], "yes": yes, "if_need_be": if_need_be, "no": no}

    rows = _ranked(options, values, row)
    return {"options": rows, "winner": _winner(rows, ballots)}


# --- ranked choice ------------------------------------------------------------------------------


def _preferences(ballots: Sequence[Ballot]) -> list[list[str]]:
    """Each ballot's ranked options, most preferred first.

    Every method reads a ballot's ranks as their order only, so gaps close: {"a": 1, "c": 3}
    ranks a first and c second.
    """
    return [sorted(ballot, key=ballot.__getitem__) for ballot in ballots if ballot]


def _ranked_voters(options: Sequence[str], prefs: list[list[str]]) -> dict[str, int]:
    voters = dict.fromkeys(options, 0)
    for pref in prefs:
        for name in pref:
            voters[name] += 1
    return voters


def _first_places(options: Sequence[str], prefs: list[list[str]]) -> dict[str, int]:
    """How many ballots rank each option first (a row's `first`: the results page explains the count with it)."""
    first = dict.fromkeys(options, 0)
    for pref in prefs:
        first[pref[0]] += 1
    return first


def tally_borda(options: Sequence[str], ballots: Sequence[Ballot], places: int | None = None) -> Result:
    """The option in a ballot's r-th place earns places − r + 1 points (places defaults to the
    number of options); an unranked option earns 0. Places come from the ballot's order."""
    places = places or len(options)
    prefs = _preferences(ballots)
    values = dict.fromkeys(options, 0)
    for pref in prefs:
        for position, name in enumerate(pref):
            values[name] += places - position
    voters, first = _ranked_voters(options, prefs), _first_places(options, prefs)
    rows = _ranked(options, values, lambda name: {"value": values[name], "voters": voters[name], "first": first[name]})
    return {"options": rows, "winner": _winner(rows, prefs)}


def _order_by_survival(options: Sequence[str], first: list[str], out_round: dict, last: dict) -> list[str]:
    """`first` (winners, in order) then the others: later eliminated first, then higher count."""
    rest = [i for i, name in enumerate(options) if name not in set(first)]
    rest.sort(key=lambda i: (-out_round.get(options[i], 10**9), -last.get(options[i], 0), i))
    return [*first, *(options[i] for i in rest)]


def tally_instant_runoff(options: Sequence[str], ballots: Sequence[Ballot]) -> Result:
    """Rounds of first preferences among the remaining options.

    An option with more than half of the round's counted (non-exhausted) ballots wins; otherwise
    every option tied for fewest is removed and its ballots pass to their next remaining
    preference. If all remaining options tie, there is no winner. An option's `value` is its
    count in the last round it was in.
    """
    prefs = _preferences(ballots)
    voters = _ranked_voters(options, prefs)
    piles: dict[str, list[int]] = {name: [] for name in options}
    position = [0] * len(prefs)
    for i, pref in enumerate(prefs):
        piles[pref[0]].append(i)
    remaining = list(options)
    rounds: list[dict] = []
    last: dict[str, int] = {}
    out_round: dict[str, int] = {}
    winner = None
    while remaining:
        counts = {name: len(piles[name]) for name in remaining}
        last.update(counts)
        total = sum(counts.values())
        leader = max(remaining, key=counts.__getitem__)
        if total and counts[leader] * 2 > total:
            rounds.append({"counts": counts, "eliminated": []})
            winner = leader
            break
        fewest = min(counts.values())
        tied = [name for name in remaining if counts[name] == fewest]
        if len(tied) == len(remaining):
            rounds.append({"counts": counts, "eliminated": []})
            break
        rounds.append({"counts": counts, "eliminated": tied})
        for name in tied:
            out_round[name] = len(rounds)
        remaining = [name for name in remaining if counts[name] != fewest]
        still = set(remaining)
        for name in tied:
            for i in piles.pop(name):
                pref, j = prefs[i], position[i] + 1
                while j < len(pref) and pref[j] not in still:
                    j += 1
                if j < len(pref):
                    position[i] = j
                    piles[pref[j]].append(i)
    order = _order_by_survival(options, [winner] if winner else [], out_round, last)
    first = _first_places(options, prefs)
    rows = [{"name": name, "value": last.get(name, 0), "voters": voters[name], "first": first[name]} for name in order]
    return {"options": rows, "winner": winner, "rounds": rounds}


def droop_quota(valid_ballots: int, seats: int) -> int:
    return valid_ballots // (seats + 1) + 1


_EPSILON = 1e-9


def tally_stv(options: Sequence[str], ballots: Sequence[Ballot], seats: int = 1) -> Result:
    """Single transferable vote for `seats` places, Droop quota, fractional (Gregory) transfers.

    Each round: every option at or above the quota is elected and its surplus passes on (each of
    its ballots at weight × surplus / total); else, when no more options remain than seats, they
    are all elected; else every option tied for fewest is removed and its ballots pass on at full
    weight. If removing the tied options would leave fewer options than open seats, the seats
    left are reported as a tie (`tied`) rather than decided by lot.
    """
    prefs = _preferences(ballots)
    voters = _ranked_voters(options, prefs)
    quota = droop_quota(len(prefs), seats)
    weight = [1.0] * len(prefs)
    position = [0] * len(prefs)
    piles: dict[str, list[int]] = {name: [] for name in options}
    for i, pref in enumerate(prefs):
        piles[pref[0]].append(i)
    remaining = list(options)
    elected: list[str] = []
    tied: list[str] = []
    rounds: list[dict] = []
    last: dict[str, float] = {}
    out_round: dict[str, int] = {}

    def pass_on(name: str, factor: float, still: set[str]) -> None:
        for i in piles.pop(name):
            weight[i] *= factor
            if weight[i] <= _EPSILON:
                continue
            pref, j = prefs[i], position[i] + 1
            while j < len(pref) and pref[j] not in still:
                j += 1
            if j < len(pref):
                position[i] = j
                piles[pref[j]].append(i)

    # without a ballot nothing was voted: nobody is elected and nobody is tied
    while prefs and len(elected) < seats and remaining:
        open_seats = seats - len(elected)
        counts = {name: sum(weight[i] for i in piles[name]) for name in remaining}
        last.update(counts)
        shown = {name: _number(value) for name, value in counts.items()}
        by_count = sorted(remaining, key=lambda name: -counts[name])
        reached = [name for name in by_count if counts[name] >= quota - _EPSILON]
        if reached:
            rounds.append({"counts": shown, "elected": reached, "eliminated": []})
            elected.extend(reached)
            remaining = [name for name in remaining if name not in reached]
            still = set(remaining)
            for name in reached:
                pass_on(name, (counts[name] - quota) / counts[name], still)
            continue
        if len(remaining) <= open_seats:
            rounds.append({"counts": shown, "elected": by_count, "eliminated": []})
            elected.extend(by_count)
            break
        fewest = min(round(value, 9) for value in counts.values())
        lowest = [name for name in remaining if round(counts[name], 9) == fewest]
        if len(remaining) - len(lowest) < open_seats:
            sure = [name for name in by_count if name not in lowest]
            rounds.append({"counts": shown, "elected": sure, "eliminated": []})
            elected.extend(sure)
            tied = lowest
            break
        rounds.append({"counts": shown, "elected": [], "eliminated": lowest})
        for name in lowest:
            out_round[name] = len(rounds)
        remaining = [name for name in remaining if name not in lowest]
        still = set(remaining)
        for name in lowest:
            pass_on(name, 1.0, still)
    order = _order_by_survival(options, elected, out_round, last)
    first = _first_places(options, prefs)
    rows = [
        {"name": name, "value": _number(last.get(name, 0)), "voters": voters[name], "first": first[name]}
        for name in order
    ]
    return {
        "options": rows,
        "winner": elected[0] if seats == 1 and elected else None,
        "elected": elected,
        "tied": tied,
        "seats": seats,
        "quota": quota,
        "rounds": rounds,
    }


def tally_ranked_choice(options: Sequence[str], ballots: Sequence[Ballot], settings: dict) -> Result:
    method = settings.get("method", "borda")
    if method == "instant_runoff":
        return tally_instant_runoff(options, ballots)
    if method == "stv":
        return tally_stv(options, ballots, settings.get("seats", 1))
    return tally_borda(options, ballots, settings.get("places"))


TALLIES: dict[str, Callable[[Sequence[str], Sequence[Ballot]], Result]] = {
    "proposal": tally_proposal,
    "poll": tally_poll,
    "count": tally_count,
    "check": tally_check,
    "dot_vote": tally_dot_vote,
    "score": tally_score,
    "meeting": tally_meeting,
    "question": tally_question,
}


def tally(kind: str, options: Sequence[str], ballots: Sequence[Ballot], settings: dict) -> Result:
    """The kind's tally of these ballots."""
    if kind == "ranked_choice":
        return tally_ranked_choice(options, ballots, settings)
    return TALLIES[kind](options, ballots)


def proposal_passed(result: Result, *, voters: int, eligible: int, quorum_percent: int) -> bool:
    """No block, agree > disagree, and turnout (voters / eligible) at least the quorum."""
    values = {row["name"]: row["value"] for row in result["options"]}
    if values.get("block", 0) > 0 or values.get("agree", 0) <= values.get("disagree", 0):
        return False
    if quorum_percent <= 0:
        return True
    return eligible > 0 and voters * 100 >= quorum_percent * eligible
