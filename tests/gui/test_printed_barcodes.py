"""Issue 11, item 13, on SQLite and PostgreSQL: the pick list and the packing slip printed to PDF
carry the order number as a Code 128 barcode that a scanner reads back (the page rendered by
poppler's pdftoppm, decoded by zxing-cpp), and scanning that number at the pack station opens the order."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import ADMIN, seed_catalog
from pypdf import PdfReader
from PySide6.QtCore import QSettings, Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QDialog, QFileDialog
from pytestqt.qtbot import QtBot
from scanned_pdf import decoded

from orion_desktop.bootstrap import Services
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.enums import Role
from orion_desktop.domain.order_results import OrderLine
from orion_desktop.printing.barcode import code128_modules
from orion_desktop.printing.layout import packing_slip_html, pick_list_html
from orion_desktop.printing.pdf import write_pdf
from orion_desktop.ui.data_events import DataEvents
from orion_desktop.ui.main_window import MainWindow
from orion_desktop.ui.pages.pack_station_page import PackStationPage

pytestmark = pytest.mark.usefixtures("background_work_done")
PACKER = Actor(name="pat", role=Role.PACKER)


@pytest.fixture
def shipped_order(services: Services) -> tuple[Services, str, str]:
    """Two processing orders of the helpers' catalog; the first one partly shipped."""
    seed_catalog(services)
    services.inventory.set_quantity(ADMIN, store="MAIN", product="A", location="AISLE-12-SHELF-3-BIN-07",
                                    quantity=10)
    services.inventory.set_quantity(ADMIN, store="MAIN", product="B", location="AISLE-1", quantity=10)
    first = services.orders.create_order(ADMIN, store="MAIN", customer="Ann Archer",
                                         lines=[OrderLine("A", 2), OrderLine("B", 1)])
    second = services.orders.create_order(ADMIN, store="MAIN", lines=[OrderLine("B", 3)])
    for number in (first, second):
        services.orders.change_status(ADMIN, number, "processing")
    services.orders.ship_item(ADMIN, first, "A", 1)
    return services, first, second


def test_code128_bars_are_python_barcode_s() -> None:
    bars = code128_modules("ORD-1-20261204-ABC123")
    assert set(bars) == {"0", "1"} and bars.startswith("11010") and bars.endswith("1100011101011")


def test_the_barcodes_of_the_pick_list_and_the_slip_open_the_order_at_the_pack_station(
    qtbot: QtBot, shipped_order: tuple[Services, str, str], tmp_path: Path
) -> None:
    services, first, second = shipped_order
    pick_pdf = write_pdf(pick_list_html(services.packing.pick_list([first, second])), tmp_path / "pick.pdf",
                         "Pick list", database_file=services.database_file, overwrite=False)
    slip_pdf = write_pdf(packing_slip_html(services.packing.packing_slip(first)), tmp_path / "slip.pdf",
                         f"Packing slip {first}", database_file=services.database_file, overwrite=False)
    pick_page = PdfReader(pick_pdf).pages[0]
    assert pick_page.mediabox.width < pick_page.mediabox.height  # portrait
    text = pick_page.extract_text()
    assert "AISLE-12-SHELF-3-BIN-07" in text  # the location code on one line, never broken
    assert sorted(decoded(pick_pdf)) == sorted([first, second])
    assert decoded(slip_pdf) == [first]

    station = PackStationPage(services, PACKER, DataEvents())
    qtbot.addWidget(station)
    station.resize(1100, 700)
    station.show()
    qtbot.waitExposed(station)
    scanned = decoded(slip_pdf)[0]
    qtbot.keyClicks(station.scan_input, scanned)
    qtbot.keyClick(station.scan_input, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: first in station.order_label.text())


def test_file_print_documents_saves_a_pdf_and_prints_on_a_printer(
    qtbot: QtBot, shipped_order: tuple[Services, str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    window_settings: QSettings,
) -> None:
    services, first, _second = shipped_order
    window = MainWindow(services, Actor(name="maria", role=Role.MANAGER), settings=window_settings)
    qtbot.addWidget(window)
    window.documents_action.trigger()
    dialog = window.documents_dialog
    assert dialog is not None
    qtbot.keyClicks(dialog.orders_edit, first)
    dialog.slip_radio.setChecked(True)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *_a, **_k: (str(tmp_path / "slip"), "")))
    qtbot.mouseClick(dialog.pdf_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.message.text().startswith(f"Packing slip {first} saved to"))
    assert decoded(tmp_path / "slip.pdf") == [first]

    # The print dialog's printer, here one that prints into a PDF file (no printer on a test machine).
    dialog.pick_radio.setChecked(True)
    qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.print_dialog is not None and dialog.print_dialog.isVisible())
    assert dialog.printer is not None and dialog.print_dialog is not None
    dialog.printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    dialog.printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    dialog.print_dialog.done(QDialog.DialogCode.Accepted.value)  # OK, keeping the printer set up here
    assert dialog.message.text() == "Pick list sent to the printer."
    assert first in decoded(tmp_path / "printed.pdf")
