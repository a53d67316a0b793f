"""Input rules: counts, deltas, codes. Each raises InvalidInput with a plain sentence.

Numbers typed as text follow one rule (:func:`whole_number`): an optional sign and the ASCII
digits 0-9, at most :data:`MAX_DIGITS` of them. Free text and codes follow
:mod:`orion_desktop.domain.text_rules` (re-exported here for the services).
"""

from __future__ import annotations

import re

from orion_desktop.domain.errors import InvalidInput
from orion_desktop.domain.text_rules import (
    clean_code,
    clean_email,
    clean_multiline_text,
    clean_operation_key,
    clean_sku,
    clean_text,
    shown,
)

__all__ = [
    "DEFAULT_LOW_STOCK_THRESHOLD",
    "MAX_CODE_LENGTH",
    "MAX_DIGITS",
    "MAX_QUANTITY",
    "REORDER_POINTS_ON_SCREENS",
    "check_count",
    "check_delta",
    "check_level",
    "check_optional_level",
    "clean_code",
    "clean_email",
    "clean_multiline_text",
    "clean_operation_key",
    "clean_sku",
    "clean_text",
    "decimal_number",
    "foreign_digits_message",
    "has_foreign_digits",
    "normalize_location_code",
    "normalize_store_code",
    "whole_number",
]

MAX_QUANTITY = 10**9
"""Anything above this is a typo or a scanner accident, never a real stock level."""

MAX_DIGITS = 12
"""A number with more digits is refused before it is converted (Python's int() of a few thousand
digits is slow and, past 4,300 digits, an error of its own)."""

_LOCATION_RE = re.compile(r"^[A-Z0-9_.\-]+$")
_STORE_RE = re.compile(r"^[A-Z0-9_\-]+$")
_WHOLE_NUMBER = re.compile(r"[+-]?([0-9]+)")
_DECIMAL_NUMBER = re.compile(r"[+-]?([0-9]+)(?:\.([0-9]+))?")
_ASCII_DIGITS = frozenset("0123456789")
MAX_CODE_LENGTH = 64


def has_foreign_digits(text: str) -> bool:
    """True when ``text`` holds a digit or numeral other than 0-9 (١٢, ０-９, ², Ⅻ, ...)."""
    return any(ch.isnumeric() and ch not in _ASCII_DIGITS for ch in text)


def foreign_digits_message(text: str) -> str:
    """The one sentence for numbers written with other digits, for counts and barcodes alike."""
    return f"{shown(text)} is written with digits other than 0-9; type numbers with the digits 0 to 9."


def whole_number(value: object, what: str) -> int:
    """The one rule for a whole number given as text (or as an int): ASCII digits only, at most
    :data:`MAX_DIGITS` of them, an optional sign. The range is the caller's rule."""
    if isinstance(value, bool):
        raise InvalidInput(f"The {what} must be a whole number.")
    if isinstance(value, int):
        if abs(value) >= 10**MAX_DIGITS:  # also keeps an error message from printing all its digits
            raise InvalidInput(f"The {what} is too large: a number here has at most {MAX_DIGITS} digits.")
        return value
    if isinstance(value, str):
        text = value.strip()
        match = _WHOLE_NUMBER.fullmatch(text)
        if match is not None:
            digits = len(match.group(1))
            if digits > MAX_DIGITS:  # before int(): a 5,000-digit string never reaches it
                raise InvalidInput(
                    f"The {what} is too large: it has {digits:,} digits, and a number here has at most {MAX_DIGITS}."
                )
            return int(text)
        if has_foreign_digits(text):
            raise InvalidInput(foreign_digits_message(text))
        if not text:
            raise InvalidInput(f"The {what} is missing; give a whole number.")
    raise InvalidInput(f"The {what} must be a whole number, not {shown(value)}.")


