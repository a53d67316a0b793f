"""The locations page and its dialogs driven like a person would, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from helpers import ADMIN
from PySide6.QtCore import QModelIndex, QSettings, Qt, QThreadPool
from PySide6.QtWidgets import QAbstractSpinBox, QLineEdit
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from orion_desktop.bootstrap import Services
from orion_desktop.db.engine import Database
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.errors import DatabaseUnavailable
from orion_desktop.domain.results import LocationSummary, StockRow
from orion_desktop.ui.data_events import DataEvents, Topic
from orion_desktop.ui.dialogs.action_dialog import ActionDialog
from orion_desktop.ui.dialogs.location_dialogs import (
    AddLocationDialog,
    LocationActiveDialog,
    RenameLocationDialog,
    SortKeyDialog,
)
from orion_desktop.ui.models.locations_model import LocationColumn, LocationStockColumn, LocationStockModel
from orion_desktop.ui.pages.locations_page import CONTENTS_HINT, LocationsPage

from .overview_helpers import (
    answer_dialog,
    click_header,
    click_row,
    column_values,
    double_click_row,
    first_index,
    open_page,
    wait_idle,
)


@pytest.fixture(autouse=True)
def _finish_background_work(database: Database) -> Iterator[None]:
    """Set up after the database, so torn down before it: no query outlives the test's database."""
    yield
    QThreadPool.globalInstance().waitForDone(10_000)


@pytest.fixture
def events() -> DataEvents:
    return DataEvents()


@pytest.fixture
def page(qtbot: QtBot, stocked: Services, events: DataEvents) -> LocationsPage:
    return open_page(qtbot, LocationsPage(stocked, ADMIN, events))


def _location(services: Services, code: str) -> LocationSummary:
    return next(loc for loc in services.catalog.list_locations() if loc.code == code)


def _select(qtbot: QtBot, page: LocationsPage, code: str) -> None:
    click_row(qtbot, page.table, first_index(page.table.model(), LocationColumn.CODE, code).row())  # the row shown
    assert (selected := page.selected_location()) is not None and selected.code == code


def _type(qtbot: QtBot, widget: QLineEdit | QAbstractSpinBox, text: str) -> None:
    widget.setFocus()
    widget.selectAll()
    if text:
        qtbot.keyClicks(widget, text)
    else:
        qtbot.keyClick(widget, Qt.Key.Key_Delete)


def _press_ok(qtbot: QtBot, dialog: ActionDialog) -> None:
    """Click OK and wait for the services' answer (it is sent off the GUI thread)."""
    with qtbot.waitSignal(dialog.settled, timeout=10_000):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)


def test_every_location_with_what_it_holds(page: LocationsPage) -> None:
    model = page.model
    assert column_values(model, LocationColumn.CODE) == ["SHELF-1", "WAREHOUSE_A", "WAREHOUSE_B"]
    assert column_values(model, LocationColumn.STOCK_ROWS) == [1, 2, 2]
    assert column_values(model, LocationColumn.QUANTITY) == [2, 16, 37]
    assert column_values(model, LocationColumn.RESERVED) == [0, 5, 0]
    assert column_values(model, LocationColumn.AVAILABLE) == [2, 11, 37]
    assert column_values(model, LocationColumn.ACTIVE) == ["yes", "yes", "yes"]
    assert page.count_label.text() == "3 locations"
    assert page.contents_count.text() == CONTENTS_HINT
    assert page.add_button.isEnabled() and not page.rename_button.isEnabled()  # nothing selected yet


def test_double_clicking_a_location_shows_its_contents(qtbot: QtBot, page: LocationsPage) -> None:
    double_click_row(qtbot, page.table, first_index(page.table.model(), LocationColumn.CODE, "WAREHOUSE_B").row())
    wait_idle(qtbot, page)
    contents = page.contents_model
    assert column_values(contents, LocationStockColumn.SKU) == ["A", "D"]
    assert column_values(contents, LocationStockColumn.QUANTITY) == [30, 7]
    assert column_values(contents, LocationStockColumn.GTIN) == ["4006381333931", "0036000291452"]
    assert page.contents_heading.text() == "Contents of WAREHOUSE_B"
    assert page.contents_count.text() == "2 stock rows"
    page.table.setFocus()  # Enter on another selected row drills into that one
    _select(qtbot, page, "SHELF-1")
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    wait_idle(qtbot, page)
    assert column_values(contents, LocationStockColumn.SKU) == ["C"]


