"""The dashboard page; features add their panels ("recent threads", "my balance") with `panel`."""

from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from .groups.queries import memberships_of_user, pending_requests_by_group
from .i18n import DEFAULT_LOCALE, DEFAULT_TIME_ZONE
from .skills.queries import profile_skills


@dataclass
class Panel:
    order: int
    template: str
    #: fn(user) -> dict of template variables, or None to leave the panel out
    context: Callable[[object], dict | None]


PANELS: list[Panel] = []

bp = Blueprint("dashboard", __name__)


def panel(*, template: str, order: int = 50):
    """Register a dashboard panel rendered from `template` with what the decorated function returns."""

    def register(fn: Callable[[object], dict | None]):
        PANELS.append(Panel(order, template, fn))
        PANELS.sort(key=lambda p: p.order)
        return fn

    return register


@dataclass
class Step:
    """One of a newcomer's first steps: what to do, where, and whether it is done."""

    key: str
    done: bool


def first_steps(user, memberships) -> list[Step] | None:
    """A newcomer's checklist, until they have a group and skills on their profile (then None: the card goes).

    Exploring has no trace to check, so it counts as done with a group; language and time zone count as set
    once either differs from the default (sign-up takes both from the browser)."""
    has_skills = bool(profile_skills(user.id))
    if memberships and has_skills:
        return None
    return [
        Step("profile", has_skills),
        Step("explore", bool(memberships)),
        Step("group", bool(memberships)),
        Step("language", user.locale != DEFAULT_LOCALE or user.time_zone != DEFAULT_TIME_ZONE),
    ]


@bp.get("/dashboard")
@login_required
def show():
    user = current_user._get_current_object()
    panels = [(p.template, ctx) for p in PANELS if (ctx := p.context(user)) is not None]
    memberships = memberships_of_user(user)
    return render_template(
        "dashboard.html",
        memberships=memberships,
        pending=pending_requests_by_group(user),
        panels=panels,
        steps=first_steps(user, memberships),
    )
