"""What a keyboard-wedge scanner (or a person) typed: cleaned up and split into quantity and code.

Scanners type the code's digits and press Enter (or Tab), faster than any person; some add a
prefix character or stray control bytes. A packer may type a quantity prefix ``5*`` before a scan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from orion_desktop.domain.errors import InvalidInput
from orion_desktop.domain.text_rules import refuse_hidden_characters
from orion_desktop.domain.validation import MAX_QUANTITY, whole_number

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Any digits (Unicode too) before the separator: whole_number then refuses digits other than 0-9
# and overlong numbers with the same sentence as every other number.
_QUANTITY_PREFIX = re.compile(r"^\s*(\d+)\s*[*xX×]\s*(.*)$")
_NEGATIVE_PREFIX = re.compile(r"^\s*[-−–]\s*\d+\s*[*xX×]")
"""``-1*GTIN``: a count below one, not a code (it was looked up as a product and called unknown)."""
MAX_SCAN_QUANTITY = 9999
"""A quantity prefix above this is a typo (or a barcode scanned into the quantity)."""

SCANNER_MAX_MS_PER_KEY = 35
"""Keystrokes closer together than this, on average, come from a scanner, not a hand."""


@dataclass(frozen=True, slots=True)
class ScanInput:
    code: str
    quantity: int = 1


def clean_scan(raw: str) -> str:
    """Drop control characters (GS separators, CR, TAB) and surrounding whitespace."""
    return _CONTROL.sub("", raw).strip()


def parse_scan(raw: str) -> ScanInput:
    """``"5*4006381333931"`` -> ScanInput("4006381333931", 5). Refuses empty input and silly quantities."""
    text = clean_scan(raw)
    refuse_hidden_characters(text, "scan")  # zero-width or bidi characters pasted in, never a scanner's
    quantity = 1
    if _NEGATIVE_PREFIX.match(text):
        raise InvalidInput("The quantity before * must be at least 1.")
    match = _QUANTITY_PREFIX.match(text)
    if match:
        quantity = whole_number(match.group(1), "quantity before *")
        text = match.group(2).strip()
        if quantity < 1:
            raise InvalidInput("The quantity before * must be at least 1.")
        if quantity > min(MAX_SCAN_QUANTITY, MAX_QUANTITY):
            raise InvalidInput(f"{quantity} is too many for one scan; the most is {MAX_SCAN_QUANTITY}.")
    if not text:
        raise InvalidInput("Nothing was scanned." if not match else f"Scan the item after {quantity}*.")
    return ScanInput(code=text, quantity=quantity)


def looks_like_scanner(key_intervals_ms: list[float]) -> bool:
    """True when keystrokes arrived at scanner speed (needs at least 4 keys to judge)."""
    if len(key_intervals_ms) < 3:
        return False
    return sum(key_intervals_ms) / len(key_intervals_ms) <= SCANNER_MAX_MS_PER_KEY
