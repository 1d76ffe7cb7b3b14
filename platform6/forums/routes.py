"""Thread pages: a group's threads, starting and reading a thread, comments, reactions, moderation, search."""

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_login import current_user, login_required

from .. import search
from ..accounts.service import user_by_email
from ..dashboard import panel
from ..errors import DomainError, NotFound
from ..extensions import db
from ..groups.models import Group
from ..groups.permissions import (
    can_member,
    can_see_content,
    can_see_group,
    is_admin,
    membership,
)
from ..groups.queries import group_by_handle, groups_administered_by
from ..i18n import script_words
from ..limits import whole_number
from ..web import refused, show_error_on_form
from . import guests, labels, queries, service
from .comment_html import comment_chunks
from .forms import (
    VOLUME_NAMES,
    CommentForm,
    DiscussionForm,
    EditCommentForm,
    EditDiscussionForm,
    GuestForm,
    LabelForm,
    MoveForm,
    VolumeForm,
)
from .models import Comment, Discussion
from .permissions import may_administer, takes_part
from .timeline import thread_top

bp = Blueprint("forums", __name__)

# the words static/js/forums.js shows (read there with P6.t)
script_words(
    {
        "forums.member_found": lazy_gettext("member to mention; up and down arrows choose, Enter inserts"),
        "forums.members_found": lazy_gettext("members to mention; up and down arrows choose, Enter inserts"),
        "forums.someone_who_left": lazy_gettext("Someone who left"),
        "forums.just_now": lazy_gettext("just now"),
        "forums.react": lazy_gettext("React"),
        "forums.reply": lazy_gettext("Reply"),
        "forums.edit": lazy_gettext("Edit"),
        "forums.delete": lazy_gettext("Delete"),
        "forums.delete_confirm": lazy_gettext("Delete this comment? Replies stay."),
        "forums.deleted": lazy_gettext("This comment was deleted."),
        "forums.new_comment_from": lazy_gettext("New comment from {name}"),
        "forums.new_comment": lazy_gettext("New comment"),
        "forums.new_thread": lazy_gettext("New thread: {title}"),
        "forums.members_to_mention": lazy_gettext("Members to mention"),
        "forums.reactions": lazy_gettext("Reactions"),
    }
)

#: the reactions offered on every comment (any emoji can be sent through the API)
QUICK_REACTIONS = ("👍", "❤️", "🎉", "😄", "🤔", "👀")


def _discussion_or_404(discussion_id: int) -> Discussion:
    try:
        return queries.visible_discussion(current_user, discussion_id)
    except NotFound:
        abort(404)


def _comment_or_404(comment_id: int) -> Comment:
    try:
        return queries.visible_comment(current_user, comment_id)
    except NotFound:
        abort(404)


def _group_or_404(handle: str) -> Group:
    group = group_by_handle(handle)
    if group is None or not can_see_group(current_user, group) or not can_see_content(current_user, group):
        abort(404)
    return group


def may_moderate(discussion: Discussion) -> bool:
    """May edit, close, pin and move the thread and invite its guests (the same rule the service enforces)."""
    return may_administer(current_user, discussion)


@bp.app_template_global("forum_threads")
def forum_threads(group: Group) -> list[queries.ThreadRow]:
    """The group page's thread list (templates/forums/_group_threads.html); empty when its content is hidden."""
    if not can_see_content(current_user, group):
        return []
    return queries.group_threads(current_user, group, label=request.args.get("label"))


@bp.app_template_global("forum_labels")
def forum_labels(group: Group) -> list:
    """The group's thread labels (the group page's filter, the thread list's chips)."""
    return labels.group_labels(group.id) if can_see_content(current_user, group) else []


bp.add_app_template_global(comment_chunks, "comment_chunks")
bp.add_app_template_global(VOLUME_NAMES, "volume_names")


@bp.app_template_global("forum_volume_form")
def forum_volume_form(group: Group) -> VolumeForm | None:
    found = membership(current_user, group)
    return VolumeForm(volume=found.volume) if found else None


# --- threads ------------------------------------------------------------------------------------


