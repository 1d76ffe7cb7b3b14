"""Pages: an admin's download of their group's export, and the site admins' page that imports one."""

import json

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..errors import DomainError
from ..groups.queries import group_by_handle
from ..timeutil import utcnow
from ..transaction import discard
from .export import export_group
from .forms import ImportForm
from .restore import ensure_may_import, import_group

bp = Blueprint("exports", __name__)


def download(data: dict, handle: str) -> Response:
    """The export as a JSON attachment named after the group and the day."""
    filename = f"{handle}-export-{utcnow():%Y%m%d}.json"
    return Response(
        json.dumps(data, ensure_ascii=False, indent=1),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/groups/<handle>/export")
@login_required
def export(handle: str):
    group = group_by_handle(handle)
    if group is None:
        abort(404)
    return download(export_group(group=group, actor=current_user), group.handle)


@bp.route("/admin/import-group", methods=["GET", "POST"])
@login_required
def import_page():
    try:
        ensure_may_import(current_user)
    except DomainError as err:
        abort(err.status, err.message)
    form = ImportForm()
    if form.validate_on_submit():
        try:
            summary = import_group(data=form.file.data.read(), admin=current_user)
        except DomainError as err:
            discard()
            form.file.errors = [*form.file.errors, err.message]  # whatever is wrong, it is in the file
        else:
            flash(
                _(
                    "Imported %(name)s (@%(handle)s): %(groups)d groups, %(people)d people created, %(threads)d "
                    "threads, %(polls)d polls, %(requests)d skill requests, %(transfers)d transfers.",
                    name=summary["group"]["name"],
                    handle=summary["group"]["handle"],
                    groups=summary["groups"],
                    people=summary["people_created"],
                    threads=summary["discussions"],
                    polls=summary["polls"],
                    requests=summary["requests"],
                    transfers=summary["transfers"],
                ),
                "success",
            )
            return redirect(url_for(".import_page"), code=303)
    status = 422 if form.errors or form.form_errors else 200
    return render_template("exports/import.html", form=form), status
