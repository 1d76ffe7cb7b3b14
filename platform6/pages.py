"""Pages that belong to no one feature: the front page and a person's page."""

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from .accounts.models import User
from .extensions import db
from .groups.queries import explore as explore_groups
from .groups.queries import memberships_of_user, public_groups
from .skills.queries import groups_needing_skill, needed_skill_names

bp = Blueprint("pages", __name__)


@bp.get("/")
def home():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.show"))
    return render_template("home.html", groups=public_groups(limit=12))


@bp.get("/explore")
def explore():
    """Open groups by name, place and the skills their open requests want; for everyone, signed in or not."""
    name, place, skill = (request.args.get(key, "").strip()[:100] for key in ("q", "place", "skill"))
    groups = explore_groups(name=name, place=place, group_ids=groups_needing_skill(skill) if skill else None)
    return render_template(
        "groups/explore.html",
        groups=groups,
        needs=needed_skill_names(g.id for g in groups),
        q=name,
        place=place,
        skill=skill,
        searched=bool(name or place or skill),
    )


@bp.get("/people/<handle>")
def person(handle: str):
    """Whoever can see someone in a members list can see their page, with the groups they can see them in
    (the rule of permissions.can_see_content: open groups, and groups the viewer is in)."""
    handle = handle.lower().lstrip("@").replace("\x00", "")
    user = db.session.scalar(select(User).where(User.handle == handle))
    if user is None:
        abort(404)
    itself = current_user.is_authenticated and current_user.id == user.id
    mine = {m.group_id for m in memberships_of_user(current_user)}
    shown = [m for m in memberships_of_user(user) if itself or m.group.privacy == "open" or m.group_id in mine]
    if not shown and not itself:
        abort(404)
    return render_template("person.html", person=user, memberships=shown, itself=itself)
