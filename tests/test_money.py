"""The one parser of amounts people type: what it accepts, and what it refuses with which words."""

import pytest

from platform6.money import MAX_AMOUNT, AmountError, NumberMarks, number_marks, parse_amount

ACCEPTED = [
    # text, the currency's decimal places, minor units
    ("1234", 2, 123_400),
    ("1234.5", 2, 123_450),
    ("1234,50", 2, 123_450),
    ("2,50", 2, 250),
    ("2.5", 2, 250),
    ("0,05", 2, 5),
    ("1,234.56", 2, 123_456),
    ("1.234,56", 2, 123_456),
    ("1 234,56", 2, 123_456),
    ("1\u00a0234,56", 2, 123_456),  # a no-break space, as French writes it
    ("1\u202f234,5", 2, 123_450),  # a narrow no-break space
    ("1'234.50", 2, 123_450),  # Swiss
    ("1,234,567", 2, 123_456_700),
    ("1.234.567", 2, 123_456_700),
    ("1.234.567,89", 2, 123_456_789),
    ("  12.50 ", 2, 1_250),
    ("0", 2, 0),
    ("0.250", 3, 250),  # a grouped number never starts with 0
    ("12.5000", 2, 1_250),  # zeros beyond the currency's places change nothing: exact, not rounded
    ("1 234,567", 3, 1_234_567),  # a space groups, so the comma is the decimal mark
    ("1,5", 3, 1_500),
    ("1.2340", 3, 1_234),  # what the refusal of "1.234" suggests for 1.234
    ("5", 0, 5),
    ("5.00", 0, 5),
    ("1.234.567", 0, 1_234_567),
    ("90071992547409.91", 2, MAX_AMOUNT),
    ("9007199254740991", 0, MAX_AMOUNT),
]


@pytest.mark.parametrize(("text", "decimals", "minor"), ACCEPTED)
def test_accepted(text, decimals, minor):
    assert parse_amount(text, decimals=decimals) == minor


DIGITS = "Write the amount in digits, such as 1234.50."
GROUPS = "Group the digits in threes with one kind of separator, or leave them out: 1234.50."
REFUSED = [
    # text, the currency's decimal places, the message the person reads
    (
        "1,234",
        2,
        '"1,234" could mean 1234 or 1.234. If you mean 1234, write it without a separator '
        "(this currency has at most 2 decimal places).",
    ),
    (
        "1.234",
        2,
        '"1.234" could mean 1234 or 1.234. If you mean 1234, write it without a separator '
        "(this currency has at most 2 decimal places).",
    ),
    (
        "1,000",
        0,
        '"1,000" could mean 1000 or 1.000. If you mean 1000, write it without a separator '
        "(this currency has no decimals).",
    ),
    (
        "1.234",
        3,
        '"1.234" could mean 1234 or 1.234. If you mean 1234, write it without a separator; '
        "if you mean 1.234, write 1.2340.",
    ),
    (
        "2.505",
        2,
        '"2.505" could mean 2505 or 2.505. If you mean 2505, write it without a separator '
        "(this currency has at most 2 decimal places).",
    ),
    ("1.2345", 2, "This currency has 2 decimal places: write at most 2 after the mark."),
    ("0.001", 2, "This currency has 2 decimal places: write at most 2 after the mark."),
    ("12,3456", 3, "This currency has 3 decimal places: write at most 3 after the mark."),
    ("1.5", 0, "This currency has no decimals: write a whole number."),
    ("-5", 2, "An amount cannot be negative."),
    ("-0.01", 2, "An amount cannot be negative."),
    ("9e999999", 2, DIGITS),
    ("1e3", 2, DIGITS),
    ("NaN", 2, DIGITS),
    ("Infinity", 2, DIGITS),
    ("-Infinity", 2, "An amount cannot be negative."),
    ("", 2, DIGITS),
    ("+5", 2, DIGITS),
    ("£5", 2, DIGITS),
    ("0x10", 2, DIGITS),
    ("1_000", 2, DIGITS),
    ("١٢٣", 2, DIGITS),  # digits of another script: int() would take them, a person reading the page would not
    ("²", 2, DIGITS),
    ("1..5", 2, DIGITS),
    ("1.", 2, DIGITS),
    (".5", 2, DIGITS),
    ("1,23.45", 2, GROUPS),
    ("1234,567,890", 2, GROUPS),
    ("1,2,3", 2, GROUPS),
    ("1,234 567", 2, GROUPS),
    ("1,234.567.891", 2, GROUPS),
    ("1.234.56", 2, GROUPS),
    ("1 23,45", 2, GROUPS),
    ("90071992547409.92", 2, "The largest amount is 90,071,992,547,409.91."),
    ("9007199254740992", 0, "The largest amount is 9,007,199,254,740,991."),
    ("9" * 5000, 2, "The largest amount is 90,071,992,547,409.91."),  # never int() of a huge string
    ("1" + ",000" * 2000, 2, "The largest amount is 90,071,992,547,409.91."),
]


@pytest.mark.parametrize(("text", "decimals", "message"), REFUSED)
def test_refused_with_a_message_saying_how_to_write_it(text, decimals, message):
    with pytest.raises(AmountError) as refused:
        parse_amount(text, decimals=decimals)
    assert str(refused.value) == message


GERMAN, ENGLISH = NumberMarks(decimal=",", group="."), NumberMarks(decimal=".", group=",")


@pytest.mark.parametrize(
    ("text", "marks", "decimals", "minor"),
    [
        ("1,234", ENGLISH, 2, 123_400),
        ("1.234", GERMAN, 2, 123_400),
        ("1,234", GERMAN, 3, 1_234),
        ("1.234", ENGLISH, 3, 1_234),
        ("2,50", ENGLISH, 2, 250),  # a comma before two digits groups nothing: a decimal mark in any language
        ("1.234,56", ENGLISH, 2, 123_456),  # both marks: the last one is the decimal mark
    ],
)
def test_the_readers_language_settles_what_is_ambiguous(text, marks, decimals, minor):
    assert parse_amount(text, decimals=decimals, marks=marks) == minor


def test_the_language_settles_only_its_own_marks():
    french = NumberMarks(decimal=",", group="\u202f")
    with pytest.raises(AmountError, match=r"could mean 1234 or 1\.234"):
        parse_amount("1.234", decimals=2, marks=french)
    with pytest.raises(AmountError, match="at most 2 after the mark"):
        parse_amount("1,234", decimals=2, marks=GERMAN)  # 1.234 in German: too many decimals, never rounded


def test_no_language_is_known_without_one():
    assert number_marks(None) is None and number_marks("") is None


def test_babel_gives_a_languages_marks():
    assert number_marks("de_DE") == GERMAN and number_marks("en_GB") == ENGLISH
    assert number_marks("xx_nowhere") is None
