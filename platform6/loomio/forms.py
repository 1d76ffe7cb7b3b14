"""The Loomio import page's form (shape only; the import's rules live in loomio.service)."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import EmailField
from wtforms.validators import Length

from ..forms import Form


class ImportForm(Form):
    file = FileField(_l("Loomio export file"), validators=[FileRequired(message=_l("Choose the export file."))])
    admin_email = EmailField(_l("Admin of the imported groups (email)"), validators=[Length(max=254)])
