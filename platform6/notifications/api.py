"""JSON routes for a person's notifications."""

from typing import Annotated

from flask import jsonify
from pydantic import Field

from ..api import Body, PositiveInt, api_blueprint, paginate, parse_body, require_user
from ..extensions import db
from . import service
from .models import Notification

bp = api_blueprint("notifications_api", __name__)


class MarkRead(Body):
    #: the notifications to mark read; omitted or null marks all
    ids: Annotated[list[PositiveInt], Field(max_length=1000)] | None = None


@bp.get("/notifications")
def list_notifications():
    user = require_user()
    stmt = db.select(Notification).where(Notification.user_id == user.id)
    return jsonify(paginate(stmt, [(Notification.id, True)], lambda rows: [service.as_json(n) for n in rows]))


@bp.post("/notifications/read")
def mark_read():
    user = require_user()
    data = parse_body(MarkRead)
    count = service.mark_read(user_id=user.id, ids=data.ids)
    return jsonify({"marked": count, "unread": service.unread_count(user.id)})
