"""The poll kinds' rules: their options, their settings (with defaults) and what a vote may carry."""

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from ..errors import ValidationFailed, invalid
from ..timeutil import to_utc_naive

KINDS = ("proposal", "poll", "count", "dot_vote", "score", "ranked_choice", "meeting", "check", "question")

KIND_LABELS = {
    "proposal": _l("Proposal"),
    "poll": _l("Poll"),
    "count": _l("Count (yes / no)"),
    "dot_vote": _l("Dot vote"),
    "score": _l("Score"),
    "ranked_choice": _l("Ranked choice"),
    "meeting": _l("Meeting time"),
    "check": _l("Check"),
    "question": _l("Question"),
}

#: kinds whose options are fixed; a question has none (its answers are reasons)
FIXED_OPTIONS = {
    "proposal": ["agree", "abstain", "disagree", "block"],
    "count": ["yes", "no"],
    "check": ["looks_good", "not_sure", "concerned"],
    "question": [],
}

OPTION_LABELS = {
    "agree": _l("Agree"),
    "abstain": _l("Abstain"),
    "disagree": _l("Disagree"),
    "block": _l("Block"),
    "yes": _l("Yes"),
    "no": _l("No"),
    "looks_good": _l("Looks good"),
    "not_sure": _l("Not sure"),
    "concerned": _l("Concerned"),
}

#: what each fixed option means, for colour (never alone: the option's name is always written beside it)
OPTION_MEANINGS = {
    "agree": "agree",
    "yes": "agree",
    "looks_good": "agree",
    "abstain": "abstain",
    "not_sure": "abstain",
    "disagree": "disagree",
    "no": "disagree",
    "concerned": "disagree",
    "block": "block",
}

REASONS = ("off", "optional", "required")
METHODS = ("borda", "instant_runoff", "stv")
MEETING_ANSWERS = {2: _l("yes"), 1: _l("if need be"), 0: _l("no")}

_DEFAULTS: dict[str, dict] = {
    "poll": {"min_choices": 1, "max_choices": 1},
    "dot_vote": {"dots_per_voter": 8},
    "score": {"min_score": 0, "max_score": 5},
    "ranked_choice": {"method": "borda", "seats": 1},
}

MAX_OPTIONS, MAX_OPTION_LENGTH, MAX_SETTING = 50, 200, 1_000_000


def option_label(name: str) -> str:
    return str(OPTION_LABELS.get(name, name))


def option_meaning(name: str) -> str:
    """agree, abstain, disagree or block for the fixed options that carry one; neutral for every other option."""
    return OPTION_MEANINGS.get(name, "neutral")


def normalise_meeting_time(text: str) -> str:
    """An ISO datetime as `YYYY-MM-DDTHH:MM:SSZ` in UTC (a time without offset is taken as UTC)."""
    moment = datetime.fromisoformat(text.strip())
    return to_utc_naive(moment).replace(microsecond=0).isoformat() + "Z"


def normalise_options(kind: str, options: list[str] | None) -> list[str]:
    """The poll's option names: fixed for some kinds, 2–50 distinct given names for the others."""
    if kind in FIXED_OPTIONS:
        fixed = FIXED_OPTIONS[kind]
        if options and list(options) != fixed:
            raise invalid(
                "options",
                _("A %(kind)s's options are fixed: %(options)s.", kind=kind, options=", ".join(fixed) or _("none")),
            )
        return list(fixed)
    names = []
    for raw in options or []:
        name = " ".join(raw.split())
        if kind == "meeting":
            try:
                name = normalise_meeting_time(name)
            except ValueError:
                raise invalid(
                    "options", _("%(text)r is not a date and time such as 2026-12-01 18:00.", text=raw)
                ) from None
        if not 1 <= len(name) <= MAX_OPTION_LENGTH:
            raise invalid("options", _("Each option has 1 to %(most)d characters.", most=MAX_OPTION_LENGTH))
        if name in names:
            raise invalid("options", _("%(name)r is given twice.", name=name))
        names.append(name)
    if not 2 <= len(names) <= MAX_OPTIONS:
        raise invalid("options", _("Give 2 to %(most)d options.", most=MAX_OPTIONS))
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
        raise invalid(
            "settings", _("A %(kind)s has no setting %(names)s.", kind=kind, names=", ".join(sorted(unknown)))
        )
    for key, value in given.items():
        if isinstance(result[key], int) and (
            not isinstance(value, int) or isinstance(value, bool) or abs(value) > MAX_SETTING
        ):
            raise invalid(f"settings.{key}", _("Give a whole number."))
        if isinstance(result[key], str) and not isinstance(value, str):
            raise invalid(f"settings.{key}", _("Give a string."))
        result[key] = value
    if result["reasons"] not in REASONS:
        raise invalid("settings.reasons", _("Choose off, optional or required."))
    if kind == "question" and result["reasons"] != "required":
        raise invalid("settings.reasons", _("A question's answers are its reasons: they are required."))
    if kind == "poll" and not 1 <= result["min_choices"] <= result["max_choices"] <= n:
        raise invalid(
            "settings.max_choices", _("Need 1 ≤ fewest choices ≤ most choices ≤ %(num)d (the options).", num=n)
        )
    if kind == "dot_vote" and result["dots_per_voter"] < 1:
        raise invalid("settings.dots_per_voter", _("Give each voter at least one dot."))
    if kind == "score" and result["min_score"] >= result["max_score"]:
        raise invalid("settings.max_score", _("The highest score must be above the lowest."))
    if kind == "ranked_choice":
        if result["method"] not in METHODS:
            raise invalid("settings.method", _("Choose borda, instant_runoff or stv."))
        if not 1 <= result["seats"] < n:
            raise invalid("settings.seats", _("Seats must be from 1 to %(num)d (fewer than the options).", num=n - 1))
        if not 1 <= result["places"] <= n:
            raise invalid("settings.places", _("Places must be from 1 to %(num)d (the options).", num=n))
    return result


