"""Every write about threads: starting, editing, closing, pinning, moving; comments, reactions, read state.

The `replay_*` functions write threads, comments and reactions from history (a group file, a Loomio
export) through the same checks, rendering and counters as the live writes, keeping the history's
authors and times and telling nobody.
"""

from datetime import datetime

from blinker import Namespace
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, or_, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from .. import search
from ..accounts.models import User
from ..errors import Conflict, Forbidden, NotFound, invalid
from ..extensions import db
from ..groups.models import Group, Membership
from ..groups.permissions import ensure_admin, ensure_member, is_author_or_admin
from ..groups.service import check_volume, tell_followers
from ..i18n import Message
from ..limits import history_title
from ..markup import find_mentions, render_markdown, stored_html
from ..timeutil import utcnow
from . import labels as thread_labels
from .delivery import deliver, deliver_to_group, deliver_to_guests
from .models import BODY_MAX, TITLE_MAX, Comment, CommentVersion, Discussion, DiscussionReader, Reaction
from .permissions import ensure_takes_part, guest_discussion_ids, guest_ids_select, may_delete_comment, takes_part

signals = Namespace()
#: sent with the thread after it is started, changed or moved (events.py pushes it to live pages)
discussion_created = signals.signal("discussion-created")
discussion_changed = signals.signal("discussion-changed")
#: sent with the comment after it is posted, or edited, deleted or reacted to
comment_created = signals.signal("comment-created")
comment_changed = signals.signal("comment-changed")

EMOJI_MAX = 16

search.register_search_kind("discussion", _l("Thread"))
search.register_search_kind("comment", _l("Comment"))


def discussion_url(discussion_id: int) -> str:
    return f"/d/{discussion_id}"


def comment_url(comment: Comment) -> str:
    return f"/d/{comment.discussion_id}#comment-{comment.id}"


def _check_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not 1 <= len(title) <= TITLE_MAX:
        raise invalid("title", _("Give a title of 1 to %(max)d characters.", max=TITLE_MAX))
    return title


def _check_text(text: str, field: str, required: bool) -> str:
    text = (text or "").strip()
    if required and not text:
        raise invalid(field, _("Write something first."))
    if len(text) > BODY_MAX:
        raise invalid(field, _("Keep it under %(max)s characters.", max=format_decimal(BODY_MAX)))
    return text


def _ensure_author_or_admin(actor: User, author_id: int | None, group: Group) -> None:
    if not is_author_or_admin(actor, author_id, group):
        raise Forbidden(_("Only the author or the group's admins may do that."))


def index_discussion(discussion: Discussion) -> None:
    search.index_document(
        kind="discussion",
        ref_id=discussion.id,
        group_id=discussion.group_id,
        title=discussion.title,
        body=search.searchable_text(discussion.description_html),
        url=discussion_url(discussion.id),
        created_at=discussion.created_at,
    )


def index_comment(comment: Comment, discussion: Discussion) -> None:
    search.index_document(
        kind="comment",
        ref_id=comment.id,
        group_id=discussion.group_id,
        title=discussion.title,
        body=search.searchable_text(comment.body_html),
        url=comment_url(comment),
        created_at=comment.created_at,
    )


def _mentioned_ids(
    text: str, group: Group, already: set[str] | None = None, discussion: Discussion | None = None
) -> list[int]:
    """Members of the group, and guests of the thread, @mentioned in `text` (skipping handles in `already`):
    only they are told."""
    handles = find_mentions(text) - (already or set())
    if not handles:
        return []
    members = select(Membership.user_id).where(Membership.group_id == group.id)
    if discussion is not None:
        members = members.union(guest_ids_select(discussion.id))
    return list(db.session.scalars(select(User.id).where(User.handle.in_(handles), User.id.in_(members))))


# --- threads ------------------------------------------------------------------------------------


def start_discussion(*, actor: User, group: Group, title: str, description: str = "") -> Discussion:
    ensure_member(actor, group, "members_can_start_discussions")
    title = _check_title(title)
    description = _check_text(description, "description", required=False)
    discussion = _write_discussion(
        group=group,
        author_id=actor.id,
        title=title,
        description=description,
        description_html=render_markdown(description),
        created_at=utcnow(),
    )
    db.session.add(DiscussionReader(discussion_id=discussion.id, user_id=actor.id, last_read_position=0))
    url = discussion_url(discussion.id)
    mentioned = _mentioned_ids(description, group)
    deliver(
        user_ids=mentioned, kind="mention", url=url, group=group, actor=actor,
        text=Message("%(name)s mentioned you in “%(title)s”", name=actor.name, title=title), body=description,
    )  # fmt: skip
    deliver_to_group(
        group=group, actor=actor, kind="discussion_created", url=url, except_user_ids=mentioned,
        text=Message("%(name)s started “%(title)s” in %(group)s", name=actor.name, title=title, group=group.name), body=description,
    )  # fmt: skip
    tell_followers(group=group, actor_id=actor.id, kind="discussion_created", url=url, title=title)
    discussion_created.send(discussion)
    return discussion


