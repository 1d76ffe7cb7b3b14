"""Reading an amount a person types: one parser for every page, and the form field that uses it.

Amounts are integers in minor units end to end; this is the one place text becomes such an
integer. The parser works on the digits themselves (never `Decimal` or `float`), so no input can
overflow, round, or sneak in an exponent, NaN or Infinity. Where "." or "," could be read either
as a decimal mark or as a thousands separator ("1,234"), the amount is refused unless the reader's
language settles it (Babel's CLDR data gives each language's marks).
"""

import re
from dataclasses import dataclass

from babel.core import UnknownLocaleError
from babel.numbers import get_decimal_symbol, get_group_symbol
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from wtforms import StringField
from wtforms.validators import ValidationError

from .formatting import decimal_text, minor_units
from .limits import MAX_INT

#: the largest amount anywhere, in minor units: an integer every JSON client holds exactly
MAX_AMOUNT = MAX_INT

#: marks that only ever group digits: spaces (plain, no-break, narrow no-break, thin) and apostrophes (Swiss)
_GROUP_ONLY = " \u00a0\u202f\u2009'\u2019"
_AMOUNT = re.compile(rf"[0-9]+(?:[.,{_GROUP_ONLY}][0-9]+)*")
_MARK = re.compile(rf"[.,{_GROUP_ONLY}]")


class AmountError(ValueError):
    """Text that is not an amount; its message tells the person how to write it."""


@dataclass(frozen=True)
class NumberMarks:
    """A language's decimal mark and thousands separator."""

    decimal: str
    group: str


def number_marks(locale) -> NumberMarks | None:
    """The marks of `locale` from Babel's number data (CLDR); None when no language is known."""
    if not locale:
        return None
    try:
        return NumberMarks(decimal=get_decimal_symbol(locale), group=get_group_symbol(locale))
    except (UnknownLocaleError, ValueError):
        return None


def example(decimals: int) -> str:
    """How to write an amount in a currency with `decimals` places: 2 -> '1234.50'."""
    return "1234" if decimals == 0 else "1234." + "5".ljust(decimals, "0")


def parse_amount(text: str, *, decimals: int, marks: NumberMarks | None = None) -> int:
    """What a person typed, as minor units of a currency with `decimals` places: '2,50', 2 -> 250.

    Accepted: '1234', '1234.5', '1234,50', '1,234.56', '1.234,56', '1 234,56'. Refused with an
    AmountError saying how to write it: anything but digits and separators ('-5', '1e3', 'NaN'),
    '1,234' or '1.234' (unless `marks` settles it), more decimals than the currency has, more
    than MAX_AMOUNT.
    """
    typed = text.strip()
    if typed.startswith("-"):
        raise AmountError(_("An amount cannot be negative."))
    if not _AMOUNT.fullmatch(typed):
        raise AmountError(_("Write the amount in digits, such as %(example)s.", example=example(decimals)))
    whole, fraction = _split(typed, decimals, marks)
    fraction = fraction.rstrip("0")
    if len(fraction) > decimals:
        if decimals == 0:
            raise AmountError(_("This currency has no decimals: write a whole number."))
        raise AmountError(
            ngettext(
                "This currency has %(num)d decimal place: write at most %(num)d after the mark.",
                "This currency has %(num)d decimal places: write at most %(num)d after the mark.",
                decimals,
            )
        )
    digits = (whole + fraction.ljust(decimals, "0")).lstrip("0")
    if len(digits) > len(str(MAX_AMOUNT)) or int(digits or "0") > MAX_AMOUNT:
        raise AmountError(_("The largest amount is %(amount)s.", amount=minor_units(MAX_AMOUNT, decimals)))
    return int(digits or "0")


