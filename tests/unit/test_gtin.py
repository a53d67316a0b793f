"""GTIN rules: real codes, every length, check digits, the placeholder, and normalization round trips."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import ean

from orion_desktop.domain.errors import InvalidInput
from orion_desktop.domain.gtin import display_gtin, is_placeholder, looks_like_gtin, normalize_gtin

REAL_CODES = {
    "4006381333931": "04006381333931",  # EAN-13 (Stabilo pen)
    "96385074": "00000096385074",  # EAN-8
    "036000291452": "00036000291452",  # UPC-A
    "10012345678902": "10012345678902",  # GTIN-14 with packaging indicator 1
    "5901234123457": "05901234123457",
}


@pytest.mark.parametrize(("raw", "canonical"), REAL_CODES.items())
def test_real_codes_normalize_to_gtin14(raw: str, canonical: str) -> None:
    assert normalize_gtin(raw) == canonical


def test_all_forms_of_one_code_are_equal() -> None:
    forms = ["036000291452", "0036000291452", "00036000291452", " 0036000291452\t", "0-036000-29145-2"]
    assert {normalize_gtin(f) for f in forms} == {"00036000291452"}


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("4006381333932", "check digit (last digit should be 1)"),
        ("12345", "5 digits"),
        ("ABC", "only digits"),
        ("400638133393X", "only digits"),
        ("123456789012345", "15 digits"),
    ],
)
def test_bad_codes_get_a_sentence(raw: str, fragment: str) -> None:
    with pytest.raises(InvalidInput, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        normalize_gtin(raw)


def test_placeholder_is_recognized_in_any_length() -> None:
    assert is_placeholder("0000000000000")
    assert is_placeholder("00000000000000")
    assert is_placeholder("00000000")
    assert not is_placeholder("4006381333931")
    assert not is_placeholder(None)
    assert normalize_gtin("0000000000000") == "00000000000000"


def test_display_form() -> None:
    assert display_gtin("04006381333931") == "4006381333931"
    assert display_gtin("10012345678902") == "10012345678902"
    assert display_gtin(None) is None


def test_looks_like_gtin() -> None:
    assert looks_like_gtin("4006381333931")
    assert looks_like_gtin("9638 5074")
    assert not looks_like_gtin("SKU-123")
    assert not looks_like_gtin("1234567")


body_lengths = st.sampled_from([7, 11, 12, 13])


@given(st.data())
def test_any_valid_code_round_trips_through_every_padding(data: st.DataObject) -> None:
    length = data.draw(body_lengths)
    body = data.draw(st.text(alphabet="0123456789", min_size=length, max_size=length))
    code = body + ean.calc_check_digit(body)
    canonical = normalize_gtin(code)
    assert len(canonical) == 14 and canonical.lstrip("0") == code.lstrip("0")
    # Every zero-padded form of the same number is the same GTIN.
    for width in (8, 12, 13, 14):
        if width >= len(code.lstrip("0")) and width >= len(code) - (len(code) - len(code.lstrip("0"))):
            padded = code.lstrip("0").rjust(width, "0")
            assert normalize_gtin(padded) == canonical
    # The display form normalizes back to the same canonical value.
    assert normalize_gtin(display_gtin(canonical) or "") == canonical


@given(st.text(alphabet="0123456789", min_size=12, max_size=12), st.integers(min_value=1, max_value=9))
def test_a_wrong_check_digit_is_always_caught(body: str, offset: int) -> None:
    good = int(ean.calc_check_digit(body))
    bad = str((good + offset) % 10)
    code = body + bad
    if set(code) == {"0"}:
        return  # the placeholder is accepted by design
    with pytest.raises(InvalidInput, match="check digit"):
        normalize_gtin(code)