def test_adding_a_location_validates_the_code_inline(qtbot: QtBot, page: LocationsPage, stocked: Services) -> None:
    def fill(dialog: AddLocationDialog) -> None:
        assert not dialog.ok_button.isEnabled()  # nothing typed yet
        assert dialog.problem_label.text() == "Enter a code for the location, for example WAREHOUSE_A."
        _type(qtbot, dialog.code_edit, "aisle 9")
        assert not dialog.ok_button.isEnabled()
        assert dialog.code_error.text() == (
            "The location code 'aisle 9' contains ' '; use only letters, digits, '_', '-' and '.'."
        )
        assert dialog.code_error.isVisible() and dialog.problem_label.text() == "Correct the location code."
        _type(qtbot, dialog.code_edit, "warehouse_a")  # exists already
        assert not dialog.ok_button.isEnabled()
        assert dialog.code_error.text() == (
            "There is already a location WAREHOUSE_A; rename it or change its sort key instead."
        )
        _type(qtbot, dialog.code_edit, " aisle-9.bay-2 ")
        assert dialog.ok_button.isEnabled() and not dialog.code_error.isVisible()
        assert dialog.code_note.text() == "It will be saved as AISLE-9.BAY-2."
        _type(qtbot, dialog.name_edit, "Aisle 9, bay 2")
        assert dialog.sort_spin.value() == 10  # after the last location (all have sort key 0)
        _type(qtbot, dialog.sort_spin, "25")
        _press_ok(qtbot, dialog)

    outcome = answer_dialog(lambda: qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton), fill)
    assert not outcome["still_open"]
    added = _location(stocked, "AISLE-9.BAY-2")
    assert (added.name, added.sort_key, added.is_active, added.stock_rows) == ("Aisle 9, bay 2", 25, True, 0)
    wait_idle(qtbot, page)
    assert column_values(page.model, LocationColumn.CODE)[-1] == "AISLE-9.BAY-2"  # sort key 25 comes last
    assert (selected := page.selected_location()) is not None and selected.code == "AISLE-9.BAY-2"
    assert page.banner.text == "Location AISLE-9.BAY-2 added."


def test_cancelling_a_dialog_changes_nothing(qtbot: QtBot, page: LocationsPage, stocked: Services) -> None:
    before = stocked.catalog.list_locations()

    def cancel(dialog: AddLocationDialog) -> None:
        _type(qtbot, dialog.code_edit, "NEW_PLACE")
        qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)

    answer_dialog(lambda: qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton), cancel)
    assert stocked.catalog.list_locations() == before
    assert page.banner.text == ""


def test_renaming_a_location(qtbot: QtBot, page: LocationsPage, stocked: Services) -> None:
    _select(qtbot, page, "WAREHOUSE_A")

    def rename(dialog: RenameLocationDialog) -> None:
        assert dialog.windowTitle() == "Rename WAREHOUSE_A"
        assert not dialog.ok_button.isEnabled()  # unchanged (no name yet)
        _type(qtbot, dialog.name_edit, "   ")
        assert not dialog.ok_button.isEnabled() and dialog.problem_label.text() == "Enter the new name."
        _type(qtbot, dialog.name_edit, "Main  warehouse,   aisle A")
        with qtbot.waitSignal(dialog.settled, timeout=10_000):
            qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Return)  # Enter presses the default button

    outcome = answer_dialog(lambda: qtbot.mouseClick(page.rename_button, Qt.MouseButton.LeftButton), rename)
    assert not outcome["still_open"]
    assert _location(stocked, "WAREHOUSE_A").name == "Main warehouse, aisle A"
    wait_idle(qtbot, page)
    assert first_index(page.model, LocationColumn.CODE, "WAREHOUSE_A").siblingAtColumn(LocationColumn.NAME).data() == (
        "Main warehouse, aisle A"
    )
    assert page.banner.text == "Location WAREHOUSE_A renamed."


def test_changing_the_sort_key_reorders_the_list(qtbot: QtBot, page: LocationsPage, stocked: Services) -> None:
    _select(qtbot, page, "SHELF-1")

    def move(dialog: SortKeyDialog) -> None:
        assert not dialog.ok_button.isEnabled() and dialog.problem_label.text() == "Choose a different sort key."
        _type(qtbot, dialog.sort_spin, "90")
        assert dialog.ok_button.isEnabled()
        _press_ok(qtbot, dialog)

    answer_dialog(lambda: qtbot.mouseClick(page.sort_key_button, Qt.MouseButton.LeftButton), move)
    assert _location(stocked, "SHELF-1").sort_key == 90
    wait_idle(qtbot, page)
    assert column_values(page.model, LocationColumn.CODE) == ["WAREHOUSE_A", "WAREHOUSE_B", "SHELF-1"]
    assert page.banner.text == "Location SHELF-1 now has sort key 90."


