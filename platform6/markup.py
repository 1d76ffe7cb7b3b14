"""User Markdown to safe HTML, in one place: Markdown, @mentions as links, then the nh3 allow-list."""

import re
import xml.etree.ElementTree as etree

import markdown
import nh3
from markdown.inlinepatterns import InlineProcessor

HANDLE_PATTERN = r"[a-z0-9][a-z0-9_-]{1,29}"
MENTION_RE = re.compile(rf"(?i)(?<![\w@/])@({HANDLE_PATTERN})\b")

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "img", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table", "tbody", "td",
    "th", "thead", "tr", "ul", "span",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "class"},
    "img": {"src", "alt", "title"},
    "span": {"class"},
    "code": {"class"},
    "th": {"align"},
    "td": {"align"},
}


class _MentionProcessor(InlineProcessor):
    def handleMatch(self, m, data):  # noqa: N802 - Markdown's API
        link = etree.Element("a")
        link.set("href", f"/people/{m.group(1).lower()}")
        link.set("class", "mention")
        link.text = "@" + m.group(1)
        return link, m.start(0), m.end(0)


class _MentionExtension(markdown.Extension):
    def extendMarkdown(self, md):  # noqa: N802 - Markdown's API
        md.inlinePatterns.register(_MentionProcessor(MENTION_RE.pattern, md), "mention", 175)


def _md() -> markdown.Markdown:
    return markdown.Markdown(extensions=["fenced_code", "tables", "sane_lists", _MentionExtension()])


def render_markdown(text: str | None) -> str:
    """Markdown to HTML with no script, event handler, javascript: URL, iframe or SVG left."""
    if not text:
        return ""
    return sanitise_html(_md().convert(text))


def sanitise_html(html: str | None) -> str:
    """HTML from elsewhere (rendered Markdown, an imported Loomio body) through the one allow-list."""
    if not html:
        return ""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )


def stored_html(text: str | None, html: str | None = None) -> str:
    """What a text's `_html` column holds: the Markdown rendered, or HTML brought from elsewhere sanitised again."""
    return render_markdown(text) if html is None else sanitise_html(html)


def find_mentions(text: str | None) -> set[str]:
    """The lower-cased handles @mentioned in `text` (outside code is not distinguished)."""
    return {m.group(1).lower() for m in MENTION_RE.finditer(text or "")}


def plain_text(text: str | None, limit: int = 200) -> str:
    """A short plain-text preview of Markdown, for notifications and snippets."""
    flat = re.sub(r"[#*_`>\[\]()!~|-]+", " ", text or "")
    flat = " ".join(flat.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