def _write_discussion(
    *,
    group: Group,
    author_id: int | None,
    title: str,
    description: str,
    description_html: str,
    created_at: datetime,
    last_activity_at: datetime | None = None,
    **history,
) -> Discussion:
    """The thread row as every way of starting one writes it (checked text in, rendered), made findable."""
    discussion = Discussion(
        group_id=group.id,
        author_id=author_id,
        title=title,
        description=description,
        description_html=description_html,
        created_at=created_at,
        last_activity_at=last_activity_at or created_at,
        **history,
    )
    db.session.add(discussion)
    db.session.flush()
    index_discussion(discussion)
    return discussion


def replay_discussion(
    *,
    group: Group,
    author_id: int | None,
    title: str,
    description: str = "",
    description_html: str | None = None,
    created_at: datetime,
    last_activity_at: datetime | None = None,
    edited_at: datetime | None = None,
    closed_at: datetime | None = None,
    pinned: bool = False,
) -> Discussion:
    """A thread from history, with its author and times; `description_html` (HTML from elsewhere) is
    sanitised again, else the description is rendered. Nobody is told and nobody has read it."""
    description = _check_text(description, "description", required=False)
    return _write_discussion(
        group=group,
        author_id=author_id,
        title=history_title(title),
        description=description,
        description_html=stored_html(description, description_html),
        created_at=created_at,
        last_activity_at=last_activity_at,
        edited_at=edited_at,
        closed_at=closed_at,
        pinned=pinned,
    )


def update_discussion(
    *,
    actor: User,
    discussion: Discussion,
    title: str | None = None,
    description: str | None = None,
    closed: bool | None = None,
    pinned: bool | None = None,
    labels: list[str] | None = None,
) -> Discussion:
    """Change what is given (None: unchanged); `labels` names exactly the group's labels the thread carries."""
    group = db.session.get(Group, discussion.group_id)
    _ensure_author_or_admin(actor, discussion.author_id, group)
    now = utcnow()
    if title is not None or description is not None:
        if title is not None:
            discussion.title = _check_title(title)
        if description is not None:
            before = find_mentions(discussion.description)
            discussion.description = _check_text(description, "description", required=False)
            discussion.description_html = render_markdown(discussion.description)
            deliver(
                user_ids=_mentioned_ids(discussion.description, group, before, discussion), kind="mention",
                url=discussion_url(discussion.id), group=group, actor=actor, discussion_id=discussion.id,
                text=Message("%(name)s mentioned you in “%(title)s”", name=actor.name, title=discussion.title), body=discussion.description,
            )  # fmt: skip
        discussion.edited_at = now
        index_discussion(discussion)
        if title is not None:
            db.session.execute(
                update(search.SearchDocument)
                .where(
                    search.SearchDocument.kind == "comment",
                    search.SearchDocument.ref_id.in_(select(Comment.id).where(Comment.discussion_id == discussion.id)),
                )
                .values(title=discussion.title[:300])
                .execution_options(synchronize_session=False)
            )
    if closed is not None and closed != discussion.closed:
        discussion.close(now) if closed else discussion.reopen()
    if pinned is not None:
        discussion.pinned = pinned
    if labels is not None:
        thread_labels.assign(discussion, labels)
    db.session.flush()
    discussion_changed.send(discussion)
    return discussion


def move_discussion(*, actor: User, discussion: Discussion, group: Group) -> Discussion:
    """Move a thread (with its comments and search entries) to another group the actor admins."""
    source = db.session.get(Group, discussion.group_id)
    _ensure_author_or_admin(actor, discussion.author_id, source)
    ensure_admin(actor, group)
    if group.id == source.id:
        raise invalid("group_id", _("The thread is in that group already."))
    discussion.group_id = group.id
    discussion.group = group
    thread_labels.follow_move(discussion, group)
    search.move_documents(kind="discussion", ref_ids=[discussion.id], group_id=group.id)
    search.move_documents(
        kind="comment", ref_ids=select(Comment.id).where(Comment.discussion_id == discussion.id), group_id=group.id
    )
    db.session.flush()
    discussion_changed.send(discussion)
    return discussion


# --- comments -----------------------------------------------------------------------------------