def test_deactivating_and_reactivating_a_location(qtbot: QtBot, page: LocationsPage, stocked: Services) -> None:
    _select(qtbot, page, "WAREHOUSE_B")
    assert page.active_button.text() == "&Deactivate…"

    def confirm(dialog: LocationActiveDialog) -> None:
        assert dialog.message_label.text() == (
            "Deactivate WAREHOUSE_B? Orders will no longer reserve stock there. Its 37 units in 2 stock rows "
            "stay where they are and can still be counted, adjusted or moved."
        )
        assert dialog.ok_button.text() == "Deactivate" and dialog.cancel_button.isDefault()
        _press_ok(qtbot, dialog)

    answer_dialog(lambda: qtbot.mouseClick(page.active_button, Qt.MouseButton.LeftButton), confirm)
    assert _location(stocked, "WAREHOUSE_B").is_active is False
    wait_idle(qtbot, page)
    assert first_index(
        page.model, LocationColumn.CODE, "WAREHOUSE_B"
    ).siblingAtColumn(LocationColumn.ACTIVE).data() == "no"
    assert page.count_label.text() == "3 locations · 1 inactive"
    assert page.active_button.text() == "Re&activate…"

    def reactivate(dialog: LocationActiveDialog) -> None:
        assert dialog.message_label.text() == "Reactivate WAREHOUSE_B? Orders will reserve stock there again."
        _press_ok(qtbot, dialog)

    answer_dialog(lambda: qtbot.mouseClick(page.active_button, Qt.MouseButton.LeftButton), reactivate)
    assert _location(stocked, "WAREHOUSE_B").is_active is True


def test_a_manager_sees_locations_but_cannot_change_them(
    qtbot: QtBot, stocked: Services, manager: Actor, events: DataEvents
) -> None:
    page = open_page(qtbot, LocationsPage(stocked, manager, events))
    assert isinstance(page, LocationsPage)
    _select(qtbot, page, "WAREHOUSE_A")
    for button in (page.add_button, page.rename_button, page.sort_key_button, page.active_button):
        assert not button.isEnabled()
        assert button.toolTip() == "Only an admin can add or change locations; you are signed in as manager."


def test_a_refused_change_is_a_sentence_in_the_dialog_and_changes_nothing(
    qtbot: QtBot, stocked: Services, manager: Actor
) -> None:
    location = _location(stocked, "WAREHOUSE_A")
    dialog = RenameLocationDialog(stocked, manager, location)
    qtbot.addWidget(dialog)
    dialog.show()
    _type(qtbot, dialog.name_edit, "Somewhere else")
    _press_ok(qtbot, dialog)
    assert dialog.isVisible()  # still open: the user can read why and cancel
    assert dialog.error_banner.text == (
        "maria is signed in as manager and may not manage locations; this needs an admin."
    )
    assert _location(stocked, "WAREHOUSE_A").name is None
    _type(qtbot, dialog.name_edit, "Somewhere else, really")  # editing again clears the old refusal
    assert dialog.error_banner.text == ""


