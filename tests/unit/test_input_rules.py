"""Issue 9, items 7 and 8: the domain's one rule for numbers and its rules for text, codes and e-mail."""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orion_desktop.domain import gtin as gtin_rules
from orion_desktop.domain.errors import InvalidInput
from orion_desktop.domain.scanning import parse_scan
from orion_desktop.domain.text_rules import (
    clean_code,
    clean_email,
    clean_multiline_text,
    clean_operation_key,
    clean_sku,
    clean_text,
    hidden_character,
)
from orion_desktop.domain.validation import (
    MAX_DIGITS,
    check_count,
    check_delta,
    check_level,
    check_optional_level,
    decimal_number,
    foreign_digits_message,
    normalize_location_code,
    normalize_store_code,
    whole_number,
)

FOREIGN_DIGITS = ["١٢", "۱۲", "१२", "１２", "²", "12³", "٣", "Ⅻ", "๑๒"]
"""Arabic-Indic, Persian, Devanagari, full-width, superscripts, a Roman numeral, Thai."""

HIDDEN = ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\u202e", "\u202d", "\u2066", "\u200b", "\u200c", "\u200d",
          "\ufeff", "\u00ad", "\u2060", "\udc80"]
"""NUL, BEL, ESC, DEL, NEL (Cc); bidi overrides/isolates, zero-width characters, BOM, soft hyphen (Cf);
a lone surrogate."""


def _one_sentence(message: str) -> None:
    assert "\n" not in message and message.endswith(".") and len(message) < 300, message


