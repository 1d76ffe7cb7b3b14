"""Skills board forms (shape only; the rules live in service.py)."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..money import AmountField

LEVELS = [SelectChoice(value, label) for value, label in (("1", "1 · beginner"), ("2", "2 · some experience"),
          ("3", "3 · confident"), ("4", "4 · very good"), ("5", "5 · expert"))]  # fmt: skip


class SkillRow(Form):
    name = StringField(
        "Skill", validators=[Optional(), Length(max=80)], render_kw={"list": "skill-names", "autocomplete": "off"}
    )
    level = SelectField("Level", choices=LEVELS, default="3")


class WantedRow(SkillRow):
    required = BooleanField("Required", default=True)


class ProfileForm(FlaskForm):
    skills = FieldList(FormField(SkillRow), min_entries=1, max_entries=50)
    bio = TextAreaField("A few words about you", validators=[Optional(), Length(max=2000)])
    location = StringField("Where you are", validators=[Optional(), Length(max=100)])
    remote_ok = BooleanField("I can help remotely", default=True)
    availability_hours_per_week = IntegerField(
        "Hours a week you could give", validators=[Optional(), NumberRange(min=0, max=168)]
    )
    languages = StringField("Languages you speak", validators=[Optional(), Length(max=200)])
    interests = TextAreaField("Interests", validators=[Optional(), Length(max=2000)])
    public = BooleanField("Show my profile to everyone signed in, not only to members of my groups")


class RequestForm(FlaskForm):
    title = StringField("What do you need?", validators=[DataRequired(), Length(max=200)])
    description = TextAreaField("Details (Markdown)", validators=[Optional(), Length(max=20000)])
    skills = FieldList(FormField(WantedRow), min_entries=1, max_entries=30)
    hours_estimate = IntegerField("Hours it may take", validators=[Optional(), NumberRange(min=0, max=10000)])
    deadline = DateField("Deadline", validators=[Optional()])
    location = StringField("Location (if it is in person)", validators=[Optional(), Length(max=100)])
    remote_ok = BooleanField("Can be done remotely", default=True)
    languages = StringField("Languages needed", validators=[Optional(), Length(max=200)])
    volunteers_needed = IntegerField("Volunteers needed", default=1, validators=[NumberRange(min=1, max=100)])
    reward_account_id = SelectField("Pay a reward from", choices=[SelectChoice("", "No reward")], validate_choice=False)
    reward = AmountField("Reward in total (split by hours)", validators=[Optional()])


class ApplyForm(FlaskForm):
    message = TextAreaField("Message to the group", validators=[Optional(), Length(max=5000)])


class SearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField("Search", validators=[Optional(), Length(max=200)])
    skill = StringField("Skill", validators=[Optional(), Length(max=80)], render_kw={"list": "skill-names"})
    remote = SelectField(
        "Remote",
        choices=[
            SelectChoice("", "Remote or not"),
            SelectChoice("yes", "Remote only"),
            SelectChoice("no", "In person only"),
        ],
    )
