"""Pages for signing up, in and out, and a person's settings (name, handle, password, API tokens)."""

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, refresh
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..errors import DomainError, Forbidden
from ..i18n import COOKIE_AGE, LOCALE_COOKIE, is_time_zone, normal_locale
from ..ratelimit import rate_limit
from ..transaction import defer_write_lock, discard
from ..web import show_error_on_form
from . import service
from .forms import (
    ForgotPasswordForm,
    LanguageForm,
    PasswordForm,
    ProfileForm,
    ResetPasswordForm,
    SignInForm,
    SignUpForm,
    TokenForm,
)

bp = Blueprint("accounts", __name__)


def _safe_next(target: str | None) -> str:
    """Only a path on this site, so a crafted link cannot send people elsewhere after sign-in
    (browsers read "//host" and "/\\host" as another site)."""
    local = bool(target) and target.startswith("/") and not target.startswith("//") and "\\" not in target
    if local and not urlsplit(target).netloc:
        return target
    return url_for("dashboard.show")


@bp.route("/sign-up", methods=["GET", "POST"])
@rate_limit("sign_up", counts="successes")
def sign_up():
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = SignUpForm()
    if form.validate_on_submit():
        try:
            user = service.create_user(
                email=form.email.data,
                name=form.name.data,
                password=form.password.data,
                handle=form.handle.data or None,
                locale=str(get_locale()),
                time_zone=form.time_zone.data if is_time_zone(form.time_zone.data) else None,
            )
        except DomainError as err:
            show_error_on_form(form, err)
        else:
            login_user(user)
            flash(_("Welcome to Platform 6, %(name)s.", name=user.name), "success")
            return redirect(_safe_next(request.args.get("next")))
    return render_template("accounts/sign_up.html", form=form), 422 if form.errors or form.form_errors else 200


@bp.route("/sign-in", methods=["GET", "POST"])
@defer_write_lock
@rate_limit("sign_in", counts="failures")
def sign_in():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(_safe_next(request.args.get("next")))
    form = SignInForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = service.authenticate(
                email=form.email.data, password=form.password.data, address=request.remote_addr or ""
            )
        except DomainError as err:
            show_error_on_form(form, err)
            status = err.status
        else:
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
    return render_template("accounts/sign_in.html", form=form), status


@bp.route("/forgot-password", methods=["GET", "POST"])
@rate_limit("password_reset")
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        service.send_password_reset(
            email=form.email.data,
            link_for=lambda token: url_for(".reset_password", token=token, _external=True),
        )
        flash(
            _(
                "If an account uses %(email)s, an email with a link to set a new password is on its way.",
                email=form.email.data,
            ),
            "info",
        )
        return redirect(url_for(".sign_in"))
    return render_template("accounts/forgot_password.html", form=form), 422 if form.errors else 200


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@rate_limit("password_reset")
def reset_password(token: str):
    if service.user_for_reset_token(token) is None:
        return render_template("accounts/reset_password.html", form=None), 404
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            user = service.reset_password(token=token, new_password=form.new_password.data)
        except DomainError as err:
            show_error_on_form(form, err)
        else:
            login_user(user)
            flash(_("Your new password is set, and you are signed in."), "success")
            return redirect(url_for("dashboard.show"))
    return render_template("accounts/reset_password.html", form=form), 422 if form.errors or form.form_errors else 200


@bp.post("/sign-out")
def sign_out():
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("pages.home"))


@bp.route("/settings", methods=["GET", "POST"])
@login_required
@rate_limit("tokens", per="user")
def settings():
    user = current_user._get_current_object()
    profile = ProfileForm(obj=user, prefix="profile")
    language = LanguageForm(obj=user, prefix="language")
    password = PasswordForm(prefix="password")
    token_form = TokenForm(prefix="token")
    new_token = None
    status = 200
    submitted = request.form.get("form")
    try:
        if submitted == "profile" and profile.validate_on_submit():
            service.update_profile(user=user, name=profile.name.data, handle=profile.handle.data)
            flash(_("Your profile is saved."), "success")
            return redirect(url_for(".settings"))
        if submitted == "language" and language.validate_on_submit():
            service.update_profile(user=user, locale=language.locale.data, time_zone=language.time_zone.data)
            refresh()  # the confirmation below is already in the new language
            flash(_("Your language and time zone are saved."), "success")
            return redirect(url_for(".settings"))
        if submitted == "password" and password.validate_on_submit():
            service.change_password(
                user=user, current_password=password.current_password.data, new_password=password.new_password.data
            )
            login_user(user)  # this session carries on under the new session version; the others have ended
            flash(_("Your password is changed. Your other sessions and your API tokens are signed out."), "success")
            return redirect(url_for(".settings"))
        if submitted == "token" and token_form.validate_on_submit():
            new_token = service.create_token(user=user, name=token_form.name.data)
            token_form = TokenForm(prefix="token", formdata=None)
    except Forbidden as err:  # the current password was wrong: a reason under its field, not an error page
        discard()
        password.current_password.errors = [err.message]
    except DomainError as err:
        forms = {"profile": profile, "language": language, "password": password, "token": token_form}
        show_error_on_form(forms[submitted], err)
    if request.method == "POST" and new_token is None:
        status = 422
        flash(_("Nothing was saved: see the messages below."), "error")
    return render_template(
        "accounts/settings.html",
        profile=profile,
        language=language,
        password=password,
        token_form=token_form,
        new_token=new_token,
        tokens=service.tokens_of(user),
    ), status


@bp.post("/settings/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    service.revoke_token(user=current_user, token_id=token_id)
    flash(_("The token no longer works."), "success")
    return redirect(url_for(".settings"))


@bp.post("/settings/sign-out-everywhere")
@login_required
def sign_out_everywhere():
    """Ends every session (this one too) and revokes every API token: for a lost laptop or a leaked token."""
    service.end_sessions(user=current_user._get_current_object())
    logout_user()
    flash(_("You are signed out everywhere, and your API tokens no longer work."), "info")
    return redirect(url_for(".sign_in"))


@bp.get("/language")
def choose_language():
    """The signed-out reader's language switcher (a cookie; signed-in people choose theirs in settings).
    A GET, like any change of how a page reads that stores nothing on the server."""
    locale = normal_locale(request.args.get("locale"))
    back = redirect(_safe_next(request.args.get("next")))
    if locale is None:
        flash(_("Choose a language from the list."), "error")
        return back
    back.set_cookie(LOCALE_COOKIE, locale, max_age=COOKIE_AGE, samesite="Lax", secure=request.is_secure)
    return back
