"""Credit forms (shape only; the rules live in credit.service and the modules it names)."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from ..api import MAX_INT
from ..forms import Form, choices
from ..money import AmountField

KIND_CHOICES = choices(
    [
        ("business", _l("Business")),
        ("sole_trader", _l("Sole trader (always stays in credit)")),
        ("individual", _l("Individual")),
        ("employee", _l("Employee")),
    ]
)


#: an account's kind as a person reads it, where no form offers the choice (fees, lists)
KIND_NAMES = {
    "business": _l("Business"),
    "sole_trader": _l("Sole trader"),
    "individual": _l("Individual"),
    "employee": _l("Employee"),
}


def account_number(value) -> int | None:
    """A picked (or typed) account number; blank is none picked."""
    if value is None or value == "":
        return None
    return int(value)


def payee_choices(groups, current: int | None = None) -> list[SelectChoice]:
    """The payee picker's options: one <optgroup> per network (queries.payable_accounts), names first.

    An account number given otherwise (a link's `?to=`, a typed number) stays selectable as itself."""
    options = [SelectChoice("", _l("Choose…"))]
    listed = set()
    for group in groups:
        code = group.network.currency_code
        label = f"{group.network.name} ({code})"
        for account in group.accounts:
            name = group.names.get((account.holder_type, account.holder_id), "")
            options.append(SelectChoice(str(account.id), f"{name} · #{account.id}", optgroup=label))
            listed.add(account.id)
    if current and current not in listed:
        options.append(SelectChoice(str(current), _l("Account #%(number)s", number=current)))
    return options


class ActionForm(Form):
    """A one-button action (freeze, accept...): the CSRF token only."""


class NetworkForm(Form):
    name = StringField(_l("Network name"), validators=[DataRequired(), Length(max=100)])
    group_id = SelectField(_l("Governing group (its admins govern the network)"), coerce=int)
    currency_code = StringField(_l("Currency code"), validators=[DataRequired(), Length(max=10)])
    currency_name = StringField(_l("Currency name"), validators=[DataRequired(), Length(max=50)])
    currency_symbol = StringField(_l("Symbol"), validators=[Length(max=10)])
    currency_decimals = IntegerField(_l("Decimals"), default=2, validators=[InputRequired(), NumberRange(0, 8)])
    default_credit_limit = AmountField(_l("Default credit limit"), default=0, validators=[Optional()])
    default_debit_limit = AmountField(_l("Default debit limit (blank: none)"), validators=[Optional()])
    parent_id = SelectField(_l("Part of a larger network (optional)"), coerce=int)
    exchange_rate = StringField(_l("Exchange rate: parent units per unit of this network"), default="1")
    clearing_group_id = SelectField(_l("Clearing account held by (employer, for an employee network)"), coerce=int)


class NetworkDefaultsForm(Form):
    default_credit_limit = AmountField(_l("Credit limit of a new account"), validators=[InputRequired()])
    default_debit_limit = AmountField(_l("Debit limit of a new account (blank: none)"), validators=[Optional()])
    business = AmountField(_l("Business accounts (blank: as above)"), validators=[Optional()])
    individual = AmountField(_l("Individual accounts (blank: as above)"), validators=[Optional()])
    employee = AmountField(_l("Employee accounts (blank: as above)"), validators=[Optional()])


class OpenAccountForm(Form):
    holder_type = SelectField(_l("Holder"), choices=choices([("user", _l("A person")), ("group", _l("A group"))]))
    holder_handle = StringField(_l("Their handle"), validators=[DataRequired(), Length(max=40)])
    kind = SelectField(_l("Kind"), choices=KIND_CHOICES)
    credit_limit = AmountField(_l("Credit limit (blank: the network's default)"), validators=[Optional()])


class PayForm(Form):
    from_account_id = SelectField(_l("Pay from"), coerce=int)
    #: picked by name (`payee_choices`); any account number is still read, as before (links, scripts)
    to_account_id = SelectField(
        _l("Pay to"),
        coerce=account_number,
        validate_choice=False,
        validators=[InputRequired(_l("Choose whom to pay.")), NumberRange(1, MAX_INT, _l("Choose whom to pay."))],
    )
    amount = AmountField(_l("Amount"), validators=[InputRequired()])
    description = TextAreaField(_l("What for"), validators=[Length(max=1000)])
    #: one key per payment the person starts, carried to the confirmation: a double submit pays once
    idempotency_key = HiddenField()


class ConfirmPayForm(Form):
    """The pay form as read and shown back for confirmation: the amount is minor units now.

    The accounts are checked again by the payment itself (whoever edits these fields can only
    ask for a payment they could have typed)."""

    from_account_id = IntegerField(widget=HiddenInput(), validators=[InputRequired(), NumberRange(1, MAX_INT)])
    to_account_id = IntegerField(widget=HiddenInput(), validators=[InputRequired(), NumberRange(1, MAX_INT)])
    amount = IntegerField(widget=HiddenInput(), validators=[InputRequired(), NumberRange(1, MAX_INT)])
    description = HiddenField(validators=[Length(max=1000)])
    idempotency_key = HiddenField(validators=[DataRequired(), Length(max=255)])


class RequestForm(Form):
    to_account_id = SelectField(_l("Paid into"), coerce=int)
    from_account_id = SelectField(
        _l("Ask whom"),
        coerce=account_number,
        validate_choice=False,
        validators=[InputRequired(_l("Choose whom to ask.")), NumberRange(1, MAX_INT, _l("Choose whom to ask."))],
    )
    amount = AmountField(_l("Amount"), validators=[InputRequired()])
    description = TextAreaField(_l("What for"), validators=[Length(max=1000)])
    expires_in_days = IntegerField(
        _l("Expires after (days)"), default=14, validators=[InputRequired(), NumberRange(1, 365)]
    )


class LimitsForm(Form):
    credit_limit = AmountField(_l("Credit limit"), validators=[InputRequired()])
    debit_limit = AmountField(_l("Debit limit (blank: none)"), validators=[Optional()])


class WarningForm(Form):
    warning_percent = IntegerField(
        _l("Warn me when I am within this percentage of my credit limit (blank: never)"),
        validators=[Optional(), NumberRange(1, 100)],
    )


class ReverseForm(Form):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=1000)])


