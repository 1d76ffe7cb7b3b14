"""The words templates write (`_()`, `gettext`, `ngettext`, `{% trans %}`), in the reader's language.

Why not Jinja's own i18n callables: for every word they make two template calls, wrap the text in Markup
and format it, even when it has no placeholder; a page writes forty to a hundred words, and that was
about a twentieth of its render. Here a word without placeholders is worked out once per language's
catalogue and kept; a word with placeholders is looked up and formatted as Jinja's newstyle gettext does
(the text is always a format string, so a literal percent sign is written `%%`; placeholders are escaped
in HTML).
"""

from weakref import WeakKeyDictionary

from jinja2 import Environment, pass_eval_context
from markupsafe import Markup

from .i18n import current_translations

#: per catalogue, per autoescaping: each word without placeholders as a template writes it
_kept: WeakKeyDictionary = WeakKeyDictionary()


def _written(eval_context, found: str, variables: dict) -> str:
    """The translation as Jinja's newstyle gettext writes it: a format string, Markup where HTML is escaped."""
    return (Markup(found) if eval_context.autoescape else found) % variables


@pass_eval_context
def gettext(eval_context, text: str, /, **variables) -> str:
    translations = current_translations()
    if variables:
        return _written(eval_context, translations.ugettext(text), variables)
    kept = _kept.setdefault(translations, ({}, {}))[eval_context.autoescape]
    try:
        return kept[text]
    except KeyError:
        kept[text] = written = _written(eval_context, translations.ugettext(text), {})
        return written


@pass_eval_context
def ngettext(eval_context, singular: str, plural: str, num: int, /, **variables) -> str:
    variables.setdefault("num", num)
    return _written(eval_context, current_translations().ungettext(singular, plural, num), variables)


def install_template_words(environment: Environment) -> None:
    environment.newstyle_gettext = True
    environment.globals.update(gettext=gettext, ngettext=ngettext, _=gettext)
