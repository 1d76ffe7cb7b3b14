"""JSON routes for threads, comments, reactions, read state and search (API.md "Discussions and comments")."""

from typing import Annotated, Literal

from flask import jsonify, request
from flask_babel import gettext as _
from pydantic import Field

from .. import search
from ..accounts.models import User
from ..accounts.service import user_by_email
from ..api import (
    Body,
    PositiveInt,
    api_blueprint,
    created,
    encode_cursor,
    int_arg,
    no_content,
    offset_from_cursor,
    optional_user,
    page_limit,
    paginate,
    parse_body,
    require_user,
)
from ..errors import Forbidden, NotFound, invalid
from ..extensions import db
from ..groups.models import Group
from ..groups.permissions import ensure_content_visible, ensure_group_visible
from ..limits import MAX_INT
from . import guests, labels, queries, service
from .labels import LABELS_MAX
from .models import BODY_MAX, LABEL_MAX, TITLE_MAX, CommentVersion, Discussion
from .permissions import may_administer
from .schemas import comments_json, discussion_json, guest_json, label_json, one_comment_json, version_json

bp = api_blueprint("forums_api", __name__)


Title = Annotated[str, Field(max_length=TITLE_MAX * 2)]
Text = Annotated[str, Field(max_length=BODY_MAX * 2)]
LabelName = Annotated[str, Field(max_length=LABEL_MAX * 2)]


class NewDiscussion(Body):
    title: Title
    description: Text = ""


class DiscussionChange(Body):
    title: Title | None = None
    description: Text | None = None
    closed: bool | None = None
    pinned: bool | None = None
    #: the names of the group's labels the thread carries, all of them (null: unchanged)
    labels: Annotated[list[LabelName], Field(max_length=LABELS_MAX)] | None = None


class NewLabel(Body):
    name: LabelName
    colour: Annotated[str, Field(max_length=32)] | None = None


class Move(Body):
    group_id: PositiveInt


class NewComment(Body):
    body: Text
    parent_id: PositiveInt | None = None


class CommentChange(Body):
    body: Text


class NewReaction(Body):
    emoji: Annotated[str, Field(max_length=64)]


class ReadUpTo(Body):
    #: the last comment position read; omitted: the whole thread
    position: Annotated[int, Field(ge=0, le=MAX_INT)] | None = None


class NewGuest(Body):
    """Who to invite: their `user_id`, or the `email` of their account."""

    user_id: PositiveInt | None = None
    email: Annotated[str, Field(max_length=254)] | None = None


class MarkAllRead(Body):
    group_id: PositiveInt | None = None


class Volume(Body):
    volume: Literal["mute", "app", "digest", "email"]


def _visible_group(group_id: int, user) -> Group:
    group = ensure_group_visible(user, db.session.get(Group, group_id))
    ensure_content_visible(user, group)
    return group


# --- threads ------------------------------------------------------------------------------------


@bp.post("/groups/<int:group_id>/discussions")
def start_discussion(group_id: int):
    user = require_user()
    group = _visible_group(group_id, user)
    data = parse_body(NewDiscussion)
    discussion = service.start_discussion(actor=user, group=group, title=data.title, description=data.description)
    return created(discussion_json(discussion))


@bp.get("/groups/<int:group_id>/discussions")
def list_discussions(group_id: int):
    group = _visible_group(group_id, optional_user())
    return jsonify(
        paginate(
            queries.discussions_select(group, request.args.get("label")),
            queries.LISTING_ORDER,
            lambda rows: [discussion_json(d) for d in rows],
        )
    )


@bp.get("/discussions/<int:discussion_id>")
def show_discussion(discussion_id: int):
    return jsonify(discussion_json(queries.visible_discussion(optional_user(), discussion_id)))


@bp.patch("/discussions/<int:discussion_id>")
def change_discussion(discussion_id: int):
    user = require_user()
    discussion = queries.visible_discussion(user, discussion_id)
    data = parse_body(DiscussionChange)
    service.update_discussion(
        actor=user,
        discussion=discussion,
        title=data.title,
        description=data.description,
        closed=data.closed,
        pinned=data.pinned,
        labels=data.labels,
    )
    return jsonify(discussion_json(discussion))


