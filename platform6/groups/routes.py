"""Group pages: the directory, a group's page, creating groups and subgroups, joining and leaving,
and the admins' pages (settings, members, join requests, invitation links)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..accounts.models import User
from ..errors import DomainError
from ..extensions import db
from ..timeutil import utcnow
from ..web import refused, show_error_on_form
from . import hub, queries, service
from .forms import AddMemberForm, GroupForm, GroupSettingsForm, InvitationForm, JoinForm, RoleForm
from .permissions import can_member, can_see_content, can_see_group, ensure_admin, ensure_member, membership

bp = Blueprint("groups", __name__)

#: members shown on a group's page; the members page lists them all, a page at a time
MEMBERS_ON_GROUP_PAGE = 24
MEMBERS_PER_PAGE = 100


def visible_group_or_404(handle: str):
    group = queries.group_by_handle(handle)
    if group is None or not can_see_group(current_user, group):
        abort(404)
    return group


def _status(form) -> int:
    return 422 if form.errors or form.form_errors else 200


def _back_to(endpoint: str, group, message: str, category: str = "success"):
    flash(message, category)
    return redirect(url_for(endpoint, handle=group.handle), code=303)


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
    parent = None
    if parent_handle := request.args.get("parent"):
        parent = visible_group_or_404(parent_handle)
        ensure_member(current_user, parent, "members_can_create_subgroups")
    form = GroupForm(privacy="secret" if parent is not None and parent.privacy == "secret" else "closed")
    if form.validate_on_submit():
        try:
            group = service.create_group(
                actor=current_user,
                name=form.name.data,
                handle=form.handle.data or None,
                description=form.description.data or "",
                privacy=form.privacy.data,
                parent_id=parent.id if parent else None,
                place=form.place.data or "",
            )
        except DomainError as err:
            show_error_on_form(form, err)
        else:
            flash(_("%(group)s is ready. Invite people to join it.", group=group.name), "success")
            return redirect(url_for(".show", handle=group.handle))
    return render_template("groups/new.html", form=form, parent=parent), _status(form)


def _show_page(group, join_form: JoinForm | None = None, status: int = 200):
    """The group as the hub: every feature's section with its count, and what needs the reader's attention."""
    content_visible = can_see_content(current_user, group)
    mine = membership(current_user, group)
    members = queries.members_listing(group, limit=MEMBERS_ON_GROUP_PAGE) if content_visible else []
    found = hub.hub_for(current_user, group, mine)
    attention = dict((a.key, n) for a, n in found.attention)
    return render_template(
        "groups/show.html",
        group=group,
        parent=queries.group_by_id(group.parent_id) if group.parent_id else None,
        content_visible=content_visible,
        my_membership=mine,
        my_request=None if mine else queries.pending_request_of(current_user, group),
        pending_count=attention.get("join_requests", 0),
        members=members,
        subgroups=queries.subgroups_visible_to(current_user, group),
        join_form=join_form or JoinForm(),
        hub=found,
    ), status


@bp.get("/groups/<handle>")
def show(handle: str):
    return _show_page(visible_group_or_404(handle))


@bp.post("/groups/<handle>/join")
@login_required
def join(handle: str):
    group = visible_group_or_404(handle)
    form = JoinForm()
    if not form.validate_on_submit():
        return _show_page(group, form, 422)
    try:
        result = service.join(actor=current_user, group=group, introduction=form.introduction.data or "")
    except DomainError as err:
        return refused(err, url_for(".show", handle=group.handle), code=303)
    if isinstance(result, queries.Membership):
        return _back_to(".show", group, _("Welcome to %(group)s.", group=group.name))
    return _back_to(
        ".show", group, _("Your request is with the group's admins. You will be told their answer."), "info"
    )


@bp.post("/groups/<handle>/leave")
@login_required
def leave(handle: str):
    group = visible_group_or_404(handle)
    try:
        service.remove_member(actor=current_user, group=group, user_id=current_user.id)
    except DomainError as err:
        return refused(err, url_for(".show", handle=group.handle), code=303)
    flash(_("You left %(group)s.", group=group.name), "info")
    return redirect(url_for("dashboard.show"), code=303)


@bp.post("/groups/<handle>/follow")
@login_required
def follow(handle: str):
    group = visible_group_or_404(handle)
    try:
        service.follow(actor=current_user, group=group)
    except DomainError as err:
        return refused(err, url_for(".show", handle=group.handle), code=303)
    return _back_to(
        ".show",
        group,
        _(
            "You follow %(group)s: its new threads, decisions and requests will reach your notifications.",
            group=group.name,
        ),
    )


@bp.post("/groups/<handle>/unfollow")
@login_required
def unfollow(handle: str):
    group = visible_group_or_404(handle)
    service.unfollow(actor=current_user, group=group)
    return _back_to(".show", group, _("You no longer follow %(group)s.", group=group.name), "info")


@bp.route("/groups/<handle>/settings", methods=["GET", "POST"])
@login_required
def settings(handle: str):
    group = visible_group_or_404(handle)
    ensure_admin(current_user, group)
    form = GroupSettingsForm(obj=group)
    if form.validate_on_submit():
        try:
            service.update_group(
                actor=current_user,
                group=group,
                name=form.name.data,
                description=form.description.data or "",
                privacy=form.privacy.data,
                settings={key: getattr(form, key).data for key in service.SETTINGS},
                place=form.place.data or "",
            )
        except DomainError as err:
            show_error_on_form(form, err)
        else:
            return _back_to(".show", group, _("The group's settings are saved."))
    return render_template("groups/settings.html", group=group, form=form), _status(form)


def _members_page(group, add_form: AddMemberForm | None = None, status: int = 200):
    page = request.args.get("page", 1, type=int)
    page = max(1, min(page, 10**6))
    members = queries.members_listing(group, limit=MEMBERS_PER_PAGE + 1, offset=(page - 1) * MEMBERS_PER_PAGE)
    return render_template(
        "groups/members.html",
        group=group,
        members=members[:MEMBERS_PER_PAGE],
        page=page,
        has_next=len(members) > MEMBERS_PER_PAGE,
        i_admin=(mine := membership(current_user, group)) is not None and mine.is_admin,
        can_add=can_member(current_user, group, "members_can_add_members"),
        add_form=add_form or AddMemberForm(formdata=None),
    ), status


@bp.get("/groups/<handle>/members")
def members(handle: str):
    group = visible_group_or_404(handle)
    if not can_see_content(current_user, group):
        abort(404)
    return _members_page(group)


@bp.post("/groups/<handle>/members")
@login_required
def add_member(handle: str):
    group = visible_group_or_404(handle)
    ensure_member(current_user, group, "members_can_add_members")
    form = AddMemberForm()
    if form.validate_on_submit():
        person = queries.user_by_handle_or_email(form.who.data)
        if person is None:
            form.who.errors = [_("No one on Platform 6 has that handle or email.")]
        else:
            try:
                service.add_member(actor=current_user, group=group, user_id=person.id, role=form.role.data)
            except DomainError as err:
                show_error_on_form(form, err)
            else:
                return _back_to(
                    ".members", group, _("%(name)s is now a member of %(group)s.", name=person.name, group=group.name)
                )
    return _members_page(group, form, 422)


@bp.post("/groups/<handle>/members/<int:user_id>/role")
@login_required
def change_role(handle: str, user_id: int):
    group = visible_group_or_404(handle)
    form = RoleForm()
    if not form.validate_on_submit():
        return _back_to(".members", group, _("Choose member or admin."), "error")
    try:
        target = service.set_role(actor=current_user, group=group, user_id=user_id, role=form.role.data)
    except DomainError as err:
        return refused(err, url_for(".members", handle=group.handle), code=303)
    name = db.session.get(User, target.user_id).name
    message = (
        _("%(name)s is now an admin.", name=name) if target.is_admin else _("%(name)s is now a member.", name=name)
    )
    return _back_to(".members", group, message)


@bp.post("/groups/<handle>/members/<int:user_id>/remove")
@login_required
def remove_member(handle: str, user_id: int):
    group = visible_group_or_404(handle)
    person = db.session.get(User, user_id)
    try:
        service.remove_member(actor=current_user, group=group, user_id=user_id)
    except DomainError as err:
        return refused(err, url_for(".members", handle=group.handle), code=303)
    if user_id == current_user.id:
        flash(_("You left %(group)s.", group=group.name), "info")
        return redirect(url_for("dashboard.show"), code=303)
    return _back_to(".members", group, _("%(name)s is no longer a member.", name=person.name))


@bp.get("/groups/<handle>/join-requests")
@login_required
def join_requests(handle: str):
    group = visible_group_or_404(handle)
    ensure_admin(current_user, group)
    return render_template("groups/join_requests.html", group=group, requests=queries.pending_join_requests(group))


@bp.post("/groups/<handle>/join-requests/<int:request_id>/<any(approve, decline):decision>")
@login_required
def decide_join_request(handle: str, request_id: int, decision: str):
    group = visible_group_or_404(handle)
    decide = service.approve_join_request if decision == "approve" else service.decline_join_request
    try:
        decide(actor=current_user, group=group, request_id=request_id)
    except DomainError as err:
        return refused(err, url_for(".join_requests", handle=group.handle), code=303)
    message = _("Approved: they are a member now.") if decision == "approve" else _("Declined.")
    return _back_to(".join_requests", group, message)


def _invitations_page(group, form: InvitationForm | None = None, link: str | None = None, status: int = 200):
    return render_template(
        "groups/invitations.html",
        group=group,
        form=form or InvitationForm(formdata=None),
        link=link,
        invitations=queries.live_invitations(group, utcnow()),
        i_admin=membership(current_user, group).is_admin,
    ), status


@bp.route("/groups/<handle>/invitations", methods=["GET", "POST"])
@login_required
def invitations(handle: str):
    group = visible_group_or_404(handle)
    ensure_member(current_user, group, "members_can_add_members")
    if request.method == "GET":
        return _invitations_page(group)
    form = InvitationForm()
    if form.validate_on_submit():
        try:
            _unused, token = service.create_invitation(actor=current_user, group=group, days=form.days.data)
        except DomainError as err:
            show_error_on_form(form, err)
        else:
            link = url_for(".invitation", token=token, _external=True)
            return _invitations_page(group, link=link)
    return _invitations_page(group, form, status=422)


@bp.post("/groups/<handle>/invitations/<int:invitation_id>/revoke")
@login_required
def revoke_invitation(handle: str, invitation_id: int):
    group = visible_group_or_404(handle)
    service.revoke_invitation(actor=current_user, group=group, invitation_id=invitation_id)
    return _back_to(".invitations", group, _("The link no longer works."))


@bp.get("/invitations/<token>")
def invitation(token: str):
    found = service.invitation_for(token)
    group = queries.group_by_id(found.group_id)
    return render_template(
        "groups/invitation.html",
        group=group,
        invitation=found,
        token=token,
        my_membership=membership(current_user, group),
    )


@bp.post("/invitations/<token>")
@login_required
def accept_invitation(token: str):
    joined = service.accept_invitation(actor=current_user, token=token)
    group = queries.group_by_id(joined.group_id)
    return _back_to(".show", group, _("Welcome to %(group)s.", group=group.name))
