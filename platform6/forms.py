"""What every page form shares: the base class and WTForms' way of listing choices."""

from functools import lru_cache

import wtforms
from babel import support
from flask_babel import get_locale
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice
from wtforms.i18n import messages_path


def _drop_nul(value):
    return value.replace("\x00", "") if isinstance(value, str) else value


class _DropsNul:
    """Drops NUL characters, which PostgreSQL refuses in text, from what is typed into any field that takes
    filters (a list or a subform filters through the fields inside it)."""

    def bind_field(self, form, unbound_field, options):
        if issubclass(unbound_field.field_class, (wtforms.FieldList, wtforms.FormField)):
            return unbound_field.bind(form=form, **options)
        filters = [*unbound_field.kwargs.get("filters", ()), _drop_nul]
        return unbound_field.bind(form=form, filters=filters, **options)


@lru_cache(maxsize=16)
def _wtforms_catalogue(locale: str) -> support.NullTranslations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class _WTFormsMessages:
    """WTForms' own messages ("This field is required.") in the reader's language. Flask-WTF reads its catalogue
    from disk on every request that builds a form; a language's catalogue never changes while the app runs."""

    @staticmethod
    def _catalogue() -> support.NullTranslations:
        return _wtforms_catalogue(str(get_locale() or "en"))

    def gettext(self, string: str) -> str:
        return self._catalogue().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._catalogue().ungettext(singular, plural, n)


_MESSAGES = _WTFormsMessages()


class Form(FlaskForm):
    """The base of every page form: drops NUL characters and speaks WTForms' messages in the reader's language."""

    class Meta(_DropsNul):
        def get_translations(self, form):
            return _MESSAGES


class Subform(wtforms.Form):
    """A row inside a page form's FieldList or FormField (the page form carries the CSRF token)."""

    class Meta(_DropsNul):
        def get_translations(self, form):
            return _MESSAGES


def choices(pairs) -> list[SelectChoice]:
    """[(value, label), ...] as the SelectChoice objects WTForms 3.3 wants."""
    return [SelectChoice(value, label) for value, label in pairs]