# --- numbers ---------------------------------------------------------------------------------
@pytest.mark.parametrize("raw", FOREIGN_DIGITS)
@pytest.mark.parametrize("rule", [check_count, check_level, check_delta])
def test_digits_other_than_ascii_are_refused_for_every_count(rule: Callable[[str], int], raw: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        rule(raw)
    assert str(caught.value) == foreign_digits_message(raw)
    _one_sentence(str(caught.value))


@pytest.mark.parametrize("raw", ["٤٠٠٦٣٨١٣٣٣٩٣١", "４００６３８１３３３９３１"])
def test_a_gtin_in_other_digits_gets_the_same_sentence_as_a_count(raw: str) -> None:
    assert gtin_rules.looks_like_gtin(raw)
    with pytest.raises(InvalidInput) as as_gtin:
        gtin_rules.normalize_gtin(raw)
    with pytest.raises(InvalidInput) as as_count:
        check_count(raw)
    assert str(as_gtin.value) == str(as_count.value) == foreign_digits_message(raw)


def test_a_scan_quantity_prefix_in_other_digits_is_refused() -> None:
    assert parse_scan("5*4006381333931").quantity == 5
    with pytest.raises(InvalidInput) as caught:
        parse_scan("٥*4006381333931")
    assert str(caught.value) == foreign_digits_message("٥")
    with pytest.raises(InvalidInput, match="too large"):
        parse_scan("9" * 5000 + "*4006381333931")
    with pytest.raises(InvalidInput, match="invisible"):
        parse_scan("4006381333931\u200b")


@pytest.mark.parametrize("digits", [13, 40, 4301, 5000, 100_000])
def test_long_numbers_are_refused_before_conversion(digits: int) -> None:
    started = time.perf_counter()
    for rule in (check_count, check_level, check_delta):
        with pytest.raises(InvalidInput) as caught:
            rule("7" * digits)
        assert f"{digits:,} digits" in str(caught.value)
        _one_sentence(str(caught.value))
    with pytest.raises(InvalidInput, match="too large"):
        check_delta("-" + "7" * digits)
    assert time.perf_counter() - started < 0.5, "a long number must not be converted"


def test_twelve_digits_pass_the_digit_rule_and_meet_the_range() -> None:
    assert whole_number("9" * MAX_DIGITS, "number") == 10**MAX_DIGITS - 1
    assert whole_number("000000000007", "number") == 7
    with pytest.raises(InvalidInput, match="too large"):
        check_count("9" * MAX_DIGITS)  # within the digit rule, above the quantity range


@pytest.mark.parametrize("raw", ["1.5", "1e3", "1_000", "0x10", " ", "", "--1", "+-1", "1 000", "12abc", "∞"])
def test_other_non_numbers_are_refused_with_a_sentence(raw: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_level(raw)
    _one_sentence(str(caught.value))


def test_plain_numbers_still_work() -> None:
    assert check_count(" 12 ") == 12
    assert check_level("+0") == 0
    assert check_delta("-3") == -3
    assert check_optional_level("", "threshold") is None
    assert check_optional_level("5", "threshold") == 5


def test_decimal_numbers_follow_the_same_digit_rule() -> None:
    assert decimal_number("1.5", "hours") == 1.5
    assert decimal_number("24", "hours") == 24.0
    for bad in ("١٫٥", "١٢", "nan", "inf", "1e400", "9" * 13, "1." + "5" * 13, "", "x"):
        with pytest.raises(InvalidInput) as caught:
            decimal_number(bad, "hours")
        _one_sentence(str(caught.value))


@given(st.integers(min_value=1, max_value=10**9))
def test_any_ascii_count_round_trips(number: int) -> None:
    assert check_count(str(number)) == number


@given(st.text(alphabet=st.characters(categories=["Nd", "No", "Nl"]), min_size=1, max_size=6))
def test_no_unicode_numeral_is_ever_read_as_a_number_unless_ascii(text: str) -> None:
    if text.isascii():
        return
    with pytest.raises(InvalidInput):
        check_level(text)


# --- free text -------------------------------------------------------------------------------
@pytest.mark.parametrize("hidden", HIDDEN)
def test_hidden_characters_are_refused_in_free_text(hidden: str) -> None:
    for text in (f"Widget{hidden}A", f"{hidden}Widget", f"Widget{hidden}"):
        with pytest.raises(InvalidInput) as caught:
            clean_text(text, "product title")
        message = str(caught.value)
        assert message.startswith("The product title contains an invisible control character (U+")
        _one_sentence(message)
        with pytest.raises(InvalidInput, match="invisible"):
            clean_multiline_text(f"line one\n{text}", "note")


@given(st.text(max_size=12), st.booleans())
def test_the_quick_ascii_check_finds_what_the_character_by_character_rule_finds(text: str, whitespace: bool) -> None:
    """hidden_character skips printable ASCII text in one C call; the answer must be the rule's own:
    the first control (Cc), format (Cf) or surrogate (Cs) character, tab and line breaks allowed on request."""
    expected = next((ch for ch in text if unicodedata.category(ch) in ("Cc", "Cf", "Cs")
                     and not (whitespace and ch in "\t\n\r")), None)
    assert hidden_character(text, allow_whitespace=whitespace) == expected


def test_white_space_is_still_collapsed_in_one_line_text_and_kept_in_notes() -> None:
    assert clean_text("  Widget\tA \r\n large ", "title") == "Widget A large"
    assert clean_multiline_text(" first   line \r\n second\tline ", "note") == "first line\nsecond line"
    assert clean_text("Grüße, 東京 🙂 — ok", "title") == "Grüße, 東京 🙂 — ok"  # printable text of any script
    assert clean_text("", "reason", required=False) is None


def test_over_long_text_is_refused_with_its_length() -> None:
    with pytest.raises(InvalidInput, match="too long \\(5,000 characters; at most 255\\)"):
        clean_text("x" * 5000, "product title")
    with pytest.raises(InvalidInput, match="at most 4,000"):
        clean_multiline_text("x" * 4001, "note")


# --- codes -----------------------------------------------------------------------------------
@pytest.mark.parametrize("sku", ["CBL-USBC-1M", "AUD-HP-BLK", "SKU_1", "x2a", "A.1/2", "#1001", "4012345001075"])
def test_skus_of_the_documented_character_set_pass_unchanged(sku: str) -> None:
    assert clean_sku(f" {sku} ") == sku


@pytest.mark.parametrize(
    ("sku", "fragment"),
    [
        ("ABC 1", "contains spaces"),
        ("ABC\u00a01", "contains spaces"),  # a no-break space is still a space
        ("HP-1🙂", "'🙂'"),
        ("Ä-1", "'Ä'"),
        ("HP-１", "'１'"),
        ("HP+1", "'+'"),
        ("HP\u200b1", "invisible"),
        ("HP\t1", "invisible"),
        ("\u202eHP-1", "invisible"),
        ("H" * 65, "too long"),
    ],
)
def test_bad_skus_are_refused(sku: str, fragment: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        clean_sku(sku)
    assert fragment in str(caught.value)
    _one_sentence(str(caught.value))


def test_order_numbers_and_operation_keys_are_codes() -> None:
    assert clean_code("ORD-1-20260101-ABC123", "order number") == "ORD-1-20260101-ABC123"
    assert clean_code("", "order number", required=False) is None
    assert clean_operation_key(" 0f8fad5b-d9cb-469f-a165-70867728950e ") == "0f8fad5b-d9cb-469f-a165-70867728950e"
    for bad in ("WEB 1", "WEB-1🙂", "WEB\u200d1"):
        with pytest.raises(InvalidInput):
            clean_code(bad, "order number")
    for bad in ("", "k" * 65, "key with spaces", "key\x00", "schlüssel"):
        with pytest.raises(InvalidInput):
            clean_operation_key(bad)


def test_location_and_store_codes_refuse_letters_that_only_uppercase_into_ascii() -> None:
    # "ﬁ".upper() == "FI" and "ß".upper() == "SS": checked before uppercasing, they are refused.
    for bad in ("\ufb01LE", "STRAßE", "BIN\u200b1", "A-١"):
        with pytest.raises(InvalidInput):
            normalize_location_code(bad)
        with pytest.raises(InvalidInput):
            normalize_store_code(bad)
    assert normalize_location_code(" bin-1.a ") == "BIN-1.A"


# --- e-mail ----------------------------------------------------------------------------------
def test_email_addresses_are_checked_for_syntax_only() -> None:
    assert clean_email(" anna@example.com ") == "anna@example.com"
    assert clean_email("Anna@Example.COM") == "Anna@example.com"  # the domain part is normalized
    assert clean_email("müller@bücher.de") == "müller@bücher.de"
    assert clean_email("anna@no-such-domain-for-orion-tests.invalid-tld-xyz") is not None  # no DNS lookup
    assert clean_email(None) is None and clean_email("  ") is None



def test_a_remembered_address_check_answers_as_the_first_and_a_refusal_is_refused_again() -> None:
    # The check is remembered (an import meets an order's address on every line): the same answer,
    # under whatever name the field has, and a refused address is refused every time, never kept.
    assert clean_email("Bo@Example.COM") == clean_email("Bo@Example.COM", "customer e-mail") == "Bo@example.com"
    for what in ("e-mail address", "customer e-mail"):
        with pytest.raises(InvalidInput, match=f"^'bo@example' is not a valid {what}: "):
            clean_email("bo@example", what)

@pytest.mark.parametrize("bad", ["anna", "anna@", "@example.com", "anna@example", "an na@example.com",
                                 "anna@@example.com", "anna..b@example.com", "anna@exa mple.com",
                                 "anna@example.com\u202e", "a" * 250 + "@example.com"])
def test_bad_email_addresses_are_refused_with_a_sentence(bad: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        clean_email(bad, "customer e-mail")
    _one_sentence(str(caught.value))
