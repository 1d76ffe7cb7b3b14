"""Reads about threads that pages and the API share."""

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..errors import NotFound
from ..extensions import db
from ..permissions import can_see_content, can_see_group
from .models import Comment, Discussion


def discussion_by_id(discussion_id: int) -> Discussion | None:
    """The thread with its group and author loaded, or None."""
    return db.session.scalar(
        select(Discussion)
        .options(joinedload(Discussion.group), joinedload(Discussion.author))
        .where(Discussion.id == discussion_id)
    )


def visible_discussion(user, discussion_id: int) -> Discussion:
    """The thread if `user` may read it (open group, or a member), else NotFound."""
    discussion = discussion_by_id(discussion_id)
    if discussion is None or not can_see_group(user, discussion.group) or not can_see_content(user, discussion.group):
        raise NotFound("No such thread.")
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
        raise NotFound("No such comment.")
    visible_discussion(user, comment.discussion_id)
    return comment
