"""Credit forms (shape only; the rules live in credit.service and the modules it names)."""

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from ..api import MAX_INT
from ..money import AmountField


def choices(pairs) -> list[SelectChoice]:
    """[(value, label), ...] as the SelectChoice objects WTForms 3.3 wants."""
    return [SelectChoice(value, label) for value, label in pairs]


KIND_CHOICES = choices(
    [
        ("business", "Business"),
        ("sole_trader", "Sole trader (always stays in credit)"),
        ("individual", "Individual"),
        ("employee", "Employee"),
    ]
)


class ActionForm(FlaskForm):
    """A one-button action (freeze, accept...): the CSRF token only."""


class NetworkForm(FlaskForm):
    name = StringField("Network name", validators=[DataRequired(), Length(max=100)])
    group_id = SelectField("Governing group (its admins govern the network)", coerce=int)
    currency_code = StringField("Currency code", validators=[DataRequired(), Length(max=10)])
    currency_name = StringField("Currency name", validators=[DataRequired(), Length(max=50)])
    currency_symbol = StringField("Symbol", validators=[Length(max=10)])
    currency_decimals = IntegerField("Decimals", default=2, validators=[InputRequired(), NumberRange(0, 8)])
    default_credit_limit = AmountField("Default credit limit", default=0, validators=[Optional()])
    default_debit_limit = AmountField("Default debit limit (blank: none)", validators=[Optional()])
    parent_id = SelectField("Part of a larger network (optional)", coerce=int)
    exchange_rate = StringField("Exchange rate: parent units per unit of this network", default="1")
    clearing_group_id = SelectField("Clearing account held by (employer, for an employee network)", coerce=int)


class NetworkDefaultsForm(FlaskForm):
    default_credit_limit = AmountField("Credit limit of a new account", validators=[InputRequired()])
    default_debit_limit = AmountField("Debit limit of a new account (blank: none)", validators=[Optional()])
    business = AmountField("Business accounts (blank: as above)", validators=[Optional()])
    individual = AmountField("Individual accounts (blank: as above)", validators=[Optional()])
    employee = AmountField("Employee accounts (blank: as above)", validators=[Optional()])


class OpenAccountForm(FlaskForm):
    holder_type = SelectField("Holder", choices=choices([("user", "A person"), ("group", "A group")]))
    holder_handle = StringField("Their handle", validators=[DataRequired(), Length(max=40)])
    kind = SelectField("Kind", choices=KIND_CHOICES)
    credit_limit = AmountField("Credit limit (blank: the network's default)", validators=[Optional()])


class PayForm(FlaskForm):
    from_account_id = SelectField("Pay from", coerce=int)
    to_account_id = IntegerField("Pay to (account number)", validators=[InputRequired(), NumberRange(1, MAX_INT)])
    amount = AmountField("Amount", validators=[InputRequired()])
    description = TextAreaField("What for", validators=[Length(max=1000)])
    #: one key per payment the person starts, carried to the confirmation: a double submit pays once
    idempotency_key = HiddenField()


class ConfirmPayForm(FlaskForm):
    """The pay form as read and shown back for confirmation: the amount is minor units now.

    The accounts are checked again by the payment itself (whoever edits these fields can only
    ask for a payment they could have typed)."""

    from_account_id = IntegerField(widget=HiddenInput(), validators=[InputRequired(), NumberRange(1, MAX_INT)])
    to_account_id = IntegerField(widget=HiddenInput(), validators=[InputRequired(), NumberRange(1, MAX_INT)])
    amount = IntegerField(widget=HiddenInput(), validators=[InputRequired(), NumberRange(1, MAX_INT)])
    description = HiddenField(validators=[Length(max=1000)])
    idempotency_key = HiddenField(validators=[DataRequired(), Length(max=255)])


class RequestForm(FlaskForm):
    to_account_id = SelectField("Paid into", coerce=int)
    from_account_id = IntegerField("Ask account number", validators=[InputRequired(), NumberRange(1, MAX_INT)])
    amount = AmountField("Amount", validators=[InputRequired()])
    description = TextAreaField("What for", validators=[Length(max=1000)])
    expires_in_days = IntegerField(
        "Expires after (days)", default=14, validators=[InputRequired(), NumberRange(1, 365)]
    )


class LimitsForm(FlaskForm):
    credit_limit = AmountField("Credit limit", validators=[InputRequired()])
    debit_limit = AmountField("Debit limit (blank: none)", validators=[Optional()])


class WarningForm(FlaskForm):
    warning_percent = IntegerField(
        "Tell me when I am within this % of my limit (blank: never)", validators=[Optional(), NumberRange(1, 100)]
    )


class ReverseForm(FlaskForm):
    reason = TextAreaField("Reason", validators=[DataRequired(), Length(max=1000)])


class StatementForm(FlaskForm):
    class Meta:
        csrf = False

    start = DateField("From", validators=[Optional()])
    end = DateField("To", validators=[Optional()])


FEE_KINDS = ("business", "sole_trader", "individual", "employee")


class FeesForm(FlaskForm):
    """A network's fees: amounts in the network's currency, the rate as a percentage (two places: basis points)."""

    transfer_percent = AmountField("Transfer fee: % of each payment (blank: no transfer fee)", validators=[Optional()])
    transfer_fixed = AmountField("plus a fixed amount per payment", validators=[Optional()])
    transfer_min = AmountField("Smallest transfer fee (blank: none)", validators=[Optional()])
    transfer_max = AmountField("Largest transfer fee (blank: none)", validators=[Optional()])
    paid_by = SelectField(
        "Who pays the transfer fee",
        choices=choices([("payer", "The payer, on top of the amount"), ("payee", "The payee, out of the amount")]),
    )
    business_month = AmountField("Business accounts, each month", validators=[Optional()])
    business_year = AmountField("Business accounts, each year", validators=[Optional()])
    sole_trader_month = AmountField("Sole traders, each month", validators=[Optional()])
    sole_trader_year = AmountField("Sole traders, each year", validators=[Optional()])
    individual_month = AmountField("Individuals, each month", validators=[Optional()])
    individual_year = AmountField("Individuals, each year", validators=[Optional()])
    employee_month = AmountField("Employees, each month", validators=[Optional()])
    employee_year = AmountField("Employees, each year", validators=[Optional()])
