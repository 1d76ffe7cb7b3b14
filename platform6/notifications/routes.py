"""The notifications page (the bell)."""

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..extensions import db
from . import service
from .models import Notification

bp = Blueprint("notifications", __name__)


@bp.get("/notifications")
@login_required
def index():
    items = db.session.scalars(
        db.select(Notification)
        .where(Notification.user_id == current_user.id)
        .order_by(Notification.id.desc())
        .limit(100)
    ).all()
    return render_template("notifications/index.html", notifications=items)


@bp.post("/notifications/read")
@login_required
def mark_all_read():
    service.mark_read(user_id=current_user.id, ids=None)
    return redirect(request.referrer if (request.referrer or "").startswith(request.host_url) else url_for(".index"))


@bp.get("/notifications/<int:notification_id>")
@login_required
def open_one(notification_id: int):
    """Mark one notification read and go where it points."""
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != current_user.id:
        return redirect(url_for(".index"))
    service.mark_read(user_id=current_user.id, ids=[notification.id])
    return redirect(notification.url)