def test_a_lost_database_in_a_location_dialog_is_reported_to_the_window(
    qtbot: QtBot, page: LocationsPage, stocked: Services, events: DataEvents, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unreachable(*_args: object, **_kwargs: object) -> None:
        raise DatabaseUnavailable("The database cannot be reached: connection refused")

    monkeypatch.setattr(stocked.catalog, "update_location", unreachable)
    _select(qtbot, page, "WAREHOUSE_A")
    reported: list[BaseException] = []
    events.databaseUnavailable.connect(reported.append)

    def rename(dialog: RenameLocationDialog) -> None:
        _type(qtbot, dialog.name_edit, "Somewhere else")
        _press_ok(qtbot, dialog)
        assert dialog.error_banner.text == "The database cannot be reached: connection refused"

    seen = answer_dialog(lambda: qtbot.mouseClick(page.rename_button, Qt.MouseButton.LeftButton), rename)
    assert seen["still_open"]
    assert [str(error) for error in reported] == ["The database cannot be reached: connection refused"]


def test_a_location_added_elsewhere_appears(
    qtbot: QtBot, page: LocationsPage, stocked: Services, events: DataEvents
) -> None:
    stocked.catalog.add_location(ADMIN, "DOCK", "Loading dock", 5)
    events.announce(Topic.CATALOG)
    wait_idle(qtbot, page)
    assert column_values(page.model, LocationColumn.CODE)[-1] == "DOCK"


def test_location_models_pass_the_model_tester(
    qtmodeltester: ModelTester, qtbot: QtBot, page: LocationsPage, stocked: Services
) -> None:
    qtmodeltester.check(page.model)
    click_header(qtbot, page.table, LocationColumn.QUANTITY)
    qtmodeltester.check(page.proxy)
    contents = LocationStockModel(stocked.stock, page_size=1)
    contents.set_location("WAREHOUSE_A")
    qtbot.waitUntil(lambda: contents.loaded_once and not contents.is_loading, timeout=5000)
    qtmodeltester.check(contents)
    qtbot.waitUntil(lambda: not contents.is_loading, timeout=5000)
    while contents.canFetchMore(QModelIndex()):
        contents.fetchMore(QModelIndex())
        qtbot.waitUntil(lambda: not contents.is_loading, timeout=5000)
    assert column_values(contents, LocationStockColumn.SKU) == ["A", "B"]
    contents.set_location(None)
    assert contents.rowCount() == 0 and not contents.canFetchMore(QModelIndex())


# --- sorting (the list is loaded whole, so a header click sorts it on the page) ---------------
@pytest.fixture
def aisle(stocked: Services) -> Services:
    """A fourth location, last on the picking path, holding 100 units: "100" sorts before "16" as text."""
    stocked.catalog.add_location(ADMIN, "AISLE-9", None, 990)
    stocked.inventory.set_quantity(ADMIN, store="MAIN", product="C", location="AISLE-9", quantity=100)
    return stocked


def _shown(page: LocationsPage, column: int) -> list[object]:
    return column_values(page.table.model(), column)


def test_clicking_a_header_sorts_numbers_as_numbers_and_a_third_click_restores_the_picking_path(
    qtbot: QtBot, aisle: Services, events: DataEvents
) -> None:
    page = open_page(qtbot, LocationsPage(aisle, ADMIN, events))
    assert isinstance(page, LocationsPage)
    picking_path = ["SHELF-1", "WAREHOUSE_A", "WAREHOUSE_B", "AISLE-9"]
    assert _shown(page, LocationColumn.CODE) == picking_path
    click_header(qtbot, page.table, LocationColumn.QUANTITY)
    assert _shown(page, LocationColumn.QUANTITY) == [2, 16, 37, 100]
    click_header(qtbot, page.table, LocationColumn.QUANTITY)
    assert _shown(page, LocationColumn.QUANTITY) == [100, 37, 16, 2]
    assert page.table.horizontalHeader().sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    click_header(qtbot, page.table, LocationColumn.QUANTITY)
    assert _shown(page, LocationColumn.CODE) == picking_path
    click_header(qtbot, page.table, LocationColumn.CODE)
    assert _shown(page, LocationColumn.CODE) == ["AISLE-9", "SHELF-1", "WAREHOUSE_A", "WAREHOUSE_B"]
    assert column_values(page.model, LocationColumn.CODE) == picking_path  # the model keeps the service's order


def test_selection_drill_down_and_actions_follow_the_sorted_rows(
    qtbot: QtBot, aisle: Services, events: DataEvents
) -> None:
    page = open_page(qtbot, LocationsPage(aisle, ADMIN, events))
    assert isinstance(page, LocationsPage)
    click_header(qtbot, page.table, LocationColumn.QUANTITY)
    click_header(qtbot, page.table, LocationColumn.QUANTITY)  # descending: AISLE-9 first, though last in the model
    double_click_row(qtbot, page.table, 0)
    wait_idle(qtbot, page)
    assert (selected := page.selected_location()) is not None and selected.code == "AISLE-9"
    assert page.contents_heading.text() == "Contents of AISLE-9"
    assert column_values(page.contents_model, LocationStockColumn.QUANTITY) == [100]
    assert page.rename_button.isEnabled()

    def rename(dialog: RenameLocationDialog) -> None:
        assert dialog.windowTitle().endswith("AISLE-9")
        _type(qtbot, dialog.name_edit, "Back aisle")
        _press_ok(qtbot, dialog)

    answer_dialog(lambda: qtbot.mouseClick(page.rename_button, Qt.MouseButton.LeftButton), rename)
    assert _location(aisle, "AISLE-9").name == "Back aisle"
    wait_idle(qtbot, page)  # reloaded: still sorted, and the renamed location still selected
    assert _shown(page, LocationColumn.QUANTITY) == [100, 37, 16, 2]
    selected = page.selected_location()
    assert page.table.currentIndex().row() == 0 and selected is not None and selected.code == "AISLE-9"
    assert page.contents_heading.text() == "Contents of AISLE-9 – Back aisle"


def test_the_sort_is_remembered_with_the_column_widths(
    qtbot: QtBot, aisle: Services, events: DataEvents, window_settings: QSettings
) -> None:
    page = open_page(qtbot, LocationsPage(aisle, ADMIN, events))
    assert isinstance(page, LocationsPage)
    click_header(qtbot, page.table, LocationColumn.AVAILABLE)
    click_header(qtbot, page.table, LocationColumn.AVAILABLE)
    page.table.setColumnWidth(LocationColumn.CODE, 234)
    page.save_state(window_settings)
    window_settings.sync()

    again = LocationsPage(aisle, ADMIN, events)
    again.restore_state(QSettings(window_settings.fileName(), QSettings.Format.IniFormat))  # as read back from disk
    open_page(qtbot, again)
    header = again.table.horizontalHeader()
    assert (
        header.sortIndicatorSection(), header.sortIndicatorOrder()
    ) == (LocationColumn.AVAILABLE, Qt.SortOrder.DescendingOrder)
    assert column_values(again.table.model(), LocationColumn.AVAILABLE) == [100, 37, 11, 2]
    assert again.table.columnWidth(LocationColumn.CODE) == 234


def test_settings_from_before_sorting_leave_the_picking_path(
    qtbot: QtBot, aisle: Services, events: DataEvents, window_settings: QSettings
) -> None:
    """A header state saved without a sort holds Qt's default "column 0, descending": not a sort."""
    page = open_page(qtbot, LocationsPage(aisle, ADMIN, events))
    assert isinstance(page, LocationsPage)
    window_settings.setValue("locations/columns", page.table.horizontalHeader().saveState())  # no sort keys
    again = LocationsPage(aisle, ADMIN, events)
    again.restore_state(window_settings)
    open_page(qtbot, again)
    assert column_values(again.table.model(), LocationColumn.CODE) == [
        "SHELF-1", "WAREHOUSE_A", "WAREHOUSE_B", "AISLE-9"
    ]
    assert again.table.horizontalHeader().sortIndicatorSection() == -1


# --- the drill-down pages by keyset ------------------------------------------------------------
def test_the_contents_of_a_full_location_page_after_the_last_row_received(
    qtbot: QtBot, stocked: Services, events: DataEvents, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(10):
        stocked.catalog.add_product(ADMIN, store="MAIN", sku=f"P{n:02d}", title=f"Part {n:02d}")
        stocked.inventory.set_quantity(ADMIN, store="MAIN", product=f"P{n:02d}", location="WAREHOUSE_A", quantity=n + 1)
    whole = stocked.stock.list_stock(location="WAREHOUSE_A")
    assert len(whole) == 12
    calls: list[dict[str, object]] = []
    answers: list[tuple[StockRow, ...]] = []
    list_stock = stocked.stock.list_stock

    def recording(**kwargs: Any) -> tuple[StockRow, ...]:
        calls.append(kwargs)
        answers.append(list_stock(**kwargs))
        return answers[-1]

    monkeypatch.setattr(stocked.stock, "list_stock", recording)
    page = LocationsPage(stocked, ADMIN, events, page_size=4)
    open_page(qtbot, page, (1200, 500))
    double_click_row(qtbot, page.table, first_index(page.table.model(), LocationColumn.CODE, "WAREHOUSE_A").row())
    wait_idle(qtbot, page)
    contents, bar = page.contents_model, page.contents_table.verticalScrollBar()
    while contents.canFetchMore(QModelIndex()):  # drag the scroll bar down, as a person reads on
        rows = contents.rowCount()
        qtbot.waitUntil(lambda: bar.maximum() > bar.value())
        bar.setValue(bar.maximum())
        qtbot.waitUntil(lambda: contents.rowCount() > rows and not contents.is_loading, timeout=5000)  # noqa: B023
    assert contents.rows() == whole  # every row once, in the service's order
    assert len(calls) == 3 and all("offset" not in call for call in calls)
    assert calls[0]["after"] is None
    assert [call["after"] for call in calls[1:]] == [answers[0][3], answers[1][3]]  # the last row of each page
    assert page.contents_count.text() == "12 stock rows"
