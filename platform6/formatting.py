"""Template filters and the layout's context: how times and numbers look on pages."""

from datetime import datetime, timedelta
from decimal import Decimal
from functools import lru_cache

from babel import Locale
from babel.dates import format_skeleton, get_timezone_name
from babel.dates import format_timedelta as babel_timedelta
from babel.numbers import format_currency
from flask_babel import format_decimal, get_locale, gettext, to_user_timezone
from flask_login import current_user
from markupsafe import Markup, escape

from .notifications.service import unread_count
from .timeutil import iso, utcnow


def ago(moment: datetime | None) -> Markup:
    """'5 minutes ago' in a <time> element whose datetime attribute carries the exact moment."""
    return Markup("") if moment is None else Markup(f"{time_tag(moment)}{ago_text(moment, utcnow())}</time>")


def time_tag(moment: datetime) -> str:
    """The opening <time> tag of `ago` (the part that depends only on the moment and the reader)."""
    return f'<time datetime="{iso(moment)}" title="{escape(when(moment))}">'


def ago_text(moment: datetime, now: datetime, locale: str | None = None) -> str:
    """The words of `ago` in the reader's language: ours (digits, unit and month names), so plain text is safe.
    `locale`: the reader's, when the caller knows it already (a thread's 200 comments ask once)."""
    seconds = (now - moment).total_seconds()
    if seconds < 0:
        return datetime_text(moment)
    if seconds > 30 * 86400:
        return date(moment)
    return _minutes_ago(locale or str(get_locale() or "en"), int(seconds // 60))


@lru_cache(maxsize=4096)
def _minutes_ago(locale: str, minutes: int) -> str:
    """'5 minutes ago' in `locale` (the reader's, which gettext reads too): a thread of 200 comments asks for
    a handful of these, not 200."""
    if minutes == 0:
        return gettext("just now")
    return babel_timedelta(
        -timedelta(minutes=minutes), granularity="minute", threshold=1, add_direction=True, locale=locale
    )


def _skeleton(moment: datetime, skeleton: str) -> str:
    """`moment` (naive UTC, as stored) in the reader's zone, laid out as their language orders `skeleton`'s fields
    (a date skeleton, and "Hm" after it for the time: CLDR joins the two with its own pattern)."""
    locale, local = get_locale() or Locale("en"), to_user_timezone(moment)
    day_part, _, time_part = skeleton.partition("H")
    text = format_skeleton(day_part, local, locale=locale)
    if time_part:
        clock = format_skeleton("H" + time_part, local, locale=locale)
        text = locale.datetime_formats["medium"].format(clock, text)
    return text


def date(moment: datetime | None) -> str:
    """The day, in the reader's zone and language: 'Dec 9, 2026' / '9 dic 2026'."""
    return _skeleton(moment, "yMMMd") if moment else ""


def datetime_text(moment: datetime | None) -> str:
    """Day and minute in the reader's zone and language: 'Dec 9, 2026, 14:47' / '9 dic 2026, 14:47'."""
    return _skeleton(moment, "yMMMdHm") if moment else ""


def when(moment: datetime | None) -> str:
    """Day and minute with the reader's zone named, where the zone matters (a poll's closing time):
    'Dec 9, 2026, 14:47 (Central European Standard Time)'."""
    if moment is None:
        return ""
    local = to_user_timezone(moment)
    return f"{_skeleton(moment, 'yMMMdHm')} ({get_timezone_name(local, width='long', locale=get_locale() or 'en')})"


def month(moment: datetime | None) -> str:
    """A month and year: 'December 2026' / 'dicembre 2026'."""
    return _skeleton(moment, "yMMMM") if moment else ""


def _pattern(decimals: int) -> str:
    """The reader's currency pattern with exactly `decimals` places (CLDR's has the currency's own)."""
    standard = Locale.parse(get_locale() or "en").currency_formats["standard"].pattern
    places = "." + "0" * decimals if decimals else ""
    return standard.replace("#,##0.00", "#,##0" + places)


def minor_units(amount: int, decimals: int = 2) -> str:
    """An integer count of minor units as a number in the reader's language: 123456, 2 -> '1,234.56' / '1.234,56'."""
    places = "." + "0" * decimals if decimals else ""
    return format_decimal(_exact(amount, decimals), "#,##0" + places)


def _exact(amount: int, decimals: int) -> Decimal:
    """Minor units as an exact Decimal, for Babel to lay out (never a float)."""
    return Decimal(amount).scaleb(-decimals)


def decimal_text(amount: int, decimals: int = 2) -> str:
    """Minor units as a plain decimal for CSV cells and form fields: 123456, 2 -> '1234.56'."""
    sign = "-" if amount < 0 else ""
    whole, fraction = divmod(abs(amount), 10**decimals)
    return f"{sign}{whole}.{fraction:0{decimals}d}" if decimals else f"{sign}{whole}"


def money(amount: int, decimals: int = 2, symbol: str = "", code: str | None = None) -> str:
    """An amount as the reader's language writes money: -23840, 2, "£" -> '-£238.40' (en) / '-238,40 £' (it).

    `code` (the network's currency code) is added where two currencies meet: '£238.40 OCN'.
    """
    locale = get_locale() or "en"
    text = format_currency(_exact(amount, decimals), "XXX", _pattern(decimals), locale=locale, currency_digits=False)
    text = text.replace("¤", symbol or "")
    text = text.replace("\xa0\xa0", "\xa0").strip("\xa0 ")
    return f"{text}\xa0{code}" if code else text


FILTERS = {
    "ago": ago,
    "date": date,
    "datetime": datetime_text,
    "when": when,
    "month": month,
    "minor_units": minor_units,
    "money": money,
    "iso": iso,
}


def layout_context() -> dict:
    unread = unread_count(current_user.id) if current_user.is_authenticated else 0
    return {"unread_notifications": unread}
