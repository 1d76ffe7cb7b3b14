"""Money and other values as pages and CSV files write them."""

from platform6.formatting import decimal_text, minor_units, money


def test_amounts_on_pages_group_thousands_and_put_the_sign_before_the_symbol():
    assert minor_units(123456, 2) == "1,234.56"
    assert minor_units(-5, 2) == "-0.05"
    assert money(-23840, 2, "£") == "-£238.40"
    assert money(100000, 0, "S") == "S100,000"


def test_amounts_in_csv_and_forms_are_plain_decimals():
    assert decimal_text(123456, 2) == "1234.56"
    assert decimal_text(-7, 3) == "-0.007"
    assert decimal_text(42, 0) == "42"