def ranked_places(settings: dict, options: list[str]) -> int:
    """How many options a ranked-choice voter may rank (polls raised before `places` existed: all)."""
    return settings.get("places") or len(options)


def _values(choices: dict) -> None:
    for name, value in choices.items():
        if not isinstance(value, int) or isinstance(value, bool):
            raise invalid("choices", _("The value for %(name)r must be a whole number.", name=name))


def check_choices(kind: str, options: list[str], settings: dict, choices: dict) -> dict[str, int]:
    """The vote's choices if they keep the kind's rule (normalised), else ValidationFailed (422)."""
    if not isinstance(choices, dict):
        raise invalid("choices", _("Give choices as {option: value}."))
    _values(choices)
    unknown = [name for name in choices if name not in options]
    if unknown:
        raise invalid("choices", _("Not an option of this poll: %(names)s.", names=", ".join(map(repr, unknown[:5]))))
    if kind == "question":
        if choices:
            raise invalid("choices", _("A question is answered with a reason only."))
        return {}
    if kind in ("proposal", "count", "check"):
        if len(choices) != 1 or next(iter(choices.values())) != 1:
            raise invalid("choices", _("Choose exactly one option."))
        return dict(choices)
    if kind == "poll":
        if any(value != 1 for value in choices.values()):
            raise invalid("choices", _("Each chosen option has value 1."))
        low, high = settings["min_choices"], settings["max_choices"]
        if not low <= len(choices) <= high:
            raise invalid(
                "choices",
                _("Choose %(low)d to %(high)d options.", low=low, high=high)
                if low != high
                else ngettext("Choose %(num)d option.", "Choose %(num)d options.", low),
            )
        return dict(choices)
    if kind == "dot_vote":
        if any(value < 0 for value in choices.values()):
            raise invalid("choices", _("Dots cannot be negative."))
        total = sum(choices.values())
        if total == 0:
            raise invalid("choices", _("Place at least one dot."))
        if total > settings["dots_per_voter"]:
            raise invalid(
                "choices",
                _("You have %(dots)d dots; you placed %(placed)d.", dots=settings["dots_per_voter"], placed=total),
            )
        return {name: value for name, value in choices.items() if value}
    if kind == "score":
        low, high = settings["min_score"], settings["max_score"]
        if set(choices) != set(options):
            raise invalid("choices", _("Score every option."))
        if any(not low <= value <= high for value in choices.values()):
            raise invalid("choices", _("Scores go from %(low)d to %(high)d.", low=low, high=high))
        return {name: choices[name] for name in options}
    if kind == "ranked_choice":
        ranks = list(choices.values())
        places = ranked_places(settings, options)
        if not ranks:
            raise invalid("choices", _("Rank at least one option."))
        if any(not 1 <= rank <= places for rank in ranks):
            raise invalid("choices", _("Ranks go from 1 to %(num)d.", num=places))
        if len(set(ranks)) != len(ranks):
            raise invalid("choices", _("No rank may be given twice."))
        return dict(choices)
    if kind == "meeting":
        if set(choices) != set(options):
            raise invalid("choices", _("Answer for every time: yes, if need be or no."))
        if any(value not in MEETING_ANSWERS for value in choices.values()):
            raise invalid("choices", _("Answer yes, if need be or no."))
        return {name: choices[name] for name in options}
    raise ValidationFailed({"kind": [_("Unknown kind %(kind)r.", kind=kind)]})


def check_reason(settings: dict, reason: str | None) -> str:
    reason = (reason or "").strip()
    if settings["reasons"] == "off" and reason:
        raise invalid("reason", _("This poll takes no reasons."))
    if settings["reasons"] == "required" and not reason:
        raise invalid("reason", _("Give a reason."))
    return reason
