"""Thread forms (shape only; the rules live in forums.service)."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from .models import BODY_MAX, TITLE_MAX


class DiscussionForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=TITLE_MAX)])
    description = TextAreaField("Context (Markdown)", validators=[Length(max=BODY_MAX)])


class CommentForm(FlaskForm):
    body = TextAreaField(
        "Your comment (Markdown; @handle mentions a member)", validators=[DataRequired(), Length(max=BODY_MAX)]
    )
    parent_id = HiddenField(validators=[Optional()])


class EditCommentForm(FlaskForm):
    body = TextAreaField("Comment (Markdown)", validators=[DataRequired(), Length(max=BODY_MAX)])


class MoveForm(FlaskForm):
    group_id = SelectField("Move to", coerce=int, validators=[DataRequired()])


VOLUME_CHOICES = {
    "email": "Email — in-app notifications and an email for each",
    "digest": "Daily digest — in-app notifications and one email a day",
    "app": "In-app only — the bell, no email",
    "mute": "Mute — nothing from this group",
}


class VolumeForm(FlaskForm):
    volume = RadioField("Notifications from this group", choices=VOLUME_CHOICES)
