"""Group forms (shape only; the rules live in groups.service)."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

PRIVACY_CHOICES = [
    SelectChoice("open", "Open — anyone can see it and join"),
    SelectChoice("closed", "Closed — anyone sees its name; members see its content; joining needs approval"),
    SelectChoice("secret", "Secret — only members know it exists"),
]


class GroupForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=100)])
    handle = StringField("Handle (optional)", validators=[Length(max=40)])
    description = TextAreaField("Description", validators=[Length(max=20000)])
    privacy = RadioField("Privacy", choices=PRIVACY_CHOICES, default="closed")


class JoinForm(FlaskForm):
    introduction = TextAreaField("Introduce yourself to the admins", validators=[Length(max=2000)])


class GroupSettingsForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=100)])
    description = TextAreaField("Description", validators=[Length(max=20000)])
    privacy = RadioField("Privacy", choices=PRIVACY_CHOICES)
    members_can_start_discussions = BooleanField("Members can start threads")
    members_can_raise_polls = BooleanField("Members can raise proposals and polls")
    members_can_add_members = BooleanField("Members can add members and make invitation links")
    members_can_create_subgroups = BooleanField("Members can create subgroups")
