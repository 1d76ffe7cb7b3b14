"""Reads about threads that pages and the API share."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from flask_babel import gettext as _
from sqlalchemy import case, false, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from .. import search
from ..accounts.models import User
from ..errors import NotFound
from ..extensions import db
from ..groups.models import Membership
from ..groups.permissions import content_visible_group_ids, user_id_of
from .labels import label_named
from .models import Comment, CommentVersion, Discussion, DiscussionGuest, DiscussionReader, Reaction
from .permissions import can_see_discussion, guest_discussion_ids


def discussion_by_id(discussion_id: int) -> Discussion | None:
    """The thread with its group, author and labels loaded (one query), or None."""
    return (
        db.session.scalars(
            select(Discussion)
            .options(joinedload(Discussion.group), joinedload(Discussion.author), joinedload(Discussion.labels))
            .where(Discussion.id == discussion_id)
        )
        .unique()
        .first()
    )


def visible_discussion(user, discussion_id: int) -> Discussion:
    """The thread if `user` may read it (open group, a member, or one of its guests), else NotFound."""
    discussion = discussion_by_id(discussion_id)
    if discussion is None or not can_see_discussion(user, discussion):
        raise NotFound(_("No such thread."))
    return discussion


def comment_by_id(comment_id: int) -> Comment | None:
    return db.session.scalar(
        select(Comment)
        .options(joinedload(Comment.author), joinedload(Comment.discussion))
        .where(Comment.id == comment_id)
    )


def visible_comment(user, comment_id: int) -> Comment:
    comment = comment_by_id(comment_id)
    if comment is None:
        raise NotFound(_("No such comment."))
    visible_discussion(user, comment.discussion_id)
    return comment


def discussions_select(group, label: str | None = None):
    """A group's threads with their authors and labels, for listings (order: pinned, then latest activity);
    with `label`, those carrying the group's label of that name (none when the group has no such label)."""
    stmt = (
        select(Discussion)
        .options(joinedload(Discussion.author), selectinload(Discussion.labels))
        .where(Discussion.group_id == group.id)
    )
    if label:
        found = label_named(group.id, label)
        stmt = stmt.where(Discussion.labels.any(id=found.id) if found else false())
    return stmt


LISTING_ORDER = [(Discussion.pinned, True), (Discussion.last_activity_at, True), (Discussion.id, True)]


def comments_select(discussion):
    return select(Comment).options(joinedload(Comment.author)).where(Comment.discussion_id == discussion.id)


COMMENTS_ORDER = [(Comment.position, False), (Comment.id, False)]


def reactions_for(comment_ids) -> dict[int, dict[str, int]]:
    """{comment_id: {emoji: count}} for many comments in one query (emoji in first-used order)."""
    ids = list(comment_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(Reaction.comment_id, Reaction.emoji, func.count(), func.min(Reaction.id))
        .where(Reaction.comment_id.in_(ids))
        .group_by(Reaction.comment_id, Reaction.emoji)
        .order_by(func.min(Reaction.id))
    ).all()
    found: dict[int, dict[str, int]] = {}
    for comment_id, emoji, count, _first in rows:
        found.setdefault(comment_id, {})[emoji] = count
    return found


def thread_reactions(discussion_id: int, user_id: int | None) -> tuple[dict[int, dict[str, int]], set]:
    """Reaction counts of every comment of a thread and the caller's own (comment_id, emoji), in one query."""
    return _reactions_with_mine(Comment.discussion_id == discussion_id, user_id)


def comment_reactions(comment_id: int, user_id: int | None) -> tuple[dict[str, int], set[str]]:
    """One comment's reaction counts and the emoji the caller reacted with."""
    counts, own = _reactions_with_mine(Comment.id == comment_id, user_id)
    return counts.get(comment_id, {}), {emoji for _unused, emoji in own}


def _reactions_with_mine(where, user_id: int | None) -> tuple[dict[int, dict[str, int]], set]:
    mine = func.max(case((Reaction.user_id == (user_id or 0), 1), else_=0))
    rows = db.session.execute(
        select(Reaction.comment_id, Reaction.emoji, func.count(), mine, func.min(Reaction.id))
        .join(Comment, Comment.id == Reaction.comment_id)
        .where(where)
        .group_by(Reaction.comment_id, Reaction.emoji)
        .order_by(func.min(Reaction.id))
    ).all()
    counts: dict[int, dict[str, int]] = {}
    own = set()
    for comment_id, emoji, count, is_mine, _first in rows:
        counts.setdefault(comment_id, {})[emoji] = count
        if is_mine:
            own.add((comment_id, emoji))
    return counts, own


