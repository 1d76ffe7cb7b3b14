"""Group forms (shape only; the rules live in groups.service)."""

from wtforms import BooleanField, IntegerField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from ..forms import Form

PRIVACY_CHOICES = [
    SelectChoice("open", "Open — anyone can see it and join"),
    SelectChoice("closed", "Closed — anyone sees its name; members see its content; joining needs approval"),
    SelectChoice("secret", "Secret — only members know it exists"),
]
ROLE_CHOICES = [SelectChoice("member", "Member"), SelectChoice("admin", "Admin")]


class GroupForm(Form):
    name = StringField("Name", validators=[DataRequired(message="Give the group a name."), Length(max=100)])
    handle = StringField("Handle (optional)", validators=[Length(max=40)])
    description = TextAreaField("Description", validators=[Length(max=20000)])
    privacy = RadioField("Privacy", choices=PRIVACY_CHOICES, default="closed")


class JoinForm(Form):
    introduction = TextAreaField("Introduce yourself to the admins", validators=[Length(max=2000)])


class GroupSettingsForm(Form):
    name = StringField("Name", validators=[DataRequired(message="Give the group a name."), Length(max=100)])
    description = TextAreaField("Description", validators=[Length(max=20000)])
    privacy = RadioField("Privacy", choices=PRIVACY_CHOICES)
    members_can_start_discussions = BooleanField("Members can start threads")
    members_can_raise_polls = BooleanField("Members can raise proposals and polls")
    members_can_add_members = BooleanField("Members can add members and make invitation links")
    members_can_create_subgroups = BooleanField("Members can create subgroups")


class AddMemberForm(Form):
    who = StringField(
        "Handle or email", validators=[DataRequired(message="Type a handle or an email."), Length(max=254)]
    )
    role = RadioField("Role", choices=ROLE_CHOICES, default="member")


class RoleForm(Form):
    role = RadioField("Role", choices=ROLE_CHOICES, validators=[InputRequired()])


class InvitationForm(Form):
    days = IntegerField(
        "Link works for (days)",
        default=14,
        validators=[
            InputRequired(message="Give a number of days."),
            NumberRange(min=1, max=90, message="Choose 1 to 90 days."),
        ],
    )
