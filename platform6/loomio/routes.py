"""The Loomio import page: a site admin uploads a group export and sees what was imported and skipped."""

from flask import Blueprint, render_template
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..accounts.service import user_by_email
from ..errors import DomainError, Forbidden, invalid
from ..web import show_error_on_form
from .forms import ImportForm
from .service import import_export

bp = Blueprint("loomio", __name__)


@bp.route("/admin/loomio-import", methods=["GET", "POST"])
@login_required
def import_page():
    if not current_user.is_site_admin:
        raise Forbidden(_("Only the site's admins may import from Loomio."))
    form = ImportForm()
    summary = None
    if form.validate_on_submit():
        try:
            admin = current_user
            if form.admin_email.data:
                admin = user_by_email(form.admin_email.data)
                if admin is None:
                    raise invalid("admin_email", _("No account has this email: they sign up first."))
            summary = import_export(data=form.file.data.read(), admin=admin, actor=current_user)
        except DomainError as err:
            show_error_on_form(form, err)
    status = 422 if form.errors or form.form_errors else 200
    return render_template("loomio/import.html", form=form, summary=summary), status
