"""JSON routes: a group's export for its admins, and importing an export file for site admins."""

from flask import jsonify
from flask_babel import gettext as _

from ..api import api_blueprint, created, parse_body, require_user
from ..errors import NotFound
from ..groups.service import group_by_id
from .export import export_group
from .format import GroupExport
from .restore import ensure_may_import, import_group

bp = api_blueprint("exports_api", __name__)


@bp.get("/groups/<int:group_id>/export")
def export(group_id: int):
    """The group's data as one export document (format version 1; the group's admins)."""
    user = require_user()
    group = group_by_id(group_id)
    if group is None:
        raise NotFound(_("No such group."))
    return jsonify(export_group(group=group, actor=user))


@bp.post("/group-imports")
def import_export():
    """Recreate a group from an export document (site admins); all of it or, on any problem, nothing."""
    user = require_user()
    ensure_may_import(user)
    data = parse_body(GroupExport)
    summary = import_group(data=data, admin=user)
    return created(summary)
