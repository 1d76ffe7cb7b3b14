"""How Loomio's values become ours: times, rich text and mentions, reactions, poll types, options and ballots.

Poll types. Loomio's nine types have the same names as our kinds (governance/kinds.py); its tenth,
stv (topic shape), becomes a ranked choice counted by STV with Loomio's seats. The differences:
- proposal, count and check: our options are fixed. Loomio's are kept as such only when they are
  exactly ours, matched by icon (agree, abstain, disagree, block) and worded as ours (or named by
  their key): a proposal's agree/abstain/disagree/block, a count's agree → yes and disagree → no, a
  check's agree → looks_good, abstain → not_sure and disagree → concerned. Any other set of options
  (consent/objection, accept/decline, a proposal without Block...) is imported as a single-choice
  "poll" with Loomio's own option names, so no wording changes and no option appears that Loomio
  did not offer; the summary notes it.
- ranked_choice: a voter ranked Loomio's "number of choices" (`minimum_stance_choices`, N) options,
  stored as scores N for the first down to 1. We keep N as `settings.places` and the order of the
  scores (highest first) as ranks 1, 2, ..., so Borda's places − rank + 1 gives the points Loomio
  summed. stv: the scores are the preference positions themselves (1 first).
- "None of the above" (Loomio's `show_none_of_the_above`): an extra option of that name, and a vote
  for it is a vote for that option (Loomio shows it as an extra result row).
- dot_vote, score, meeting: the scores are the values (meeting: 2 yes, 1 maybe → "if need be", 0 no).
- question: the answer is the vote's reason; a stance without one has nothing to carry and is skipped.
- `stance_reason_required` disabled/optional/required → reasons off/optional/required.
What does not fit is skipped with its reason in the summary, never forced: an unknown poll type, options
our kind refuses (duplicates, a meeting time that is not ISO 8601, fewer than two), settings out of range,
or a ballot that breaks its kind's rule (for example a meeting vote that leaves a time unanswered).
"""

import html as html_lib
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import ngettext

from ..errors import DomainError
from ..forums.service import check_emoji
from ..governance import kinds
from ..markup import MENTION_RE, render_markdown, sanitise_html
from ..timeutil import to_utc_naive


class Skip(Exception):
    """A record that cannot be imported; the message is the reason shown in the summary."""


