"""Template filters and the layout's context: how times and numbers look on pages."""

from datetime import datetime

from flask_login import current_user
from markupsafe import Markup

from .notifications.service import unread_count
from .timeutil import iso, utcnow


def ago(moment: datetime | None) -> Markup:
    """'5 minutes ago' in a <time> element whose datetime attribute carries the exact moment."""
    return Markup("") if moment is None else Markup(f"{time_tag(moment)}{ago_text(moment, utcnow())}</time>")


def time_tag(moment: datetime) -> str:
    """The opening <time> tag of `ago` (the part that depends only on the moment)."""
    stamp = iso(moment)
    return f'<time datetime="{stamp}" title="{stamp}">'


def ago_text(moment: datetime, now: datetime) -> str:
    """The words of `ago`: ours, never a person's (digits, unit words, month names), so plain text is safe."""
    seconds = int((now - moment).total_seconds())
    if seconds < 0:
        return moment.strftime("%d %b %Y %H:%M")
    if seconds < 60:
        return "just now"
    if seconds > 30 * 86400:
        return moment.strftime("%d %b %Y")
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            n = seconds // size
            return f"{n} {unit}{'s' if n != 1 else ''} ago"


def date(moment: datetime | None, fmt: str = "%d %b %Y") -> str:
    return moment.strftime(fmt) if moment else ""


def minor_units(amount: int, decimals: int = 2) -> str:
    """An integer count of minor units as a decimal string: 123456, 2 -> '1,234.56'."""
    sign = "-" if amount < 0 else ""
    whole, fraction = divmod(abs(amount), 10**decimals)
    text = f"{whole:,}"
    if decimals:
        text += f".{fraction:0{decimals}d}"
    return sign + text


def decimal_text(amount: int, decimals: int = 2) -> str:
    """Minor units as a plain decimal for CSV cells and form fields: 123456, 2 -> '1234.56'."""
    sign = "-" if amount < 0 else ""
    whole, fraction = divmod(abs(amount), 10**decimals)
    return f"{sign}{whole}.{fraction:0{decimals}d}" if decimals else f"{sign}{whole}"


def money(amount: int, decimals: int = 2, symbol: str = "") -> str:
    """An amount with its currency symbol after the sign: -23840, 2, "£" -> '-£238.40'."""
    return ("-" if amount < 0 else "") + symbol + minor_units(abs(amount), decimals)


def plural(n: int, singular: str, plural_form: str | None = None) -> str:
    return f"{n:,} {singular if n == 1 else (plural_form or singular + 's')}"


FILTERS = {"ago": ago, "date": date, "minor_units": minor_units, "money": money, "plural": plural, "iso": iso}


def layout_context() -> dict:
    unread = unread_count(current_user.id) if current_user.is_authenticated else 0
    return {"unread_notifications": unread}
