"""Forms for the decision pages (shape only: the rules live in kinds.py and service.py)."""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import get_timezone
from flask_babel import lazy_gettext as _l
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
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import HiddenInput

from ..forms import Form
from ..limits import whole_number
from ..money import AmountField
from .kinds import KIND_LABELS, METHODS

REASON_LABELS = {"off": _l("Off"), "optional": _l("Optional"), "required": _l("Required")}
ROLE_LABELS = {"member": _l("Member"), "admin": _l("Admin"), "observer": _l("Observer")}


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]


ACTION_CHOICES = [
    ("", _l("None: an ordinary proposal")),
    ("set_credit_limit", _l("Set an account's credit limit")),
    ("set_debit_limit", _l("Set an account's debit limit")),
    ("add_member", _l("Add a member (or change their role)")),
    ("graft_node", _l("Graft a node from another installation (a graft request)")),
]


def in_author_zone(moment: datetime | None) -> datetime | None:
    """A time typed without a zone, as the author meant it: in their own time zone (the service stores it in UTC)."""
    if moment is None or moment.tzinfo is not None:
        return moment
    # zoneinfo, not the pytz zone Babel holds: pytz knows no daylight saving time past 2037
    return moment.replace(tzinfo=ZoneInfo(str(get_timezone())))


def meeting_times_in_utc(lines: list[str]) -> list[str]:
    """Meeting options typed as local times, with the author's zone attached; anything else as typed (the
    service says what is wrong with it)."""
    read = []
    for line in lines:
        try:
            moment = datetime.fromisoformat(line)
        except ValueError:
            read.append(line)
        else:
            read.append(in_author_zone(moment).isoformat())
    return read


def account_id_or_none(value) -> int | None:
    """The picked account's id; None for "choose…" or anything that is not an id (the service then refuses)."""
    return value if isinstance(value, int) else whole_number(str(value or ""))


class PollForm(Form):
    kind = SelectField(_l("Kind of decision"), choices=choices(KIND_LABELS.items()))
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    details = TextAreaField(_l("Details"), validators=[Optional(), Length(max=20000)])
    options = TextAreaField(_l("Options, one per line"), validators=[Optional(), Length(max=12000)])
    #: read in the author's time zone (the page names it in the label) and stored in UTC
    closing_at = DateTimeLocalField(_l("Closes at"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()])
    anonymous = BooleanField(_l("Anonymous: nobody, admins included, can see who voted what; results show at close"))
    hide_results = BooleanField(_l("Hide results until the poll closes"))
    reasons = SelectField(_l("Reasons"), choices=choices(REASON_LABELS.items()), default="optional")
    quorum_percent = IntegerField(
        _l("Quorum (the share of voters, in per cent, who must take part)"), default=0, validators=[Optional()]
    )
    min_choices = IntegerField(_l("Fewest choices"), validators=[Optional()])
    max_choices = IntegerField(_l("Most choices"), validators=[Optional()])
    dots_per_voter = IntegerField(_l("Dots per voter"), validators=[Optional()])
    min_score = IntegerField(_l("Lowest score"), validators=[Optional()])
    max_score = IntegerField(_l("Highest score"), validators=[Optional()])
    method = SelectField(
        _l("Counting method"),
        choices=choices(zip(METHODS, (_l("Borda count"), _l("Instant runoff"), _l("STV (a committee)")), strict=True)),
        default="borda",
    )
    seats = IntegerField(_l("Seats (STV)"), validators=[Optional()])
    places = IntegerField(_l("Places: how many options each voter may rank"), validators=[Optional()])
    voter_ids = SelectMultipleField(_l("Only these members vote (leave empty for every member)"), coerce=int)
    discussion_id = HiddenField()
    action_type = SelectField(_l("Binding action (admins)"), choices=choices(ACTION_CHOICES), default="")
    #: the choices are the member accounts of the networks the group governs (set by the page)
    action_account_id = SelectField(_l("Account"), coerce=account_id_or_none, choices=[], validate_choice=False)
    action_limit = AmountField(_l("New limit"), validators=[Optional()])
    action_user_id = SelectField(_l("Person"), coerce=int, choices=[], validate_choice=False)
    action_role = SelectField(_l("Role"), choices=choices(ROLE_LABELS.items()), default="member")
    #: graft_node: the request approved (filled in by the federation page's "Propose approval")
    action_graft_request_id = IntegerField(widget=HiddenInput(), validators=[Optional()])


class VoteForm(Form):
    """The reason; the choices are read from the kind's own inputs (choice / value-N)."""

    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=10000)])


class ProxyForm(Form):
    proxy_id = SelectField(_l("Let this member vote for me"), coerce=int, choices=[], validate_choice=False)


class OutcomeForm(Form):
    statement = TextAreaField(_l("What was decided"), validators=[DataRequired(), Length(max=10000)])
    option = SelectField(_l("Chosen option"), choices=[], validate_choice=False)
    review_on = DateField(_l("Review date"), validators=[Optional()])