def parse_time(value) -> datetime | None:
    """Loomio's `2025-03-03T22:05:44.318Z` as a naive UTC datetime; None stays None."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise Skip(_("%(value)r is not a time", value=value))
    try:
        return to_utc_naive(datetime.fromisoformat(value))
    except ValueError:
        raise Skip(_("%(value)r is not a time", value=value)) from None


def parse_date(value) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise Skip(_("%(value)r is not a date", value=value)) from None


def one_line(value, limit: int) -> str:
    """A title or name: whitespace collapsed, cut to what our column holds."""
    return " ".join(str(value or "").split())[:limit]


# --- rich text and mentions ---------------------------------------------------------------------

_HTML_MENTION = re.compile(r"<span\b[^>]*\bdata-mention-id=\"([^\"]*)\"[^>]*>(.*?)</span>", re.IGNORECASE | re.DOTALL)
_EMPTY = ("", "<p></p>")


@dataclass
class Mentions:
    """Loomio usernames (lower-cased) and user ids (as strings) of imported people -> their handles here."""

    by_key: dict[str, str] = field(default_factory=dict)

    def add(self, *, loomio_id: int, username: str | None, handle: str) -> None:
        self.by_key[str(loomio_id)] = handle
        if username:
            self.by_key[username.lower()] = handle

    def handle(self, key: str) -> str | None:
        return self.by_key.get(key.lower())


@dataclass
class Files:
    """Loomio's files (attachment lines), which stay on the Loomio server: kept here as links with their names.

    `by_record` lists each record's attached files (name, url); `by_blob` finds an inline image's
    file by the blob's signed id in its path; `host` completes a path no attachment line names.
    """

    by_record: dict[tuple[str, int], list[tuple[str, str]]] = field(default_factory=dict)
    by_blob: dict[str, tuple[str, str]] = field(default_factory=dict)
    host: str | None = None

    def add(self, record: dict) -> None:
        url, name = record.get("url"), record.get("filename")
        if not isinstance(url, str) or not url.startswith("https://") or not isinstance(name, str):
            return
        self.host = self.host or url.split("/")[2]
        found = _ACTIVE_STORAGE.search(url)
        if found:
            self.by_blob[found.group(1)] = (name, url)
        if record.get("name") == "files":
            key = (record.get("record_type"), record.get("record_id"))
            self.by_record.setdefault(key, []).append((name, url))

    def link_for(self, src: str) -> tuple[str, str] | None:
        found = _ACTIVE_STORAGE.search(src)
        if not found:
            return None
        if found.group(1) in self.by_blob:
            return self.by_blob[found.group(1)]
        name = found.group(2) or "image"
        return (name, f"https://{self.host}{src}") if self.host and src.startswith("/") else (name, src)


_ACTIVE_STORAGE = re.compile(
    r"/rails/active_storage/(?:blobs|representations)(?:/redirect|/proxy)?/([^/\"\s)]+)/?([^\"\s)?/]*)"
)
_HTML_IMG = re.compile(r"<img\b[^>]*?\bsrc=\"([^\"]*)\"[^>]*>", re.IGNORECASE)
_MD_IMG = re.compile(r"!\[([^\]]*)\]\(([^)\s]+)\)")


def _files_as_links(value: str, text_format, files: Files, attached: list[tuple[str, str]]) -> str:
    """Inline Loomio images and attached files as links with their file names (the files stay on Loomio)."""
    if text_format == "html":

        def html_image(found: re.Match) -> str:
            link = files.link_for(html_lib.unescape(found.group(1)))
            if link is None:
                return found.group(0)
            return f'<a href="{html_lib.escape(link[1])}">{html_lib.escape(link[0])}</a>'

        value = _HTML_IMG.sub(html_image, value)
        if attached:
            items = ", ".join(f'<a href="{html_lib.escape(u)}">{html_lib.escape(n)}</a>' for n, u in attached)
            value += f"<p>Files (kept on the Loomio server): {items}</p>"
        return value

    def md_image(found: re.Match) -> str:
        link = files.link_for(found.group(2))
        return found.group(0) if link is None else f"[{link[0]}]({link[1]})"

    value = _MD_IMG.sub(md_image, value)
    if attached:
        value += "\n\nFiles (kept on the Loomio server): " + ", ".join(f"[{n}]({u})" for n, u in attached)
    return value


def rich_text(
    value, text_format, mentions: Mentions, files: Files | None = None, attached: list | None = None
) -> tuple[str, str]:
    """A Loomio rich-text value as (source, html) for our columns.

    Markdown: Loomio stored it HTML-escaped, so it is unescaped, `@username` becomes `@handle` for
    imported people (any other `@word` is written `&#64;word`, so it links no one here), and it is
    rendered like any Markdown. HTML: a mention `<span data-mention-id>` becomes the same link our
    Markdown makes (or its plain text), and the rest goes through the same nh3 allow-list; the
    source is that sanitised HTML, which our Markdown keeps as it is if the text is edited later.
    """
    if not isinstance(value, str) or value.strip() in _EMPTY:
        value = ""
    if files is not None:
        value = _files_as_links(value, text_format, files, attached or [])
    if not value.strip():
        return "", ""
    if text_format == "html":

        def mention(found: re.Match) -> str:
            handle = mentions.handle(found.group(1))
            if handle is None:
                return found.group(2)
            return f'<a href="/people/{handle}" class="mention">@{handle}</a>'

        cleaned = sanitise_html(_HTML_MENTION.sub(mention, value)).strip()
        return cleaned, cleaned

    def md_mention(found: re.Match) -> str:
        handle = mentions.handle(found.group(1))
        return f"@{handle}" if handle else f"&#64;{found.group(1)}"

    source = MENTION_RE.sub(md_mention, html_lib.unescape(value)).strip()
    return source, render_markdown(source)


# --- reactions ----------------------------------------------------------------------------------

#: the shortcodes Loomio's reaction picker offers most, as the emoji our reactions store
EMOJI = {
    "+1": "👍", "thumbsup": "👍", "-1": "👎", "thumbsdown": "👎", "heart": "❤️", "tada": "🎉",
    "smile": "😄", "smiley": "😃", "slightly_smiling_face": "🙂", "grinning": "😀", "laughing": "😆",
    "joy": "😂", "wink": "😉", "thinking": "🤔", "thinking_face": "🤔", "confused": "😕", "cry": "😢",
    "open_mouth": "😮", "clap": "👏", "pray": "🙏", "raised_hands": "🙌", "muscle": "💪", "ok_hand": "👌",
    "wave": "👋", "eyes": "👀", "fire": "🔥", "rocket": "🚀", "star": "⭐", "sparkles": "✨", "100": "💯",
    "white_check_mark": "✅", "heavy_check_mark": "✔️", "x": "❌", "warning": "⚠️", "bulb": "💡",
    "seedling": "🌱", "hugs": "🤗", "heart_eyes": "😍", "sunglasses": "😎", "grimacing": "😬",
    "partying_face": "🥳", "rofl": "🤣", "star_struck": "🤩", "innocent": "😇", "relieved": "😌",
    "raised_hand": "✋", "point_up": "☝️", "see_no_evil": "🙈", "sob": "😭", "angry": "😠", "scream": "😱",
    "handshake": "🤝", "green_heart": "💚", "blue_heart": "💙", "purple_heart": "💜", "yellow_heart": "💛",
    "thumbs_up": "👍", "thumbs_down": "👎", "slightly_frowning_face": "🙁", "neutral_face": "😐",
    "upside_down_face": "🙃", "facepalm": "🤦", "shrug": "🤷", "bow": "🙇", "trophy": "🏆", "cake": "🍰",
    "coffee": "☕", "sunflower": "🌻", "sun": "☀️", "sunny": "☀️", "rainbow": "🌈", "boom": "💥",
    "question": "❓", "exclamation": "❗", "memo": "📝", "calendar": "📅", "house": "🏠", "zap": "⚡",
}  # fmt: skip


def emoji_for(reaction) -> str:
    """Loomio's `:+1:` (or an old `+1`, or an emoji itself) as the emoji our reactions store."""
    text = str(reaction or "").strip()
    code = text.strip(":")
    if code in EMOJI:
        return EMOJI[code]
    try:
        return check_emoji(text)
    except DomainError:
        raise Skip(
            _(
                "Loomio's reaction %(reaction)s has no emoji here (reactions here are emoji, not Loomio's names for "
                "them)",
                reaction=text[:40],
            )
        ) from None


