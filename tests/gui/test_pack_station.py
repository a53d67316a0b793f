"""The pack station driven like a packer with a keyboard-wedge scanner, on SQLite and PostgreSQL.

A scanner types a code's digits and presses Enter (or Tab): the tests do the same with
``keyClicks`` + ``keyClick``. Every refused scan must change nothing: the database is checked
after each completion (shipment lines, item counts, stock rows, the ledger and reservations).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from helpers import ADMIN, GTIN_A, GTIN_B, GTIN_C, assert_ledger_consistent, seed_catalog
from pypdf import PdfReader
from PySide6.QtCore import QModelIndex, Qt, QThreadPool
from PySide6.QtWidgets import QApplication, QFileDialog, QLineEdit, QMessageBox, QWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from orion_desktop.bootstrap import Services
from orion_desktop.db.engine import Database
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.enums import Role
from orion_desktop.domain.errors import Conflict, DatabaseUnavailable
from orion_desktop.domain.order_results import OrderLine
from orion_desktop.domain.orders import OrderStatus
from orion_desktop.domain.packing import PackLine, PackSession, ScanVerdict
from orion_desktop.ui.data_events import DataEvents, Topic
from orion_desktop.ui.models.pack_model import LineState, PackColumn, PackModel, PackRole
from orion_desktop.ui.pages.pack_station_page import PackStationPage, Tone, order_numbers_from
from orion_desktop.ui.widgets.scan_input import ScanInput

PACKER = Actor(name="pat", role=Role.PACKER)
BAD_CHECK_DIGIT = GTIN_A[:-1] + ("2" if GTIN_A[-1] != "2" else "3")  # 4006381333932
PLACEHOLDER = "0000000000000"
UNKNOWN_GTIN = "4000000000006"  # a valid EAN-13 no product has
WAIT_MS = 15_000


# --- fixtures ----------------------------------------------------------------------------------
@pytest.fixture
def _finish_background_work(database: Database) -> Iterator[None]:
    """Set up after the database, so torn down before it: no worker outlives the test's database."""
    yield
    QThreadPool.globalInstance().waitForDone(WAIT_MS)


@dataclass(frozen=True)
class Shop:
    services: Services
    order: str  # A x1, B x2, processing (everything reserved)
    other: str  # A x3, C x1, processing
    cancelled: str


@pytest.fixture
def shop(services: Services) -> Shop:
    """The helpers' catalog; A 10 at AISLE-2, B 10 at AISLE-1, C 5 at AISLE-1; three orders."""
    seed_catalog(services)
    services.catalog.add_location(ADMIN, "AISLE-1", sort_key=10)
    services.catalog.add_location(ADMIN, "AISLE-2", sort_key=20)
    stock = services.inventory
    stock.set_quantity(ADMIN, store="MAIN", product="A", location="AISLE-2", quantity=10)
    stock.set_quantity(ADMIN, store="MAIN", product="B", location="AISLE-1", quantity=10)
    stock.set_quantity(ADMIN, store="MAIN", product="C", location="AISLE-1", quantity=5)
    orders = services.orders
    order = orders.create_order(
        ADMIN, store="MAIN", customer="Ann Archer", lines=[OrderLine("A", 1), OrderLine("B", 2)]
    )
    other = orders.create_order(ADMIN, store="MAIN", customer="Bob Baker", lines=[OrderLine("A", 3), OrderLine("C", 1)])
    for number in (order, other):
        orders.change_status(ADMIN, number, "processing")
    cancelled = orders.create_order(ADMIN, store="MAIN", lines=[OrderLine("A", 1)])
    orders.change_status(ADMIN, cancelled, "cancelled")
    return Shop(services, order, other, cancelled)


class Beeps:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> None:
        self.count += 1


def beeps(page: PackStationPage) -> int:
    """How often the page beeped (the station fixture gave it a Beeps for its alert)."""
    assert isinstance(page.alert, Beeps)
    return page.alert.count


@pytest.fixture
def events() -> DataEvents:
    return DataEvents()


@pytest.fixture
def station(qtbot: QtBot, shop: Shop, events: DataEvents, _finish_background_work: None) -> PackStationPage:
    page = PackStationPage(shop.services, PACKER, events)
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.alert = Beeps()
    page.show()
    qtbot.waitExposed(page)
    return page


# --- driving the station like a person ---------------------------------------------------------
def scan(qtbot: QtBot, page: PackStationPage, code: str, *, key: Qt.Key = Qt.Key.Key_Return) -> None:
    """What a wedge scanner does: the code's characters, then Enter (or Tab)."""
    qtbot.keyClicks(page.scan_input, code)
    qtbot.keyClick(page.scan_input, key)


def press(
    qtbot: QtBot, widget: QWidget, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
) -> None:
    qtbot.keyClick(widget, key, modifier)


