"""The import page's form (shape only; the rules live in exports.restore)."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired

from ..forms import Form


class ImportForm(Form):
    file = FileField(_l("Export file (.json)"), validators=[FileRequired(message=_l("Choose an export file."))])