# --- polls --------------------------------------------------------------------------------------

#: option icon or name -> our fixed option, per kind with fixed options
FIXED_MATCHES = {
    "proposal": {"agree": "agree", "abstain": "abstain", "disagree": "disagree", "block": "block"},
    "count": {"agree": "yes", "disagree": "no", "yes": "yes", "no": "no"},
    "check": {
        "agree": "looks_good", "abstain": "not_sure", "disagree": "concerned",
        "looks_good": "looks_good", "not_sure": "not_sure", "concerned": "concerned",
    },
}  # fmt: skip
REASONS = {"disabled": "off", "optional": "optional", "required": "required"}


@dataclass
class PollPlan:
    """What a Loomio poll becomes: our kind, option names (ours, in order), settings, and Loomio option id -> name."""

    kind: str
    options: list[str]
    settings: dict
    names: dict[int, str]
    #: said in the summary when the poll changed kind
    note: str | None = None
    #: Loomio's stv: scores are preference positions (1 first), not ranked choice's N..1
    stv: bool = False


NONE_OF_THE_ABOVE = "None of the above"


def _fixed_names(kind: str, options: list[dict]) -> dict[int, str] | None:
    """Loomio option id -> our fixed option, when Loomio's options are exactly ours in meaning and wording."""
    matches = FIXED_MATCHES[kind]
    names: dict[int, str] = {}
    for option in options:
        name = str(option.get("name") or "").strip().lower().replace(" ", "_")
        ours = matches.get(option.get("icon")) or matches.get(name)
        if ours is None or ours in names.values():
            return None
        if name not in (ours, kinds.option_label(ours).lower().replace(" ", "_")):
            return None
        names[option["id"]] = ours
    if sorted(names.values()) != sorted(kinds.FIXED_OPTIONS[kind]):
        return None
    return names


def _given_name(kind: str, name) -> str:
    text = " ".join(str(name or "").split())
    if kind == "meeting":
        try:
            return kinds.normalise_meeting_time(text)
        except ValueError:
            raise Skip(_("the meeting time %(time)r is not an ISO 8601 date and time", time=text)) from None
    return text


