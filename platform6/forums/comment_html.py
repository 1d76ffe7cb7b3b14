"""The comment tree of a thread page as HTML, written in Python rather than a Jinja loop.

Why: a 200-comment thread (Loomio shows every comment) spent nearly all its time in the Jinja loop
that used to live in templates/forums/_comments.html — thousands of small yields, context look-ups
and ORM attribute reads per page — which capped gunicorn's two workers far below 150 requests/s.
Building the same markup with plain string operations from plain tuples (queries.ThreadComment) is
several times cheaper, and the part of each comment that is the same for every viewer is built once
per process and reused (`_static_parts`); only the unread marker, the time's words and the footer's
per-viewer controls (reactions pressed, reply, edit, delete) are written per view; those controls submit
the page's one form (ACTION_FORM, with the CSRF token) rather than a form each. This module is
the only place that writes a comment's markup (static/js/forums.js builds the same structure for
comments that arrive live). Every value that comes from a person goes through `escape`;
body_html was sanitised when it was written.
"""

from collections.abc import Iterator
from functools import lru_cache

from flask_babel import get_locale, get_timezone, gettext, ngettext
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from ..formatting import ago_text, time_tag
from ..timeutil import utcnow
from .queries import ThreadView


@lru_cache(maxsize=2000)  # 10 threads of 200 comments; bodies are in the key and the value
def _static_parts(
    cid, position, created_at, edited_at, deleted_at, author, body_html, reader
) -> tuple[str, str, str, str]:
    """The markup of a comment that is the same for every viewer and every moment, around the parts that are
    not (the unread marker, the time's words, the footer's controls): (article tag, header up to the time's
    words, the rest up to the footer's controls, the escaped author name; `author` None: the author left).
    Cached by every column the markup shows, so an edit, a deletion or a renamed author is a new key and a
    cached entry can never be stale (the key is plain values: comparing SQLAlchemy rows costs more). `reader` is
    the reader's (language, time zone): the words are theirs and the time's title is in their zone, so each
    language and zone has its own entry (call it only inside a request whose reader that is)."""
    name = "" if author is None else escape(author)
    article = (
        f'<article class="comment{" comment-deleted" if deleted_at else ""}" id="comment-{cid}"'
        f' data-position="{position}">'
    )
    head = (
        f'\n  <header class="comment-head"><strong>{escape(gettext("Someone who left")) if author is None else name}</strong>'
        f' <a class="small muted" href="#comment-{cid}">{time_tag(created_at)}'
    )
    edited = (
        f' <a class="small muted edited" href="/comments/{cid}/history">{escape(gettext("(edited)"))}</a>'
        if edited_at and not deleted_at
        else ""
    )
    if deleted_at:
        rest = (
            f'</time></a>{edited}</header>\n  <p class="muted small">{escape(gettext("This comment was deleted."))}</p>'
        )
    else:
        rest = (
            f'</time></a>{edited}</header>\n  <div class="prose comment-body" data-body>{body_html}</div>'
            '\n  <footer class="comment-actions small">'
        )
    return article, head, rest, name


#: the id of the page's one form that every comment's buttons submit (each names its own `formaction`), so
#: that 200 comments do not carry 200 copies of a form and its CSRF token
ACTION_FORM = "comment-action"


@lru_cache(maxsize=64)
def _words(locale: str) -> dict[str, str]:
    """The controls' words in `locale` (the current one: the argument is the cache key), escaped for HTML."""
    words = {
        "unread": gettext("New since your last visit"),
        "reactions": gettext("Reactions"),
        "react": gettext("React"),
        "reply": gettext("Reply"),
        "edit": gettext("Edit"),
        "delete": gettext("Delete"),
        "confirm_delete": gettext("Delete this comment? Replies stay."),
        "own_page": gettext("Open this conversation on its own page"),
    }
    return {key: str(escape(text)) for key, text in words.items()}


@lru_cache(maxsize=64)
def _reaction_choices(quick_reactions: tuple[str, ...], locale: str) -> str:
    """The reactions to choose from, once a page: static/js/forums.js shows them under the comment whose
    "React" was pressed (and points them at it); without JavaScript "React" leads to a page of its own."""
    buttons = "".join(
        f'<button type="submit" form="{ACTION_FORM}" class="reaction" name="emoji" value="{escape(e)}"'
        f' aria-label="{escape(gettext("React with %(emoji)s", emoji=e))}">{escape(e)}</button>'
        for e in quick_reactions
    )
    label = escape(gettext("Choose a reaction"))
    return f'<div id="react-choices" class="react-choices" role="group" aria-label="{label}" hidden>{buttons}</div>'


