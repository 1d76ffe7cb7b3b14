"""Forms for the decision pages (shape only: the rules live in kinds.py and service.py)."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..groups.models import ROLES
from ..money import AmountField
from .kinds import KIND_LABELS, METHODS, REASONS


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]


ACTION_CHOICES = [
    ("", "None: an ordinary proposal"),
    ("set_credit_limit", "Set an account's credit limit"),
    ("set_debit_limit", "Set an account's debit limit"),
    ("add_member", "Add a member (or change their role)"),
]


class PollForm(FlaskForm):
    kind = SelectField("Kind of decision", choices=choices(KIND_LABELS.items()))
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    details = TextAreaField("Details", validators=[Optional(), Length(max=20000)])
    options = TextAreaField("Options, one per line", validators=[Optional(), Length(max=12000)])
    closing_at = DateTimeLocalField("Closes at (UTC)", format="%Y-%m-%dT%H:%M", validators=[DataRequired()])
    anonymous = BooleanField("Anonymous: nobody, admins included, can see who voted what; results show at close")
    hide_results = BooleanField("Hide results until the poll closes")
    reasons = SelectField("Reasons", choices=choices((r, r.capitalize()) for r in REASONS), default="optional")
    quorum_percent = IntegerField("Quorum (% of voters who must take part)", default=0, validators=[Optional()])
    min_choices = IntegerField("Fewest choices", validators=[Optional()])
    max_choices = IntegerField("Most choices", validators=[Optional()])
    dots_per_voter = IntegerField("Dots per voter", validators=[Optional()])
    min_score = IntegerField("Lowest score", validators=[Optional()])
    max_score = IntegerField("Highest score", validators=[Optional()])
    method = SelectField(
        "Counting method",
        choices=choices(zip(METHODS, ("Borda count", "Instant runoff", "STV (a committee)"), strict=True)),
        default="borda",
    )
    seats = IntegerField("Seats (STV)", validators=[Optional()])
    places = IntegerField("Places: how many options each voter may rank", validators=[Optional()])
    voter_ids = SelectMultipleField("Only these members vote (leave empty for every member)", coerce=int)
    discussion_id = HiddenField()
    action_type = SelectField("Binding action (admins)", choices=choices(ACTION_CHOICES), default="")
    action_account_id = IntegerField("Account number", validators=[Optional(), NumberRange(min=1)])
    action_limit = AmountField("New limit, in the account's currency (empty: no debit limit)", validators=[Optional()])
    action_user_id = SelectField("Person", coerce=int, choices=[], validate_choice=False)
    action_role = SelectField("Role", choices=choices((r, r.capitalize()) for r in ROLES), default="member")


class VoteForm(FlaskForm):
    """The reason; the choices are read from the kind's own inputs (choice / value-N)."""

    reason = TextAreaField("Reason", validators=[Optional(), Length(max=10000)])


class ProxyForm(FlaskForm):
    proxy_id = SelectField("Let this member vote for me", coerce=int, choices=[], validate_choice=False)


class OutcomeForm(FlaskForm):
    statement = TextAreaField("What was decided", validators=[DataRequired(), Length(max=10000)])
    option = SelectField("Chosen option", choices=[], validate_choice=False)
    review_on = DateField("Review date", validators=[Optional()])
