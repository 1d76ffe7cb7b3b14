"""Skills board forms (shape only; the rules live in service.py)."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..forms import Form, Subform
from ..money import AmountField

LEVELS = [SelectChoice(value, label) for value, label in (("1", _l("1 · beginner")), ("2", _l("2 · some experience")),
          ("3", _l("3 · confident")), ("4", _l("4 · very good")), ("5", _l("5 · expert")))]  # fmt: skip


class SkillRow(Subform):
    name = StringField(
        _l("Skill"), validators=[Optional(), Length(max=80)], render_kw={"list": "skill-names", "autocomplete": "off"}
    )
    level = SelectField(_l("Level"), choices=LEVELS, default="3")


class WantedRow(SkillRow):
    required = BooleanField(_l("Required"), default=True)


class ProfileForm(Form):
    skills = FieldList(FormField(SkillRow), min_entries=1, max_entries=50)
    bio = TextAreaField(_l("A few words about you"), validators=[Optional(), Length(max=2000)])
    location = StringField(_l("Where you are"), validators=[Optional(), Length(max=100)])
    remote_ok = BooleanField(_l("I can help remotely"), default=True)
    availability_hours_per_week = IntegerField(
        _l("Hours a week you could give"), validators=[Optional(), NumberRange(min=0, max=168)]
    )
    languages = StringField(_l("Languages you speak"), validators=[Optional(), Length(max=200)])
    interests = TextAreaField(_l("Interests"), validators=[Optional(), Length(max=2000)])
    public = BooleanField(_l("Show my profile to everyone signed in, not only to members of my groups"))


class RequestForm(Form):
    title = StringField(_l("What do you need?"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Details (Markdown)"), validators=[Optional(), Length(max=20000)])
    skills = FieldList(FormField(WantedRow), min_entries=1, max_entries=30)
    hours_estimate = IntegerField(_l("Hours it may take"), validators=[Optional(), NumberRange(min=0, max=10000)])
    deadline = DateField(_l("Deadline"), validators=[Optional()])
    location = StringField(_l("Location (if it is in person)"), validators=[Optional(), Length(max=100)])
    remote_ok = BooleanField(_l("Can be done remotely"), default=True)
    languages = StringField(_l("Languages needed"), validators=[Optional(), Length(max=200)])
    volunteers_needed = IntegerField(_l("Volunteers needed"), default=1, validators=[NumberRange(min=1, max=100)])
    reward_account_id = SelectField(
        _l("Pay a reward from"), choices=[SelectChoice("", _l("No reward"))], validate_choice=False
    )
    reward = AmountField(_l("Reward in total (split by hours)"), validators=[Optional()])


class ApplyForm(Form):
    message = TextAreaField(_l("Message to the group"), validators=[Optional(), Length(max=5000)])


class SearchForm(Form):
    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=200)])
    skill = StringField(_l("Skill"), validators=[Optional(), Length(max=80)], render_kw={"list": "skill-names"})
    remote = SelectField(
        _l("Remote"),
        choices=[
            SelectChoice("", _l("Remote or not")),
            SelectChoice("yes", _l("Remote only")),
            SelectChoice("no", _l("In person only")),
        ],
    )