class ThreadComment(NamedTuple):
    """A comment as the thread page shows it (queries.thread_comments)."""

    id: int
    parent_id: int | None
    author_id: int | None
    position: int
    created_at: datetime
    edited_at: datetime | None
    deleted_at: datetime | None
    body_html: str
    #: None when the author left
    author_name: str | None


def thread_comments(discussion: Discussion) -> list[ThreadComment]:
    """Every comment of a thread, oldest first, with its author's name — one query however many, and plain
    tuples rather than ORM objects or SQLAlchemy rows: at 200 comments, building and reading Comment instances
    cost more than writing their HTML, and a row's attributes are slow to read too."""
    columns = [getattr(Comment, field) for field in ThreadComment._fields[:-1]] + [User.name]
    stmt = (
        select(*columns)
        .outerjoin(User, User.id == Comment.author_id)
        .where(Comment.discussion_id == discussion.id)
        .order_by(Comment.position)
    )
    return [ThreadComment(*row) for row in db.session.execute(stmt)]


def versions_select(comment: Comment):
    """A comment's earlier versions (paged newest first by the API)."""
    return select(CommentVersion).where(CommentVersion.comment_id == comment.id)


def versions_of(comment: Comment) -> list[CommentVersion]:
    return list(db.session.scalars(versions_select(comment).order_by(CommentVersion.id.desc())))


def reader_of(user, discussion: Discussion) -> DiscussionReader | None:
    uid = user_id_of(user)
    if uid is None:
        return None
    return db.session.scalar(
        select(DiscussionReader).where(DiscussionReader.discussion_id == discussion.id, DiscussionReader.user_id == uid)
    )


@dataclass
class ThreadRow:
    """A thread in a listing with the viewer's unread state."""

    discussion: Discussion
    #: comments the viewer has not read; None when the viewer never opened the thread (or is signed out)
    unread: int | None
    #: position of the first unread comment, for "jump to first unread"
    first_unread: int | None
    #: the viewer is signed in and has never opened the thread
    never_opened: bool = False

    @property
    def new_count(self) -> int:
        """Comments the lists mark as new: every comment of a thread never opened, else those not read yet
        (so that a never-opened thread and a half-read one read the same way)."""
        return self.discussion.comments_count if self.never_opened else self.unread or 0

    @property
    def is_new(self) -> bool:
        """Shown in bold: never opened, or with comments not read yet."""
        return self.never_opened or bool(self.unread)


def _with_unread(stmt, user) -> list[ThreadRow]:
    uid = user_id_of(user)
    if uid is None:
        return [ThreadRow(d, None, None) for d in db.session.scalars(stmt)]
    stmt = stmt.add_columns(DiscussionReader.last_read_position).outerjoin(
        DiscussionReader, (DiscussionReader.discussion_id == Discussion.id) & (DiscussionReader.user_id == uid)
    )
    return [thread_row(discussion, read) for discussion, read in db.session.execute(stmt).all()]


def thread_row(discussion: Discussion, read: int | None) -> ThreadRow:
    """The thread with the viewer's unread state, from the last position they read (None: never opened)."""
    if read is None:
        return ThreadRow(discussion, None, 1 if discussion.last_position else None, never_opened=True)
    unread = max(0, discussion.last_position - read)
    return ThreadRow(discussion, unread, read + 1 if unread else None)


def group_threads(user, group, limit: int = 30, label: str | None = None) -> list[ThreadRow]:
    """The group's threads for its page (those with `label`, if given): pinned first, then latest activity,
    with unread counts (one query, and one for the labels)."""
    order = [c.desc() for c, _unused in LISTING_ORDER]
    return _with_unread(discussions_select(group, label).order_by(*order).limit(limit), user)


