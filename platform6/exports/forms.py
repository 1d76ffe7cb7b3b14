"""The import page's form (shape only; the rules live in exports.restore)."""

from flask_wtf.file import FileField, FileRequired

from ..forms import Form


class ImportForm(Form):
    file = FileField("Export file (.json)", validators=[FileRequired(message="Choose an export file.")])
