"""What every page form shares: the base class and WTForms' way of listing choices."""

from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice


def _drop_nul(value):
    return value.replace("\x00", "") if isinstance(value, str) else value


class Form(FlaskForm):
    """The base of every page form: drops NUL characters, which PostgreSQL refuses in text, from what is typed."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = [*unbound_field.kwargs.get("filters", ()), _drop_nul]
            return unbound_field.bind(form=form, filters=filters, **options)


def choices(pairs) -> list[SelectChoice]:
    """[(value, label), ...] as the SelectChoice objects WTForms 3.3 wants."""
    return [SelectChoice(value, label) for value, label in pairs]
