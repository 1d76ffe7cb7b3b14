"""The notifications page (the bell), one-click unsubscribe from emails, and the site admins' outbox page."""

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from ..errors import Forbidden
from ..extensions import csrf, db
from ..timeutil import utcnow
from . import outbox, service
from .models import EmailContent, Notification, OutboxEmail

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
    return render_template("notifications/index.html", bursts=service.bursts(items), today=utcnow().date())


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


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" with no session; the signed token is the authority
def unsubscribe(token: str):
    """GET asks (link checkers fetch links); POST turns the member's emails for that group down to in-app only."""
    found = outbox.read_unsubscribe_token(token)
    if found is None:
        abort(404)
    done = request.method == "POST"
    if done:
        outbox.unsubscribe(user_id=found[0], group_id=found[1])
    return render_template("notifications/unsubscribe.html", done=done, whole_digest=found[1] is None)


def _site_admin() -> None:
    if not current_user.is_site_admin:
        raise Forbidden(_("Only the site's admins may see the outbox."))


@bp.get("/admin/outbox")
@login_required
def outbox_page():
    _site_admin()
    counts = dict(db.session.execute(select(OutboxEmail.status, func.count()).group_by(OutboxEmail.status)).all())
    failed = db.session.execute(
        select(OutboxEmail, EmailContent.subject)
        .join(EmailContent, EmailContent.id == OutboxEmail.content_id)
        .where(OutboxEmail.status == "failed")
        .order_by(OutboxEmail.id.desc())
        .limit(100)
    ).all()
    return render_template("notifications/outbox.html", counts=counts, failed=failed)


@bp.post("/admin/outbox/retry")
@login_required
def outbox_retry():
    _site_admin()
    email_id = request.form.get("id", type=int)
    outbox.retry(ids=[email_id] if email_id else None)
    return redirect(url_for(".outbox_page"))
