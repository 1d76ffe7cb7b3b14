"""The DomainError family: services raise these; the API turns them into its error body, pages into form
errors or a flashed reason (platform6/web.py), except Forbidden and NotFound, which stay 403/404 error pages.

Messages are written in the language of the person who made the request: raise them with gettext.
"""

from flask_babel import lazy_gettext as _l


class DomainError(Exception):
    status = 400
    code = "bad_request"
    default_message = _l("That request could not be handled.")

    def __init__(self, message: str | None = None, *, code: str | None = None, fields: dict | None = None):
        self.message = str(message or self.default_message)
        if code:
            self.code = code
        #: {"field": ["reason", ...]} for errors that belong to an input field
        self.fields = fields or {}
        super().__init__(self.message)


class Unauthorized(DomainError):
    status, code, default_message = 401, "unauthorized", _l("Sign in first.")


class Forbidden(DomainError):
    status, code, default_message = 403, "forbidden", _l("You may not do that.")


class NotFound(DomainError):
    status, code, default_message = 404, "not_found", _l("Not found.")


class Conflict(DomainError):
    status, code, default_message = 409, "conflict", _l("That conflicts with the current state.")


class RuleViolation(DomainError):
    """A rule of the domain refused the input (422), optionally tied to one field."""

    status, code, default_message = 422, "validation_failed", _l("The input breaks a rule.")

    def __init__(self, code: str = "validation_failed", field: str | None = None, message: str | None = None):
        super().__init__(message, code=code, fields={field: [str(message or self.default_message)]} if field else None)


class ValidationFailed(RuleViolation):
    """Input of the wrong shape: several fields may carry reasons."""

    def __init__(self, fields: dict[str, list[str]], message: str | None = None):
        DomainError.__init__(self, message or _l("Some fields are not valid."), code="validation_failed", fields=fields)


class RateLimited(DomainError):
    status, code, default_message = 429, "rate_limited", _l("Too many attempts; try again later.")

    def __init__(self, message: str | None = None, *, retry_after: int = 60):
        super().__init__(message)
        self.retry_after = retry_after


def invalid(field: str, message: str) -> ValidationFailed:
    """Shorthand for the common one-field validation error."""
    return ValidationFailed({field: [message]}, message)
