"""Input rules: counts, deltas, codes. Each raises InvalidInput with a plain sentence."""

from __future__ import annotations

import re

from orion_desktop.domain.errors import InvalidInput

MAX_QUANTITY = 10**9
"""Anything above this is a typo or a scanner accident, never a real stock level."""

_LOCATION_RE = re.compile(r"^[A-Z0-9_.\-]+$")
_STORE_RE = re.compile(r"^[A-Z0-9_\-]+$")
MAX_CODE_LENGTH = 64


def _as_int(value: object, what: str) -> int:
    if isinstance(value, bool):
        raise InvalidInput(f"The {what} must be a whole number.")
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"[+-]?\d+", text):
            return int(text)
    raise InvalidInput(f"The {what} must be a whole number, not {value!r}.")


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
    code = raw.strip().upper()
    if len(code) > MAX_CODE_LENGTH:
        raise InvalidInput(f"The location code is too long ({len(code)} characters; at most {MAX_CODE_LENGTH}).")
    if not _LOCATION_RE.match(code):
        bad = sorted({ch for ch in code if not re.match(r"[A-Z0-9_.\-]", ch)})
        shown = " ".join(repr(ch) for ch in bad)
        raise InvalidInput(
            f"The location code {raw.strip()!r} contains {shown}; use only letters, digits, '_', '-' and '.'."
        )
    return code


def normalize_store_code(raw: object) -> str:
    """Trim and UPPERCASE a store code; allow only A-Z 0-9 _ -."""
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidInput("A store code is required, for example MAIN.")
    code = raw.strip().upper()
    if len(code) > MAX_CODE_LENGTH or not _STORE_RE.match(code):
        raise InvalidInput(
            f"The store code {raw.strip()!r} is not valid; use up to {MAX_CODE_LENGTH} letters, digits, '_' or '-'."
        )
    return code


def clean_text(raw: object, what: str, *, required: bool = True, max_length: int = 255) -> str | None:
    """Trim free text; refuse empty required text and over-long text."""
    if raw is None:
        if required:
            raise InvalidInput(f"A {what} is required.")
        return None
    if not isinstance(raw, str):
        raise InvalidInput(f"The {what} must be text.")
    text = " ".join(raw.split())
    if not text:
        if required:
            raise InvalidInput(f"A {what} is required.")
        return None
    if len(text) > max_length:
        raise InvalidInput(f"The {what} is too long ({len(text)} characters; at most {max_length}).")
    return text


def clean_sku(raw: object) -> str:
    sku = clean_text(raw, "SKU", max_length=64)
    assert sku is not None
    if " " in sku:
        raise InvalidInput(f"The SKU {sku!r} contains spaces; a SKU is one word such as ABC-123.")
    return sku


DEFAULT_LOW_STOCK_THRESHOLD = 10
"""Applies to products without their own low-stock threshold (the seed's example uses 10)."""