def comment_chunks(
    view: ThreadView, *, user_id: int | None, is_member: bool, is_group_admin: bool, closed: bool, quick_reactions
) -> Iterator:
    """The page's comments as Markup chunks, with each timeline item (a TimelineItem) yielded on its own
    between them for the template to include with the page's variables (see forums/_comments.html)."""
    reactions, mine, first_unread = view.reactions, view.my_reactions, view.first_unread
    now = utcnow()
    locale = str(get_locale())
    reader = (locale, str(get_timezone()))
    words = _words(locale)
    out: list[str] = []
    append = out.append
    if is_member:
        append(
            f'<form id="{ACTION_FORM}" method="post" hidden><input type="hidden" name="csrf_token"'
            f' value="{generate_csrf()}"></form>{_reaction_choices(tuple(quick_reactions), locale)}'
        )
    for op in view.ops:
        kind = op[0]
        if kind == "open":
            c = op[1].comment
            cid, position, created_at, deleted_at = c.id, c.position, c.created_at, c.deleted_at
            article, head, rest, name = _static_parts(
                cid, position, created_at, c.edited_at, deleted_at, c.author_name, c.body_html, reader
            )
            append(article)
            if first_unread == position:
                append(f'<span id="unread" class="unread-marker">{words["unread"]}</span>')
            append(head)
            append(ago_text(created_at, now, locale))
            append(rest)
            if deleted_at:
                continue
            counts = reactions.get(cid)
            if counts or is_member:
                append(f'\n    <div class="reactions" role="group" aria-label="{words["reactions"]}">')
                react = f"/comments/{cid}/react"
                for emoji, n in (counts or {}).items():
                    e = escape(emoji)
                    if not is_member:
                        append(f'<button type="button" class="reaction" disabled>{e} <span>{n}</span></button>')
                    elif (cid, emoji) in mine:
                        append(
                            f'<button type="submit" form="{ACTION_FORM}" formaction="{react}" class="reaction'
                            f' reaction-mine" name="unreact" value="{e}" aria-pressed="true">{e} <span>{n}</span></button>'
                        )
                    else:
                        append(
                            f'<button type="submit" form="{ACTION_FORM}" formaction="{react}" class="reaction"'
                            f' name="emoji" value="{e}" aria-pressed="false">{e} <span>{n}</span></button>'
                        )
                if is_member:
                    append(f' <a class="react-link" href="{react}" data-react>{words["react"]}</a>')
                append("</div>")
            if is_member:
                if not closed:
                    append(
                        f' <a href="?reply_to={cid}#comment-form" class="reply-link" data-reply-to="{cid}"'
                        f' data-reply-name="{name}">{words["reply"]}</a>'
                    )
                mine_comment = c.author_id == user_id
                if mine_comment:
                    append(f' <a href="/comments/{cid}/edit">{words["edit"]}</a>')
                if mine_comment or is_group_admin:
                    append(
                        f' <button type="submit" form="{ACTION_FORM}" formaction="/comments/{cid}/delete"'
                        f' class="button-link" data-confirm="{words["confirm_delete"]}">{words["delete"]}</button>'
                    )
            append("\n  </footer>")
        elif kind == "replies":
            node, folded = op[1], op[2]
            cid = node.comment.id
            if folded:
                more = escape(ngettext("Show %(num)d more reply", "Show %(num)d more replies", node.descendants_count))
                append(
                    f'\n  <details class="replies-more"><summary>{more}</summary>'
                    f'\n    <p class="small"><a href="/comments/{cid}">{words["own_page"]}</a></p>'
                )
            append(f'\n  <div class="replies" data-replies-of="{cid}">')
        elif kind == "end_replies":
            append("\n  </div></details>" if op[2] else "\n  </div>")
        elif kind == "no_replies":
            append(f'\n  <div class="replies" data-replies-of="{op[1].comment.id}"></div>')
        elif kind == "close":
            append("\n</article>")
        elif kind == "item":
            append('\n<div class="timeline-item">')
            yield Markup("".join(out))
            out.clear()
            yield op[1]
            append("</div>")
    yield Markup("".join(out))
