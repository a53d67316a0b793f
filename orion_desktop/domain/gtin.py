"""GS1 GTIN rules: EAN-8, UPC-A, EAN-13 and GTIN-14 are one number in four lengths.

The canonical form is the 14-digit GTIN (zero-padded on the left), so every form of
the same code finds the same product. Check digits are validated by python-stdnum.
"""

from __future__ import annotations

from stdnum import ean
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, ValidationError

from orion_desktop.domain.errors import InvalidInput
from orion_desktop.domain.text_rules import shown
from orion_desktop.domain.validation import foreign_digits_message, has_foreign_digits

PLACEHOLDER_GTIN = "0000000000000"
"""Marks a placeholder product (an unmatched marketplace item). It has no stock."""
_PLACEHOLDER_CANONICAL = PLACEHOLDER_GTIN.rjust(14, "0")
_GTIN_LENGTHS = (8, 12, 13, 14)


def _digits(raw: str) -> str:
    # Scanners and people add spaces or dashes; GS1 digits never contain them.
    return "".join(ch for ch in raw.strip() if ch not in " -")


def looks_like_gtin(raw: str) -> bool:
    """True when the text is 8, 12, 13 or 14 digits (check digit not yet verified).

    Also True for digits other than 0-9 (``١٢٣...``), of any length: meant as a barcode, they
    reach :func:`normalize_gtin` and get the same sentence as any number written that way.
    """
    text = _digits(raw)
    if text.isnumeric() and has_foreign_digits(text):
        return True
    return text.isascii() and text.isdigit() and len(text) in _GTIN_LENGTHS


def is_placeholder(raw: str | None) -> bool:
    """True for the placeholder GTIN 0000000000000 in any length."""
    if not raw:
        return False
    text = _digits(raw)
    return text.isascii() and text.isdigit() and len(text) in _GTIN_LENGTHS and set(text) == {"0"}


def normalize_gtin(raw: str) -> str:
    """Validate a GTIN and return its canonical 14-digit form.

    Raises InvalidInput with a sentence naming what is wrong. The placeholder is accepted.
    """
    text = _digits(raw)
    if is_placeholder(text):
        return _PLACEHOLDER_CANONICAL
    if has_foreign_digits(text):
        raise InvalidInput(foreign_digits_message(raw.strip()))
    if not (text.isascii() and text.isdigit()):
        raise InvalidInput(f"{shown(raw.strip())} is not a barcode: a GTIN has only digits.")
    if len(text) not in _GTIN_LENGTHS:
        raise InvalidInput(
            f"{text} has {len(text)} digits; a GTIN has 8, 12, 13 or 14 digits (EAN-8, UPC-A, EAN-13, GTIN-14)."
        )
    try:
        ean.validate(text)
    except InvalidChecksum:
        expected = ean.calc_check_digit(text[:-1])
        raise InvalidInput(
            f"{text} has a wrong check digit (last digit should be {expected}); "
            "the code was probably mistyped or misread."
        ) from None
    except (InvalidFormat, InvalidLength, InvalidComponent, ValidationError):
        raise InvalidInput(f"{text} is not a valid GTIN.") from None
    return text.rjust(14, "0")


def display_gtin(canonical: str | None) -> str | None:
    """The form people know: 13 digits (EAN-13) unless the GTIN-14 needs all 14."""
    if canonical is None:
        return None
    if len(canonical) == 14 and canonical.startswith("0"):
        return canonical[1:]
    return canonical