def _reply_parent(discussion: Discussion, parent_id: int | None) -> Comment | None:
    """The comment replied to, which must be in the same thread."""
    if parent_id is None:
        return None
    parent = db.session.get(Comment, parent_id)
    if parent is None or parent.discussion_id != discussion.id:
        raise NotFound(_("The comment you reply to is not in this thread."))
    return parent


def _write_comment(
    *,
    discussion: Discussion,
    parent: Comment | None,
    author_id: int | None,
    body: str,
    body_html: str,
    position: int,
    created_at: datetime,
    **history,
) -> Comment:
    """The comment row as every way of posting one writes it; findable unless deleted."""
    comment = Comment(
        discussion_id=discussion.id,
        parent_id=parent.id if parent else None,
        author_id=author_id,
        body=body,
        body_html=body_html,
        position=position,
        created_at=created_at,
        **history,
    )
    db.session.add(comment)
    db.session.flush()
    if not comment.deleted:
        index_comment(comment, discussion)
    return comment


def replay_comment(
    *,
    discussion: Discussion,
    parent_id: int | None,
    author_id: int | None,
    body: str,
    body_html: str | None = None,
    created_at: datetime,
    edited_at: datetime | None = None,
    deleted_at: datetime | None = None,
) -> Comment:
    """A comment from history, numbered after the thread's last, with the thread's counts kept in step.

    A deleted one keeps its place (so its replies keep theirs) and no text. A closed thread takes it:
    it was posted before the thread closed. Nobody is told.
    """
    parent = _reply_parent(discussion, parent_id)
    body = "" if deleted_at else _check_text(body, "body", required=False)
    discussion.last_position += 1
    discussion.comments_count += 0 if deleted_at else 1
    discussion.last_activity_at = max(discussion.last_activity_at, created_at)
    return _write_comment(
        discussion=discussion,
        parent=parent,
        author_id=author_id,
        body=body,
        body_html=stored_html(body, body_html) if body else "",
        position=discussion.last_position,
        created_at=created_at,
        edited_at=edited_at,
        deleted_at=deleted_at,
    )


def replay_comment_version(
    *, comment: Comment, body: str, written_at: datetime, replaced_at: datetime
) -> CommentVersion:
    """An earlier text of a comment from history (its edit history)."""
    if comment.deleted:
        raise Conflict(_("A deleted comment keeps no earlier versions."))
    body = _check_text(body, "body", required=False)
    return _keep_version(comment, body, render_markdown(body), written_at, replaced_at)


def replay_comment_edit(*, comment: Comment, body: str, body_html: str | None = None, edited_at: datetime) -> Comment:
    """A later text of a comment from history (a newer export): the text it had is kept as a version.

    Nobody is told (mentions in history were delivered where they were written)."""
    if comment.deleted:
        raise Conflict(_("A deleted comment cannot be edited."))
    body = _check_text(body, "body", required=False)
    if body == comment.body:
        return comment
    _keep_version(comment, comment.body, comment.body_html, comment.edited_at or comment.created_at, edited_at)
    comment.body, comment.body_html, comment.edited_at = body, stored_html(body, body_html), edited_at
    index_comment(comment, db.session.get(Discussion, comment.discussion_id))
    db.session.flush()
    return comment


def _keep_version(
    comment: Comment, body: str, body_html: str, written_at: datetime, replaced_at: datetime
) -> CommentVersion:
    version = CommentVersion(
        comment_id=comment.id, body=body, body_html=body_html, written_at=written_at, replaced_at=replaced_at
    )
    db.session.add(version)
    return version


