"""Orders: every order, filtered by status and searched by number or customer, with a detail pane and
the order actions (new order, change status, ship items, return, note).

The table pages through orders with keyset paging; the detail of the selected order (items,
reservations, shipments, history, notes) loads off the GUI thread. After any change the dialog
announces what the services changed (ARCHITECTURE.md: change sets). It stays current as every
``LivePage`` does: it loads when first shown, and every change announced by any page reloads it —
at once when it is visible, otherwise when it is next shown — with the selected order kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QToolBar,
    QWidget,
)

from orion_desktop.domain.actor import Actor, Permission
from orion_desktop.domain.order_results import OrderDetail, OrderSummary, ShipmentResult, StatusChangeResult
from orion_desktop.domain.orders import OrderStatus
from orion_desktop.ui import empty_texts, formatting, order_format
from orion_desktop.ui.data_events import DataEvents, Topic
from orion_desktop.ui.dialogs.change_status_dialog import ChangeStatusDialog
from orion_desktop.ui.dialogs.new_order_dialog import NewOrderDialog
from orion_desktop.ui.dialogs.note_dialog import NoteDialog
from orion_desktop.ui.dialogs.return_dialog import ReturnDialog
from orion_desktop.ui.dialogs.ship_dialog import ShipDialog, stock_for_shipping
from orion_desktop.ui.models.keyset_model import DEFAULT_PAGE_SIZE
from orion_desktop.ui.models.keyset_sorting import KeysetSorting
from orion_desktop.ui.models.orders_model import OrderColumn, OrderFilter, OrderRole, OrdersModel
from orion_desktop.ui.pages.list_page import FilteredListPage
from orion_desktop.ui.pages.view_state import View, restore_views, save_views
from orion_desktop.ui.widgets.order_detail import OrderDetailPane, OrderView, load_order_view
from orion_desktop.ui.widgets.tables import make_table, split_vertically, status_label
from orion_desktop.ui.worker import run_in_background

if TYPE_CHECKING:
    from orion_desktop.domain.order_results import NoteInfo, ReturnResult
    from orion_desktop.services.registry import Services

DETAIL_DELAY_MS = 40
"""The selection must rest this long before the detail loads (arrow keys through the list load once)."""

LOADING_TEXT_DELAY_MS = 300
"""Only a detail that takes longer than this replaces the previous order with "Loading…"."""


class OrdersPage(FilteredListPage[OrdersModel]):
    title = "Orders"
    settings_group = "orders"
    topics = frozenset({Topic.ORDERS, Topic.STOCK})
    """Stock changes matter too: a restock allocates to backorders, which changes orders' reservations."""

    detailShown = Signal(object)  # the OrderView now shown, or None when the pane is empty  # noqa: N815

    def __init__(
        self,
        services: Services,
        actor: Actor,
        events: DataEvents,
        parent: QWidget | None = None,
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> None:
        super().__init__(events, parent)
        self.setObjectName("ordersPage")
        self._services = services
        self._actor = actor
        self._selected_id: int | None = None
        self._detail_generation = 0  # answers for an older selection are dropped
        self._pending_number: str | None = None  # the order whose detail is wanted
        self._select_after_reload: str | None = None
        self.model = OrdersModel(services.order_queries, page_size=page_size, parent=self)
        self._init_actions()
        self._init_filters()
        self._init_table()
        self._init_layout()
        self._connect()
        self._update_actions()

    # --- construction ---------------------------------------------------------------------
    def _init_actions(self) -> None:
        action = self.page_action
        self.new_order_action = action(
            "&New order…", "Type in a new order", self.new_order, name="newOrderAction", shortcut="Ctrl+N")
        self.change_status_action = action(
            "Change &status…", "Move the selected order to processing, shipped, delivered or cancelled",
            self.change_status, name="changeStatusAction", shortcut="Ctrl+T")
        self.ship_action = action(
            "S&hip items…", "Ship some or all open items of the selected order in one parcel",
            self.ship_items, name="shipAction", shortcut="Ctrl+Shift+S")
        self.return_action = action(
            "&Return…", "Take shipped units of the selected order back", self.return_items,
            name="returnAction", shortcut="Ctrl+Shift+R")
        self.note_action = action(
            "Add n&ote…", "Add an internal or customer-visible note to the selected order",
            self.add_note, name="noteAction", shortcut="Ctrl+Shift+N")
        self.toolbar = QToolBar("Order actions", self)
        self.toolbar.setObjectName("orderActions")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.toolbar.addAction(self.new_order_action)
        self.toolbar.addSeparator()  # the rest work on the selected order
        for found in self.order_actions[1:]:
            self.toolbar.addAction(found)

    def edit_actions(self) -> tuple[QAction, ...]:
        """Shown in the window's Edit menu while this page is in front."""
        return self.order_actions

    @property
    def order_actions(self) -> tuple[QAction, ...]:
        """The page's actions, e.g. for an Orders menu in the main window."""
        return (self.new_order_action, self.change_status_action, self.ship_action, self.return_action,
                self.note_action)

    def _init_filters(self) -> None:
        self.search_edit = self.search_edit_for(
            "ordersSearch", "Search order number or customer", "Search orders", "ORD-00-00000000-XXXXXX")
        self._detail_timer = QTimer(self)
        self._detail_timer.setSingleShot(True)
        self._detail_timer.setInterval(DETAIL_DELAY_MS)
        self._loading_timer = QTimer(self)
        self._loading_timer.setSingleShot(True)
        self._loading_timer.setInterval(LOADING_TEXT_DELAY_MS)

        self.status_combo = QComboBox(self)
        self.status_combo.setObjectName("orderStatusFilter")
        self.status_combo.setAccessibleName("Status")
        self.status_combo.setToolTip("Show the orders in one status")
        self.status_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.status_combo.setMinimumContentsLength(22)
        self.status_combo.addItem("All statuses", None)
        for status in OrderStatus:
            self.status_combo.addItem(order_format.status_text(status), status.value)
            self.status_combo.setItemData(self.status_combo.count() - 1, order_format.STATUS_HELP[status],
                                          Qt.ItemDataRole.ToolTipRole)
        self.count_label = status_label(self, "ordersCount")

    def _init_table(self) -> None:
        table = make_table(
            self,
            self.model,
            name="ordersTable",
            fill_column=OrderColumn.CUSTOMER,
            max_fill_chars=40,  # a wide window widens order, status, store and date too
            fill_chars=18,
            samples={
                OrderColumn.NUMBER: "ORD-00-00000000-XXXXXX",
                OrderColumn.STATUS: "Partially shipped",
                OrderColumn.STORE: "OUTLET",
                OrderColumn.CREATED: "00 Sep 00:00",
                OrderColumn.ITEMS: "000",
                OrderColumn.SHIPPED: "0,000 / 0,000",
            },
        )
        self.sorting = KeysetSorting(table, self.model)  # header clicks sort in SQL
        self.table = table
        self.detail = OrderDetailPane(self)

    def _init_layout(self) -> None:
        filters = QHBoxLayout()
        filters.addWidget(self.search_edit, 2)
        filters.addSpacing(8)
        filters.addWidget(self.status_combo)
        filters.addStretch(1)
        filters.addWidget(self.count_label)
        self.splitter = split_vertically(self, "ordersSplitter", self.table, self.detail)
        self.splitter.setSizes([420, 480])
        self.lay_out([filters], self.splitter, header=self.toolbar)

    def _connect(self) -> None:
        self._detail_timer.timeout.connect(self._load_detail)
        self._loading_timer.timeout.connect(self._show_loading)
        self.status_combo.currentIndexChanged.connect(self.apply_filter)
        self.model.loadFailed.connect(self.show_error)
        self.model.rowsLoaded.connect(self._update_count)
        self.model.modelAboutToBeReset.connect(self._remember_selection)
        self.model.modelReset.connect(self._restore_selection)
        self.table.selectionModel().currentRowChanged.connect(self._current_row_changed)
        self.table.doubleClicked.connect(lambda _index: self._default_action())

    # --- LivePage -------------------------------------------------------------------------
    def load(self) -> None:
        """Load the list again (filter, scrolled rows and selection kept); the detail follows the selection."""
        self.clear_banner()
        self.model.reload()

    def remembered_views(self) -> Mapping[str, View]:
        """The splitter, and the table's column widths and sort (as on every page, see ``view_state``)."""
        return {"splitter": self.splitter, "columns": self.sorting}

    def save_state(self, settings: QSettings) -> None:
        save_views(settings, self.settings_group, self.remembered_views())
        settings.setValue(f"{self.settings_group}/detail_tab", self.detail.tabs.currentIndex())

    def restore_state(self, settings: QSettings) -> None:
        # The sort is only noted: the list loads when the page is first shown, sorted.
        restore_views(settings, self.settings_group, self.remembered_views())
        tab = settings.value(f"{self.settings_group}/detail_tab")
        try:
            self.detail.tabs.setCurrentIndex(int(tab))
        except (TypeError, ValueError):
            pass

    # --- filtering and searching ----------------------------------------------------------
    def current_filter(self) -> OrderFilter:
        status = self.status_combo.currentData()  # the value: Qt hands enums back as plain strings
        return OrderFilter(status=OrderStatus(status) if status else None, search=self.search_edit.text())

    def _update_count(self) -> None:
        rows = self.model.rowCount()
        if rows == 0:
            text = "No orders match the filter" if self.model.order_filter.is_active else empty_texts.NO_ORDERS
        else:
            shown = formatting.number(rows)
            text = f"{shown}+ orders" if self.model.has_more else f"{shown} order{'s' if rows != 1 else ''}"
        self.count_label.setText(text)
        more = "older orders" if self.model.sort_order.key is None else "more orders"
        self.count_label.setToolTip(f"Scroll down to load {more}" if self.model.has_more else "")

    # --- selection and detail pane --------------------------------------------------------
    def selected_order(self) -> OrderSummary | None:
        index = self.table.currentIndex()
        return index.data(OrderRole.ROW) if index.isValid() else None

    def _remember_selection(self) -> None:
        row = self.selected_order()
        self._selected_id = row.id if row is not None else None

    def _restore_selection(self) -> None:
        found = None
        if self._select_after_reload is not None:  # an order this page just created
            found = self.model.row_of_number(self._select_after_reload)
            self._select_after_reload = None
        if found is None and self._selected_id is not None:
            found = self.model.row_of_order(self._selected_id)
        if found is None:
            self._show_detail(QModelIndex())
            self._update_actions()
        else:
            self.table.setCurrentIndex(self.model.index(found, 0))
            self.table.scrollTo(self.model.index(found, 0))

    def _current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._show_detail(current)
        self._update_actions()

    def _show_detail(self, index: QModelIndex) -> None:
        """Show the order at ``index``: loaded off the GUI thread, a moment after the selection settles.

        Arrow keys through the list start one load, not one per row passed. The pane keeps the
        previous order until the new one is there, and says "Loading…" only if that takes long.
        """
        row: OrderSummary | None = index.data(OrderRole.ROW) if index.isValid() else None
        self._detail_generation += 1
        self._loading_timer.stop()
        if row is None:
            self._detail_timer.stop()
            self._pending_number = None
            self.detail.clear()
            self.detailShown.emit(None)
            return
        self._pending_number = row.order_number
        self._detail_timer.start()
        shown = self.detail.current_order
        if shown is None or shown.id != row.id:
            self._loading_timer.start()

    def _load_detail(self) -> None:
        number = self._pending_number
        if number is None:
            return
        generation = self._detail_generation
        queries = self._services.order_queries
        run_in_background(
            self,
            lambda: load_order_view(queries, number),
            on_done=lambda view: self._detail_loaded(generation, view),
            on_error=lambda error: self._detail_failed(generation, error),
        )

    def _show_loading(self) -> None:
        if self._pending_number is not None:
            self.detail.show_loading(self._pending_number)  # never another order's figures for long

    def _detail_loaded(self, generation: int, view: OrderView) -> None:
        if generation != self._detail_generation:
            return  # the user has moved on meanwhile
        self._loading_timer.stop()
        if self._detail_error_shown:  # the last error was about the detail pane, and it works again
            self.clear_banner()
        self.detail.show_order(view)
        self._update_actions()
        self.detailShown.emit(view)

    def _detail_failed(self, generation: int, error: BaseException) -> None:
        if generation != self._detail_generation:
            return
        self._loading_timer.stop()
        self.detail.clear(OrderDetailPane.UNAVAILABLE_TEXT)
        self.show_error(error)
        self._detail_error_shown = True
        self.detailShown.emit(None)

    # --- actions --------------------------------------------------------------------------
    def _update_actions(self) -> None:
        order = self.selected_order()
        detail = self.detail.current_order
        if detail is not None and (order is None or detail.id != order.id):
            detail = None
        returnable = (
            any(i.shipped_quantity > i.returned_quantity for i in detail.items)
            if detail is not None
            else order is not None and order.shipped_units > 0
        )
        rules = (
            (self.new_order_action, Permission.MANAGE_ORDERS, True, ""),
            (self.change_status_action, Permission.MANAGE_ORDERS,
             order is not None and bool(order_format.allowed_targets(order.order_number, order.status)),
             "Select an order that is not delivered or cancelled"),
            (self.ship_action, Permission.MOVE_RESERVED_STOCK,
             order is not None and order.status.is_open and order.shipped_units < order.ordered_units,
             "Select an open order with units still to ship"),
            (self.return_action, Permission.CHANGE_STOCK, returnable,
             "Select an order with shipped units that have not come back"),
            (self.note_action, Permission.MOVE_RESERVED_STOCK, order is not None, "Select an order"),
        )
        for found, permission, possible, why_not in rules:
            allowed = order_format.may(self._actor, permission)
            found.setEnabled(allowed and possible)
            tip = found.statusTip()
            if not allowed:
                tip = order_format.needs_role_text(self._actor, permission)
            elif not possible and why_not:
                tip = f"{tip}. {why_not}."
            shortcut = found.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            found.setToolTip(f"{tip} ({shortcut})")

    def _default_action(self) -> None:
        """Double-click: what a packer does most — ship, else change status."""
        for found in (self.ship_action, self.change_status_action, self.note_action):
            if found.isEnabled():
                found.trigger()
                return

    def _fresh_detail(self) -> OrderDetail | None:
        """The selected order as it is now (another PC may have changed it since it was shown)."""
        order = self.selected_order()
        if order is None:
            return None
        try:
            return self._services.order_queries.get_order(order.order_number)
        except Exception as error:  # noqa: BLE001 - shown as a sentence, the page stays usable
            self.show_error(error)
            return None

    def new_order(self) -> None:
        try:
            stores = self._services.catalog.list_stores()
        except Exception as error:  # noqa: BLE001
            self.show_error(error)
            return
        selected = self.selected_order()
        dialog = NewOrderDialog(self._services, self._actor, stores,
                                store=selected.store_code if selected else None, parent=self)

        def created(number: str) -> str:
            self._select_after_reload = number  # the announcement reloads the list
            return f"Order {number} was created; it is pending."

        self.open_dialog(dialog, created)

    def change_status(self) -> None:
        detail = self._fresh_detail()
        if detail is None:
            return
        dialog = ChangeStatusDialog(self._services, self._actor, detail, parent=self)

        def changed(result: StatusChangeResult) -> str:
            text = f"{result.order_number} is now {order_format.status_text(result.new_status).lower()}."
            backordered = sum(b.quantity for b in result.backordered)
            if backordered:
                text += f" {order_format.units(backordered)} could not be reserved and are backordered."
            return text

        self.open_dialog(dialog, changed)

    def ship_items(self) -> None:
        detail = self._fresh_detail()
        if detail is None:
            return
        try:
            stock = stock_for_shipping(self._services.stock, detail)
        except Exception as error:  # noqa: BLE001
            self.show_error(error)
            return
        dialog = ShipDialog(self._services, self._actor, detail, stock, parent=self)

        def shipped(shipped_now: ShipmentResult) -> str:
            units = shipped_now.units
            left = sum(i.remaining_quantity for i in detail.items) - units
            text = f"Shipped {order_format.units(units)} of {detail.order_number}."
            text += f" {order_format.units(left)} still to ship." if left > 0 else " The order is fully shipped."
            return text

        self.open_dialog(dialog, shipped)

    def return_items(self) -> None:
        detail = self._fresh_detail()
        if detail is None:
            return
        try:
            locations = self._services.catalog.location_choices()
        except Exception as error:  # noqa: BLE001
            self.show_error(error)
            return
        dialog = ReturnDialog(self._services, self._actor, detail, locations, parent=self)

        def returned(result: ReturnResult) -> str:
            where = f"back to {result.restocked_location}" if result.restocked_location else "as damaged"
            return f"Returned {order_format.units(result.quantity)} of {result.sku} {where}."

        self.open_dialog(dialog, returned)

    def add_note(self) -> None:
        order = self.selected_order()
        if order is None:
            return
        dialog = NoteDialog(self._services, self._actor, order.order_number, parent=self)

        def noted(note: NoteInfo) -> str:
            kind = "internal" if note.is_internal else "customer-visible"
            self.detail.tabs.setCurrentWidget(self.detail.notes_table)
            return f"Added an {kind} note to {order.order_number}."

        self.open_dialog(dialog, noted)
