"""Thread forms (shape only; the rules live in forums.service)."""

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..forms import Form
from .labels import PALETTE
from .models import BODY_MAX, LABEL_MAX, TITLE_MAX

WRITE_SOMETHING = _l("Write something first.")
TOO_LONG = _l("Keep it under %(max)d characters.")


class DiscussionForm(Form):
    title = StringField(
        _l("Title"),
        validators=[DataRequired(_l("Give the thread a title.")), Length(max=TITLE_MAX, message=TOO_LONG)],
    )
    description = TextAreaField(_l("Context (Markdown)"), validators=[Length(max=BODY_MAX, message=TOO_LONG)])


class EditDiscussionForm(DiscussionForm):
    #: the group's labels, as checkboxes (the route gives the choices; the service checks the names)
    labels = SelectMultipleField(
        _l("Labels"),
        choices=[],
        validate_choice=False,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )


class LabelForm(Form):
    name = StringField(
        _l("Name"), validators=[DataRequired(_l("Give the label a name.")), Length(max=LABEL_MAX, message=TOO_LONG)]
    )
    colour = RadioField(
        _l("Colour"), choices=[SelectChoice(key, name) for key, (name, _hex) in PALETTE.items()], default="blue"
    )


class CommentForm(Form):
    body = TextAreaField(
        _l("Your comment (Markdown; @handle mentions a member)"),
        validators=[DataRequired(WRITE_SOMETHING), Length(max=BODY_MAX, message=TOO_LONG)],
    )
    parent_id = HiddenField(validators=[Optional()])


class EditCommentForm(Form):
    body = TextAreaField(
        _l("Comment (Markdown)"), validators=[DataRequired(WRITE_SOMETHING), Length(max=BODY_MAX, message=TOO_LONG)]
    )


class MoveForm(Form):
    group_id = SelectField(_l("Move to"), coerce=int, validators=[DataRequired(_l("Choose a group."))])


class GuestForm(Form):
    """Invite a guest to one thread, by the email of their account here."""

    email = EmailField(
        _l("Email of their account"),
        validators=[DataRequired(_l("Give the email address of their account.")), Length(max=254, message=TOO_LONG)],
    )


#: each volume's short name (the group page's "Notifications: Email")
VOLUME_NAMES = {"email": _l("Email"), "digest": _l("Daily digest"), "app": _l("In-app only"), "mute": _l("Mute")}

VOLUME_CHOICES = {
    "email": _l("Email — in-app notifications and an email for each"),
    "digest": _l("Daily digest — in-app notifications and one email a day"),
    "app": _l("In-app only — the bell, no email"),
    "mute": _l("Mute — nothing from this group"),
}


class VolumeForm(Form):
    volume = RadioField(
        _l("Notifications from this group"),
        choices=[SelectChoice(value, label) for value, label in VOLUME_CHOICES.items()],
    )
