"""Which language and time zone a page, email or message is written in, and the choices people have.

The reader's language is their setting (`User.locale`), else the `locale` cookie a signed-out
person chose with the switcher, else the browser's Accept-Language, else English. Their time
zone is their setting, else the `time_zone` cookie the browser's own zone wrote (static/js/app.js),
else UTC. Emails and notifications are written for their recipient: `for_person(user)`.
"""

from contextlib import contextmanager
from functools import cache
from types import SimpleNamespace
from zoneinfo import available_timezones

import pytz
from babel import Locale, UnknownLocaleError
from flask import Flask, g, has_request_context, request
from flask_babel import Babel, force_locale, get_locale, get_translations, gettext, lazy_gettext, refresh
from flask_login import current_user
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup
from sqlalchemy import String, case, func, literal

#: the languages the interface is translated into (English and Italian in full, Spanish in part)
LANGUAGES = {"en": "English", "it": "Italiano", "es": "Español"}
DEFAULT_LOCALE = "en"
DEFAULT_TIME_ZONE = "UTC"
LOCALE_COOKIE = "locale"
TIME_ZONE_COOKIE = "time_zone"
#: a year, in seconds
COOKIE_AGE = 365 * 86400

babel = Babel()


def configure_i18n(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LOCALE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", DEFAULT_TIME_ZONE)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_time_zone)
    # Babel caches its choice on `g`, which outlives a request where an app context is already pushed (tests,
    # a worker): each request chooses afresh.
    app.before_request(refresh)
    app.jinja_env.add_extension("jinja2.ext.do")
    app.context_processor(lambda: {"LANGUAGES": LANGUAGES, "html_lang": html_lang, "js_messages": js_messages})


def current_translations():
    """The catalogue of the language in force (the request's, or `for_person`'s), kept beside the language it is
    for, so the next word of the same language costs one attribute lookup."""
    ctx = getattr(g, "_flask_babel", None) if g else None
    if ctx is not None:
        held = getattr(ctx, "p6_translations", None)
        if held is not None and held[0] is getattr(ctx, "babel_locale", None):
            return held[1]
    translations = get_translations()
    ctx = getattr(g, "_flask_babel", None) if g else None
    if ctx is not None:
        ctx.p6_translations = (getattr(ctx, "babel_locale", None), translations)
    return translations


def normal_locale(tag: str | None) -> str | None:
    """`tag` as the BCP 47 tag we store ("pt_br" -> "pt-BR"), or None unless it is a language we translate."""
    if not isinstance(tag, str) or not 0 < len(tag) <= 35:
        return None
    try:
        locale = Locale.parse(tag.strip(), sep="-" if "-" in tag else "_")
    except (UnknownLocaleError, ValueError, TypeError):
        return None
    if locale.language not in LANGUAGES:
        return None
    return "-".join(part for part in (locale.language, locale.script, locale.territory) if part)


def is_time_zone(name: str | None) -> bool:
    return isinstance(name, str) and name in time_zones()


@cache
def time_zones() -> frozenset[str]:
    return frozenset(available_timezones()) | {"UTC"}


@cache
def time_zone_choices() -> tuple[tuple[str, str], ...]:
    """Zones people pick from: the IANA names, "Region/City" first by region, as browsers name them."""
    return tuple((name, name.replace("_", " ")) for name in sorted(time_zones()))


def _person_setting(attribute: str) -> str | None:
    if not current_user or not current_user.is_authenticated:
        return None
    return getattr(current_user, attribute, None)


def select_locale() -> str:
    if not has_request_context():  # a job or the shell: what runs there picks its reader (`for_person`)
        return DEFAULT_LOCALE
    chosen = _person_setting("locale") or normal_locale(request.cookies.get(LOCALE_COOKIE))
    if chosen:
        return chosen.replace("-", "_")
    return request.accept_languages.best_match(LANGUAGES.keys()) or DEFAULT_LOCALE


def select_time_zone() -> str:
    if not has_request_context():
        return DEFAULT_TIME_ZONE
    chosen = _person_setting("time_zone") or request.cookies.get(TIME_ZONE_COOKIE)
    return chosen if is_time_zone(chosen) else DEFAULT_TIME_ZONE


def browser_locale() -> str:
    """The language a new person's browser asks for, as we would store it."""
    return request.accept_languages.best_match(LANGUAGES.keys()) or DEFAULT_LOCALE


def html_lang() -> str:
    """The page's <html lang>: the language actually rendered, as a BCP 47 tag."""
    return str(get_locale() or DEFAULT_LOCALE).replace("_", "-")


@contextmanager
def for_person(user):
    """Write what follows (an email, a notification's text) in `user`'s language and time zone."""
    locale = (getattr(user, "locale", None) or DEFAULT_LOCALE).replace("-", "_")
    zone = getattr(user, "time_zone", None) or DEFAULT_TIME_ZONE
    with force_locale(locale), _force_time_zone(zone if is_time_zone(zone) else DEFAULT_TIME_ZONE):
        yield


@contextmanager
def _force_time_zone(zone: str):
    """As flask_babel.force_locale, for the zone: both live on the app context's Babel cache."""
    if not g:
        yield
        return
    if not hasattr(g, "_flask_babel"):
        g._flask_babel = SimpleNamespace()
    ctx = g._flask_babel
    previous = getattr(ctx, "babel_tzinfo", None)
    ctx.babel_tzinfo = pytz.timezone(zone)
    try:
        yield
    finally:
        ctx.babel_tzinfo = previous


class Message:
    """Words for other people (a notification, an email): a msgid and its values, written out in whichever
    language is current when it becomes text, so each recipient reads it in their own language.

    `Message("%(name)s replied to you", name=actor.name)`; a value may itself be a Message.
    """

    __slots__ = ("msgid", "values")

    def __init__(self, msgid: str, **values):
        self.msgid, self.values = msgid, values

    def __str__(self) -> str:
        if not self.values:
            return gettext(self.msgid)
        return gettext(self.msgid, **{key: str(value) for key, value in self.values.items()})

    def __repr__(self) -> str:
        return f"Message({self.msgid!r}, **{self.values!r})"

    def as_json(self) -> dict:
        """The Message as JSON, to be written out later (by the worker) in each reader's language."""
        return {
            "msgid": self.msgid,
            "values": {k: v.as_json() if isinstance(v, Message) else v for k, v in self.values.items()},
        }

    @classmethod
    def from_json(cls, data: dict) -> "Message":
        values = {k: cls.from_json(v) if isinstance(v, dict) else v for k, v in data["values"].items()}
        return cls(data["msgid"], **values)

    def in_each_language(self) -> dict[str, str]:
        """{language: text} for every language the interface is translated into."""
        texts = {}
        for language in LANGUAGES:
            with force_locale(language):
                texts[language] = str(self)
        return texts


def language_of(locale_column):
    """The interface language of a stored BCP 47 locale ("pt-BR" -> "pt"), as SQL."""
    return func.substr(locale_column, 1, 2)


def in_language_of(locale_column, words):
    """SQL choosing, by each row's locale, the text of `words` (a Message, or a str that reads the same in every
    language) in that person's language; English where a language has no catalogue."""
    if not isinstance(words, Message):
        return literal(str(words), String)
    texts = words.in_each_language()
    return case(
        {language: literal(text, String) for language, text in texts.items()},
        value=language_of(locale_column),
        else_=literal(texts[DEFAULT_LOCALE], String),
    )


def plural_words(singular: str, plural: str) -> tuple[str, str]:
    """Marks a singular and plural for extraction where the count comes later: `ngettext(*pair, n)`."""
    return singular, plural


#: strings the page's JavaScript shows, translated on the server and read by static/js/app.js (`P6.t`); each
#: feature adds its scripts' words with `script_words` beside its routes
JS_MESSAGES = {
    "copied": lazy_gettext("Copied"),
    "scrolls": lazy_gettext("Scrolls sideways"),
    "api_docs.servers": lazy_gettext("Servers"),
    "api_docs.about": lazy_gettext("About this API"),
    "api_docs.responses": lazy_gettext("Responses of {operation}"),
}


def script_words(words: dict) -> None:
    """A feature's words for its scripts, keyed "<feature>.<name>" (lazy strings: each page has them in its
    reader's language). Called when the feature's routes are imported, before any page is written."""
    JS_MESSAGES.update(words)


def js_messages() -> Markup:
    """JS_MESSAGES in the language in force, as JSON safe inside an HTML attribute (the page's data-messages)."""
    return _js_messages_in(str(get_locale() or DEFAULT_LOCALE))


@cache
def _js_messages_in(locale: str) -> Markup:
    """Every page carries them, so each language's are written once."""
    return htmlsafe_json_dumps({key: str(text) for key, text in JS_MESSAGES.items()})
