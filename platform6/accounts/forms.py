"""Sign-up, sign-in and settings forms (shape only; the rules live in accounts.service)."""

from functools import lru_cache

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from wtforms import EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length
from wtforms.widgets import Select, html_params

from ..forms import Form, choices
from ..i18n import LANGUAGES, time_zone_choices


class SignUpForm(Form):
    name = StringField(
        _l("Your name"),
        validators=[DataRequired(_l("Give your name.")), Length(max=100)],
        render_kw={"autocomplete": "name"},
    )
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(_l("Give your email.")), Length(max=254)],
        render_kw={"autocomplete": "email"},
    )
    handle = StringField(_l("Handle (optional)"), validators=[Length(max=30)], render_kw={"autocomplete": "username"})
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Give a password.")), Length(max=1024)],
        render_kw={"autocomplete": "new-password"},
    )
    #: filled from the browser's own zone (static/js/app.js); UTC without JavaScript, changeable in settings
    time_zone = HiddenField(default="UTC")


class SignInForm(Form):
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(_l("Give your email.")), Length(max=254)],
        render_kw={"autocomplete": "email"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Give your password.")), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )


class ProfileForm(Form):
    name = StringField(
        _l("Name"),
        validators=[DataRequired(_l("Give your name.")), Length(max=100)],
        render_kw={"autocomplete": "name"},
    )
    handle = StringField(_l("Handle"), validators=[DataRequired(_l("Give a handle.")), Length(max=30)])


@lru_cache(maxsize=1)
def _time_zone_options() -> str:
    return "".join(f'<option value="{escape(value)}">{escape(label)}</option>' for value, label in time_zone_choices())


class TimeZoneSelect(Select):
    """The ~600 zones' options are written once, not on every settings page (WTForms took 10 ms to write them)."""

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        options = _time_zone_options()
        if field.data:
            chosen = f'<option value="{escape(field.data)}">'
            options = options.replace(chosen, chosen[:-1] + " selected>", 1)
        return Markup(f"<select {html_params(name=field.name, **kwargs)}>{options}</select>")


class LanguageForm(Form):
    locale = SelectField(_l("Language"), choices=choices(LANGUAGES.items()))
    time_zone = SelectField(
        _l("Time zone"),
        choices=lambda: choices(time_zone_choices()),
        widget=TimeZoneSelect(),
        description=_l("Every time on pages and in emails is shown in this zone."),
    )


class PasswordForm(Form):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Give your current password.")), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(_l("Give a new password.")), Length(max=1024)],
        render_kw={"autocomplete": "new-password"},
    )


class TokenForm(Form):
    name = StringField(
        _l("What the token is for"), validators=[DataRequired(_l("Give the token a name.")), Length(max=100)]
    )


class ForgotPasswordForm(Form):
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(_l("Give your email.")), Length(max=254)],
        render_kw={"autocomplete": "email"},
    )


class ResetPasswordForm(Form):
    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(_l("Give a new password.")), Length(max=1024)],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("The new password again"),
        validators=[
            DataRequired(_l("Give the new password again.")),
            EqualTo("new_password", _l("The two passwords differ.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
