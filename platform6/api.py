"""The /api/v1 plumbing shared by every feature's api.py: bearer auth, JSON bodies, errors, cursor pages."""

import base64
import binascii
import json
from datetime import datetime
from typing import Annotated, Any, TypeVar

from flask import Blueprint, Response, g, jsonify, request
from flask_babel import gettext as _
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticError
from sqlalchemy import and_, false, or_
from werkzeug.exceptions import HTTPException

from .accounts.service import active_token
from .errors import DomainError, RateLimited, Unauthorized, ValidationFailed, invalid
from .extensions import csrf, db
from .limits import MAX_INT, MAX_JSON_DEPTH, is_whole, whole_number

PREFIX = "/api/v1"
#: the largest id an `Integer` key holds on PostgreSQL (URL ids above it answer 404)
MAX_ID = 2**31 - 1
DEFAULT_LIMIT, MAX_LIMIT = 50, 200

#: an integer JSON clients can hold exactly
SafeInt = Annotated[int, Field(ge=-MAX_INT, le=MAX_INT)]
#: an id, or any count that must be positive
PositiveInt = Annotated[int, Field(ge=1, le=MAX_INT)]
NonNegativeInt = Annotated[int, Field(ge=0, le=MAX_INT)]

M = TypeVar("M", bound=BaseModel)


class Body(BaseModel):
    """Base for request bodies: strict types (no "12" for 12), unknown fields ignored."""

    model_config = ConfigDict(strict=True, extra="ignore", str_strip_whitespace=True)


def api_blueprint(name: str, import_name: str) -> Blueprint:
    """A blueprint under /api/v1 with bearer-token auth and no CSRF (the API never uses the cookie)."""
    bp = Blueprint(name, import_name, url_prefix=PREFIX)
    bp.before_request(_authenticate)
    csrf.exempt(bp)
    return bp


def _authenticate() -> None:
    g.api_user = g.api_token = None
    header = request.headers.get("Authorization")
    if header is None:
        return
    scheme, _space, secret = header.partition(" ")
    token = active_token(secret.strip()) if scheme.lower() == "bearer" and secret.strip() else None
    if token is None:
        raise Unauthorized(_("The bearer token is missing, wrong or revoked."))
    g.api_token, g.api_user = token, token.user


def optional_user():
    """The caller, or None for an anonymous request (a bad token has already answered 401)."""
    return g.get("api_user")


def require_user():
    user = g.get("api_user")
    if user is None:
        raise Unauthorized(_("Send an `Authorization: Bearer <token>` header."))
    return user


