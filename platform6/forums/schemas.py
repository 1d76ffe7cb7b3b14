"""The JSON shape of threads, comments and versions: one copy for the API, socket events and exports."""

from ..accounts.schemas import person_json
from ..timeutil import iso
from . import queries
from .models import Comment, CommentVersion, Discussion, DiscussionGuest, DiscussionLabel


def discussion_json(discussion: Discussion) -> dict:
    return {
        "id": discussion.id,
        "group_id": discussion.group_id,
        "title": discussion.title,
        "description": discussion.description,
        "description_html": discussion.description_html,
        "author": person_json(discussion.author_id),
        "comments_count": discussion.comments_count,
        "closed": discussion.closed,
        "pinned": discussion.pinned,
        "created_at": iso(discussion.created_at),
        "last_activity_at": iso(discussion.last_activity_at),
        "edited_at": iso(discussion.edited_at),
        "closed_at": iso(discussion.closed_at),
        "labels": [label.name for label in discussion.labels],
    }


def label_json(label: DiscussionLabel) -> dict:
    return {"name": label.name, "colour": label.colour}


def comment_json(comment: Comment, reactions: dict[str, int] | None = None) -> dict:
    return {
        "id": comment.id,
        "discussion_id": comment.discussion_id,
        "parent_id": comment.parent_id,
        "author": person_json(comment.author_id),
        "body": comment.body,
        "body_html": comment.body_html,
        "reactions": reactions or {},
        "created_at": iso(comment.created_at),
        "edited_at": iso(comment.edited_at),
        "deleted": comment.deleted,
        "position": comment.position,
    }


def comments_json(comments: list[Comment]) -> list[dict]:
    counts = queries.reactions_for(c.id for c in comments)
    return [comment_json(c, counts.get(c.id)) for c in comments]


def one_comment_json(comment: Comment) -> dict:
    return comments_json([comment])[0]


def version_json(version: CommentVersion) -> dict:
    return {
        "body": version.body,
        "body_html": version.body_html,
        "written_at": iso(version.written_at),
        "replaced_at": iso(version.replaced_at),
    }


def guest_json(guest: DiscussionGuest) -> dict:
    return {
        "discussion_id": guest.discussion_id,
        "user_id": guest.user_id,
        "user": {"id": guest.user.id, "name": guest.user.name, "handle": guest.user.handle},
        "invited_by": person_json(guest.invited_by_id),
        "created_at": iso(guest.created_at),
    }