class StatementForm(Form):
    class Meta:
        csrf = False

    start = DateField(_l("From"), validators=[Optional()])
    end = DateField(_l("To"), validators=[Optional()])


FEE_KINDS = ("business", "sole_trader", "individual", "employee")


class FeesForm(Form):
    """A network's fees: amounts in the network's currency, the rate as a percentage (two places: basis points)."""

    transfer_percent = AmountField(
        _l("Transfer fee, as a percentage of each payment (blank: no transfer fee)"), validators=[Optional()]
    )
    transfer_fixed = AmountField(_l("plus a fixed amount per payment"), validators=[Optional()])
    transfer_min = AmountField(_l("Smallest transfer fee (blank: none)"), validators=[Optional()])
    transfer_max = AmountField(_l("Largest transfer fee (blank: none)"), validators=[Optional()])
    paid_by = SelectField(
        _l("Who pays the transfer fee"),
        choices=choices([("payer", "The payer, on top of the amount"), ("payee", "The payee, out of the amount")]),
    )
    business_month = AmountField(_l("Business accounts, each month"), validators=[Optional()])
    business_year = AmountField(_l("Business accounts, each year"), validators=[Optional()])
    sole_trader_month = AmountField(_l("Sole traders, each month"), validators=[Optional()])
    sole_trader_year = AmountField(_l("Sole traders, each year"), validators=[Optional()])
    individual_month = AmountField(_l("Individuals, each month"), validators=[Optional()])
    individual_year = AmountField(_l("Individuals, each year"), validators=[Optional()])
    employee_month = AmountField(_l("Employees, each month"), validators=[Optional()])
    employee_year = AmountField(_l("Employees, each year"), validators=[Optional()])
