"""The dashboard page; features add their panels ("recent threads", "my balance") with `panel`."""

from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from .groups.queries import memberships_of_user, pending_requests_by_group


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


@bp.get("/dashboard")
@login_required
def show():
    user = current_user._get_current_object()
    panels = [(p.template, ctx) for p in PANELS if (ctx := p.context(user)) is not None]
    return render_template(
        "dashboard.html",
        memberships=memberships_of_user(user),
        pending=pending_requests_by_group(user),
        panels=panels,
    )
