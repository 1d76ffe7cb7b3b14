"""Sign-up, sign-in and settings forms (shape only; the rules live in accounts.service)."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length


def _drop_nul(value):
    return value.replace("\x00", "") if isinstance(value, str) else value


class Form(FlaskForm):
    """The base of every page form: drops NUL characters, which PostgreSQL refuses in text, from what is typed."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = [*unbound_field.kwargs.get("filters", ()), _drop_nul]
            return unbound_field.bind(form=form, filters=filters, **options)


def _required(what: str) -> DataRequired:
    return DataRequired(message=f"Give {what}.")


class SignUpForm(Form):
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


class SignInForm(Form):
    email = EmailField(
        "Email", validators=[_required("your email"), Length(max=254)], render_kw={"autocomplete": "email"}
    )
    password = PasswordField(
        "Password",
        validators=[_required("your password"), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )


class ProfileForm(Form):
    name = StringField("Name", validators=[_required("your name"), Length(max=100)], render_kw={"autocomplete": "name"})
    handle = StringField("Handle", validators=[_required("a handle"), Length(max=30)])


class PasswordForm(Form):
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


class TokenForm(Form):
    name = StringField("What the token is for", validators=[_required("the token a name"), Length(max=100)])


class ForgotPasswordForm(Form):
    email = EmailField(
        "Email", validators=[_required("your email"), Length(max=254)], render_kw={"autocomplete": "email"}
    )


class ResetPasswordForm(Form):
    new_password = PasswordField(
        "New password",
        validators=[_required("a new password"), Length(max=1024)],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        "The new password again",
        validators=[_required("the new password again"), EqualTo("new_password", "The two passwords differ.")],
        render_kw={"autocomplete": "new-password"},
    )