def post_comment(*, actor: User, discussion: Discussion, body: str, parent_id: int | None = None) -> Comment:
    group = db.session.get(Group, discussion.group_id)
    ensure_takes_part(actor, discussion)
    body = _check_text(body, "body", required=True)
    parent = _reply_parent(discussion, parent_id)
    discussion.ensure_open()
    now = utcnow()
    # one UPDATE hands out the position and keeps the counts on the thread row (row-locked on PostgreSQL)
    position = db.session.execute(
        update(Discussion)
        .where(Discussion.id == discussion.id, Discussion.closed_at.is_(None))
        .values(
            last_position=Discussion.last_position + 1,
            comments_count=Discussion.comments_count + 1,
            last_activity_at=now,
        )
        .returning(Discussion.last_position)
        .execution_options(synchronize_session=False)
    ).scalar()
    if position is None:
        raise Conflict(_("This thread is closed to new comments."), code="discussion_closed")
    db.session.refresh(discussion, ["last_position", "comments_count", "last_activity_at"])
    comment = _write_comment(
        discussion=discussion,
        parent=parent,
        author_id=actor.id,
        body=body,
        body_html=render_markdown(body),
        position=position,
        created_at=now,
    )
    # the author has read their own comment (and, if they were up to date, stays up to date)
    db.session.execute(
        update(DiscussionReader)
        .where(
            DiscussionReader.discussion_id == discussion.id,
            DiscussionReader.user_id == actor.id,
            DiscussionReader.last_read_position == position - 1,
        )
        .values(last_read_position=position, last_read_at=now)
        .execution_options(synchronize_session=False)
    )
    url = comment_url(comment)
    mentioned = _mentioned_ids(body, group, discussion=discussion)
    deliver(
        user_ids=mentioned, kind="mention", url=url, group=group, actor=actor, discussion_id=discussion.id,
        text=Message("%(name)s mentioned you in “%(title)s”", name=actor.name, title=discussion.title), body=body,
    )  # fmt: skip
    told = set(mentioned)
    if parent is not None and parent.author_id and parent.author_id not in mentioned and not parent.deleted:
        deliver(
            user_ids=[parent.author_id], kind="reply", url=url, group=group, actor=actor, discussion_id=discussion.id,
            text=Message("%(name)s replied to you in “%(title)s”", name=actor.name, title=discussion.title), body=body,
        )  # fmt: skip
        told.add(parent.author_id)
    deliver_to_guests(
        discussion_id=discussion.id, group=group, actor=actor, kind="comment", url=url, except_user_ids=told,
        text=Message("%(name)s commented in “%(title)s”", name=actor.name, title=discussion.title),
    )  # fmt: skip
    comment.author = actor
    comment_created.send(comment)
    return comment


def edit_comment(*, actor: User, comment: Comment, body: str) -> Comment:
    discussion = db.session.get(Discussion, comment.discussion_id)
    group = db.session.get(Group, discussion.group_id)
    if comment.author_id != actor.id or not takes_part(actor, discussion):
        raise Forbidden(_("Only the author may edit a comment."))
    if comment.deleted:
        raise Conflict(_("A deleted comment cannot be edited."))
    body = _check_text(body, "body", required=True)
    if body == comment.body:
        return comment
    now = utcnow()
    _keep_version(comment, comment.body, comment.body_html, comment.edited_at or comment.created_at, now)
    before = find_mentions(comment.body)
    comment.body, comment.body_html, comment.edited_at = body, render_markdown(body), now
    index_comment(comment, discussion)
    deliver(
        user_ids=_mentioned_ids(body, group, before, discussion), kind="mention", url=comment_url(comment),
        group=group, actor=actor, discussion_id=discussion.id, text=Message("%(name)s mentioned you in “%(title)s”", name=actor.name, title=discussion.title), body=body,
    )  # fmt: skip
    db.session.flush()
    comment_changed.send(comment)
    return comment


