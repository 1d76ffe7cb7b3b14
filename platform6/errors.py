"""The DomainError family: services raise these; the API turns them into its error body, pages into form
errors or a flashed reason (platform6/web.py), except Forbidden and NotFound, which stay 403/404 error pages."""


class DomainError(Exception):
    status = 400
    code = "bad_request"
    default_message = "That request could not be handled."

    def __init__(self, message: str | None = None, *, code: str | None = None, fields: dict | None = None):
        self.message = message or self.default_message
        if code:
            self.code = code
        #: {"field": ["reason", ...]} for errors that belong to an input field
        self.fields = fields or {}
        super().__init__(self.message)


class Unauthorized(DomainError):
    status, code, default_message = 401, "unauthorized", "Sign in first."


class Forbidden(DomainError):
    status, code, default_message = 403, "forbidden", "You may not do that."


class NotFound(DomainError):
    status, code, default_message = 404, "not_found", "Not found."


class Conflict(DomainError):
    status, code, default_message = 409, "conflict", "That conflicts with the current state."


class RuleViolation(DomainError):
    """A rule of the domain refused the input (422), optionally tied to one field."""

    status, code, default_message = 422, "validation_failed", "The input breaks a rule."

    def __init__(self, code: str = "validation_failed", field: str | None = None, message: str | None = None):
        super().__init__(message, code=code, fields={field: [message or self.default_message]} if field else None)


class ValidationFailed(RuleViolation):
    """Input of the wrong shape: several fields may carry reasons."""

    def __init__(self, fields: dict[str, list[str]], message: str = "Some fields are not valid."):
        DomainError.__init__(self, message, code="validation_failed", fields=fields)


class RateLimited(DomainError):
    status, code, default_message = 429, "rate_limited", "Too many attempts; try again later."

    def __init__(self, message: str | None = None, *, retry_after: int = 60):
        super().__init__(message)
        self.retry_after = retry_after


def invalid(field: str, message: str) -> ValidationFailed:
    """Shorthand for the common one-field validation error."""
    return ValidationFailed({field: [message]}, message)
