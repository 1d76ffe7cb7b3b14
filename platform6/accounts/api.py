"""JSON routes for users and tokens (API.md "Accounts and tokens")."""

from typing import Annotated

from flask import g, request
from pydantic import Field

from ..api import Body, api_blueprint, created, no_content, parse_body, require_user
from ..i18n import browser_locale
from ..ratelimit import rate_limit
from ..transaction import defer_write_lock
from . import service
from .schemas import user_json

bp = api_blueprint("accounts_api", __name__)

Text100 = Annotated[str, Field(max_length=100)]


class SignUp(Body):
    email: Annotated[str, Field(max_length=254)]
    name: Text100
    password: Annotated[str, Field(max_length=1024)]
    handle: Annotated[str, Field(max_length=30)] | None = None
    locale: Annotated[str, Field(max_length=35)] | None = None
    time_zone: Annotated[str, Field(max_length=64)] | None = None


class SignIn(Body):
    email: Annotated[str, Field(max_length=254)]
    password: Annotated[str, Field(max_length=1024)]
    name: Text100 | None = None


class PasswordChange(Body):
    current_password: Annotated[str, Field(max_length=1024)]
    new_password: Annotated[str, Field(max_length=1024)]


@bp.post("/users")
@rate_limit("sign_up", counts="successes")
def sign_up():
    data = parse_body(SignUp)
    user = service.create_user(
        email=data.email,
        name=data.name,
        password=data.password,
        handle=data.handle,
        locale=data.locale or browser_locale(),
        time_zone=data.time_zone,
    )
    return created(user_json(user, with_email=True))


@bp.post("/tokens")
@defer_write_lock
@rate_limit("sign_in", counts="failures")
def create_token():
    data = parse_body(SignIn)
    user = service.authenticate(email=data.email, password=data.password, address=request.remote_addr or "")
    token = service.create_token(user=user, name=data.name or "API token")
    return created({"token": token, "user": user_json(user, with_email=True)})


@bp.delete("/tokens/current")
def revoke_current_token():
    user = require_user()
    service.revoke_token(user=user, token_id=g.api_token.id)
    return no_content()


@bp.put("/me/password")
@rate_limit("sign_in", per="user", counts="failures")  # a stolen token must not be a way to guess the password
def change_password():
    """204; every other session and token of the caller ends, the token used here keeps working."""
    user = require_user()
    data = parse_body(PasswordChange)
    service.change_password(
        user=user,
        current_password=data.current_password,
        new_password=data.new_password,
        except_token_id=g.api_token.id,
    )
    return no_content()
