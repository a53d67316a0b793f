"""Issue 11, "Defects seen in the window": each numbered defect driven as a new user met it.

Each test failed on the code before the fix (the issue's first acceptance line). Items 2, 6, 10
and 11 have their own modules (``test_window_columns``, ``test_window_messages``,
``test_window_actions``); the plain-text items 7 and 8 are also checked in ``tests/unit``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from helpers import ADMIN
from PySide6.QtCore import QCoreApplication, QLocale, QPoint, Qt, QThreadPool
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from orion_desktop.bootstrap import Services, open_services
from orion_desktop.db.engine import Database
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.order_results import OrderLine
from orion_desktop.domain.orders import OrderStatus
from orion_desktop.domain.results import StockRow
from orion_desktop.ui import formatting
from orion_desktop.ui.data_events import DataEvents
from orion_desktop.ui.dialogs.action_dialog import ActionDialog
from orion_desktop.ui.dialogs.change_status_dialog import ChangeStatusDialog
from orion_desktop.ui.dialogs.database_dialog import DatabaseDialog
from orion_desktop.ui.dialogs.location_dialogs import AddLocationDialog
from orion_desktop.ui.dialogs.new_order_dialog import NewOrderDialog
from orion_desktop.ui.dialogs.note_dialog import NoteDialog
from orion_desktop.ui.dialogs.stock_dialogs import AdjustStockDialog, SetQuantityDialog, TransferStockDialog
from orion_desktop.ui.locale_setup import use_grouped_numbers
from orion_desktop.ui.main_window import MainWindow
from orion_desktop.ui.models.pack_model import PackColumn
from orion_desktop.ui.pack_station.scan_controller import Question
from orion_desktop.ui.pages.pack_station_page import PackStationPage, Tone

from .conftest import GTIN_D_UPC
from .orders_support import SUBMIT_TIMEOUT_MS, Orders, show, type_number

GTIN_D = "0" + GTIN_D_UPC


@pytest.fixture(autouse=True)
def grouped_numbers() -> Iterator[None]:
    """The locale as the app sets it (``ensure_application``): grouped digits even on a "C" PC."""
    previous = QLocale()
    use_grouped_numbers()
    yield
    QLocale.setDefault(previous)


@pytest.fixture(autouse=True)
def _finish_background_work(database: Database) -> Iterator[None]:
    """Set up after the database, so torn down before it: no worker outlives the test's database."""
    yield
    QThreadPool.globalInstance().waitForDone(SUBMIT_TIMEOUT_MS)


def _row(services: Services, sku: str, location: str) -> StockRow:
    return next(r for r in services.stock.list_stock() if r.sku == sku and r.location == location)


def _scan(qtbot: QtBot, window: MainWindow, text: str) -> None:
    station = window.pack_station_page
    station.scan_input.setFocus()
    qtbot.keyClicks(station.scan_input, text)
    qtbot.keyClick(station.scan_input, Qt.Key.Key_Return)


def _half_packed(qtbot: QtBot, window: MainWindow, orders: Orders) -> None:
    """The packer's state in the issue: order on the station, ``2*GTIN`` scanned, nothing shipped."""
    window.navigation.setCurrentRow(window.pages.index(window.pack_station_page))
    _scan(qtbot, window, orders.processing)  # D x3, reserved
    _scan(qtbot, window, f"2*{GTIN_D}")
    session = window.pack_station_page.session
    assert session is not None and sum(session.packed.values()) == 2


def _quit_question(qtbot: QtBot, window: MainWindow) -> QMessageBox:
    qtbot.waitUntil(lambda: window.quit_question is not None and window.quit_question.isVisible())
    assert window.quit_question is not None
    return window.quit_question


# --- 1: quitting asks when a box is half packed --------------------------------------------
def test_1_ctrl_q_with_a_half_packed_box_asks_and_enter_keeps_packing(
    qtbot: QtBot, window: MainWindow, orders: Orders
) -> None:
    _half_packed(qtbot, window, orders)
    qtbot.keyClick(window.pack_station_page.scan_input, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)

    box = _quit_question(qtbot, window)
    assert window.isVisible()  # not gone without a word
    assert "2 units of order" in box.text() and "not shipped" in box.text()
    assert box.defaultButton().text() == "Keep packing"  # Enter must not throw the box away
    qtbot.keyClick(box, Qt.Key.Key_Return)

    qtbot.waitUntil(lambda: window.quit_question is None)
    assert window.isVisible()
    session = window.pack_station_page.session
    assert session is not None and sum(session.packed.values()) == 2  # the box is as it was


