"""Sign-up, sign-in and settings forms (shape only; the rules live in accounts.service)."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length


class SignUpForm(FlaskForm):
    name = StringField("Your name", validators=[DataRequired(), Length(max=100)])
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    handle = StringField("Handle (optional)", validators=[Length(max=30)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])


class SignInForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])


class ProfileForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=100)])
    handle = StringField("Handle", validators=[DataRequired(), Length(max=30)])


class PasswordForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired(), Length(max=1024)])
    new_password = PasswordField("New password", validators=[DataRequired(), Length(max=1024)])


class TokenForm(FlaskForm):
    name = StringField("What the token is for", validators=[DataRequired(), Length(max=100)])


class ForgotPasswordForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])


class ResetPasswordForm(FlaskForm):
    new_password = PasswordField("New password", validators=[DataRequired(), Length(max=1024)])
    confirm = PasswordField(
        "The new password again", validators=[DataRequired(), EqualTo("new_password", "The two passwords differ.")]
    )