@bp.route("/groups/<handle>/threads/new", methods=["GET", "POST"])
@login_required
def new_discussion(handle: str):
    group = _group_or_404(handle)
    if not can_member(current_user, group, "members_can_start_discussions"):
        abort(403)
    form = DiscussionForm()
    if form.validate_on_submit():
        try:
            discussion = service.start_discussion(
                actor=current_user, group=group, title=form.title.data, description=form.description.data or ""
            )
        except DomainError as err:
            show_error_on_form(form, err)
        else:
            return redirect(url_for(".show", discussion_id=discussion.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("forums/new.html", group=group, form=form), status


def _render_thread(discussion: Discussion, form: CommentForm, status: int = 200, guest_form: GuestForm | None = None):
    view = queries.thread_view(discussion, current_user)
    mine = membership(current_user, discussion.group)
    # the thread's guests take part as its members do
    is_member = takes_part(current_user, discussion)
    moderator = may_moderate(discussion)
    reply_to = None
    if (parent_id := whole_number(str(form.parent_id.data or ""))) is not None:
        reply_to = view.by_id.get(parent_id)
    page = render_template(
        "forums/show.html",
        discussion=discussion,
        group=discussion.group,
        view=view,
        form=form,
        reply_to=reply_to,
        is_member=is_member,
        may_moderate=moderator,
        guests=queries.guests_of(discussion) if moderator else [],
        guest_form=(guest_form or GuestForm(formdata=None)) if moderator else None,
        is_group_admin=is_admin(current_user, discussion.group),
        quick_reactions=QUICK_REACTIONS,
        decisions=thread_top(view.timeline, current_user, mine),
        may_raise_poll=not discussion.closed and can_member(current_user, discussion.group, "members_can_raise_polls"),
    )
    if current_user.is_authenticated and is_member and status == 200:
        service.mark_seen(user=current_user, discussion=discussion, read_upto=view.last_read)
    return page, status


@bp.get("/d/<int:discussion_id>")
def show(discussion_id: int):
    discussion = _discussion_or_404(discussion_id)
    form = CommentForm()
    if reply := request.args.get("reply_to", ""):
        form.parent_id.data = reply if whole_number(reply) is not None else None
    return _render_thread(discussion, form)


@bp.get("/d/<int:discussion_id>/unread")
def first_unread(discussion_id: int):
    """Jump to the first comment the viewer has not read."""
    discussion = _discussion_or_404(discussion_id)
    view_reader = queries.reader_of(current_user, discussion)
    read = view_reader.last_read_position if view_reader else 0
    anchor = "unread" if discussion.last_position > read else "latest"
    return redirect(url_for(".show", discussion_id=discussion.id, _anchor=anchor))


@bp.route("/d/<int:discussion_id>/edit", methods=["GET", "POST"])
@login_required
def edit_discussion(discussion_id: int):
    discussion = _discussion_or_404(discussion_id)
    if not may_moderate(discussion):
        abort(403)
    group_labels = labels.group_labels(discussion.group_id)
    form = EditDiscussionForm(obj=discussion)
    form.labels.choices = [(label.name, label.name) for label in group_labels]
    if not form.is_submitted():
        form.labels.data = [label.name for label in discussion.labels]  # the form holds names, the thread labels
    if form.validate_on_submit():
        try:
            service.update_discussion(
                actor=current_user,
                discussion=discussion,
                title=form.title.data,
                description=form.description.data or "",
                labels=form.labels.data or [],
            )
        except DomainError as err:
            show_error_on_form(form, err)
        else:
            flash(_("Thread saved."), "success")
            return redirect(url_for(".show", discussion_id=discussion.id))
    status = 422 if form.errors or form.form_errors else 200
    colours = {label.name: label.colour for label in group_labels}
    return render_template("forums/edit.html", discussion=discussion, form=form, colours=colours), status


def _change(discussion_id: int, message: str, **changes):
    discussion = _discussion_or_404(discussion_id)
    try:
        service.update_discussion(actor=current_user, discussion=discussion, **changes)
    except DomainError as err:
        return refused(err, url_for(".show", discussion_id=discussion_id))
    flash(message, "success")
    return redirect(url_for(".show", discussion_id=discussion_id))


@bp.post("/d/<int:discussion_id>/close")
@login_required
def close(discussion_id: int):
    return _change(discussion_id, _("Thread closed: no new comments until it is reopened."), closed=True)


@bp.post("/d/<int:discussion_id>/reopen")
@login_required
def reopen(discussion_id: int):
    return _change(discussion_id, _("Thread reopened."), closed=False)


@bp.post("/d/<int:discussion_id>/pin")
@login_required
def pin(discussion_id: int):
    return _change(discussion_id, _("Thread pinned to the top of the group."), pinned=True)


@bp.post("/d/<int:discussion_id>/unpin")
@login_required
def unpin(discussion_id: int):
    return _change(discussion_id, _("Thread unpinned."), pinned=False)


@bp.route("/d/<int:discussion_id>/move", methods=["GET", "POST"])
@login_required
def move(discussion_id: int):
    discussion = _discussion_or_404(discussion_id)
    if not may_moderate(discussion):
        abort(403)
    form = MoveForm()
    form.group_id.choices = {
        str(g.id): g.name for g in groups_administered_by(current_user) if g.id != discussion.group_id
    }
    if form.validate_on_submit():
        try:
            target = db.session.get(Group, form.group_id.data)
            service.move_discussion(actor=current_user, discussion=discussion, group=target)
        except DomainError as err:
            show_error_on_form(form, err)
        else:
            flash(_("Thread moved to %(group)s.", group=target.name), "success")
            return redirect(url_for(".show", discussion_id=discussion.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("forums/move.html", discussion=discussion, form=form), status


@bp.route("/groups/<handle>/labels", methods=["GET", "POST"])
@login_required
def group_labels(handle: str):
    group = _group_or_404(handle)
    if not is_admin(current_user, group):
        abort(403)
    form = LabelForm()
    if form.validate_on_submit():
        try:
            label = labels.create_label(actor=current_user, group=group, name=form.name.data, colour=form.colour.data)
        except DomainError as err:
            show_error_on_form(form, err)
        else:
            flash(_("Label “%(name)s” added.", name=label.name), "success")
            return redirect(url_for(".group_labels", handle=group.handle))
    status = 422 if form.errors or form.form_errors else 200
    return render_template(
        "forums/labels.html", group=group, form=form, labels=labels.group_labels(group.id), palette=labels.PALETTE
    ), status


@bp.post("/groups/<handle>/labels/<path:name>/delete")
@login_required
def delete_label(handle: str, name: str):
    group = _group_or_404(handle)
    back = url_for(".group_labels", handle=group.handle)
    try:
        labels.delete_label(actor=current_user, group=group, name=name)
    except DomainError as err:
        return refused(err, back)
    flash(_("Label deleted: it is off every thread that had it."), "success")
    return redirect(back)


@bp.post("/groups/<handle>/threads/read")
@login_required
def mark_group_read(handle: str):
    group = _group_or_404(handle)
    try:
        service.mark_all_read(user=current_user, group=group)
    except DomainError as err:
        return refused(err, url_for("groups.show", handle=group.handle))
    return redirect(url_for("groups.show", handle=group.handle))


@bp.post("/threads/read")
@login_required
def mark_all_read():
    service.mark_all_read(user=current_user)
    flash(_("Every thread is marked as read."), "success")
    return redirect(url_for("dashboard.show"))


@bp.post("/groups/<handle>/volume")
@login_required
def set_volume(handle: str):
    group = _group_or_404(handle)
    form = VolumeForm()
    try:
        service.set_volume(actor=current_user, group=group, volume=form.volume.data or "")
    except DomainError as err:
        return refused(err, url_for("groups.show", handle=group.handle))
    flash(_("Notification volume saved."), "success")
    return redirect(url_for("groups.show", handle=group.handle))


# --- guests -------------------------------------------------------------------------------------


@bp.post("/d/<int:discussion_id>/guests")
@login_required
def invite_guest(discussion_id: int):
    discussion = _discussion_or_404(discussion_id)
    if not may_moderate(discussion):
        abort(403)
    form = GuestForm()
    if form.validate_on_submit():
        try:
            guest = guests.invite_guest(actor=current_user, discussion=discussion, user=user_by_email(form.email.data))
        except DomainError as err:
            show_error_on_form(form, err)
        else:
            flash(_("%(name)s is a guest of this thread now.", name=guest.user.name), "success")
            return redirect(url_for(".show", discussion_id=discussion.id, _anchor="guests"))
    return _render_thread(discussion, CommentForm(formdata=None), 422, guest_form=form)


@bp.post("/d/<int:discussion_id>/guests/<int:user_id>/remove")
@login_required
def remove_guest(discussion_id: int, user_id: int):
    discussion = _discussion_or_404(discussion_id)
    back = url_for(".show", discussion_id=discussion.id, _anchor="guests")
    try:
        guests.remove_guest(actor=current_user, discussion=discussion, user_id=user_id)
    except DomainError as err:
        return refused(err, back)
    flash(_("The guest no longer sees this thread."), "info")
    return redirect(back)


# --- comments -----------------------------------------------------------------------------------


@bp.post("/d/<int:discussion_id>/comments")
@login_required
def post_comment(discussion_id: int):
    discussion = _discussion_or_404(discussion_id)
    form = CommentForm()
    if form.validate_on_submit():
        parent = form.parent_id.data
        try:
            comment = service.post_comment(
                actor=current_user,
                discussion=discussion,
                body=form.body.data,
                parent_id=whole_number(parent or ""),
            )
        except DomainError as err:
            show_error_on_form(form, err)
        else:
            return redirect(url_for(".show", discussion_id=discussion.id, _anchor=f"comment-{comment.id}"))
    return _render_thread(discussion, form, 422)


@bp.get("/comments/<int:comment_id>")
def show_comment(comment_id: int):
    """A comment with all its replies: where "show more" leads when replies nest deeper than the thread shows."""
    comment = _comment_or_404(comment_id)
    discussion = queries.discussion_by_id(comment.discussion_id)
    return render_template(
        "forums/replies.html",
        discussion=discussion,
        group=discussion.group,
        comment=comment,
        view=queries.subtree_view(discussion, comment.id, current_user),
        is_member=takes_part(current_user, discussion),
        is_group_admin=is_admin(current_user, discussion.group),
        quick_reactions=QUICK_REACTIONS,
    )


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@login_required
def edit_comment(comment_id: int):
    comment = _comment_or_404(comment_id)
    if comment.author_id != current_user.id or comment.deleted:
        abort(403)
    form = EditCommentForm(obj=comment)
    if form.validate_on_submit():
        try:
            service.edit_comment(actor=current_user, comment=comment, body=form.body.data)
        except DomainError as err:
            show_error_on_form(form, err)
        else:
            return redirect(url_for(".show", discussion_id=comment.discussion_id, _anchor=f"comment-{comment.id}"))
    status = 422 if form.errors or form.form_errors else 200
    group = queries.discussion_by_id(comment.discussion_id).group
    return render_template("forums/edit_comment.html", comment=comment, form=form, group=group), status


@bp.get("/comments/<int:comment_id>/history")
def comment_history(comment_id: int):
    comment = _comment_or_404(comment_id)
    return render_template("forums/history.html", comment=comment, versions=queries.versions_of(comment))


@bp.post("/comments/<int:comment_id>/delete")
@login_required
def delete_comment(comment_id: int):
    comment = _comment_or_404(comment_id)
    try:
        service.delete_comment(actor=current_user, comment=comment)
    except DomainError as err:
        return refused(err, url_for(".show", discussion_id=comment.discussion_id, _anchor=f"comment-{comment.id}"))
    flash(_("Comment deleted."), "info")
    return redirect(url_for(".show", discussion_id=comment.discussion_id, _anchor=f"comment-{comment.id}"))


@bp.get("/comments/<int:comment_id>/react")
@login_required
def reaction_choices(comment_id: int):
    """The reactions to choose from on a page of their own: where "React" leads without JavaScript."""
    comment = _comment_or_404(comment_id)
    discussion = queries.discussion_by_id(comment.discussion_id)
    if not takes_part(current_user, discussion):
        abort(403)
    counts, mine = queries.comment_reactions(comment.id, current_user.id)
    return render_template(
        "forums/react.html",
        comment=comment,
        discussion=discussion,
        group=discussion.group,
        counts=counts,
        mine=mine,
        quick_reactions=QUICK_REACTIONS,
    )


@bp.post("/comments/<int:comment_id>/react")
@login_required
def react(comment_id: int):
    """Toggle the signed-in member's reaction with one emoji."""
    comment = _comment_or_404(comment_id)
    mine = "unreact" in request.form
    emoji = request.form.get("unreact" if mine else "emoji", "")
    try:
        if mine:
            service.remove_reaction(actor=current_user, comment=comment, emoji=emoji)
        else:
            service.add_reaction(actor=current_user, comment=comment, emoji=emoji)
    except DomainError as err:
        return refused(err, url_for(".show", discussion_id=comment.discussion_id, _anchor=f"comment-{comment.id}"))
    return redirect(url_for(".show", discussion_id=comment.discussion_id, _anchor=f"comment-{comment.id}"))


@bp.get("/groups/<handle>/mentions")
@login_required
def mentions(handle: str):
    """Members matching what follows "@", for the comment box's autocomplete (JSON for forums.js)."""
    group = _group_or_404(handle)
    if membership(current_user, group) is None:
        abort(403)
    people = queries.mentionable_members(group, request.args.get("q", ""))
    return jsonify({"items": [{"id": u.id, "name": u.name, "handle": u.handle} for u in people]})


# --- search and the dashboard ---------------------------------------------------------------------


@bp.get("/search")
def search_page():
    q = request.args.get("q", "").strip()[: search.MAX_QUERY]
    group = None
    if handle := request.args.get("group"):
        group = _group_or_404(handle)
    hits = queries.search_visible(current_user, query=q, group_id=group.id if group else None, limit=30) if q else []
    return render_template("forums/search.html", q=q, group=group, hits=hits)


@panel(template="forums/_dashboard_panel.html", order=10)
def recent_threads_panel(user) -> dict | None:
    return {"threads": queries.recent_threads(user)}


@panel(template="forums/_guest_panel.html", order=11)
def guest_threads_panel(user) -> dict | None:
    """Threads the person is a guest of: they belong to no group of theirs, so this is where they find them."""
    threads = queries.guest_threads(user)
    return {"threads": threads} if threads else None
