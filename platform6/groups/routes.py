"""Group pages: the directory, a group's page, creating a group, joining and leaving."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..errors import DomainError
from ..extensions import db
from ..permissions import can_see_content, can_see_group, membership
from ..web import show_error_on_form
from . import queries, service
from .forms import GroupForm, JoinForm

bp = Blueprint("groups", __name__)


def visible_group_or_404(handle: str):
    group = queries.group_by_handle(handle)
    if group is None or not can_see_group(current_user, group):
        abort(404)
    return group


@bp.get("/groups")
def index():
    return render_template(
        "groups/index.html",
        groups=queries.public_groups(),
        memberships=queries.memberships_of_user(current_user),
    )


@bp.route("/groups/new", methods=["GET", "POST"])
@login_required
def new():
    form = GroupForm()
    parent = None
    if parent_handle := request.args.get("parent"):
        parent = visible_group_or_404(parent_handle)
    if form.validate_on_submit():
        try:
            group = service.create_group(
                actor=current_user,
                name=form.name.data,
                handle=form.handle.data or None,
                description=form.description.data or "",
                privacy=form.privacy.data,
                parent_id=parent.id if parent else None,
            )
            db.session.commit()
        except DomainError as err:
            db.session.rollback()
            show_error_on_form(form, err)
        else:
            flash(f"{group.name} is ready. Invite people to join it.", "success")
            return redirect(url_for(".show", handle=group.handle))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("groups/new.html", form=form, parent=parent), status


@bp.get("/groups/<handle>")
def show(handle: str):
    group = visible_group_or_404(handle)
    content_visible = can_see_content(current_user, group)
    members = []
    if content_visible:
        members = db.session.scalars(
            queries.members_select(group).order_by(queries.Membership.role, queries.Membership.joined_at).limit(60)
        ).all()
    return render_template(
        "groups/show.html",
        group=group,
        parent=db.session.get(type(group), group.parent_id) if group.parent_id else None,
        content_visible=content_visible,
        my_membership=membership(current_user, group),
        members=members,
        subgroups=queries.subgroups_visible_to(current_user, group),
        join_form=JoinForm(),
    )


@bp.post("/groups/<handle>/join")
@login_required
def join(handle: str):
    group = visible_group_or_404(handle)
    form = JoinForm()
    if not form.validate_on_submit():
        flash("Your introduction is too long.", "error")
        return redirect(url_for(".show", handle=handle))
    result = service.join(actor=current_user, group=group, introduction=form.introduction.data or "")
    db.session.commit()
    if isinstance(result, queries.Membership):
        flash(f"Welcome to {group.name}.", "success")
    else:
        flash("Your request is with the group's admins. You will be notified of their answer.", "info")
    return redirect(url_for(".show", handle=handle))


@bp.post("/groups/<handle>/leave")
@login_required
def leave(handle: str):
    group = visible_group_or_404(handle)
    try:
        service.remove_member(actor=current_user, group=group, user_id=current_user.id)
        db.session.commit()
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
        return redirect(url_for(".show", handle=handle))
    flash(f"You left {group.name}.", "info")
    return redirect(url_for("dashboard.show"))