def test_1_closing_the_window_asks_too_and_quit_then_closes(qtbot: QtBot, window: MainWindow, orders: Orders) -> None:
    _half_packed(qtbot, window, orders)
    window.close()  # the window's own close button
    box = _quit_question(qtbot, window)
    assert window.isVisible()
    quit_button = next(b for b in box.buttons() if b.text() == "Quit")
    qtbot.mouseClick(quit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.isVisible())
    assert orders.processing and window.services.order_queries.get_order(orders.processing).status \
        is OrderStatus.PROCESSING  # nothing shipped


def test_1_quit_with_an_empty_box_does_not_ask(qtbot: QtBot, window: MainWindow) -> None:
    window.quit_action.trigger()
    qtbot.waitUntil(lambda: not window.isVisible())
    assert window.quit_question is None


# --- 3: messages on their own line; inputs keep their width --------------------------------
def test_3_adjust_shows_the_whole_afterwards_line_and_a_message_leaves_the_input_its_width(
    qtbot: QtBot, stocked: Services, manager: Actor
) -> None:
    dialog = show(qtbot, AdjustStockDialog(stocked, manager, _row(stocked, "A", "WAREHOUSE_A")))
    width = dialog.delta_spin.width()
    type_number(qtbot, dialog.delta_spin, 99_988)  # a delivery of a whole truck
    after = dialog.after_label
    assert after.text() == "100,000 on hand, 5 reserved, 99,995 available"
    assert after.fontMetrics().horizontalAdvance(after.text()) <= after.contentsRect().width()
    type_number(qtbot, dialog.delta_spin, -31)  # more than is free there: a message appears
    qtbot.wait(20)
    assert dialog.problem_label.isVisible() and dialog.problem_label.wordWrap()
    assert dialog.problem_label.geometry().top() > dialog.delta_spin.geometry().bottom()  # its own line below
    assert dialog.delta_spin.width() >= width


def test_3_set_quantity_to_zero_keeps_the_input_and_says_why_in_red(
    qtbot: QtBot, stocked: Services, manager: Actor
) -> None:
    dialog = show(qtbot, SetQuantityDialog(stocked, manager, _row(stocked, "A", "WAREHOUSE_A")))
    width = dialog.quantity_spin.width()
    type_number(qtbot, dialog.quantity_spin, 0)
    qtbot.wait(20)
    assert dialog.problem_label.text() == (
        "5 units are reserved here for orders, so the quantity cannot be below 5.")
    assert dialog.quantity_spin.width() >= width
    # 7: a field that is wrong says so in red (README: the dialogs), not in the grey of a hint.
    assert dialog.problem_label.property("wrong") is True
    assert "#a3221a" in dialog.problem_label.styleSheet()


# --- 4: every dialog opens with the focus in its first input -------------------------------
def _dialogs(services: Services, actor: Actor) -> dict[str, ActionDialog]:
    return {
        "add location": AddLocationDialog(services, actor, services.catalog.list_locations()),
        "note": NoteDialog(services, actor, "ORD-1-20260101-ABCDEF"),
        "new order": NewOrderDialog(services, actor, services.catalog.list_stores()),
        "transfer": TransferStockDialog(
            services, actor, _row(services, "A", "WAREHOUSE_B"), services.stock.product_stock("MAIN", "A"),
            [location.code for location in services.catalog.list_locations()]),
        "adjust": AdjustStockDialog(services, actor, _row(services, "A", "WAREHOUSE_B")),
    }


@pytest.mark.parametrize("name", ["add location", "note", "new order", "transfer", "adjust"])
def test_4_every_dialog_opens_with_the_focus_in_its_first_input(
    qtbot: QtBot, stocked: Services, manager: Actor, name: str
) -> None:
    dialogs = _dialogs(stocked, manager)
    for other in dialogs.values():
        qtbot.addWidget(other)
    dialog = show(qtbot, dialogs[name])
    focused = QApplication.focusWidget()
    assert focused is not None and dialog.isAncestorOf(focused)
    assert focused not in (dialog.ok_button, dialog.cancel_button), name
    assert focused.inherits("QLineEdit") or focused.inherits("QAbstractSpinBox") or focused.inherits(
        "QComboBox") or focused.inherits("QPlainTextEdit") or focused.inherits("QTextEdit"), type(focused)