def delete_comment(*, actor: User, comment: Comment) -> Comment:
    """The comment stays as "deleted" (body and history gone) so its replies keep their place."""
    discussion = db.session.get(Discussion, comment.discussion_id)
    if not may_delete_comment(actor, comment.author_id, discussion):
        raise Forbidden(_("Only the author or the group's admins may do that."))
    if comment.deleted:
        return comment
    comment.mark_deleted(utcnow())
    db.session.execute(
        update(Discussion)
        .where(Discussion.id == discussion.id)
        .values(comments_count=Discussion.comments_count - 1)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(discussion, ["comments_count"])
    db.session.execute(CommentVersion.__table__.delete().where(CommentVersion.comment_id == comment.id))
    db.session.execute(Reaction.__table__.delete().where(Reaction.comment_id == comment.id))
    search.remove_document(kind="comment", ref_id=comment.id)
    db.session.flush()
    comment_changed.send(comment)
    return comment


def check_emoji(emoji: str) -> str:
    emoji = (emoji or "").strip()
    if not emoji or len(emoji) > EMOJI_MAX or any(ord(c) < 0xA0 or c.isspace() or c.isalnum() for c in emoji):
        raise invalid("emoji", _("Send one emoji, such as 👍."))
    return emoji


def add_reaction(*, actor: User, comment: Comment, emoji: str) -> Reaction:
    """One reaction per member per emoji: a repeat answers Conflict and is counted once."""
    ensure_takes_part(actor, db.session.get(Discussion, comment.discussion_id))
    reaction = _write_reaction(comment, actor.id, emoji, utcnow())
    comment_changed.send(comment)
    return reaction


def replay_reaction(*, comment: Comment, user_id: int, emoji: str, created_at: datetime) -> Reaction:
    """A reaction from history, under the live rules (one emoji, a comment not deleted, once per person);
    history naming one twice is bad input (422), not a race."""
    taken = select(Reaction.id).where(
        Reaction.comment_id == comment.id, Reaction.user_id == user_id, Reaction.emoji == emoji.strip()
    )
    if db.session.scalar(taken) is not None:
        raise invalid("emoji", _("The same person reacted with the same emoji already."))
    return _write_reaction(comment, user_id, emoji, created_at)


def _write_reaction(comment: Comment, user_id: int, emoji: str, created_at: datetime) -> Reaction:
    emoji = check_emoji(emoji)
    if comment.deleted:
        raise Conflict(_("A deleted comment takes no reactions."))
    reaction = Reaction(comment_id=comment.id, user_id=user_id, emoji=emoji, created_at=created_at)
    try:
        with db.session.begin_nested():
            db.session.add(reaction)
    except IntegrityError:
        raise Conflict(_("Reacted with that emoji already.")) from None
    return reaction


def remove_reaction(*, actor: User, comment: Comment, emoji: str) -> None:
    found = db.session.scalar(
        select(Reaction).where(Reaction.comment_id == comment.id, Reaction.user_id == actor.id, Reaction.emoji == emoji)
    )
    if found is None:
        raise NotFound(_("You have not reacted with that emoji."))
    db.session.delete(found)
    db.session.flush()
    comment_changed.send(comment)


# --- read state and volume ----------------------------------------------------------------------


def mark_read(*, user: User, discussion: Discussion, position: int | None = None) -> DiscussionReader:
    """Record that the user has read the thread up to `position` (default: all of it); never goes back."""
    upto = discussion.last_position if position is None else min(position, discussion.last_position)
    reader = db.session.scalar(
        select(DiscussionReader).where(
            DiscussionReader.discussion_id == discussion.id, DiscussionReader.user_id == user.id
        )
    )
    if reader is None:
        reader = DiscussionReader(discussion_id=discussion.id, user_id=user.id, last_read_position=upto)
        try:
            with db.session.begin_nested():
                db.session.add(reader)
            return reader
        except IntegrityError:
            return mark_read(user=user, discussion=discussion, position=position)
    if upto > reader.last_read_position:
        reader.last_read_position, reader.last_read_at = upto, utcnow()
    return reader


def mark_seen(*, user: User, discussion: Discussion, read_upto: int | None) -> None:
    """`mark_read` for a page view, which writes as a side effect of reading: on SQLite a view whose snapshot
    another writer has made stale since its first read cannot write (it is not waiting for a lock, so no
    timeout helps), and a page must not fail for a bookmark. That view's mark is left to the next.
    `read_upto` is where the page found the reader (None: never read): a thread read to its end writes nothing."""
    if read_upto is not None and read_upto >= discussion.last_position:
        return
    try:
        with db.session.begin_nested():
            mark_read(user=user, discussion=discussion)
    except OperationalError:
        if db.session.get_bind().dialect.name != "sqlite":
            raise


def mark_all_read(*, user: User, group: Group | None = None) -> int:
    """Mark every thread in the user's groups and those they are a guest of (or those in one group) read;
    returns how many threads."""
    if group is not None:
        ensure_member(user, group)
        in_scope = Discussion.group_id == group.id
    else:
        mine = select(Membership.group_id).where(Membership.user_id == user.id)
        in_scope = or_(Discussion.group_id.in_(mine), Discussion.id.in_(guest_discussion_ids(user)))
    now = utcnow()
    threads = select(Discussion.id).where(in_scope)
    last = select(Discussion.last_position).where(Discussion.id == DiscussionReader.discussion_id).scalar_subquery()
    changed = db.session.execute(
        update(DiscussionReader)
        .where(DiscussionReader.user_id == user.id, DiscussionReader.discussion_id.in_(threads))
        .values(last_read_position=last, last_read_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    missing = select(Discussion.id, Discussion.last_position).where(
        in_scope,
        ~exists().where(DiscussionReader.discussion_id == Discussion.id, DiscussionReader.user_id == user.id),
    )
    rows = db.session.execute(missing).all()
    db.session.add_all(
        DiscussionReader(discussion_id=did, user_id=user.id, last_read_position=pos, last_read_at=now)
        for did, pos in rows
    )
    db.session.flush()
    return changed + len(rows)


def set_volume(*, actor: User, group: Group, volume: str) -> Membership:
    """Loomio's volume for one member in one group: mute, app (in-app only), digest or email."""
    found = ensure_member(actor, group)
    found.volume = check_volume(volume)
    db.session.flush()
    return found
