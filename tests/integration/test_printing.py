"""Pick list and packing slip PDFs from the CLI, checked by reading the PDFs' text."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers import ADMIN, seed_catalog
from pypdf import PdfReader

from orion_desktop.__main__ import main
from orion_desktop.bootstrap import Services
from orion_desktop.domain.order_results import OrderLine
from orion_desktop.domain.print_results import PickList, PickRow
from orion_desktop.printing.layout import pick_list_html
from orion_desktop.printing.pdf import write_pdf


@pytest.fixture(autouse=True)
def _session_qt_application(qapp: object) -> None:
    """PDFs need a Qt application: take the session's QApplication, so that the QGuiApplication
    the PDF writer would make on its own is never what a later test's widgets find."""


def pdf_text(path: Path) -> str:
    """The PDF's text with runs of whitespace folded to single spaces."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(path).pages).split())


@pytest.fixture
def orders(services: Services) -> tuple[str, str]:
    seed_catalog(services)
    services.catalog.add_location(ADMIN, "AISLE-1", sort_key=10)
    services.catalog.add_location(ADMIN, "AISLE-9", sort_key=90)
    services.inventory.set_quantity(ADMIN, store="MAIN", product="A", location="AISLE-9", quantity=10)
    services.inventory.set_quantity(ADMIN, store="MAIN", product="B", location="AISLE-1", quantity=10)
    first = services.orders.create_order(ADMIN, store="MAIN", lines=[OrderLine("A", 2), OrderLine("B", 1)],
                                         customer="Jürgen Weiß")
    second = services.orders.create_order(ADMIN, store="MAIN", lines=[OrderLine("B", 4)])
    for number in (first, second):
        services.orders.change_status(ADMIN, number, "processing")
    return first, second


def test_pick_list_pdf_lists_every_line_once_in_location_order(
    orders: tuple[str, str], database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = orders
    target = tmp_path / "pick.pdf"
    assert main(["--db", database_url, "picklist", "--order", first, "--order", second, "--pdf", str(target)]) == 0
    text = pdf_text(target)
    assert "Pick list" in text and first in text and second in text
    words = text.split()
    # Each table row reads: location, SKU, product title (2 words), quantity, order number.
    rows = [tuple(words[i:i + 6]) for i, word in enumerate(words) if word.startswith("AISLE-")]
    expected = [("AISLE-1", "B", "4", second), ("AISLE-1", "B", "1", first), ("AISLE-9", "A", "2", first)]
    # Along the path (location), then by SKU, then by order number.
    assert [(r[0], r[1], r[4], r[5]) for r in rows] == sorted(expected, key=lambda r: (r[0], r[1], r[3]))


def test_packing_slip_pdf_has_the_shipped_lines(
    services: Services, orders: tuple[str, str], database_url: str, tmp_path: Path
) -> None:
    first, _second = orders
    services.orders.ship_item(ADMIN, first, "A", 2, tracking="1Z12345", carrier="UPS")
    target = tmp_path / "slip.pdf"
    assert main(["--db", database_url, "packing-slip", "--order", first, "--pdf", str(target)]) == 0
    text = pdf_text(target)
    assert "Main Store" in text and first in text and "Jürgen Weiß" in text and "1Z12345" in text
    parcel, _, later = text.partition("Still to come")
    assert "Widget A" in parcel and "Widget B" not in parcel
    assert "Widget B" in later


def test_printing_errors_are_sentences(orders: tuple[str, str], database_url: str, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    first, _ = orders
    assert main(["--db", database_url, "packing-slip", "--order", first, "--pdf", str(tmp_path / "s.pdf")]) == 1
    assert "has no shipped shipment yet" in capsys.readouterr().err
    assert main(["--db", database_url, "picklist", "--order", "ORD-NONE", "--pdf", str(tmp_path / "p.pdf")]) == 1
    assert "There is no order ORD-NONE" in capsys.readouterr().err
    assert main(["--db", database_url, "picklist", "--order", first, "--pdf", str(tmp_path / "no" / "p.pdf")]) == 1
    assert "does not exist" in capsys.readouterr().err


def test_a_pick_list_over_several_pages_repeats_its_column_headings_on_each(tmp_path: Path) -> None:
    """A picker holding page 3 still sees which column is the quantity and which the order."""
    rows = tuple(PickRow(f"AISLE-{n // 10:02d}", n, f"SKU-{n:03d}", f"Product {n}", 1 + n % 4, f"ORD-{n % 7:05d}")
                 for n in range(120))
    numbers = tuple(sorted({row.order_number for row in rows}))
    pick = PickList(order_numbers=numbers, rows=rows, created_at=datetime(2026, 12, 5, 9, 0, tzinfo=UTC))
    target = write_pdf(pick_list_html(pick), tmp_path / "long.pdf", "Pick list", database_file=None, overwrite=False)
    pages = [" ".join(page.extract_text().split()) for page in PdfReader(target).pages]
    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        assert "Location SKU Product Qty Order Done" in text, f"page {number} has no column headings"
        # A line is never split over two pages: its tick box is on the page of its product.
        assert text.count("\u2610") == text.count("SKU-"), f"page {number} has a tick box of another page's line"
    every_row = " ".join(pages)
    assert all(f"SKU-{n:03d}" in every_row for n in range(120))