def test_4_add_location_takes_typing_and_space_does_not_close_it(
    qtbot: QtBot, stocked: Services, manager: Actor
) -> None:
    dialog = show(qtbot, AddLocationDialog(stocked, manager, stocked.catalog.list_locations()))
    qtbot.keyClicks(QApplication.focusWidget(), "AISLE 9")
    assert dialog.isVisible()
    assert dialog.code_edit.text() == "AISLE 9"


# --- 5: nothing destructive is the default --------------------------------------------------
def test_5_change_status_of_a_processing_order_preselects_nothing_and_enter_ships_nothing(
    qtbot: QtBot, stocked: Services, manager: Actor, orders: Orders
) -> None:
    dialog = show(qtbot, ChangeStatusDialog(stocked, manager, stocked.order_queries.get_order(orders.processing)))
    assert dialog.chosen_target is None
    assert not dialog.ok_button.isEnabled()
    qtbot.keyClick(QApplication.focusWidget() or dialog, Qt.Key.Key_Return)
    qtbot.wait(50)
    QThreadPool.globalInstance().waitForDone(SUBMIT_TIMEOUT_MS)
    detail = stocked.order_queries.get_order(orders.processing)
    assert detail.status is OrderStatus.PROCESSING
    assert all(i.shipped_quantity == 0 for i in detail.items)


def test_5_a_pending_order_may_preselect_processing_only(
    qtbot: QtBot, stocked: Services, manager: Actor, orders: Orders
) -> None:
    dialog = show(qtbot, ChangeStatusDialog(stocked, manager, stocked.order_queries.get_order(orders.pending)))
    assert dialog.chosen_target is OrderStatus.PROCESSING


# --- 9: the pack station -------------------------------------------------------------------
@pytest.fixture
def station(qtbot: QtBot, stocked: Services, orders: Orders) -> PackStationPage:
    page = PackStationPage(stocked, ADMIN, DataEvents())
    qtbot.addWidget(page)
    page.resize(1024, 700)
    page.alert = lambda: None
    page.show()
    qtbot.waitExposed(page)
    return page


def _station_scan(qtbot: QtBot, page: PackStationPage, text: str) -> None:
    page.scan_input.setFocus()
    qtbot.keyClicks(page.scan_input, text)
    qtbot.keyClick(page.scan_input, Qt.Key.Key_Return)


def _cell(page: PackStationPage, column: PackColumn) -> Any:
    return page.model.index(0, column).data()


def test_9_the_station_shows_where_to_pick_and_to_pack_counts_down(
    qtbot: QtBot, station: PackStationPage, stocked: Services, orders: Orders
) -> None:
    _station_scan(qtbot, station, orders.processing)  # D x3, reserved at WAREHOUSE_B
    headers = [station.model.headerData(c, Qt.Orientation.Horizontal) for c in PackColumn]
    assert "Location" in headers
    assert _cell(station, PackColumn.LOCATION) == "WAREHOUSE_B"
    assert _cell(station, PackColumn.TO_PACK) == "3"
    _station_scan(qtbot, station, GTIN_D)
    assert _cell(station, PackColumn.TO_PACK) == "2"
    _station_scan(qtbot, station, f"2*{GTIN_D}")
    assert _cell(station, PackColumn.TO_PACK) == "0"
    assert _cell(station, PackColumn.PACKED) == "3 ✓"
    location = station.table.visualRect(station.model.index(0, PackColumn.LOCATION))
    assert location.width() >= station.table.fontMetrics().horizontalAdvance("WAREHOUSE_B")


def test_9_a_line_reserved_at_two_places_names_both_along_the_picking_path(
    qtbot: QtBot, station: PackStationPage, stocked: Services
) -> None:
    # A: a few free at WAREHOUSE_A and 30 at WAREHOUSE_B: 35 take both (and wait for the rest).
    number = stocked.orders.create_order(ADMIN, store="MAIN", lines=[OrderLine("A", 35)])
    stocked.orders.change_status(ADMIN, number, "processing")
    _station_scan(qtbot, station, number)
    shown = _cell(station, PackColumn.LOCATION)
    match = re.fullmatch(r"WAREHOUSE_A ×(\d+), WAREHOUSE_B ×(\d+)", shown)
    assert match is not None, shown
    reserved = sum(item.reserved for item in stocked.order_queries.get_order(number).items)
    assert int(match.group(1)) > 0 and int(match.group(1)) + int(match.group(2)) == reserved


