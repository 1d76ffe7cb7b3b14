"""Group forms (shape only; the rules live in groups.service)."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from ..forms import Form

PRIVACY_CHOICES = [
    SelectChoice("open", _l("Open — anyone can see it and join")),
    SelectChoice("closed", _l("Closed — anyone sees its name; members see its content; joining needs approval")),
    SelectChoice("secret", _l("Secret — only members know it exists")),
]
ROLE_CHOICES = [SelectChoice("member", _l("Member")), SelectChoice("admin", _l("Admin"))]
NAME_REQUIRED = _l("Give the group a name.")


class GroupForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(message=NAME_REQUIRED), Length(max=100)])
    handle = StringField(_l("Handle (optional)"), validators=[Length(max=40)])
    description = TextAreaField(_l("Description"), validators=[Length(max=20000)])
    place = StringField(_l("Place (optional)"), validators=[Length(max=100)])
    privacy = RadioField(_l("Privacy"), choices=PRIVACY_CHOICES, default="closed")


class JoinForm(Form):
    introduction = TextAreaField(_l("Introduce yourself to the admins"), validators=[Length(max=2000)])


class GroupSettingsForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(message=NAME_REQUIRED), Length(max=100)])
    description = TextAreaField(_l("Description"), validators=[Length(max=20000)])
    place = StringField(_l("Place"), validators=[Length(max=100)])
    privacy = RadioField(_l("Privacy"), choices=PRIVACY_CHOICES)
    members_can_start_discussions = BooleanField(_l("Members can start threads"))
    members_can_raise_polls = BooleanField(_l("Members can raise proposals and polls"))
    members_can_add_members = BooleanField(_l("Members can add members and make invitation links"))
    members_can_create_subgroups = BooleanField(_l("Members can create subgroups"))


class AddMemberForm(Form):
    who = StringField(
        _l("Handle or email"),
        validators=[DataRequired(message=_l("Type a handle or an email.")), Length(max=254)],
    )
    role = RadioField(_l("Role"), choices=ROLE_CHOICES, default="member")


class RoleForm(Form):
    role = RadioField(_l("Role"), choices=ROLE_CHOICES, validators=[InputRequired()])


class InvitationForm(Form):
    days = IntegerField(
        _l("Link works for (days)"),
        default=14,
        validators=[
            InputRequired(message=_l("Give a number of days.")),
            NumberRange(min=1, max=90, message=_l("Choose 1 to 90 days.")),
        ],
    )
