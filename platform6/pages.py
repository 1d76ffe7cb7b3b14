"""Pages that belong to no one feature: the front page and a person's page."""

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from .accounts.models import User
from .extensions import db
from .groups.queries import memberships_of_user, public_groups, shares_a_group

bp = Blueprint("pages", __name__)


@bp.get("/")
def home():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.show"))
    return render_template("home.html", groups=public_groups(limit=12))


@bp.get("/people/<handle>")
def person(handle: str):
    user = db.session.scalar(select(User).where(User.handle == handle.lower()))
    if user is None or not current_user.is_authenticated or not shares_a_group(current_user.id, user.id):
        abort(404)
    shared = [m for m in memberships_of_user(user) if m.group.privacy != "secret" or m.group_id in _my_group_ids()]
    return render_template("person.html", person=user, memberships=shared)


def _my_group_ids() -> set[int]:
    return {m.group_id for m in memberships_of_user(current_user)}