def _split(typed: str, decimals: int, marks: NumberMarks | None) -> tuple[str, str]:
    """The whole and fraction digits of a well-formed amount, once its decimal mark is known."""
    runs, seps = _MARK.split(typed), _MARK.findall(typed)
    if _has_decimal_mark(typed, runs, seps, marks, decimals):
        runs, fraction, seps = runs[:-1], runs[-1], seps[:-1]
    else:
        fraction = ""
    if seps and (len(set(seps)) > 1 or len(runs[0]) > 3 or any(len(run) != 3 for run in runs[1:])):
        raise AmountError(
            _(
                "Group the digits in threes with one kind of separator, or leave them out: %(example)s.",
                example=example(decimals),
            )
        )
    return "".join(runs), fraction


def _has_decimal_mark(typed: str, runs: list[str], seps: list[str], marks: NumberMarks | None, decimals: int) -> bool:
    """Whether the last separator is the decimal mark (a point or comma that cannot be grouping)."""
    if not seps or seps[-1] not in ".,":
        return False
    last, earlier = seps[-1], seps[:-1]
    if last in earlier:  # "1,234,567": a decimal mark comes once
        return False
    if len(runs[-1]) != 3 or earlier or runs[0].startswith("0"):
        # "2,50"; "1.234,56" (the other mark groups; a space group rules out a second kind);
        # "0.250" (a grouped number never starts with 0)
        return True
    if marks is not None and last in (marks.decimal, marks.group):
        return last == marks.decimal
    raise AmountError(_ambiguous_message(typed, runs, decimals))


def _ambiguous_message(typed: str, runs: list[str], decimals: int) -> str:
    grouped, pointed = "".join(runs), f"{runs[0]}.{runs[1]}"
    words = {"typed": typed, "grouped": grouped, "pointed": pointed}
    if decimals >= 3:
        return _(
            '"%(typed)s" could mean %(grouped)s or %(pointed)s. If you mean %(grouped)s, write it without a '
            "separator; if you mean %(pointed)s, write %(pointed)s0.",
            **words,
        )
    if decimals == 0:
        return _(
            '"%(typed)s" could mean %(grouped)s or %(pointed)s. If you mean %(grouped)s, write it without a '
            "separator (this currency has no decimals).",
            **words,
        )
    return ngettext(
        '"%(typed)s" could mean %(grouped)s or %(pointed)s. If you mean %(grouped)s, write it without a '
        "separator (this currency has at most %(num)d decimal place).",
        '"%(typed)s" could mean %(grouped)s or %(pointed)s. If you mean %(grouped)s, write it without a '
        "separator (this currency has at most %(num)d decimal places).",
        decimals,
        **words,
    )


def reader_marks() -> NumberMarks | None:
    """The marks that settle "1,234" for the reader: those of their language when it writes decimals with a comma.

    A language writing 1,234.56 is the interface's default, used by people of every country (an Italian
    co-op reading Platform 6 in English still writes 2,50), so it settles nothing: "1,234" stays refused.
    A person who reads Italian, German or Portuguese writes 1.234,56, so for them "1.234" is 1234.
    """
    marks = number_marks(get_locale())
    return marks if marks is not None and marks.decimal == "," else None


class AmountField(StringField):
    """An amount in a currency, typed by a person: `.data` is minor units, None when left blank.

    The currency's decimal places are often known only from another field (the account paid
    from), so the text is read at validation: set `decimals` (see `use_decimals`) before it.
    Mark the field InputRequired() or Optional(): its data is None until the text is read.
    """

    def __init__(self, label=None, validators=None, *, decimals: int = 2, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.decimals = decimals
        self.text = ""

    def process_formdata(self, valuelist):
        self.text = valuelist[0] if valuelist else ""
        self.data = None

    def pre_validate(self, form):
        if not self.text.strip():
            return
        try:
            self.data = parse_amount(self.text, decimals=self.decimals, marks=reader_marks())
        except AmountError as err:
            raise ValidationError(str(err)) from None

    def _value(self) -> str:
        if self.text:
            return self.text
        return "" if self.data is None else decimal_text(self.data, self.decimals)


def use_decimals(form, decimals: int) -> None:
    """Read (and show) every amount of `form` in a currency with `decimals` places."""
    for field in form:
        if isinstance(field, AmountField):
            field.decimals = decimals
