"""Issue 11, items 12, 14 and 15 in the window, on SQLite and PostgreSQL: File ▸ Import with a
preview, progress, cancel and copyable errors; File ▸ Export as the pages filter; icons; F1 and About."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QFileDialog, QMenu, QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from orion_desktop import __version__
from orion_desktop.bootstrap import Services
from orion_desktop.db.models import Order, Product
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.import_job import ColumnUse
from orion_desktop.paths import resources_dir
from orion_desktop.services.imports import csv_files
from orion_desktop.ui.dialogs.import_dialog import ImportDialog
from orion_desktop.ui.help_dialog import MANUAL_TAB
from orion_desktop.ui.main_window import MainWindow

from .overview_helpers import cell_text

pytestmark = pytest.mark.usefixtures("background_work_done")
IMPORT_TIMEOUT_MS = 30_000
SAMPLES = resources_dir() / "samples"


def count(services: Services, model: type[object]) -> int:
    with services.database.read() as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def run_import(qtbot: QtBot, window: MainWindow, kind: str, path: Path) -> ImportDialog:
    """File ▸ Import <kind>…, the file typed in, Import clicked, the answer awaited."""
    window.transfers.import_actions[kind].trigger()
    dialog = window.transfers.import_dialog
    assert dialog is not None and dialog.kind == kind
    qtbot.waitExposed(dialog)
    dialog.path_edit.setFocus()
    qtbot.keyClicks(dialog.path_edit, str(path))
    qtbot.keyClick(dialog.path_edit, Qt.Key.Key_Return)
    assert dialog.import_button.isEnabled(), dialog.message.text()
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.running, timeout=IMPORT_TIMEOUT_MS)
    return dialog


def test_the_sample_files_import_from_the_window(qtbot: QtBot, window: MainWindow, stocked: Services) -> None:
    products_before = count(stocked, Product)
    dialog = run_import(qtbot, window, "products", SAMPLES / "products.csv")
    # The preview showed the file's columns as the import reads them, and its first lines.
    assert [(m.column, m.use) for m in dialog.preview.columns][:2] == [  # type: ignore[union-attr]
        ("sku", ColumnUse.REQUIRED), ("title", ColumnUse.REQUIRED)]
    assert cell_text(dialog.rows_table, 0, 0) == "CBL-USBC-1M"
    line_header = dialog.rows_table.verticalHeaderItem(0)
    assert line_header is not None and line_header.text() == "2"  # the file's own line number
    assert dialog.message.text() == "Imported products.csv: 9 lines, 9 new, 0 changed."
    assert count(stocked, Product) == products_before + 9

    dialog = run_import(qtbot, window, "stock", SAMPLES / "stock.csv")
    assert dialog.result_value is not None and dialog.result_value.created == 9
    inventory = window.inventory_page
    qtbot.waitUntil(lambda: inventory.model.rowCount() >= 5 + 9)  # the open page reloaded by itself

    orders_before = count(stocked, Order)
    dialog = run_import(qtbot, window, "orders", SAMPLES / "orders.csv")
    assert dialog.message.text().startswith("Imported orders.csv: 3 lines, 2 new orders")
    assert count(stocked, Order) == orders_before + 2


def test_a_cancelled_import_of_a_large_file_changes_nothing(
    qtbot: QtBot, window: MainWindow, stocked: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(csv_files, "CHUNK_LINES", 2000)  # 25 chunks: time to press Cancel between them
    path = tmp_path / "big-products.csv"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("sku,title,product_type\n")
        handle.writelines(f"BIG-{n:06d},Big item {n},physical\n" for n in range(50_000))
    before = count(stocked, Product)
    window.transfers.open_import("products", path)
    dialog = window.transfers.import_dialog
    assert dialog is not None
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    progress = dialog.progress
    assert progress is not None
    qtbot.waitUntil(lambda: progress.value() > 0, timeout=IMPORT_TIMEOUT_MS)  # chunks are being written
    cancel = progress.findChild(QPushButton)
    assert cancel is not None and cancel.text() == "Cancel"
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.running, timeout=IMPORT_TIMEOUT_MS)
    assert dialog.message.text() == "The import of big-products.csv was cancelled; nothing was imported."
    assert dialog.result_value is None
    assert count(stocked, Product) == before


def test_refused_lines_are_listed_and_can_be_copied(
    qtbot: QtBot, window: MainWindow, stocked: Services, tmp_path: Path
) -> None:
    path = tmp_path / "stock.csv"
    path.write_text("product,location,quantity\nA,SHELF-9,5\nNOPE,SHELF-9,1\nB,SHELF-9,-3\n", encoding="utf-8")
    before = stocked.stock.stats()
    dialog = run_import(qtbot, window, "stock", path)
    errors = dialog.errors()
    assert len(errors) == 2 and errors[0].startswith("line 3:") and errors[1].startswith("line 4:")
    assert dialog.message.text().startswith("stock.csv was not imported; nothing was changed. Fix these 2 lines")
    assert dialog.copy_button.isVisible()
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == "\n".join(errors)
    assert stocked.stock.stats() == before


def test_a_file_with_unknown_columns_cannot_be_imported(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_text("sku,title,colour\nA,Widget,red\n", encoding="utf-8")
    dialog = window.transfers.open_import("products", path)
    assert not dialog.import_button.isEnabled()
    assert "colour" in dialog.message.text()
    assert cell_text(dialog.mapping_table, 2, 2) == ColumnUse.UNKNOWN.value


def test_exports_follow_the_page_filters_and_import_back(
    qtbot: QtBot, window: MainWindow, orders: object, stocked: Services, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    targets = iter([tmp_path / "orders.csv", tmp_path / "ledger", tmp_path / "products.csv"])
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *_a, **_k: (str(next(targets)), "")))
    pending = window.orders_page.status_combo.findData("pending")
    window.orders_page.status_combo.setCurrentIndex(pending)
    window.transfers.export_actions["orders"].trigger()
    qtbot.waitUntil(lambda: (tmp_path / "orders.csv").exists())
    lines = (tmp_path / "orders.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("order_number,store,customer")
    assert len(lines) > 1 and all(",pending," in line for line in lines[1:])

    window.ledger_page.product_edit.setText("A")
    window.transfers.export_actions["ledger"].trigger()
    qtbot.waitUntil(lambda: (tmp_path / "ledger.csv").exists())  # the .csv the dialog's name lacked
    ledger = (tmp_path / "ledger.csv").read_text(encoding="utf-8-sig").splitlines()[1:]
    assert ledger and {line.split(",")[4] for line in ledger} == {"A"}

    window.transfers.export_actions["products"].trigger()
    qtbot.waitUntil(lambda: "Exported" in window.statusBar().currentMessage() and (tmp_path / "products.csv").exists())
    # Read back by the import: every product is there already, so nothing changes.
    result = stocked.importing.import_products(Actor(name="admin", role=window.actor.role), tmp_path / "products.csv")
    assert result.created == 0 and result.rows > 0


def test_an_export_never_replaces_a_file_nobody_was_asked_about(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    existing = tmp_path / "stock.csv"
    existing.write_text("keep me", encoding="utf-8")
    # The save dialog was asked about "stock"; the export would add ".csv" and hit another file.
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *_a, **_k: (str(tmp_path / "stock"), "")))
    window.transfers.export_actions["stock"].trigger()
    box = window.transfers.error_box
    assert box is not None and box.isVisible()
    assert box.text().startswith(f"{existing} already exists; it was not replaced.")
    assert existing.read_text(encoding="utf-8") == "keep me"


def test_every_page_has_an_icon_drawn_in_the_palette_text_colour(window: MainWindow) -> None:
    for row in range(window.navigation.count()):
        icon = window.navigation.item(row).icon()
        assert not icon.isNull(), window.navigation.item(row).text()
    image = window.navigation.item(0).icon().pixmap(32, 32).toImage()
    text = QGuiApplication.palette().color(QPalette.ColorRole.WindowText)
    inked = [image.pixelColor(x, y) for x in range(32) for y in range(32) if image.pixelColor(x, y).alpha() == 255]
    assert inked and all(c.rgb() == text.rgb() for c in inked)


def test_f1_shows_the_shortcuts_and_the_manual(qtbot: QtBot, window: MainWindow) -> None:
    window.activateWindow()
    window.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_F1)
    dialog = window.help_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    table = dialog.shortcuts
    rows = {cell_text(table, r, 0): cell_text(table, r, 1) for r in range(table.rowCount())}
    assert rows["F1"].startswith("Keyboard shortcuts")
    assert rows["Ctrl+Q"].startswith("Quit") and rows["F5"].startswith("Refresh") and "Ctrl+1" in rows
    window.manual_action.trigger()
    assert window.help_dialog is not None and window.help_dialog.tabs.currentIndex() == MANUAL_TAB
    assert "Orion Desktop" in window.help_dialog.manual.toPlainText()


def test_about_names_the_version_and_the_database(window: MainWindow, stocked: Services) -> None:
    box = window.show_about()
    assert __version__ in box.text()
    assert f"Database: {stocked.database_description}" in box.informativeText()
    box.close()


def test_menus_name_every_import_and_export(window: MainWindow, window_settings: QSettings) -> None:
    file_menu = window.menuBar().actions()[0].menu()
    assert isinstance(file_menu, QMenu)
    titles = [action.text() for action in file_menu.actions()]
    assert "&Import" in titles and "&Export" in titles
    assert list(window.transfers.export_actions) == ["products", "stock", "orders", "ledger"]
    assert QApplication.instance() is not None


def test_empty_pages_say_what_to_do_next(
    qtbot: QtBot, services: Services, manager: Actor, window_settings: QSettings
) -> None:
    empty = MainWindow(services, manager, settings=window_settings)
    qtbot.addWidget(empty)
    empty.show()
    qtbot.waitExposed(empty)
    qtbot.waitUntil(lambda: empty.inventory_page.count_label.text().startswith("No stock yet: File ▸ Import"))
    empty.navigation.setCurrentRow(empty.pages.index(empty.orders_page))
    qtbot.waitUntil(lambda: empty.orders_page.count_label.text().startswith("No orders yet: File ▸ Import"))


def test_icons_follow_a_dark_palette(qtbot: QtBot) -> None:
    from PySide6.QtGui import QColor

    from orion_desktop.ui.icons import action_icon, page_icon

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    light = app.palette()
    dark = QPalette(light)
    dark.setColor(QPalette.ColorRole.Window, QColor("#202124"))
    dark.setColor(QPalette.ColorRole.WindowText, QColor("#f1f1f1"))
    app.setPalette(dark)
    try:
        for icon in (page_icon("ledger"), action_icon("import")):
            image = icon.pixmap(32, 32).toImage()
            inked = [image.pixelColor(x, y) for x in range(32) for y in range(32)
                     if image.pixelColor(x, y).alpha() == 255]
            assert inked and all(c.name() == "#f1f1f1" for c in inked)  # light ink on the dark window
    finally:
        app.setPalette(light)
