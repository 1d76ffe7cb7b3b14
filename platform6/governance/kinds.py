"""The poll kinds' rules: their options, their settings (with defaults) and what a vote may carry."""

from datetime import datetime

from ..errors import ValidationFailed, invalid
from ..timeutil import to_utc_naive

KINDS = ("proposal", "poll", "count", "dot_vote", "score", "ranked_choice", "meeting", "check", "question")

KIND_LABELS = {
    "proposal": "Proposal",
    "poll": "Poll",
    "count": "Count (yes / no)",
    "dot_vote": "Dot vote",
    "score": "Score",
    "ranked_choice": "Ranked choice",
    "meeting": "Meeting time",
    "check": "Check",
    "question": "Question",
}

#: kinds whose options are fixed; a question has none (its answers are reasons)
FIXED_OPTIONS = {
    "proposal": ["agree", "abstain", "disagree", "block"],
    "count": ["yes", "no"],
    "check": ["looks_good", "not_sure", "concerned"],
    "question": [],
}

OPTION_LABELS = {
    "agree": "Agree",
    "abstain": "Abstain",
    "disagree": "Disagree",
    "block": "Block",
    "yes": "Yes",
    "no": "No",
    "looks_good": "Looks good",
    "not_sure": "Not sure",
    "concerned": "Concerned",
}

REASONS = ("off", "optional", "required")
METHODS = ("borda", "instant_runoff", "stv")
MEETING_ANSWERS = {2: "yes", 1: "if need be", 0: "no"}

_DEFAULTS: dict[str, dict] = {
    "poll": {"min_choices": 1, "max_choices": 1},
    "dot_vote": {"dots_per_voter": 8},
    "score": {"min_score": 0, "max_score": 5},
    "ranked_choice": {"method": "borda", "seats": 1},
}

MAX_OPTIONS, MAX_OPTION_LENGTH, MAX_SETTING = 50, 200, 1_000_000


def option_label(name: str) -> str:
    return OPTION_LABELS.get(name, name)


def normalise_meeting_time(text: str) -> str:
    """An ISO datetime as `YYYY-MM-DDTHH:MM:SSZ` in UTC (a time without offset is taken as UTC)."""
    moment = datetime.fromisoformat(text.strip())
    return to_utc_naive(moment).replace(microsecond=0).isoformat() + "Z"


def normalise_options(kind: str, options: list[str] | None) -> list[str]:
    """The poll's option names: fixed for some kinds, 2–50 distinct given names for the others."""
    if kind in FIXED_OPTIONS:
        fixed = FIXED_OPTIONS[kind]
        if options and list(options) != fixed:
            raise invalid("options", f"A {kind}'s options are fixed: {', '.join(fixed) or 'none'}.")
        return list(fixed)
    names = []
    for raw in options or []:
        name = " ".join(raw.split())
        if kind == "meeting":
            try:
                name = normalise_meeting_time(name)
            except ValueError:
                raise invalid("options", f"{raw!r} is not an ISO 8601 date and time.") from None
        if not 1 <= len(name) <= MAX_OPTION_LENGTH:
            raise invalid("options", f"Each option has 1 to {MAX_OPTION_LENGTH} characters.")
        if name in names:
            raise invalid("options", f"{name!r} is given twice.")
        names.append(name)
    if not 2 <= len(names) <= MAX_OPTIONS:
        raise invalid("options", f"Give 2 to {MAX_OPTIONS} options.")
    return names


def normalise_settings(kind: str, settings: dict | None, options: list[str]) -> dict:
    """The kind's settings with their defaults filled in; unknown or out-of-range ones are refused."""
    given = dict(settings or {})
    n = len(options)
    result = {"reasons": "required" if kind == "question" else "optional", **_DEFAULTS.get(kind, {})}
    if kind == "ranked_choice":
        result["places"] = n
    unknown = set(given) - set(result)
    if unknown:
        raise invalid("settings", f"A {kind} has no setting {', '.join(sorted(unknown))}.")
    for key, value in given.items():
        if isinstance(result[key], int) and (
            not isinstance(value, int) or isinstance(value, bool) or abs(value) > MAX_SETTING
        ):
            raise invalid(f"settings.{key}", "Give a whole number.")
        if isinstance(result[key], str) and not isinstance(value, str):
            raise invalid(f"settings.{key}", "Give a string.")
        result[key] = value
    if result["reasons"] not in REASONS:
        raise invalid("settings.reasons", "Choose off, optional or required.")
    if kind == "question" and result["reasons"] != "required":
        raise invalid("settings.reasons", "A question's answers are its reasons: they are required.")
    if kind == "poll" and not 1 <= result["min_choices"] <= result["max_choices"] <= n:
        raise invalid("settings.max_choices", f"Need 1 ≤ min_choices ≤ max_choices ≤ {n} (the options).")
    if kind == "dot_vote" and result["dots_per_voter"] < 1:
        raise invalid("settings.dots_per_voter", "Give each voter at least one dot.")
    if kind == "score" and result["min_score"] >= result["max_score"]:
        raise invalid("settings.max_score", "max_score must be above min_score.")
    if kind == "ranked_choice":
        if result["method"] not in METHODS:
            raise invalid("settings.method", "Choose borda, instant_runoff or stv.")
        if not 1 <= result["seats"] < n:
            raise invalid("settings.seats", f"Seats must be from 1 to {n - 1} (fewer than the options).")
        if not 1 <= result["places"] <= n:
            raise invalid("settings.places", f"Places must be from 1 to {n} (the options).")
    return result