def test_9_complete_and_packing_slip_are_disabled_with_no_order(
    qtbot: QtBot, station: PackStationPage, orders: Orders
) -> None:
    assert station.session is None
    assert not station.complete_action.isEnabled()
    assert not station.slip_action.isEnabled()
    assert not station.buttons[station.complete_action].isEnabled()
    _station_scan(qtbot, station, orders.processing)
    assert station.complete_action.isEnabled()
    assert not station.slip_action.isEnabled()  # nothing shipped here yet


@pytest.mark.parametrize(("count", "sentence"), [
    ("999999999999", "999999999999 is too many for one scan; the most is 9999."),
    ("-1", "The quantity before * must be at least 1."),
])
def test_9_a_silly_count_is_a_bad_count_not_an_unknown_code(
    qtbot: QtBot, station: PackStationPage, orders: Orders, count: str, sentence: str
) -> None:
    _station_scan(qtbot, station, orders.processing)
    _station_scan(qtbot, station, f"{count}*{GTIN_D}")
    assert station.tone is Tone.REFUSED
    text = station.feedback.text()
    assert "Unknown code" not in text
    assert sentence in text
    assert station.session is not None and station.session.is_empty  # nothing counted


# --- 3: the Database dialog: wide enough, a sentence, the driver's words behind Details ------
def test_3_a_missing_postgres_database_is_a_sentence_with_details(
    qtbot: QtBot, pg_admin_url: str
) -> None:
    server = pg_admin_url.rsplit("/", 1)[0]
    address = f"{server}/orion_no_such_database"
    dialog = DatabaseDialog(open_services, initial_url="sqlite:////tmp/orion.db", current_description="SQLite file")
    show(qtbot, dialog)
    radio = dialog.postgres_radio
    qtbot.mouseClick(radio, Qt.MouseButton.LeftButton, pos=QPoint(6, radio.height() // 2))
    dialog.url_edit.setFocus()
    qtbot.keyClicks(dialog.url_edit, address)
    width = dialog.url_edit.width()
    assert dialog.url_edit.fontMetrics().horizontalAdvance(address) < width  # the whole address is in view
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.busy and dialog.result_banner.text != "", timeout=SUBMIT_TIMEOUT_MS)

    banner = dialog.result_banner
    assert banner.text == ("The server was reached, but it has no database with the name at the end of the "
                           "address.")
    assert "FATAL" not in banner.text and "connection failed" not in banner.text
    assert not banner.details_label.isVisible()  # the driver's words wait behind Details
    assert banner.details_button.isVisible()
    qtbot.mouseClick(banner.details_button, Qt.MouseButton.LeftButton)
    assert banner.details_label.isVisible()
    assert 'database "orion_no_such_database" does not exist' in banner.details
    assert dialog.url_edit.width() >= width  # the message did not squash the input


# --- 7: plurals through Qt's own plural handling ----------------------------------------------
def test_7_counts_agree_through_qt_plurals(qtbot: QtBot) -> None:
    assert formatting.plural(1, "unit") == "1 unit"
    assert formatting.plural(0, "line") == "0 lines"
    assert formatting.plural(80_135, "unit") == "80,135 units"  # the locale's grouping (%Ln)
    assert formatting.plural(2, "box", "boxes") == "2 boxes"
    # The source text is Qt's: a translation for another language can replace it.
    assert QCoreApplication.translate("Orion", "%Ln order(s)", None, 1) == "1 order"


def test_7_the_pack_station_says_one_unit_is_forgotten(
    qtbot: QtBot, station: PackStationPage, orders: Orders
) -> None:
    _station_scan(qtbot, station, orders.processing)
    _station_scan(qtbot, station, GTIN_D)
    question = station.controller.put_aside()
    assert isinstance(question, Question)
    assert "The 1 unit scanned so far is forgotten" in question.text
    station.put_aside()
    qtbot.waitUntil(lambda: station.confirmation is not None)
    assert station.confirmation is not None
    qtbot.keyClick(station.confirmation, Qt.Key.Key_Escape)  # keep packing
    qtbot.waitUntil(lambda: station.confirmation is None)
    station.controller.drop_order()
    opened = station.controller.open_order(orders.processing).message  # its lines are counted too
    assert opened is not None and "3 units to pack on 1 line." in opened, opened