def wait_question(qtbot: QtBot, page: PackStationPage) -> QMessageBox:
    qtbot.waitUntil(lambda: page.confirmation is not None and page.confirmation.isVisible(), timeout=WAIT_MS)
    assert page.confirmation is not None
    return page.confirmation


def answer_by_keyboard(qtbot: QtBot, box: QMessageBox, key: Qt.Key) -> None:
    """Enter or Esc to whatever has the focus in the question (its default button)."""
    target = QApplication.focusWidget()
    if target is None or target.window() is not box:
        target = box
    qtbot.keyClick(target, key)


def complete_by_keyboard(qtbot: QtBot, page: PackStationPage, *, confirm: bool | None) -> None:
    """F12; then Enter (confirm=True) or Esc (confirm=False) on the partial-parcel question."""
    if confirm is None:
        with qtbot.waitSignal(page.completed, timeout=WAIT_MS):
            press(qtbot, page.scan_input, Qt.Key.Key_F12)
        return
    press(qtbot, page.scan_input, Qt.Key.Key_F12)
    box = wait_question(qtbot, page)
    if confirm:
        with qtbot.waitSignal(page.completed, timeout=WAIT_MS):
            answer_by_keyboard(qtbot, box, Qt.Key.Key_Return)
    else:
        answer_by_keyboard(qtbot, box, Qt.Key.Key_Escape)
        qtbot.waitUntil(lambda: page.confirmation is None, timeout=WAIT_MS)


def packed_by_sku(page: PackStationPage) -> dict[str, int]:
    session = page.session
    assert session is not None
    return {line.sku: session.packed_for(line.item_id) for line in session.lines}


def stock_of(services: Services, sku: str) -> list[tuple[str, int, int]]:
    return [(s.location, s.quantity, s.reserved_quantity) for s in services.stock.product_stock("MAIN", sku).locations]


def pdf_text(path: Path) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(path).pages).split())


def save_to(monkeypatch: pytest.MonkeyPatch, path: Path) -> list[tuple[Any, ...]]:
    """The save dialog answers ``path``; returns the calls it got (caption, suggested path...)."""
    calls: list[tuple[Any, ...]] = []

    def fake(*args: Any, **kwargs: Any) -> tuple[str, str]:
        calls.append(args)
        return str(path), "PDF files (*.pdf)"

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(fake))
    return calls