def ranked_places(settings: dict, options: list[str]) -> int:
    """How many options a ranked-choice voter may rank (polls raised before `places` existed: all)."""
    return settings.get("places") or len(options)


def _values(choices: dict) -> None:
    for name, value in choices.items():
        if not isinstance(value, int) or isinstance(value, bool):
            raise invalid("choices", f"The value for {name!r} must be a whole number.")


def check_choices(kind: str, options: list[str], settings: dict, choices: dict) -> dict[str, int]:
    """The vote's choices if they keep the kind's rule (normalised), else ValidationFailed (422)."""
    if not isinstance(choices, dict):
        raise invalid("choices", "Give choices as {option: value}.")
    _values(choices)
    unknown = [name for name in choices if name not in options]
    if unknown:
        raise invalid("choices", f"Not an option of this poll: {', '.join(map(repr, unknown[:5]))}.")
    if kind == "question":
        if choices:
            raise invalid("choices", "A question is answered with a reason only.")
        return {}
    if kind in ("proposal", "count", "check"):
        if len(choices) != 1 or next(iter(choices.values())) != 1:
            raise invalid("choices", "Choose exactly one option, with value 1.")
        return dict(choices)
    if kind == "poll":
        if any(value != 1 for value in choices.values()):
            raise invalid("choices", "Each chosen option has value 1.")
        low, high = settings["min_choices"], settings["max_choices"]
        if not low <= len(choices) <= high:
            raise invalid("choices", f"Choose {low} to {high} options." if low != high else f"Choose {low}.")
        return dict(choices)
    if kind == "dot_vote":
        if any(value < 0 for value in choices.values()):
            raise invalid("choices", "Dots cannot be negative.")
        total = sum(choices.values())
        if total == 0:
            raise invalid("choices", "Place at least one dot.")
        if total > settings["dots_per_voter"]:
            raise invalid("choices", f"You have {settings['dots_per_voter']} dots; you placed {total}.")
        return {name: value for name, value in choices.items() if value}
    if kind == "score":
        low, high = settings["min_score"], settings["max_score"]
        if set(choices) != set(options):
            raise invalid("choices", "Score every option.")
        if any(not low <= value <= high for value in choices.values()):
            raise invalid("choices", f"Scores go from {low} to {high}.")
        return {name: choices[name] for name in options}
    if kind == "ranked_choice":
        ranks = list(choices.values())
        places = ranked_places(settings, options)
        if not ranks:
            raise invalid("choices", "Rank at least one option.")
        if any(not 1 <= rank <= places for rank in ranks):
            raise invalid("choices", f"Ranks go from 1 to {places}.")
        if len(set(ranks)) != len(ranks):
            raise invalid("choices", "No rank may be given twice.")
        return dict(choices)
    if kind == "meeting":
        if set(choices) != set(options):
            raise invalid("choices", "Answer for every time: 2 yes, 1 if need be, 0 no.")
        if any(value not in MEETING_ANSWERS for value in choices.values()):
            raise invalid("choices", "Answer 2 (yes), 1 (if need be) or 0 (no).")
        return {name: choices[name] for name in options}
    raise ValidationFailed({"kind": [f"Unknown kind {kind!r}."]})


def check_reason(settings: dict, reason: str | None) -> str:
    reason = (reason or "").strip()
    if settings["reasons"] == "off" and reason:
        raise invalid("reason", "This poll takes no reasons.")
    if settings["reasons"] == "required" and not reason:
        raise invalid("reason", "Give a reason.")
    return reason