def parse_body(model: type[M]) -> M:
    """The request's JSON body as `model`: 400 when it is not JSON, 422 when it has the wrong shape."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        raw = b"{}"
    try:
        parsed = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise DomainError(_("The body is not valid JSON."), code="bad_request") from None
    _check_json_value(parsed)
    try:
        return model.model_validate_json(raw)
    except PydanticError as exc:
        raise ValidationFailed(_fields_of(exc)) from None


def _check_json_value(parsed) -> None:
    """Refuse nesting deeper than MAX_JSON_DEPTH and NUL in any key or string (PostgreSQL cannot store
    it in text). Walked with a stack, not recursion, so no depth of input can exhaust Python's stack."""
    stack = [(parsed, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                raise invalid("body", _("Text may not contain NUL characters."))
        elif isinstance(value, dict | list):
            if depth > MAX_JSON_DEPTH:
                raise invalid(
                    "body", _("The body nests arrays and objects more than %(num)d levels deep.", num=MAX_JSON_DEPTH)
                )
            items = [*value.keys(), *value.values()] if isinstance(value, dict) else value
            stack.extend((item, depth + 1) for item in items)


def _fields_of(exc: PydanticError) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for error in exc.errors(include_url=False):
        loc = ".".join(str(part) for part in error["loc"]) or "body"
        fields.setdefault(loc, []).append(error["msg"])
    return fields


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    error: dict[str, Any] = {"code": code, "message": message}
    if fields:
        error["fields"] = fields
    return {"error": error}


def domain_error_response(err: DomainError) -> Response:
    # API.md: `fields` only for validation; a 409 may carry them for the pages' forms, never on the wire
    response = jsonify(error_body(err.code, err.message, err.fields if err.status == 422 else None))
    response.status_code = err.status
    if isinstance(err, RateLimited):
        response.headers["Retry-After"] = str(err.retry_after)
    return response


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "rate_limited",
}


def http_error_response(err: HTTPException) -> Response:
    code = _HTTP_CODES.get(err.code or 500, "internal_error" if (err.code or 500) >= 500 else "bad_request")
    response = jsonify(error_body(code, err.description or err.name))
    response.status_code = err.code or 500
    if err.code == 405 and err.valid_methods:
        response.headers["Allow"] = ", ".join(err.valid_methods)
    return response


def created(payload: dict) -> tuple[Response, int]:
    return jsonify(payload), 201


def no_content() -> tuple[str, int]:
    return "", 204


# --- cursor pagination -------------------------------------------------------------------------


def int_arg(name: str, *, lowest: int = 1, highest: int = MAX_INT, message: str | None = None) -> int | None:
    """The query argument `name` as a whole number within [lowest, highest]; None when absent or blank."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    value = whole_number(raw, lowest, highest)
    if value is None:
        raise invalid(name, message or f"{name} must be a whole number from {lowest} to {highest}.")
    return value


def page_limit() -> int:
    limit = int_arg("limit", highest=MAX_LIMIT)
    return DEFAULT_LIMIT if limit is None else limit


_BAD_CURSOR = "The cursor is not one this API gave out."


def encode_cursor(payload) -> str:
    """An opaque cursor carrying `payload` (JSON: a list of sort values, or {"offset": n})."""
    plain = [v.isoformat() if isinstance(v, datetime) else v for v in payload] if isinstance(payload, list) else payload
    return base64.urlsafe_b64encode(json.dumps(plain).encode()).decode().rstrip("=")


def _cursor_payload(cursor: str):
    try:
        return json.loads(base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()))
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError, RecursionError):
        raise invalid("cursor", _BAD_CURSOR) from None


def offset_from_cursor(key: str, deepest: int) -> int:
    """The position `?cursor=` names in a list paged by offset (0 without one); at most `deepest`."""
    cursor = request.args.get("cursor")
    if not cursor:
        return 0
    payload = _cursor_payload(cursor)
    offset = payload.get(key) if isinstance(payload, dict) else None
    if not is_whole(offset, 0, deepest):
        raise invalid("cursor", _BAD_CURSOR)
    return offset


def _sort_value(value, column):
    """One keyset value read back from a cursor, refused unless the column can be compared with it."""
    python_type = column.type.python_type
    if python_type is datetime:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
        if moment is None or moment.tzinfo is not None:
            raise ValueError
        return moment
    if python_type is bool:
        if not isinstance(value, bool):
            raise ValueError
        return value
    if python_type is int:
        # SQLite and PostgreSQL refuse a parameter past 64 bits with an error, not an empty page
        if not is_whole(value, -MAX_INT, MAX_INT):
            raise ValueError
        return value
    if python_type is str and isinstance(value, str) and "\x00" not in value:
        return value
    raise ValueError


def _decode_cursor(cursor: str, columns: list) -> list:
    values = _cursor_payload(cursor)
    try:
        if not isinstance(values, list) or len(values) != len(columns):
            raise ValueError
        return [_sort_value(value, column) for value, column in zip(values, columns, strict=True)]
    except ValueError:
        raise invalid("cursor", _BAD_CURSOR) from None


def paginate(stmt, order: list[tuple[Any, bool]], serialize) -> dict:
    """Keyset pagination of a select of one entity.

    `order` is [(column, descending), ...] and must end in a unique column (the id), so the
    cursor — the last row's sort values — names one place in the list however rows change.
    """
    limit = page_limit()
    columns = [column for column, _direction in order]
    if cursor := request.args.get("cursor"):
        values = _decode_cursor(cursor, columns)
        after = []
        for i, (column, descending) in enumerate(order):
            equal_before = [columns[j] == values[j] for j in range(i)]
            if column.type.python_type is bool:  # SQL has no `<` for booleans: False sorts before True
                later = not values[i] if not descending else values[i]
                beyond = column.is_(not values[i]) if later else false()
            else:
                beyond = column < values[i] if descending else column > values[i]
            after.append(and_(*equal_before, beyond))
        stmt = stmt.where(or_(*after))
    stmt = stmt.order_by(*[column.desc() if descending else column.asc() for column, descending in order])
    rows = list(db.session.scalars(stmt.limit(limit + 1)))
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor([getattr(rows[-1], column.key) for column in columns])
    return {"items": serialize(rows), "next": next_cursor}


def page_of(items: list, next_cursor: str | None = None) -> dict:
    return {"items": items, "next": next_cursor}