@bp.get("/groups/<int:group_id>/labels")
def list_labels(group_id: int):
    group = _visible_group(group_id, optional_user())
    return jsonify({"items": [label_json(label) for label in labels.group_labels(group.id)]})


@bp.post("/groups/<int:group_id>/labels")
def create_label(group_id: int):
    user = require_user()
    group = _visible_group(group_id, user)
    data = parse_body(NewLabel)
    return created(label_json(labels.create_label(actor=user, group=group, name=data.name, colour=data.colour)))


@bp.delete("/groups/<int:group_id>/labels/<path:name>")
def delete_label(group_id: int, name: str):
    user = require_user()
    group = _visible_group(group_id, user)
    labels.delete_label(actor=user, group=group, name=name)
    return no_content()


@bp.post("/discussions/<int:discussion_id>/move")
def move_discussion(discussion_id: int):
    user = require_user()
    discussion = queries.visible_discussion(user, discussion_id)
    data = parse_body(Move)
    target = ensure_group_visible(user, db.session.get(Group, data.group_id))
    service.move_discussion(actor=user, discussion=discussion, group=target)
    return jsonify(discussion_json(discussion))


@bp.post("/discussions/<int:discussion_id>/read")
def read_discussion(discussion_id: int):
    user = require_user()
    discussion = queries.visible_discussion(user, discussion_id)
    data = parse_body(ReadUpTo)
    reader = service.mark_read(user=user, discussion=discussion, position=data.position)
    return jsonify(
        {
            "discussion_id": discussion.id,
            "last_read_position": reader.last_read_position,
            "unread": max(0, discussion.last_position - reader.last_read_position),
        }
    )


@bp.post("/discussions/read")
def read_all():
    user = require_user()
    data = parse_body(MarkAllRead)
    group = _visible_group(data.group_id, user) if data.group_id else None
    count = service.mark_all_read(user=user, group=group)
    return jsonify({"marked": count})


@bp.get("/discussions/unread")
def unread_threads():
    """The caller's threads with unread comments (and those never opened), latest activity first."""
    user = require_user()

    def serialize(discussions: list[Discussion]) -> list[dict]:
        return [
            discussion_json(r.discussion) | {"unread": r.unread, "first_unread_position": r.first_unread}
            for r in queries.unread_rows(user, discussions)
        ]

    order = [(Discussion.last_activity_at, True), (Discussion.id, True)]
    return jsonify(paginate(queries.unread_select(user), order, serialize))


@bp.put("/groups/<int:group_id>/volume")
def set_volume(group_id: int):
    user = require_user()
    group = _visible_group(group_id, user)
    data = parse_body(Volume)
    found = service.set_volume(actor=user, group=group, volume=data.volume)
    return jsonify({"group_id": group.id, "volume": found.volume})


# --- guests -------------------------------------------------------------------------------------


@bp.get("/discussions/<int:discussion_id>/guests")
def list_guests(discussion_id: int):
    user = require_user()
    discussion = queries.visible_discussion(user, discussion_id)
    if not may_administer(user, discussion):
        raise Forbidden(_("Only the thread's author or the group's admins may do that."))
    return jsonify(
        paginate(queries.guests_select(discussion), queries.GUESTS_ORDER, lambda rows: [guest_json(g) for g in rows])
    )


@bp.post("/discussions/<int:discussion_id>/guests")
def invite_guest(discussion_id: int):
    user = require_user()
    discussion = queries.visible_discussion(user, discussion_id)
    data = parse_body(NewGuest)
    if data.user_id is not None:
        invited = db.session.get(User, data.user_id)
        if invited is None:
            raise NotFound(_("No such person."))
    elif data.email:
        invited = user_by_email(data.email)
    else:
        raise invalid("user_id", _("Give the guest's user_id or the email of their account."))
    return created(guest_json(guests.invite_guest(actor=user, discussion=discussion, user=invited)))


@bp.delete("/discussions/<int:discussion_id>/guests/<int:user_id>")
def remove_guest(discussion_id: int, user_id: int):
    user = require_user()
    discussion = queries.visible_discussion(user, discussion_id)
    guests.remove_guest(actor=user, discussion=discussion, user_id=user_id)
    return no_content()