def recent_threads(user, limit: int = 8) -> list[ThreadRow]:
    """Latest active threads across the user's groups (the dashboard panel), with unread counts."""
    uid = user_id_of(user)
    mine = select(Membership.group_id).where(Membership.user_id == uid)
    stmt = (
        select(Discussion)
        .options(joinedload(Discussion.group), selectinload(Discussion.labels))
        .where(Discussion.group_id.in_(mine))
        .order_by(Discussion.last_activity_at.desc(), Discussion.id.desc())
        .limit(limit)
    )
    return _with_unread(stmt, user)


def unread_select(user):
    """The user's threads (their groups', and those they are a guest of) with comments they have not read, and
    those they never opened (paged by the API)."""
    uid = user_id_of(user)
    read = DiscussionReader.last_read_position
    return (
        select(Discussion)
        .options(joinedload(Discussion.group), selectinload(Discussion.labels))
        .where(
            or_(
                Discussion.group_id.in_(select(Membership.group_id).where(Membership.user_id == uid)),
                Discussion.id.in_(guest_discussion_ids(user)),
            )
        )
        .outerjoin(
            DiscussionReader, (DiscussionReader.discussion_id == Discussion.id) & (DiscussionReader.user_id == uid)
        )
        .where(or_(read.is_(None), read < Discussion.last_position))
    )


def unread_rows(user, discussions: list[Discussion]) -> list[ThreadRow]:
    """ThreadRows for a page of unread_select (one query for the read positions)."""
    positions = dict(
        db.session.execute(
            select(DiscussionReader.discussion_id, DiscussionReader.last_read_position).where(
                DiscussionReader.user_id == user_id_of(user),
                DiscussionReader.discussion_id.in_([d.id for d in discussions]),
            )
        ).all()
    )
    return [thread_row(d, positions.get(d.id)) for d in discussions]


def guests_select(discussion: Discussion):
    """The thread's guests with their accounts (paged by the API)."""
    return (
        select(DiscussionGuest)
        .options(joinedload(DiscussionGuest.user))
        .where(DiscussionGuest.discussion_id == discussion.id)
    )


GUESTS_ORDER = [(DiscussionGuest.id, False)]


def guests_of(discussion: Discussion) -> list[DiscussionGuest]:
    """The thread's guests, in the order they were invited."""
    return list(db.session.scalars(guests_select(discussion).order_by(DiscussionGuest.id)))


def guest_threads(user, limit: int = 30) -> list[ThreadRow]:
    """The threads `user` is a guest of (the dashboard panel), latest active first, with unread counts."""
    stmt = (
        select(Discussion)
        .options(joinedload(Discussion.group))
        .where(Discussion.id.in_(guest_discussion_ids(user)))
        .order_by(Discussion.last_activity_at.desc(), Discussion.id.desc())
        .limit(limit)
    )
    return _with_unread(stmt, user)


def search_visible(user, *, query: str, group_id: int | None = None, kinds=None, limit: int = 20, offset: int = 0):
    """Search what `user` may read: their groups' and open groups' content, and the threads they are a guest of
    (the thread and its comments, nothing else of its group)."""
    threads = guest_discussion_ids(user)
    guest_documents = or_(
        (search.SearchDocument.kind == "discussion") & search.SearchDocument.ref_id.in_(threads),
        (search.SearchDocument.kind == "comment")
        & search.SearchDocument.ref_id.in_(select(Comment.id).where(Comment.discussion_id.in_(threads))),
    )
    return search.search(
        visible_groups=content_visible_group_ids(user),
        also_visible=guest_documents,
        query=query,
        group_id=group_id,
        kinds=kinds,
        limit=limit,
        offset=offset,
    )


def mentionable_members(group, prefix: str, limit: int = 8) -> list[User]:
    """Members whose handle or name starts with `prefix`, for @mention autocomplete (an index-friendly prefix match)."""
    prefix = prefix.lower().lstrip("@")[:30]
    stmt = select(User).join(Membership, Membership.user_id == User.id).where(Membership.group_id == group.id)
    if prefix:
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(
            User.handle.like(f"{escaped}%", escape="\\") | func.lower(User.name).like(f"{escaped}%", escape="\\")
        )
    return list(db.session.scalars(stmt.order_by(User.handle).limit(limit)))


#: replies nested deeper than this are folded behind "show more" on the thread page
MAX_DEPTH = 4


@dataclass
class CommentNode:
    comment: ThreadComment
    depth: int
    children: list["CommentNode"]

    @property
    def descendants_count(self) -> int:
        return sum(1 + child.descendants_count for child in self.children)


