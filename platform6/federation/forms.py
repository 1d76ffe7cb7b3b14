"""Federation forms (shape only; the rules live in federation.grafting and the transaction code)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ..forms import choices
from ..money import AmountField

#: what software a peer runs, by its link's profile
PROFILE_NAMES = {
    "p6": _l("Another Platform 6"),
    "komunitin": _l("Komunitin"),
    "cc-0.9": _l("Credit Commons reference node, 0.9"),
    "cc-0.8": _l("Credit Commons reference node, 0.8"),
}
PROFILE_CHOICES = choices(PROFILE_NAMES.items())


class NodeNameForm(FlaskForm):
    node_name = StringField(_l("Node name"), validators=[DataRequired(), Length(max=32)])


class SharingForm(FlaskForm):
    share_names = BooleanField(_l("Neighbouring nodes may list our members' account names"))


class GraftForm(FlaskForm):
    """A network asks to become a node under a trunk on another installation."""

    trunk_url = StringField(_l("The trunk's address"), validators=[DataRequired(), Length(max=500)])
    profile = SelectField(_l("The trunk runs"), choices=PROFILE_CHOICES, default="p6")
    node_name = StringField(_l("Our node name"), validators=[DataRequired(), Length(max=32)])
    exchange_rate = StringField(_l("Exchange rate"), default="1", validators=[DataRequired(), Length(max=40)])
    requested_credit_limit = AmountField(_l("Credit limit we ask for"), validators=[Optional()])
    message = TextAreaField(_l("Message to the trunk's admins"), validators=[Optional(), Length(max=2000)])
    last_hash = StringField(_l("Starting hash"), validators=[Optional(), Length(max=64)])
    trunk_path = StringField(_l("The trunk's node path"), validators=[Optional(), Length(max=300)])


class AllowedAddressesForm(FlaskForm):
    """The addresses a link's peer may call from: one address or network (CIDR) a line; empty for any."""

    allowed_ips = TextAreaField(_l("Addresses it may call from"), validators=[Optional(), Length(max=2000)])


class ResolveDiscrepancyForm(FlaskForm):
    """A payment a peer booked and we erased, marked settled by an admin with what was agreed."""

    note = TextAreaField(_l("How it was settled"), validators=[DataRequired(), Length(max=2000)])


class DecideForm(FlaskForm):
    """A graft request approved directly (where the network lets admins decide without a vote)."""

    credit_limit = AmountField(_l("Credit limit"), validators=[InputRequired()])


class RemotePayForm(FlaskForm):
    """Paying someone on another network, by their address (ocn/leeds/bob)."""

    from_account_id = SelectField(_l("From"), coerce=int, validators=[InputRequired()])
    to_address = StringField(_l("Their address"), validators=[DataRequired(), Length(max=300)])
    amount = AmountField(_l("Amount"), validators=[InputRequired()])
    description = StringField(_l("What for"), validators=[Optional(), Length(max=1000)])
    idempotency_key = HiddenField()