# --- comments -----------------------------------------------------------------------------------


@bp.post("/discussions/<int:discussion_id>/comments")
def post_comment(discussion_id: int):
    user = require_user()
    discussion = queries.visible_discussion(user, discussion_id)
    data = parse_body(NewComment)
    comment = service.post_comment(actor=user, discussion=discussion, body=data.body, parent_id=data.parent_id)
    return created(one_comment_json(comment))


@bp.get("/discussions/<int:discussion_id>/comments")
def list_comments(discussion_id: int):
    discussion = queries.visible_discussion(optional_user(), discussion_id)
    return jsonify(paginate(queries.comments_select(discussion), queries.COMMENTS_ORDER, comments_json))


@bp.get("/comments/<int:comment_id>")
def show_comment(comment_id: int):
    return jsonify(one_comment_json(queries.visible_comment(optional_user(), comment_id)))


@bp.patch("/comments/<int:comment_id>")
def edit_comment(comment_id: int):
    user = require_user()
    comment = queries.visible_comment(user, comment_id)
    data = parse_body(CommentChange)
    service.edit_comment(actor=user, comment=comment, body=data.body)
    return jsonify(one_comment_json(comment))


@bp.get("/comments/<int:comment_id>/versions")
def comment_versions(comment_id: int):
    comment = queries.visible_comment(optional_user(), comment_id)
    return jsonify(
        paginate(
            queries.versions_select(comment),
            [(CommentVersion.id, True)],
            lambda rows: [version_json(v) for v in rows],
        )
    )


@bp.delete("/comments/<int:comment_id>")
def delete_comment(comment_id: int):
    user = require_user()
    comment = queries.visible_comment(user, comment_id)
    service.delete_comment(actor=user, comment=comment)
    return no_content()


@bp.post("/comments/<int:comment_id>/reactions")
def react(comment_id: int):
    user = require_user()
    comment = queries.visible_comment(user, comment_id)
    data = parse_body(NewReaction)
    reaction = service.add_reaction(actor=user, comment=comment, emoji=data.emoji)
    counts = queries.reactions_for([comment.id]).get(comment.id, {})
    return created({"comment_id": comment.id, "emoji": reaction.emoji, "reactions": counts})


@bp.delete("/comments/<int:comment_id>/reactions/<path:emoji>")
def unreact(comment_id: int, emoji: str):
    user = require_user()
    comment = queries.visible_comment(user, comment_id)
    service.remove_reaction(actor=user, comment=comment, emoji=emoji)
    return no_content()


# --- search -------------------------------------------------------------------------------------

#: how deep search results may be paged
MAX_SEARCH_OFFSET = 10_000


@bp.get("/search")
def search_route():
    user = optional_user()
    q = request.args.get("q", "")
    if not q.strip() or len(q) > search.MAX_QUERY:
        raise invalid("q", _("Search for 1 to %(max)d characters.", max=search.MAX_QUERY))
    group_id = None
    if (raw_group_id := int_arg("group_id", message="group_id must be a group's id.")) is not None:
        group_id = _visible_group(raw_group_id, user).id
    kinds = None
    if raw_types := request.args.get("type"):
        kinds = [k for k in raw_types.split(",") if k]
        if unknown := [k for k in kinds if k not in search.SEARCH_KINDS]:
            raise invalid(
                "type",
                _("Unknown type %(type)r; use %(types)s.", type=unknown[0], types=", ".join(search.SEARCH_KINDS)),
            )
    limit, offset = page_limit(), offset_from_cursor("offset", MAX_SEARCH_OFFSET)
    hits = queries.search_visible(
        user,
        query=q,
        group_id=group_id,
        kinds=kinds,
        limit=limit + 1,
        offset=offset,
    )
    items = [
        {
            "type": hit.kind,
            "id": hit.id,
            "title": hit.title,
            "snippet": hit.snippet,
            "snippet_html": str(hit.snippet_html),
            "url": hit.url,
            "group_id": hit.group_id,
        }
        for hit in hits[:limit]
    ]
    return jsonify({"items": items, "next": encode_cursor({"offset": offset + limit}) if len(hits) > limit else None})
