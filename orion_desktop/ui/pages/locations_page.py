"""Locations: what every location holds; double-click one to see its contents; admins add and change them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from orion_desktop.domain.actor import Permission
from orion_desktop.domain.results import LocationInfo, LocationSummary
from orion_desktop.ui import empty_texts, formatting
from orion_desktop.ui.data_events import DataEvents, Topic
from orion_desktop.ui.dialogs.location_dialogs import (
    AddLocationDialog,
    LocationActiveDialog,
    LocationDialog,
    RenameLocationDialog,
    SortKeyDialog,
)
from orion_desktop.ui.models.locations_model import (
    DEFAULT_PAGE_SIZE,
    LocationColumn,
    LocationsModel,
    LocationStockColumn,
    LocationStockModel,
)
from orion_desktop.ui.models.row_model import RowRole
from orion_desktop.ui.order_format import may
from orion_desktop.ui.pages.dialog_opening import open_action_dialog
from orion_desktop.ui.pages.latest_load import LatestLoad
from orion_desktop.ui.pages.list_page import ListPage
from orion_desktop.ui.pages.view_state import View
from orion_desktop.ui.widgets.sorting import sortable, view_index
from orion_desktop.ui.widgets.tables import heading, make_table, split_vertically, status_label, table_section

if TYPE_CHECKING:
    from orion_desktop.domain.actor import Actor
    from orion_desktop.services.registry import Services

CONTENTS_HINT = "Click a location to see what is stored there."


class LocationsPage(ListPage):
    title = "Locations"
    settings_group = "locations"
    topics = frozenset({Topic.CATALOG, Topic.STOCK})

    def __init__(self, services: Services, actor: Actor, events: DataEvents, parent: QWidget | None = None,
                 *, page_size: int = DEFAULT_PAGE_SIZE) -> None:
        super().__init__(events, parent)
        self.setObjectName("locationsPage")
        self._services = services
        self._actor = actor
        self.may_manage = may(actor, Permission.MANAGE_LOCATIONS)
        self._locations: LatestLoad[Sequence[LocationSummary]] = LatestLoad(self, self._loaded, self._failed)
        self._select_code: str | None = None  # keep (or move) the selection here after a reload
        self.model = LocationsModel(self)
        self.contents_model = LocationStockModel(services.stock, page_size=page_size, parent=self)
        self._init_actions()
        self._init_tables()
        self._init_layout()
        self._connect()
        self._update_buttons()

    # --- construction ---------------------------------------------------------------------
    def _init_actions(self) -> None:
        self.add_button = QPushButton("&Add location…", self)
        self.add_button.setObjectName("addLocation")
        self.rename_button = QPushButton("&Rename…", self)
        self.rename_button.setObjectName("renameLocation")
        self.sort_key_button = QPushButton("Sort &key…", self)
        self.sort_key_button.setObjectName("sortKeyLocation")
        self.active_button = QPushButton("&Deactivate…", self)
        self.active_button.setObjectName("toggleLocationActive")
        if self.may_manage:
            self.add_button.setToolTip("Add a location (a warehouse, an aisle, a bin or a shelf)")
            self.rename_button.setToolTip("Give the selected location another name; its code stays")
            self.sort_key_button.setToolTip("Move the selected location along the picking path")
        else:
            reason = f"Only an admin can add or change locations; you are signed in as {self._actor.role.value}."
            for button in self._admin_buttons:
                button.setToolTip(reason)
        self.count_label = status_label(self, "locationsCount")

    @property
    def _admin_buttons(self) -> tuple[QPushButton, ...]:
        return (self.add_button, self.rename_button, self.sort_key_button, self.active_button)

    def _init_tables(self) -> None:
        self.table = make_table(
            self,
            self.model,
            name="locationsTable",
            fill_column=LocationColumn.NAME,
            samples={
                LocationColumn.CODE: "WAREHOUSE_MAIN.A-01",
                LocationColumn.SORT_KEY: "00,000",
                LocationColumn.ACTIVE: "yes",
                LocationColumn.STOCK_ROWS: "00,000",
                LocationColumn.QUANTITY: "000,000",
                LocationColumn.RESERVED: "000,000",
                LocationColumn.AVAILABLE: "000,000",
            },
        )
        # Few enough to load whole, so a header click sorts here; the service's order is the picking path.
        self.sorting = sortable(self.table, self.model)
        self.proxy = self.sorting.proxy
        self.contents_table = make_table(
            self,
            self.contents_model,
            name="locationContentsTable",
            fill_column=LocationStockColumn.PRODUCT,
            samples={
                LocationStockColumn.SKU: "SKU-00000",
                LocationStockColumn.GTIN: "0000000000000",
                LocationStockColumn.STORE: "OUTLET",
                LocationStockColumn.QUANTITY: "000,000",
                LocationStockColumn.RESERVED: "000,000",
                LocationStockColumn.AVAILABLE: "000,000",
            },
        )
        self.contents_heading = heading("Contents", self)
        self.contents_heading.setObjectName("locationContentsHeading")
        self.contents_count = status_label(self, "locationContentsCount")
        self.contents_count.setText(CONTENTS_HINT)

    def _init_layout(self) -> None:
        actions = QHBoxLayout()
        for button in self._admin_buttons:
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.count_label)

        title_row = QHBoxLayout()
        title_row.addWidget(self.contents_heading)
        title_row.addStretch(1)
        title_row.addWidget(self.contents_count)
        lower = table_section(self, title_row, self.contents_table)
        self.splitter = split_vertically(self, "locationsSplitter", self.table, lower)
        self.lay_out([actions], self.splitter)

    def _connect(self) -> None:
        self.table.activated.connect(self.show_contents)  # double-click, or Enter on the selected row
        # One click (or an arrow key) shows the contents, as every other page reacts to one click.
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.model.modelReset.connect(self._update_buttons)
        self.add_button.clicked.connect(self.add_location)
        self.rename_button.clicked.connect(self.rename_location)
        self.sort_key_button.clicked.connect(self.change_sort_key)
        self.active_button.clicked.connect(self.toggle_active)
        self.contents_model.loadFailed.connect(self.show_error)
        self.contents_model.rowsLoaded.connect(self._update_contents_count)

    # --- Page -----------------------------------------------------------------------------
    @property
    def is_loading(self) -> bool:
        return self._locations.loading or self.contents_model.is_loading

    def load(self) -> None:
        self.banner.clear()
        current = self.selected_location()
        if self._select_code is None and current is not None:
            self._select_code = current.code
        self.count_label.setText("Loading…")
        self._locations.start(self._services.catalog.list_locations)
        if self.contents_model.location is not None:
            self.contents_model.reload(keep_loaded=True)

    def focus_search(self) -> None:
        self.table.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def remembered_views(self) -> Mapping[str, View]:
        return {"splitter": self.splitter, "columns": self.sorting, "contents_columns": self.contents_table}

    # --- the list -------------------------------------------------------------------------
    def _loaded(self, locations: Sequence[LocationSummary]) -> None:
        self.model.set_rows(locations)
        inactive = sum(1 for location in locations if not location.is_active)
        text = formatting.plural(len(locations), "location") if locations else empty_texts.NO_LOCATIONS
        self.count_label.setText(text + (f" · {inactive} inactive" if inactive else ""))
        code, self._select_code = self._select_code, None
        row = self.model.row_of(code) if code is not None else None
        if row is not None:
            self.table.setCurrentIndex(view_index(self.table, self.model.index(row, LocationColumn.CODE)))
        shown = self.contents_model.location
        if shown is not None and self.model.row_of(shown) is None:
            self._show_contents_of(None)
        elif shown is not None:
            self._update_contents_heading()
        self._update_buttons()

    def _failed(self, error: BaseException) -> None:
        self.count_label.setText("")
        self.show_error(error)

    def selected_location(self) -> LocationSummary | None:
        index = self.table.currentIndex()
        return index.data(RowRole.ROW) if index.isValid() else None

    def _update_buttons(self) -> None:
        location = self.selected_location()
        self.add_button.setEnabled(self.may_manage)
        for button in (self.rename_button, self.sort_key_button, self.active_button):
            button.setEnabled(self.may_manage and location is not None)
        self.active_button.setText(
            "Re&activate…" if location is not None and not location.is_active else "&Deactivate…"
        )
        if self.may_manage:
            self.active_button.setToolTip(
                "Let orders reserve stock at the selected location again"
                if location is not None and not location.is_active
                else "Stop orders reserving stock at the selected location; its stock stays"
            )

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._update_buttons()
        if current.isValid():  # a reload clears the current row for a moment: the contents stay
            self.show_contents(current)

    # --- drill-down -----------------------------------------------------------------------
    def show_contents(self, index: QModelIndex) -> None:
        location: LocationSummary | None = index.data(RowRole.ROW) if index.isValid() else None
        code = location.code if location is not None else None
        if code is not None and code == self.contents_model.location:
            return  # the click already showed it; the double-click's activation need not load it again
        self._show_contents_of(code)

    def _show_contents_of(self, code: str | None) -> None:
        self.contents_model.set_location(code)
        self._update_contents_heading()
        if code is None:
            self.contents_count.setText(CONTENTS_HINT)
        else:
            self.contents_count.setText("Loading…")

    def _update_contents_heading(self) -> None:
        code = self.contents_model.location
        if code is None:
            self.contents_heading.setText("Contents")
            return
        row = self.model.row_of(code)
        name = self.model.row_at(row).name if row is not None else None
        self.contents_heading.setText(f"Contents of {code}" + (f" – {name}" if name else ""))

    def _update_contents_count(self) -> None:
        if self.contents_model.location is None:
            return
        rows = self.contents_model.rowCount()
        if rows == 0:
            text = "Nothing is stored here"
        elif self.contents_model.has_more:
            text = f"{formatting.number(rows)}+ stock rows"
        else:
            text = formatting.plural(rows, "stock row")
        self.contents_count.setText(text)

    # --- admin actions --------------------------------------------------------------------
    def add_location(self) -> None:
        dialog = AddLocationDialog(self._services, self._actor, self.model.rows(), self)
        self._run(dialog, "Location {code} added.")

    def rename_location(self) -> None:
        location = self.selected_location()
        if location is not None:
            self._run(RenameLocationDialog(self._services, self._actor, location, self), "Location {code} renamed.")

    def change_sort_key(self) -> None:
        location = self.selected_location()
        if location is not None:
            self._run(
                SortKeyDialog(self._services, self._actor, location, self),
                "Location {code} now has sort key {sort_key}.",
            )

    def toggle_active(self) -> None:
        location = self.selected_location()
        if location is None:
            return
        message = "Location {code} reactivated." if not location.is_active else "Location {code} deactivated."
        self._run(LocationActiveDialog(self._services, self._actor, location, self), message)

    def _run(self, dialog: LocationDialog, message: str) -> None:
        def accepted(outcome: LocationInfo) -> str:
            self._select_code = outcome.code  # the announced change reloads the list: keep it selected
            return message.format(code=outcome.code, sort_key=outcome.sort_key)

        open_action_dialog(self, dialog, accepted)