def _int(value, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _settings(kind: str, poll: dict, count: int) -> dict:
    settings = {
        "reasons": "required" if kind == "question" else REASONS.get(poll.get("stance_reason_required"), "optional")
    }
    if kind == "poll":
        high = min(max(_int(poll.get("maximum_stance_choices"), count), 1), count)
        settings.update(max_choices=high, min_choices=min(max(_int(poll.get("minimum_stance_choices"), 1), 1), high))
    elif kind == "dot_vote":
        settings["dots_per_voter"] = _int(poll.get("dots_per_person"), 8)
    elif kind == "score":
        settings.update(min_score=_int(poll.get("min_score"), 0), max_score=_int(poll.get("max_score"), 5))
    elif kind == "ranked_choice":
        places = _int(poll.get("minimum_stance_choices"), 2)
        settings["places"] = min(max(places, 1), count)
    return settings


def plan_poll(poll: dict, options: list[dict]) -> PollPlan:
    """Our kind, options and settings for a Loomio poll and its poll_options; Skip when they do not fit."""
    kind = poll.get("poll_type")
    stv = kind == "stv"
    if stv:
        kind = "ranked_choice"
    if kind not in kinds.KINDS:
        raise Skip(_("the poll type %(kind)r has no counterpart here", kind=kind))
    options = sorted(options, key=lambda o: (_int(o.get("priority"), 0), o["id"]))
    note = None
    if kind == "question":
        names = {}
    elif kind in FIXED_MATCHES:
        names = _fixed_names(kind, options)
        if names is None:
            names = {o["id"]: _given_name("poll", o.get("name")) for o in options}
            note = _(
                "a poll of the kind “%(kind)s” with options of its own (%(options)s): imported as a single-choice "
                "poll with those options, so its wording is Loomio's",
                kind=kinds.KIND_LABELS[kind],
                options=", ".join(names.values()),
            )
            kind = "poll"
    else:
        names = {o["id"]: _given_name(kind, o.get("name")) for o in options}
    extra = []
    if poll.get("show_none_of_the_above") and kind in ("poll", "ranked_choice"):
        extra = [NONE_OF_THE_ABOVE]
    try:
        if kind in kinds.FIXED_OPTIONS:
            ordered = kinds.normalise_options(kind, None)
        else:
            ordered = kinds.normalise_options(kind, list(names.values()) + extra)
        settings = _settings(kind, poll, len(ordered) - len(extra))
        if note:
            settings.update(min_choices=1, max_choices=1)
        if stv:
            seats = _int(poll.get("stv_seats"), 1)
            settings.update(method="stv", seats=seats, places=len(ordered))
            note = ngettext(
                "an STV poll for %(num)d seat: imported as a ranked choice counted by STV",
                "an STV poll for %(num)d seats: imported as a ranked choice counted by STV",
                seats,
            )
        settings = kinds.normalise_settings(kind, settings, ordered)
    except DomainError as err:
        raise Skip(
            _(
                "its options or settings do not fit the kind “%(kind)s”: %(reason)s",
                kind=kinds.KIND_LABELS[kind],
                reason=err.message,
            )
        ) from None
    return PollPlan(kind=kind, options=ordered, settings=settings, names=names, note=note, stv=stv)


def ballot(plan: PollPlan, choices: list[dict], none_of_the_above: bool = False) -> dict[str, int]:
    """A stance's stance_choices as our vote's choices, checked by the kind's own rule; Skip if they break it."""
    if none_of_the_above and not choices and NONE_OF_THE_ABOVE in plan.options:
        return {NONE_OF_THE_ABOVE: 1}
    picked: dict[str, int] = {}
    for choice in choices:
        name = plan.names.get(choice.get("poll_option_id"))
        score = choice.get("score")
        if name is None:
            raise Skip(_("a choice names an option the poll does not have"))
        if not isinstance(score, int) or isinstance(score, bool):
            raise Skip(_("the score %(score)r is not a whole number", score=score))
        picked[name] = score
    if plan.kind in ("proposal", "count", "check", "poll"):
        picked = {name: 1 for name, score in picked.items() if score > 0}
    elif plan.kind == "ranked_choice":
        # the order of the scores is the ranking (loomio-export-format.md 6.4): highest first, stv's lowest first
        order = {name: index for index, name in enumerate(plan.options)}
        ranked = sorted(
            (name for name, score in picked.items() if score > 0),
            key=lambda name: (picked[name] if plan.stv else -picked[name], order[name]),
        )
        picked = {name: rank for rank, name in enumerate(ranked[: kinds.ranked_places(plan.settings, plan.options)], 1)}
    elif plan.kind == "question":
        picked = {}
    try:
        return kinds.check_choices(plan.kind, plan.options, plan.settings, picked)
    except DomainError as err:
        raise Skip(
            _(
                "its choices do not fit the kind “%(kind)s”: %(reason)s",
                kind=kinds.KIND_LABELS[plan.kind],
                reason=err.message,
            )
        ) from None