def decimal_number(value: object, what: str) -> float:
    """A number that may have a fraction (``1.5`` hours), by the same rule as :func:`whole_number`:
    ASCII digits, at most :data:`MAX_DIGITS` before the point; no exponent, inf or nan."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    text = value.strip() if isinstance(value, str) else ""
    match = _DECIMAL_NUMBER.fullmatch(text)
    if match is None:
        if has_foreign_digits(text):
            raise InvalidInput(foreign_digits_message(text))
        raise InvalidInput(f"The {what} must be a number, not {shown(value)}.")
    if len(match.group(1)) > MAX_DIGITS or len(match.group(2) or "") > MAX_DIGITS:
        raise InvalidInput(f"The {what} is too large: a number here has at most {MAX_DIGITS} digits before the point.")
    return float(text)


def _as_int(value: object, what: str) -> int:
    return whole_number(value, what)


def check_count(value: object, what: str = "quantity") -> int:
    """A count of units to move: a positive whole number up to MAX_QUANTITY."""
    number = _as_int(value, what)
    if number <= 0:
        raise InvalidInput(f"The {what} must be at least 1 (got {number}).")
    if number > MAX_QUANTITY:
        raise InvalidInput(f"The {what} {number:,} is too large; the most allowed is {MAX_QUANTITY:,}.")
    return number


def check_level(value: object, what: str = "quantity") -> int:
    """A stock level to set: zero or more, up to MAX_QUANTITY."""
    number = _as_int(value, what)
    if number < 0:
        raise InvalidInput(f"The {what} cannot be negative (got {number}).")
    if number > MAX_QUANTITY:
        raise InvalidInput(f"The {what} {number:,} is too large; the most allowed is {MAX_QUANTITY:,}.")
    return number


def check_delta(value: object, what: str = "change") -> int:
    """A stock adjustment: a non-zero whole number within ±MAX_QUANTITY."""
    number = _as_int(value, what)
    if number == 0:
        raise InvalidInput(f"The {what} must not be zero; use a positive number to add and a negative one to remove.")
    if abs(number) > MAX_QUANTITY:
        raise InvalidInput(f"The {what} {number:,} is too large; the most allowed is ±{MAX_QUANTITY:,}.")
    return number


def check_optional_level(value: object, what: str) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return check_level(value, what)


def normalize_location_code(raw: object) -> str:
    """Trim and UPPERCASE a location code; allow only A-Z 0-9 _ - . (e.g. `` warehouse_a `` -> ``WAREHOUSE_A``)."""
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidInput("A location code is required, for example WAREHOUSE_A.")
    typed = raw.strip()
    if len(typed) > MAX_CODE_LENGTH:
        raise InvalidInput(f"The location code is too long ({len(typed)} characters; at most {MAX_CODE_LENGTH}).")
    # Checked before upper(): "ﬁ".upper() is "FI" and "ß".upper() is "SS", letters that were never typed.
    if not _LOCATION_RE.fullmatch(typed.upper()) or not typed.isascii():
        bad = " ".join(shown(ch) for ch in sorted({ch for ch in typed if not _LOCATION_RE.fullmatch(ch.upper())
                                                    or not ch.isascii()}))
        raise InvalidInput(
            f"The location code {shown(typed)} contains {bad}; use only letters, digits, '_', '-' and '.'."
        )
    return typed.upper()


def normalize_store_code(raw: object) -> str:
    """Trim and UPPERCASE a store code; allow only A-Z 0-9 _ -."""
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidInput("A store code is required, for example MAIN.")
    typed = raw.strip()
    if len(typed) > MAX_CODE_LENGTH or not typed.isascii() or not _STORE_RE.fullmatch(typed.upper()):
        raise InvalidInput(
            f"The store code {shown(typed)} is not valid; use up to {MAX_CODE_LENGTH} letters, digits, '_' or '-'."
        )
    return typed.upper()


DEFAULT_LOW_STOCK_THRESHOLD = 10
"""Applies to products without their own low-stock threshold (the spec's example uses 10)."""

REORDER_POINTS_ON_SCREENS = True
"""The Dashboard's low-stock tile and the Low stock page (as it opens) also count products down to
their reorder point; ``stock low`` and ``stock stats`` do not (services/stock/low_stock.py)."""
