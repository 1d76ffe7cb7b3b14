"""The Loomio import page's form (shape only; the import's rules live in loomio.service)."""

from flask_wtf.file import FileField, FileRequired
from wtforms import EmailField
from wtforms.validators import Length

from ..forms import Form


class ImportForm(Form):
    file = FileField("Loomio export file", validators=[FileRequired(message="Choose the export file.")])
    admin_email = EmailField("Admin of the imported groups (email)", validators=[Length(max=254)])
