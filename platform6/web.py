"""Helpers for page handlers: show a service's DomainError on the form that caused it."""

from flask_wtf import FlaskForm

from .errors import DomainError


def show_error_on_form(form: FlaskForm, err: DomainError) -> None:
    """Put each field's reasons under that field; anything else at the top of the form."""
    placed = False
    for name, reasons in (err.fields or {}).items():
        field = form._fields.get(name.split(".")[0])
        if field is not None:
            field.errors = list(field.errors) + list(reasons)
            placed = True
    if not placed:
        form.form_errors.append(err.message)
