"""Scan input and the pack session: pure rules with real codes, no database, no Qt."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orion_desktop.domain.errors import InvalidInput
from orion_desktop.domain.packing import PackLine, PackSession, ScanVerdict
from orion_desktop.domain.scanning import clean_scan, looks_like_scanner, parse_scan

HEADPHONES = "4006381333931"  # EAN-13
PENS_UPC = "036000291452"  # UPC-A of 0036000291452
CATALOG = {"05901234123457": "Cable (other order)"}


def known(code: str) -> str | None:
    return CATALOG.get(code)


def session() -> PackSession:
    return PackSession(
        "ORD-1",
        (
            PackLine(1, "HP-1", "Headphones", "04006381333931", ordered=2, shipped=0),
            PackLine(2, "PEN", "Pens", "00036000291452", ordered=5, shipped=3),
            PackLine(3, "EBOOK", "Manual", None, ordered=1, shipped=0, physical=False),
        ),
    )


def test_scanner_input_is_cleaned() -> None:
    assert clean_scan("\x1d4006381333931\r\n") == HEADPHONES
    assert parse_scan(" 3*4006381333931\t").quantity == 3
    assert parse_scan("2 x HP-1").code == "HP-1"
    for bad, fragment in (("", "Nothing"), ("5*", "after 5*"), ("0*HP-1", "at least 1"), ("99999*HP-1", "too many")):
        with pytest.raises(InvalidInput, match=fragment):
            parse_scan(bad)


def test_scanner_speed() -> None:
    assert looks_like_scanner([8, 9, 7, 10, 8])
    assert not looks_like_scanner([120, 180, 95, 140])
    assert not looks_like_scanner([5])


def test_right_items_count_and_any_gtin_form_works() -> None:
    pack = session()
    assert pack.scan(HEADPHONES, known).accepted
    assert pack.scan("0" + HEADPHONES, known).accepted
    assert pack.scan(PENS_UPC, known).accepted  # UPC-A finds the EAN-13/GTIN-14 line
    assert pack.scan("PEN", known).accepted  # typed SKU
    assert pack.packed == {1: 2, 2: 2}
    assert pack.is_complete


@pytest.mark.parametrize(
    ("code", "verdict", "fragment"),
    [
        ("5901234123457", ScanVerdict.WRONG_ITEM, "Wrong item: Cable"),
        ("4012345678901", ScanVerdict.UNKNOWN, "Unknown code"),
        ("4006381333932", ScanVerdict.BAD_CODE, "check digit"),
        ("12345", ScanVerdict.BAD_CODE, "not a barcode"),
        ("0000000000000", ScanVerdict.PLACEHOLDER, "placeholder"),
        ("EBOOK", ScanVerdict.NOT_PACKABLE, "nothing to pack"),
        ("3*PEN", ScanVerdict.OVER_SCAN, "only 2 more needed"),
    ],
)
def test_refused_scans_count_nowhere(code: str, verdict: ScanVerdict, fragment: str) -> None:
    pack = session()
    result = pack.scan(code, known)
    assert result.verdict is verdict and fragment in result.message
    assert pack.packed == {} and pack.is_empty


def test_over_scan_after_the_line_is_full_and_undo() -> None:
    pack = session()
    pack.scan("2*HP-1", known)
    refused = pack.scan(HEADPHONES, known)
    assert refused.verdict is ScanVerdict.OVER_SCAN and "every unit is already packed" in refused.message
    undone = pack.undo_last()
    assert undone is not None and pack.packed_for(1) == 0
    assert pack.undo_last() is None
    assert [(line.sku, units) for line, units in pack.left_open()] == [("HP-1", 2), ("PEN", 2)]


@given(st.lists(st.sampled_from([HEADPHONES, PENS_UPC, "PEN", "HP-1", "5901234123457", "4006381333932", "2*PEN"]),
                max_size=30))
def test_packed_never_exceeds_what_is_open_and_undo_restores(scans: list[str]) -> None:
    pack = session()
    for code in scans:
        pack.scan(code, known)
        for line in pack.lines:
            assert 0 <= pack.packed_for(line.item_id) <= line.to_pack
    while pack.undo_last() is not None:
        pass
    assert pack.is_empty
