"""Sign-up, sign-in and settings forms (shape only; the rules live in accounts.service)."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length


def _required(what: str) -> DataRequired:
    return DataRequired(message=f"Give {what}.")


class SignUpForm(FlaskForm):
    name = StringField(
        "Your name", validators=[_required("your name"), Length(max=100)], render_kw={"autocomplete": "name"}
    )
    email = EmailField(
        "Email", validators=[_required("your email"), Length(max=254)], render_kw={"autocomplete": "email"}
    )
    handle = StringField("Handle (optional)", validators=[Length(max=30)], render_kw={"autocomplete": "username"})
    password = PasswordField(
        "Password",
        validators=[_required("a password"), Length(max=1024)],
        render_kw={"autocomplete": "new-password"},
    )


class SignInForm(FlaskForm):
    email = EmailField(
        "Email", validators=[_required("your email"), Length(max=254)], render_kw={"autocomplete": "email"}
    )
    password = PasswordField(
        "Password",
        validators=[_required("your password"), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )


class ProfileForm(FlaskForm):
    name = StringField("Name", validators=[_required("your name"), Length(max=100)], render_kw={"autocomplete": "name"})
    handle = StringField("Handle", validators=[_required("a handle"), Length(max=30)])


class PasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password",
        validators=[_required("your current password"), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = PasswordField(
        "New password",
        validators=[_required("a new password"), Length(max=1024)],
        render_kw={"autocomplete": "new-password"},
    )


class TokenForm(FlaskForm):
    name = StringField("What the token is for", validators=[_required("the token a name"), Length(max=100)])
