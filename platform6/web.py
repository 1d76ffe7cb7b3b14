"""Helpers for page handlers: how a page answers when the service refuses with a DomainError.

One rule for every page: a refusal that says who may not act or what they may not see (403, 404)
answers the error page with that status, so a missing permission check shows in the status; any other
refusal (a state rule such as a closed thread, a validation error) is told on the page: on the form
that caused it, or flashed on the page a one-button action goes back to.
"""

from flask import flash, redirect, request
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from .errors import DomainError, invalid
from .transaction import discard

#: refusals answered by the error page with their own status (the app's DomainError handler renders it)
ERROR_PAGE_STATUSES = (403, 404)


def refuse_nul_in_query() -> None:
    """Before any handler: a NUL in a query argument answers 422 on that argument.

    PostgreSQL cannot store or compare NUL in text and its driver raises on one wherever it is sent
    (a search, a handle looked up), so it is refused once here, on every database alike. Page forms
    drop NUL from what is typed (accounts.forms.Form); the API's body parser refuses it in JSON.
    """
    for key, value in request.args.items(multi=True):
        if "\x00" in key or "\x00" in value:
            raise invalid(key.replace("\x00", ""), _("Text may not contain NUL characters."))


def _raise_if_error_page(err: DomainError) -> None:
    if err.status in ERROR_PAGE_STATUSES:
        raise err


def show_error_on_form(form: FlaskForm, err: DomainError) -> None:
    """Undo the refused change, then put each field's reasons under that field and anything else at
    the top of the form (the page answers 422). A 403/404 is raised again instead: the error page
    answers it."""
    discard()
    _raise_if_error_page(err)
    placed = False
    for name, reasons in (err.fields or {}).items():
        field = form._fields.get(name.split(".")[0])
        if field is not None:
            field.errors = list(field.errors) + list(reasons)
            placed = True
    if not placed:
        form.form_errors.append(err.message)


def refused(err: DomainError, back_to: str, code: int = 302):
    """A one-button action the service refused: roll back, then the error page for a 403/404, else
    back to `back_to` with the reason flashed."""
    discard()
    _raise_if_error_page(err)
    flash(err.message, "error")
    return redirect(back_to, code=code)
