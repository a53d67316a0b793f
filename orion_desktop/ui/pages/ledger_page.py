"""Ledger: every stock change, newest first, filtered by product, order, kind of change, store and dates."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QWidget,
)

from orion_desktop.domain.enums import TransactionType
from orion_desktop.domain.results import StoreInfo
from orion_desktop.ui import empty_texts, formatting
from orion_desktop.ui.data_events import DataEvents, Topic
from orion_desktop.ui.models.ledger_model import LedgerColumn, LedgerFilter, LedgerModel
from orion_desktop.ui.pages.latest_load import LatestLoad
from orion_desktop.ui.pages.list_page import FilteredListPage
from orion_desktop.ui.pages.view_state import View
from orion_desktop.ui.widgets.tables import make_table, status_label

if TYPE_CHECKING:
    from orion_desktop.domain.actor import Actor
    from orion_desktop.services.registry import Services

DEFAULT_DAYS_BACK = 30
"""Where the "From" date starts when the user turns it on."""


def local_day_start(day: date) -> datetime:
    """Midnight at the start of ``day`` in the local time zone, as an aware datetime."""
    return datetime.combine(day, time()).astimezone()


class LedgerPage(FilteredListPage[LedgerModel]):
    title = "Ledger"
    settings_group = "ledger"
    topics = frozenset({Topic.STOCK, Topic.ORDERS})
    select_first_hit = False  # no detail pane: Enter only searches

    def __init__(
        self,
        services: Services,
        actor: Actor,
        events: DataEvents,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(events, parent)
        self.setObjectName("ledgerPage")
        self._services = services
        self._actor = actor
        self._stores: LatestLoad[Sequence[StoreInfo]] = LatestLoad(self, self._stores_loaded, self.show_error)
        self.model = LedgerModel(services.stock, parent=self)  # the one ledger query, as `stock ledger`
        self._init_filters()
        self._init_table()
        self._init_layout()
        self._connect()

    # --- construction ---------------------------------------------------------------------
    def _init_filters(self) -> None:
        self.product_edit = self.search_edit_for("ledgerProduct", "SKU, or scan a GTIN", "Product", "0" * 16)
        self.product_edit.setToolTip("Show the changes of one product: its exact SKU or any form of its GTIN")
        self.order_edit = self.search_edit_for("ledgerOrder", "Order number", "Order number", "ORD-0-00000000-XXXXXX")
        self.order_edit.setToolTip("Show the stock changes made for one order (reserve, release, fulfil, return)")

        self.type_combo = QComboBox(self)
        self.type_combo.setObjectName("ledgerType")
        self.type_combo.setAccessibleName("Kind of change")
        self.type_combo.setToolTip("Show one kind of change")
        self.type_combo.addItem("All kinds of change", None)
        for kind in TransactionType:
            self.type_combo.addItem(formatting.status_text(kind), kind.value)
        self.store_combo = QComboBox(self)
        self.store_combo.setObjectName("ledgerStore")
        self.store_combo.setAccessibleName("Store")
        self.store_combo.setToolTip("Show the changes of one store")
        self.store_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.store_combo.setMinimumContentsLength(12)
        self.store_combo.addItem("All stores", None)

        today = QDate.currentDate()
        self.from_check = QCheckBox("&From", self)
        self.from_check.setObjectName("ledgerFromEnabled")
        self.from_check.setToolTip("Show changes from the start of this day (local time)")
        self.from_date = self._date_edit("ledgerFrom", today.addDays(-DEFAULT_DAYS_BACK), "From date")
        self.to_check = QCheckBox("&To", self)
        self.to_check.setObjectName("ledgerToEnabled")
        self.to_check.setToolTip("Show changes up to the end of this day (local time)")
        self.to_date = self._date_edit("ledgerTo", today, "To date")
        self.clear_button = QPushButton("Clear filters", self)
        self.clear_button.setObjectName("ledgerClearFilters")
        self.clear_button.setToolTip("Show every change again")
        self.count_label = status_label(self, "ledgerCount")

    def _date_edit(self, name: str, day: QDate, accessible: str) -> QDateEdit:
        edit = QDateEdit(day, self)
        edit.setObjectName(name)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setAccessibleName(accessible)
        edit.setEnabled(False)  # until its check box is ticked
        return edit

    def _init_table(self) -> None:
        self.table = make_table(
            self,
            self.model,
            name="ledgerTable",
            fill_column=LedgerColumn.REASON,
            places=(LedgerColumn.LOCATION,),
            keep=(LedgerColumn.SKU, LedgerColumn.WHEN, LedgerColumn.TYPE),
            fill_chars=10,  # the reason gives way before the location (issue: names cut at 1024 px)
            samples={
                LedgerColumn.WHEN: "00 Sep 00:00",  # a real month: "Mmm" was wider than any
                LedgerColumn.TYPE: "Transfer out",
                LedgerColumn.SKU: "SKU-00000",
                LedgerColumn.STORE: "OUTLET",
                LedgerColumn.LOCATION: "WAREHOUSE_MAIN.A-01",
                LedgerColumn.QUANTITY_CHANGE: "+0,000",
                LedgerColumn.RESERVED_CHANGE: "+0,000",
                LedgerColumn.QUANTITY_AFTER: "00,000",
                LedgerColumn.RESERVED_AFTER: "00,000",
                LedgerColumn.ORDER: "ORD-0-00000000-XXXXXX",
                LedgerColumn.BY: "username",
            },
        )

    def _init_layout(self) -> None:
        first = QHBoxLayout()
        product_label = QLabel("&Product:", self)
        product_label.setBuddy(self.product_edit)
        order_label = QLabel("&Order:", self)
        order_label.setBuddy(self.order_edit)
        first.addWidget(product_label)
        first.addWidget(self.product_edit, 2)
        first.addSpacing(8)
        first.addWidget(order_label)
        first.addWidget(self.order_edit, 2)
        first.addSpacing(8)
        first.addWidget(self.type_combo)
        first.addWidget(self.store_combo)
        first.addStretch(1)
        second = QHBoxLayout()
        second.addWidget(self.from_check)
        second.addWidget(self.from_date)
        second.addSpacing(8)
        second.addWidget(self.to_check)
        second.addWidget(self.to_date)
        second.addSpacing(8)
        second.addWidget(self.clear_button)
        second.addStretch(1)
        second.addWidget(self.count_label)
        self.lay_out([first, second], self.table)

    def _connect(self) -> None:
        self.type_combo.currentIndexChanged.connect(self.apply_filter)
        self.store_combo.currentIndexChanged.connect(self.apply_filter)
        self.from_check.toggled.connect(self._date_range_changed)
        self.to_check.toggled.connect(self._date_range_changed)
        self.from_date.dateChanged.connect(self._date_range_changed)
        self.to_date.dateChanged.connect(self._date_range_changed)
        self.clear_button.clicked.connect(self.clear_filters)
        self.model.loadFailed.connect(self.show_error)
        self.model.rowsLoaded.connect(self._update_count)

    # --- Page -----------------------------------------------------------------------------
    @property
    def is_loading(self) -> bool:
        return self.model.is_loading or self._stores.loading

    def load(self) -> None:
        self.banner.clear()
        self._load_stores()
        self.apply_filter(clear_banner=False)

    def remembered_views(self) -> Mapping[str, View]:
        return {"columns": self.table}

    # --- filtering ------------------------------------------------------------------------
    def current_filter(self) -> LedgerFilter:
        # QDate.toPython() is typed ``object`` in PySide's stubs; for a QDate it is a date.
        since = local_day_start(cast(date, self.from_date.date().toPython())) if self.from_check.isChecked() else None
        until = None
        if self.to_check.isChecked():
            last_day = cast(date, self.to_date.date().toPython())
            until = local_day_start(last_day + timedelta(days=1))  # the whole "To" day
        kind = self.type_combo.currentData()
        return LedgerFilter(
            store=self.store_combo.currentData(),
            product=self.product_edit.text(),
            order_number=self.order_edit.text(),
            transaction_type=TransactionType(kind) if kind else None,
            since=since,
            until=until,
        )

    def apply_filter(self, *_args: object, clear_banner: bool = True) -> None:
        """Query the ledger again for what the filter widgets show."""
        self.count_label.setText("Loading…")
        super().apply_filter(clear_banner=clear_banner)

    def clear_filters(self) -> None:
        widgets = (
            self.product_edit, self.order_edit, self.type_combo, self.store_combo, self.from_check, self.to_check
        )
        for widget in widgets:
            widget.blockSignals(True)
        try:
            self.product_edit.clear()
            self.order_edit.clear()
            self.type_combo.setCurrentIndex(0)
            self.store_combo.setCurrentIndex(0)
            self.from_check.setChecked(False)
            self.to_check.setChecked(False)
        finally:
            for widget in widgets:
                widget.blockSignals(False)
        self._sync_dates()
        self.apply_filter()

    def _date_range_changed(self, *_args: object) -> None:
        self._sync_dates()
        self.apply_filter()

    def _sync_dates(self) -> None:
        self.from_date.setEnabled(self.from_check.isChecked())
        self.to_date.setEnabled(self.to_check.isChecked())
        # The range can never end before it starts: the "To" day is at least the "From" day.
        self.to_date.blockSignals(True)
        try:
            self.to_date.setMinimumDate(self.from_date.date() if self.from_check.isChecked() else QDate(1900, 1, 1))
        finally:
            self.to_date.blockSignals(False)

    def _update_count(self) -> None:
        rows = self.model.rowCount()
        if rows == 0:
            text = (
                "No changes match the filter" if self.model.ledger_filter.is_active else empty_texts.NO_LEDGER
            )
        elif self.model.has_more:
            text = f"{formatting.number(rows)}+ changes · scroll down for older ones"
        else:
            text = formatting.plural(rows, "change")
        self.count_label.setText(text)

    # --- stores ---------------------------------------------------------------------------
    def _load_stores(self) -> None:
        self._stores.start(self._services.catalog.list_stores)

    def _stores_loaded(self, stores: Sequence[StoreInfo]) -> None:
        combo = self.store_combo
        chosen = combo.currentData()
        combo.blockSignals(True)
        try:
            combo.clear()
            combo.addItem("All stores", None)
            for store in stores:
                combo.addItem(store.code if store.name == store.code else f"{store.code} – {store.name}", store.code)
            index = combo.findData(chosen) if chosen is not None else 0
            combo.setCurrentIndex(max(index, 0))
        finally:
            combo.blockSignals(False)
        if combo.currentData() != chosen:  # the chosen store is gone: show every store's changes
            self.apply_filter()