@dataclass
class ThreadView:
    """Everything the thread page shows, loaded in a fixed number of queries.

    `ops` is the comment tree flattened for one template loop (no recursive macro calls, which
    cost more than the rest of the page at 200 comments): ("open", node), ("replies", node, folded),
    ("end_replies", node, folded), ("close", node), and ("item", TimelineItem) between top-level comments.
    """

    discussion: Discussion
    ops: list
    reactions: dict[int, dict[str, int]]
    my_reactions: set
    #: the viewer's last read position before this visit (None: never read, or signed out)
    last_read: int | None
    first_unread: int | None
    by_id: dict[int, ThreadComment]
    #: what other features attached to the thread (timeline.TimelineItem), oldest first
    timeline: list = field(default_factory=list)


def build_tree(comments: list[ThreadComment]) -> list[CommentNode]:
    """Top-level comments with their replies nested (a reply whose parent is missing shows at the top)."""
    nodes = {c.id: CommentNode(c, 0, []) for c in comments}
    roots = []
    for comment in comments:
        node = nodes[comment.id]
        parent = nodes.get(comment.parent_id) if comment.parent_id else None
        if parent is None:
            roots.append(node)
        else:
            parent.children.append(node)
    stack = [(node, 0) for node in roots]
    while stack:
        node, depth = stack.pop()
        node.depth = depth
        stack.extend((child, depth + 1) for child in node.children)
    return roots


def flatten(node: CommentNode, fold_at: int, ops: list) -> None:
    """Append the ops that render `node` and its replies; replies at depth >= fold_at go behind "show more"."""
    stack: list = [("node", node)]
    while stack:
        kind, value = stack.pop()
        if kind != "node":
            ops.append(value)
            continue
        ops.append(("open", value))
        if value.children:
            folded = value.depth + 1 == fold_at
            stack.append(("op", ("close", value)))
            stack.append(("op", ("end_replies", value, folded)))
            stack.extend(("node", child) for child in reversed(value.children))
            stack.append(("op", ("replies", value, folded)))
        else:
            ops.append(("no_replies", value))
            ops.append(("close", value))


def thread_view(discussion: Discussion, user) -> ThreadView:
    from .timeline import timeline_items

    comments = thread_comments(discussion)
    counts, mine = thread_reactions(discussion.id, user_id_of(user))
    reader = reader_of(user, discussion)
    last_read = reader.last_read_position if reader else None
    first_unread = None
    if user_id_of(user) is not None and discussion.last_position > (last_read or 0):
        first_unread = next(
            (c.position for c in comments if c.position > (last_read or 0) and c.deleted_at is None), None
        )
    entries = [(node.comment.created_at, 0, node) for node in build_tree(comments)]
    timeline = timeline_items(discussion, user)
    entries += [(item.created_at, 1, item) for item in timeline]
    entries.sort(key=lambda entry: (entry[0], entry[1]))
    ops: list = []
    for _moment, kind, entry in entries:
        if kind == 0:
            flatten(entry, MAX_DEPTH, ops)
        else:
            ops.append(("item", entry))
    return ThreadView(
        discussion=discussion,
        ops=ops,
        reactions=counts,
        my_reactions=mine,
        last_read=last_read,
        first_unread=first_unread,
        by_id={c.id: c for c in comments},
        timeline=timeline,
    )


def subtree_view(discussion: Discussion, comment_id: int, user) -> ThreadView | None:
    """One comment and all its replies (the "show more" page), folding again MAX_DEPTH levels below it."""
    comments = thread_comments(discussion)
    found = None
    stack = build_tree(comments)
    while stack and found is None:
        node = stack.pop()
        if node.comment.id == comment_id:
            found = node
        stack.extend(node.children)
    if found is None:
        return None
    counts, mine = thread_reactions(discussion.id, user_id_of(user))
    ops: list = []
    flatten(found, found.depth + MAX_DEPTH, ops)
    return ThreadView(discussion, ops, counts, mine, None, None, {c.id: c for c in comments})


# --- the group hub (platform6/group_hub.py) -------------------------------------------------------------


def threads_count_of(group_id: int):
    """A scalar subquery: the group's threads."""
    return select(func.count()).where(Discussion.group_id == group_id).scalar_subquery()