# --- the acceptance test of issue 5 ------------------------------------------------------------
def test_pack_an_order_like_a_scanner(qtbot: QtBot, station: PackStationPage, shop: Shop, events: DataEvents,
                                      monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    services, number = shop.services, shop.order
    page = station
    announced: list[frozenset[Topic]] = []
    events.changed.connect(announced.append)
    stock_before = {sku: stock_of(services, sku) for sku in ("A", "B", "C")}

    scan(qtbot, page, number)
    assert page.session is not None and page.session.order_number == number
    assert page.model.rowCount() == 2
    assert page.scan_input.text() == "" and page.scan_input.hasFocus()

    scan(qtbot, page, GTIN_A)  # right item 1
    assert page.tone is Tone.COUNTED
    scan(qtbot, page, GTIN_B)  # right item 2
    assert packed_by_sku(page) == {"A": 1, "B": 1}
    assert beeps(page) == 0

    scan(qtbot, page, GTIN_C)  # a real product, not on this order
    assert page.tone is Tone.REFUSED  # type: ignore[comparison-overlap]  # mypy keeps the tone asserted above
    assert "Wrong item" in page.feedback.text() and "Widget C" in page.feedback.text()
    scan(qtbot, page, BAD_CHECK_DIGIT)
    assert page.tone is Tone.REFUSED and "check digit" in page.feedback.text()
    scan(qtbot, page, GTIN_A)  # A x1 is already in the box
    assert page.tone is Tone.REFUSED and "Too many Widget A" in page.feedback.text()
    assert beeps(page) == 3
    assert packed_by_sku(page) == {"A": 1, "B": 1}  # the refused scans counted nowhere
    assert page.progress_label.text().startswith("2 of 3 units packed")

    # The carrier label into the tracking field (Alt+T), Enter goes back to scanning.
    press(qtbot, page.scan_input, Qt.Key.Key_T, Qt.KeyboardModifier.AltModifier)
    assert page.tracking_edit.hasFocus()
    qtbot.keyClicks(page.tracking_edit, "1Z999AA10123456784")
    press(qtbot, page.tracking_edit, Qt.Key.Key_Return)
    assert page.scan_input.hasFocus()

    press(qtbot, page.scan_input, Qt.Key.Key_F12)
    box = wait_question(qtbot, page)
    question = f"{box.text()} {box.informativeText()}"
    assert "1 unit stays open" in question and "1 × Widget B (B)" in question
    with qtbot.waitSignal(page.completed, timeout=WAIT_MS) as completed:
        answer_by_keyboard(qtbot, box, Qt.Key.Key_Return)
    shipment_id = completed.args[0]

    # Exactly the right shipment.
    detail = services.order_queries.get_order(number)
    assert detail.status is OrderStatus.PARTIALLY_SHIPPED
    assert len(detail.shipments) == 1
    shipment = detail.shipments[0]
    assert shipment.id == shipment_id
    assert shipment.tracking_number == "1Z999AA10123456784"
    assert sorted((line.sku, line.location, line.quantity) for line in shipment.lines) == [
        ("A", "AISLE-2", 1), ("B", "AISLE-1", 1)]
    assert {i.sku: (i.quantity, i.shipped_quantity) for i in detail.items} == {"A": (1, 1), "B": (2, 1)}
    # The refused scans left no trace: C untouched, A and B lost exactly the shipped unit.
    assert stock_of(services, "C") == stock_before["C"] == [("AISLE-1", 5, 1)]  # 1 held for the other order
    assert stock_before["A"] == [("AISLE-2", 10, 4)] and stock_of(services, "A") == [("AISLE-2", 9, 3)]
    assert stock_before["B"] == [("AISLE-1", 10, 2)] and stock_of(services, "B") == [("AISLE-1", 9, 1)]
    assert_ledger_consistent(services)
    status = services.order_queries.shipment_status(number)
    assert status.order_status is OrderStatus.PARTIALLY_SHIPPED
    assert (status.total_shipped_units, status.total_ordered_units) == (2, 3)
    assert {i.product_name: i.shipped_quantity for i in status.items} == {"Widget A": 1, "Widget B": 1}
    assert status.is_partially_shipped and not status.is_fully_shipped

    # The page is ready for the next order and told the others.
    assert frozenset({Topic.ORDERS, Topic.STOCK}) in announced
    assert page.session is None and page.model.rowCount() == 0
    assert page.tone is Tone.DONE and "Shipped 2 units" in page.feedback.text()
    assert "partially shipped" in page.feedback.text()
    qtbot.waitUntil(page.scan_input.hasFocus, timeout=WAIT_MS)  # back from the question's window

    # Ctrl+P: the packing slip of that parcel.
    slip_path = tmp_path / "slip.pdf"
    calls = save_to(monkeypatch, slip_path)
    with qtbot.waitSignal(page.pdfSaved, timeout=WAIT_MS):
        press(qtbot, page.scan_input, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert calls and calls[0][2].endswith(f"packing-slip-{number}.pdf")
    text = pdf_text(slip_path)
    assert f"Packing slip for order {number}" in text and "Ann Archer" in text
    assert "1Z999AA10123456784" in text
    parcel, _, still_open = text.partition("Still to come")
    assert "A Widget A 1" in parcel and "B Widget B 1" in parcel
    assert "B Widget B 1" in still_open and "Widget A" not in still_open

    # The same order again: only B's last unit is open; packing it completes the order.
    scan(qtbot, page, number)
    assert [(line.sku, line.to_pack) for line in page.session.lines] == [("B", 1)]
    scan(qtbot, page, GTIN_B)
    assert "Everything is packed" in page.feedback.text()
    complete_by_keyboard(qtbot, page, confirm=None)  # nothing stays open: no question
    assert services.order_queries.get_order(number).status is OrderStatus.SHIPPED
    assert "The order is complete" in page.feedback.text()
    assert_ledger_consistent(services)


# --- scanning ----------------------------------------------------------------------------------
def test_undo_takes_back_the_last_counted_scan(qtbot: QtBot, station: PackStationPage, shop: Shop) -> None:
    page = station
    scan(qtbot, page, shop.other)  # A x3, C x1
    press(qtbot, page.scan_input, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert "Nothing to undo" in page.feedback.text()
    scan(qtbot, page, GTIN_A)
    scan(qtbot, page, "2*" + GTIN_A)
    scan(qtbot, page, GTIN_C)
    assert packed_by_sku(page) == {"A": 3, "C": 1}
    press(qtbot, page.scan_input, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert packed_by_sku(page) == {"A": 3, "C": 0}
    assert "Took back 1 Widget C" in page.feedback.text()
    press(qtbot, page.scan_input, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # the 2* scan, whole
    assert packed_by_sku(page) == {"A": 1, "C": 0}
    assert page.scan_input.hasFocus() and beeps(page) == 0
    complete_by_keyboard(qtbot, page, confirm=True)
    detail = shop.services.order_queries.get_order(shop.other)
    assert [(line.sku, line.quantity) for line in detail.shipments[0].lines] == [("A", 1)]
    assert_ledger_consistent(shop.services)


def test_tab_ends_a_scan_and_keeps_the_focus(qtbot: QtBot, station: PackStationPage, shop: Shop) -> None:
    page = station
    scan(qtbot, page, shop.order, key=Qt.Key.Key_Tab)
    assert page.session is not None and page.scan_input.hasFocus()
    scan(qtbot, page, GTIN_B, key=Qt.Key.Key_Tab)
    scan(qtbot, page, GTIN_B + "\t")  # a scanner that sends Tab itself, then Enter on an empty field
    assert packed_by_sku(page) == {"A": 0, "B": 2}
    assert page.scan_input.hasFocus() and page.scan_input.text() == ""


def test_quantity_prefix_counts_several_units(qtbot: QtBot, station: PackStationPage, shop: Shop) -> None:
    page = station
    scan(qtbot, page, shop.other)
    scan(qtbot, page, "3*" + GTIN_A)
    assert packed_by_sku(page) == {"A": 3, "C": 0}
    assert page.session is not None
    row = page.model.row_of_item(next(line.item_id for line in page.session.lines if line.sku == "A"))
    assert row is not None
    assert page.model.index(row, PackColumn.PACKED).data() == "3 ✓"
    assert page.model.index(row, 0).data(PackRole.HIGHLIGHTED) is True
    assert page.model.index(row, 0).data(PackRole.STATE) is LineState.PACKED
    scan(qtbot, page, "2*" + GTIN_C)  # C x1 on the order: refused as a whole
    assert page.tone is Tone.REFUSED and "only 1 more needed" in page.feedback.text()
    scan(qtbot, page, "0*" + GTIN_C)
    assert page.tone is Tone.REFUSED and "at least 1" in page.feedback.text()
    assert packed_by_sku(page) == {"A": 3, "C": 0}
    assert beeps(page) == 2


def test_a_long_customer_name_is_cut_short_and_kept_whole_in_the_tooltip(
    qtbot: QtBot, station: PackStationPage, shop: Shop
) -> None:
    name = "Grosshandel " + "Sehr Lange Firmenbezeichnung " * 8
    number = shop.services.orders.create_order(ADMIN, store="MAIN", customer=name, lines=[OrderLine("B", 1)])
    shop.services.orders.change_status(ADMIN, number, "processing")
    width_before = station.minimumSizeHint().width()
    scan(qtbot, station, number)
    label = station.order_label
    assert label.text().startswith(f"Order {number} · Processing · for Grosshandel Sehr Lange")
    assert label.text().endswith("…") and len(label.text()) < len(name)
    assert label.toolTip() == name.strip()
    assert station.minimumSizeHint().width() <= max(width_before, 1100)  # the page does not grow with the name


def test_placeholder_and_unknown_codes_are_refused(qtbot: QtBot, station: PackStationPage, shop: Shop) -> None:
    page = station
    results: list[Any] = []
    page.scanHandled.connect(results.append)
    scan(qtbot, page, shop.order)
    assert page.order_label.text() == f"Order {shop.order} · Processing · for Ann Archer"
    scan(qtbot, page, PLACEHOLDER)
    assert page.tone is Tone.REFUSED and "placeholder" in page.feedback.text()
    scan(qtbot, page, UNKNOWN_GTIN)
    assert "Unknown code 4000000000006" in page.feedback.text()
    scan(qtbot, page, "12345")  # too short for a barcode
    scan(qtbot, page, "NO-SUCH-SKU")
    assert [r.verdict for r in results] == [ScanVerdict.PLACEHOLDER, ScanVerdict.UNKNOWN, ScanVerdict.BAD_CODE,
                                            ScanVerdict.UNKNOWN]
    scan(qtbot, page, "B")  # a SKU typed by hand counts like its barcode
    assert packed_by_sku(page) == {"A": 0, "B": 1}
    assert beeps(page) == 4


def test_orders_that_are_not_open_are_refused(qtbot: QtBot, station: PackStationPage, shop: Shop) -> None:
    page = station
    scan(qtbot, page, shop.cancelled)
    assert page.session is None
    assert page.tone is Tone.REFUSED
    assert f"Order {shop.cancelled} is cancelled; there is nothing to pack." in page.feedback.text()
    scan(qtbot, page, "ORD-NOPE")
    assert "There is no order ORD-NOPE." in page.feedback.text()
    assert beeps(page) == 2
    # An order number while an order is on the station: switches while nothing is packed ...
    scan(qtbot, page, shop.order)
    scan(qtbot, page, shop.other)
    assert page.session is not None and page.session.order_number == shop.other
    # ... and is refused once something is in the box.
    scan(qtbot, page, GTIN_A)
    scan(qtbot, page, shop.order)
    assert page.session.order_number == shop.other
    assert page.tone is Tone.REFUSED and "still on the station" in page.feedback.text()


def test_complete_refusals_and_keep_packing(qtbot: QtBot, station: PackStationPage, shop: Shop) -> None:
    page = station
    # No order on the station: Complete is disabled (issue 11, item 9), so F12 does nothing.
    assert not page.complete_action.isEnabled()
    before = page.feedback.text()
    press(qtbot, page.scan_input, Qt.Key.Key_F12)
    assert page.feedback.text() == before and page.confirmation is None
    scan(qtbot, page, shop.order)
    press(qtbot, page.scan_input, Qt.Key.Key_F12)
    assert "Nothing is packed yet" in page.feedback.text() and page.confirmation is None
    scan(qtbot, page, GTIN_A)
    complete_by_keyboard(qtbot, page, confirm=False)  # Esc: keep packing, nothing shipped
    assert packed_by_sku(page) == {"A": 1, "B": 0}
    assert shop.services.order_queries.get_order(shop.order).shipments == ()
    # Ctrl+Enter is the same key as F12.
    press(qtbot, page.scan_input, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    box = wait_question(qtbot, page)
    answer_by_keyboard(qtbot, box, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: page.confirmation is None, timeout=WAIT_MS)
    assert page.session is not None and page.scan_input.hasFocus()


def test_put_aside_asks_and_defaults_to_keep_packing(qtbot: QtBot, station: PackStationPage, shop: Shop) -> None:
    page = station
    scan(qtbot, page, shop.order)
    scan(qtbot, page, GTIN_A)
    press(qtbot, page.scan_input, Qt.Key.Key_Escape)
    box = wait_question(qtbot, page)
    answer_by_keyboard(qtbot, box, Qt.Key.Key_Return)  # a stray scanner Enter keeps the packing
    qtbot.waitUntil(lambda: page.confirmation is None, timeout=WAIT_MS)
    assert packed_by_sku(page) == {"A": 1, "B": 0}
    press(qtbot, page.scan_input, Qt.Key.Key_Escape)
    box = wait_question(qtbot, page)
    qtbot.mouseClick(page.button_of(box, QMessageBox.ButtonRole.AcceptRole), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.session is None, timeout=WAIT_MS)
    assert "put aside; nothing was shipped" in page.feedback.text()
    press(qtbot, page.scan_input, Qt.Key.Key_Escape)  # nothing on the station: nothing happens
    assert page.confirmation is None
    assert shop.services.order_queries.get_order(shop.order).shipments == ()


def test_a_failed_completion_keeps_the_box_and_retries_with_the_same_key(
    qtbot: QtBot, station: PackStationPage, shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    page, packing = station, shop.services.packing
    keys: list[str | None] = []
    real_complete = packing.complete

    def failing(*args: Any, **kwargs: Any) -> Any:
        keys.append(kwargs.get("operation_key"))
        raise DatabaseUnavailable("The database cannot be reached. Check the network and try again.")

    monkeypatch.setattr(packing, "complete", failing)
    scan(qtbot, page, shop.order)
    scan(qtbot, page, GTIN_A)
    scan(qtbot, page, "2*" + GTIN_B)
    press(qtbot, page.scan_input, Qt.Key.Key_F12)
    qtbot.waitUntil(lambda: page.tone is Tone.REFUSED and not page.busy, timeout=WAIT_MS)
    assert page.feedback.text() == "✗ Not shipped: The database cannot be reached. Check the network and try again."
    assert packed_by_sku(page) == {"A": 1, "B": 2}  # the box is still packed

    def recording(*args: Any, **kwargs: Any) -> Any:
        keys.append(kwargs.get("operation_key"))
        return real_complete(*args, **kwargs)

    monkeypatch.setattr(packing, "complete", recording)
    complete_by_keyboard(qtbot, page, confirm=None)
    assert len(keys) == 2 and keys[0] == keys[1] and keys[0]
    assert shop.services.order_queries.get_order(shop.order).status is OrderStatus.SHIPPED

    # A new parcel gets a new key.
    scan(qtbot, page, shop.other)
    scan(qtbot, page, GTIN_C)
    complete_by_keyboard(qtbot, page, confirm=True)
    assert len(keys) == 3 and keys[2] != keys[0]
    assert_ledger_consistent(shop.services)


def test_service_errors_are_sentences_and_the_page_stays_usable(
    qtbot: QtBot, station: PackStationPage, shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    page, packing = station, shop.services.packing
    real_open = packing.open_order

    def broken(_number: str) -> Any:
        raise RuntimeError("connection reset by peer\nTraceback (most recent call last): ...")

    monkeypatch.setattr(packing, "open_order", broken)
    scan(qtbot, page, shop.order)
    assert page.tone is Tone.REFUSED and "Traceback" not in page.feedback.text()
    assert "Something went wrong" in page.feedback.text()
    monkeypatch.setattr(packing, "open_order", real_open)

    def conflicting(*_args: Any, **_kwargs: Any) -> Any:
        raise Conflict("Another workstation is changing this item; try again.")

    scan(qtbot, page, shop.order)
    monkeypatch.setattr(packing, "product_name", conflicting)
    scan(qtbot, page, GTIN_C)  # not on the order: the lookup fails
    assert page.feedback.text() == "✗ Another workstation is changing this item; try again."
    scan(qtbot, page, GTIN_A)  # on the order: no lookup at all
    assert page.tone is Tone.COUNTED  # type: ignore[comparison-overlap]  # mypy keeps the tone asserted above
    assert packed_by_sku(page) == {"A": 1, "B": 0}


# --- documents ---------------------------------------------------------------------------------
def test_pick_list_for_a_batch_of_orders(qtbot: QtBot, station: PackStationPage, shop: Shop,
                                         monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    page = station
    target = tmp_path / "batch"  # the extension is added
    calls = save_to(monkeypatch, target)
    page.pick_orders_edit.setFocus()
    qtbot.keyClicks(page.pick_orders_edit, f"{shop.order}, {shop.other} {shop.order}")
    with qtbot.waitSignal(page.pdfSaved, timeout=WAIT_MS) as saved:
        press(qtbot, page.pick_orders_edit, Qt.Key.Key_Return)
    assert saved.args == [str(tmp_path / "batch.pdf")]
    assert calls[0][2].endswith(f"pick-list-{shop.order}-and-1-more.pdf")
    reader = PdfReader(tmp_path / "batch.pdf")
    box = reader.pages[0].mediabox
    assert box.width < box.height  # portrait, for a clipboard (issue 11, item 13)
    text = pdf_text(tmp_path / "batch.pdf")
    rows = [
        ("AISLE-1", "B", 2, shop.order),
        ("AISLE-1", "C", 1, shop.other),
        ("AISLE-2", "A", 1, shop.order),
        ("AISLE-2", "A", 3, shop.other),
    ]
    positions: dict[str, list[int]] = {"AISLE-1": [], "AISLE-2": []}
    for location, sku, quantity, number in rows:
        title = {"A": "Widget A", "B": "Widget B", "C": "Widget C"}[sku]
        line = f"{location} {sku} {title} {quantity} {number}"
        assert text.count(line) == 1, line
        positions[location].append(text.index(line))
    assert positions["AISLE-1"] == sorted(positions["AISLE-1"])  # then by SKU
    assert max(positions["AISLE-1"]) < min(positions["AISLE-2"])  # along the picking path
    assert "4 lines, 7 units" in text
    assert "Saved the pick list for 2 orders (4 lines, 7 units)" in page.feedback.text()


def test_pick_list_of_the_order_on_the_station(qtbot: QtBot, station: PackStationPage, shop: Shop,
                                               monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    page = station
    save_to(monkeypatch, tmp_path / "one.pdf")
    press(qtbot, page.scan_input, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert "Type or scan the order numbers" in page.feedback.text()
    assert page.pick_orders_edit.hasFocus()
    page.scan_input.setFocus()
    scan(qtbot, page, shop.other)
    with qtbot.waitSignal(page.pdfSaved, timeout=WAIT_MS):
        press(
            qtbot, page.scan_input, Qt.Key.Key_P,
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
        )
    text = pdf_text(tmp_path / "one.pdf")
    assert f"Orders: {shop.other}" in text and shop.order not in text


def test_document_errors_are_shown_in_the_banner(qtbot: QtBot, station: PackStationPage, shop: Shop,
                                                 monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    page = station
    save_to(monkeypatch, tmp_path / "missing-folder" / "pick.pdf")
    qtbot.keyClicks(page.pick_orders_edit, shop.order)
    press(qtbot, page.pick_orders_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.banner.text != "", timeout=WAIT_MS)
    assert "does not exist" in page.banner.text
    page.pick_orders_edit.clear()
    qtbot.keyClicks(page.pick_orders_edit, "ORD-NOPE ORD-GONE")
    save_to(monkeypatch, tmp_path / "pick.pdf")
    press(qtbot, page.pick_orders_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "There is no order" in page.banner.text, timeout=WAIT_MS)
    assert "ORD-NOPE, ORD-GONE" in page.banner.text
    # Cancelling the save dialog does nothing.
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: ("", "")))
    press(qtbot, page.pick_orders_edit, Qt.Key.Key_Return)
    assert not (tmp_path / "pick.pdf").exists()
    # No parcel shipped yet: Packing slip is disabled (issue 11, item 9) and Ctrl+P saves nothing.
    assert not page.slip_action.isEnabled()
    saved: list[str] = []
    page.pdfSaved.connect(saved.append)
    press(qtbot, page.scan_input, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert saved == []


def test_order_numbers_from_text() -> None:
    assert order_numbers_from(" ORD-1, ORD-2;ORD-3\tORD-1 ") == ["ORD-1", "ORD-2", "ORD-3"]
    assert order_numbers_from("  ") == []


def test_screenshot_mid_pack(qtbot: QtBot, station: PackStationPage, shop: Shop) -> None:
    """A refused scan on screen; saved for a person to look at (not compared)."""
    page = station
    page.resize(1180, 640)
    scan(qtbot, page, shop.other)
    scan(qtbot, page, "2*" + GTIN_A)
    scan(qtbot, page, GTIN_B)  # Widget B is not on this order
    qtbot.keyClicks(page.tracking_edit, "1Z999AA10123456784")
    page.scan_input.setFocus()
    assert page.tone is Tone.REFUSED
    qtbot.wait(50)  # let the layouts catch up, as the event loop would between scans
    assert page.grab().save(str(Path(tempfile.gettempdir()) / "pack_station.png"))


# --- the model ---------------------------------------------------------------------------------
def _lines() -> tuple[PackLine, ...]:
    return (
        PackLine(1, "A", "Widget A", "04006381333931", ordered=3, shipped=1),
        PackLine(2, "B", "Widget B", None, ordered=2, shipped=0),
        PackLine(3, "EBOOK", "Manual (PDF)", None, ordered=1, shipped=0, physical=False),
    )


def test_pack_model_passes_qt_model_tester(qtmodeltester: ModelTester) -> None:
    model = PackModel()
    qtmodeltester.check(model)
    session = PackSession("ORD-1", _lines())
    model.set_session(session)
    qtmodeltester.check(model)  # keeps watching from here on
    assert session.scan("4006381333931", lambda _code: None).accepted
    model.line_changed(1)
    model.highlight(1)
    model.highlight(2)
    model.set_session(None)
    assert model.rowCount() == 0


def test_pack_model_python_tester_and_roles(qtmodeltester: ModelTester) -> None:
    model = PackModel()
    session = PackSession("ORD-1", _lines())
    model.set_session(session)
    qtmodeltester.check(model, force_py=True)
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in PackColumn] == [
        "Product", "Location", "SKU", "GTIN", "Ordered", "Shipped", "To pack", "Packed now"]
    a = model.index(0, 0)
    assert model.index(0, PackColumn.GTIN).data() == "4006381333931"  # shown as EAN-13
    assert model.index(0, PackColumn.GTIN).data(PackRole.VALUE) == "04006381333931"
    assert model.index(0, PackColumn.TO_PACK).data() == "2"
    assert a.data(PackRole.STATE) is LineState.OPEN and a.data(PackRole.PACKED) == 0
    session.scan("A", lambda _code: None)
    model.line_changed(1)
    assert a.data(PackRole.STATE) is LineState.PARTLY_PACKED and a.data(PackRole.PACKED) == 1
    assert model.index(0, PackColumn.TO_PACK).data() == "1"  # counts down as the box fills
    assert a.data(PackRole.LINE) == _lines()[0] and a.data(PackRole.ITEM_ID) == 1
    assert model.index(2, PackColumn.PACKED).data() == "—"
    assert model.index(2, 0).data(PackRole.STATE) is LineState.NOTHING_TO_PACK
    assert model.index(0, 0, QModelIndex()).data(Qt.ItemDataRole.BackgroundRole) is None
    model.highlight(1)
    assert model.index(0, 0).data(Qt.ItemDataRole.BackgroundRole) is not None
    assert model.data(QModelIndex()) is None
    assert model.rowCount(a) == 0 and model.columnCount(a) == 0


# --- the scan field on its own -----------------------------------------------------------------
ScanField = tuple[ScanInput, QLineEdit, list[str]]  # the scan input, another field, what it announced


@pytest.fixture
def scan_field(qtbot: QtBot) -> Iterator[ScanField]:
    window = QWidget()
    qtbot.addWidget(window)
    field = ScanInput(window)
    other = QLineEdit(window)
    field.move(0, 0)
    other.move(0, 40)
    got: list[str] = []
    field.scanned.connect(got.append)
    window.show()
    qtbot.waitExposed(window)
    field.setFocus()
    yield field, other, got
    del window


def test_scan_input_cleans_and_ends_on_enter_or_tab(qtbot: QtBot, scan_field: ScanField) -> None:
    field, other, got = scan_field
    qtbot.keyClicks(field, "  4006381333931 ")
    qtbot.keyClick(field, Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier)
    field.setText("\x1d5*4006381333931\r")  # a GS separator and a CR from the scanner
    qtbot.keyClick(field, Qt.Key.Key_Tab)
    assert got == ["4006381333931", "5*4006381333931"]
    assert field.hasFocus() and field.text() == ""
    qtbot.keyClick(field, Qt.Key.Key_Return)  # blank: nothing
    assert len(got) == 2
    qtbot.keyClick(field, Qt.Key.Key_Tab)  # blank: Tab moves on, as everywhere
    assert other.hasFocus()


def test_scan_input_tells_a_scanner_from_a_hand(qtbot: QtBot, scan_field: ScanField) -> None:
    field, _other, got = scan_field
    qtbot.keyClicks(field, "4006381333931")  # no pause between keys
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert field.last_was_scanner and len(field.last_key_intervals_ms) == 12
    qtbot.keyClicks(field, "ABC1", delay=30)  # about 60 ms between keys
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert not field.last_was_scanner and min(field.last_key_intervals_ms) >= 35
    assert got == ["4006381333931", "ABC1"]


def test_scan_input_as_a_search_box_keeps_the_text(qtbot: QtBot, scan_field: ScanField) -> None:
    field, _other, got = scan_field
    field.clear_after_scan = False
    qtbot.keyClicks(field, "4006381333931 ")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert field.text() == "4006381333931" and field.selectedText() == "4006381333931"  # a burst: selected
    qtbot.keyClicks(field, "5901234123457")  # the next scan replaces it
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert got == ["4006381333931", "5901234123457"]
    field.clear()
    qtbot.keyClicks(field, "wid", delay=30)
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert field.text() == "wid" and field.selectedText() == ""  # typed: stays editable


def test_scan_input_passes_chosen_shortcuts_to_the_window(qtbot: QtBot, scan_field: ScanField) -> None:
    from PySide6.QtGui import QAction, QKeySequence

    field, _other, _got = scan_field
    fired: list[str] = []
    action = QAction("Undo last scan", field.window())
    action.setShortcut(QKeySequence("Ctrl+Z"))
    action.triggered.connect(lambda: fired.append("undo"))
    field.window().addAction(action)
    qtbot.keyClick(field, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert fired == []  # the line edit's own undo took it
    field.pass_shortcuts(["Ctrl+Z"])
    qtbot.keyClick(field, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert fired == ["undo"]


# --- in the main window ------------------------------------------------------------------------
def test_in_the_main_window_by_keyboard_only(qtbot: QtBot, shop: Shop, _finish_background_work: None,
                                            tmp_path: Path) -> None:
    from PySide6.QtCore import QSettings

    from orion_desktop.ui.main_window import MainWindow

    window = MainWindow(
        shop.services, PACKER, settings=QSettings(str(tmp_path / "gui.ini"), QSettings.Format.IniFormat)
    )
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
    page = window.pack_station_page
    page.alert = Beeps()
    row = window.pages.index(page)
    # Away from the station its keys do nothing.
    press(qtbot, window, Qt.Key.Key_F12)
    assert page.confirmation is None and "Scan an order number first" not in page.feedback.text()
    # Ctrl+<n> opens the station; the scan field takes the keyboard at once.
    press(qtbot, window, getattr(Qt.Key, f"Key_{row + 1}"), Qt.KeyboardModifier.ControlModifier)
    assert window.current_page is page
    qtbot.waitUntil(page.scan_input.hasFocus, timeout=WAIT_MS)
    scanner = QApplication.focusWidget()
    assert scanner is page.scan_input
    for code in (shop.order, GTIN_A, GTIN_B, GTIN_C):
        qtbot.keyClicks(scanner, code)
        qtbot.keyClick(scanner, Qt.Key.Key_Return)
    assert packed_by_sku(page) == {"A": 1, "B": 1} and beeps(page) == 1
    press(qtbot, scanner, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert packed_by_sku(page) == {"A": 1, "B": 0}
    scan(qtbot, page, GTIN_B)
    assert [a.text() for a in window.edit_menu.actions()][:2] == ["&Undo last scan", "&Complete parcel"]
    complete_by_keyboard(qtbot, page, confirm=True)
    detail = shop.services.order_queries.get_order(shop.order)
    assert detail.status is OrderStatus.PARTIALLY_SHIPPED
    assert sorted((line.sku, line.quantity) for line in detail.shipments[0].lines) == [("A", 1), ("B", 1)]
    assert_ledger_consistent(shop.services)


def test_a_line_with_nothing_reserved_says_so_in_the_location(
    qtbot: QtBot, station: PackStationPage, shop: Shop
) -> None:
    services = shop.services
    services.catalog.add_product(ADMIN, store="MAIN", sku="D", title="Widget D")  # no stock anywhere
    number = services.orders.create_order(
        ADMIN, store="MAIN", customer="Cleo Clark", lines=[OrderLine("A", 1), OrderLine("D", 2)]
    )
    services.orders.change_status(ADMIN, number, "processing")  # A is reserved at AISLE-2, D waits for stock
    scan(qtbot, station, number)
    assert station.session is not None and station.session.order_number == number
    model, table = station.model, station.table
    rows = {model.index(r, PackColumn.SKU).data(): r for r in range(model.rowCount())}
    reserved, waiting = model.index(rows["A"], PackColumn.LOCATION), model.index(rows["D"], PackColumn.LOCATION)
    assert reserved.data() == "AISLE-2"
    assert waiting.data() == "not reserved"  # was blank, which looked like a fault
    assert "reserved" in waiting.data(Qt.ItemDataRole.ToolTipRole)
    assert waiting.data(Qt.ItemDataRole.ForegroundRole) is not None  # muted, unlike a real location
    assert reserved.data(Qt.ItemDataRole.ForegroundRole) is None
    text_width = table.fontMetrics().horizontalAdvance("not reserved")
    assert table.columnWidth(PackColumn.LOCATION) > text_width  # shown whole
