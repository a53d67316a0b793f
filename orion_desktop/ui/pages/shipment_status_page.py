"""Shipment status: scan or type an order number to see what of it has shipped; below, the open
parcels, which can be advanced, assigned or cancelled (dialogs off the GUI thread, as on the Orders
page; after a change the dialog announces what the services changed)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from orion_desktop.domain.actor import Permission
from orion_desktop.domain.errors import NotFound
from orion_desktop.domain.order_results import ShipmentInfo, ShipmentStatusReport
from orion_desktop.domain.orders import OPEN_SHIPMENT_STATUSES, ShipmentStatus
from orion_desktop.ui import formatting, order_format
from orion_desktop.ui.data_events import DataEvents, Topic
from orion_desktop.ui.dialogs.action_dialog import ActionDialog
from orion_desktop.ui.dialogs.shipment_dialogs import (
    AdvanceShipmentDialog,
    AssignShipmentDialog,
    CancelShipmentDialog,
    PrepareParcelDialog,
)
from orion_desktop.ui.dialogs.shipment_dialogs import contents as parcel_contents
from orion_desktop.ui.models.shipment_models import (
    OpenShipmentColumn,
    OpenShipmentsModel,
    RowRole,
    ShipmentItemColumn,
    ShipmentItemsModel,
)
from orion_desktop.ui.pages.dialog_opening import open_action_dialog
from orion_desktop.ui.pages.latest_load import LatestLoad
from orion_desktop.ui.pages.live_page import LivePage
from orion_desktop.ui.pages.view_state import View
from orion_desktop.ui.widgets.detail_pane import figure_grid, figure_label, heading_row, title_label
from orion_desktop.ui.widgets.message_banner import MessageBanner
from orion_desktop.ui.widgets.sorting import sortable
from orion_desktop.ui.widgets.tables import heading, make_table, split_vertically, status_label, table_section

if TYPE_CHECKING:
    from orion_desktop.domain.actor import Actor
    from orion_desktop.services.registry import Services

OPEN_STATUSES = OPEN_SHIPMENT_STATUSES


class ShipmentStatusPage(LivePage):
    title = "Shipment status"
    settings_group = "shipment_status"
    topics = frozenset({Topic.ORDERS})

    PLACEHOLDER_TEXT = "Scan or type an order number and press Enter to see what of it has shipped."

    def __init__(self, services: Services, actor: Actor, events: DataEvents, parent: QWidget | None = None) -> None:
        super().__init__(events, parent)
        self.setObjectName("shipmentStatusPage")
        self._services = services
        self._actor = actor
        self.report: ShipmentStatusReport | None = None
        self._order_number: str | None = None  # the order shown (or being looked up)
        self._order: LatestLoad[ShipmentStatusReport] = LatestLoad(self, self._order_loaded, self._order_failed)
        self._shipments: LatestLoad[tuple[ShipmentInfo, ...]] = LatestLoad(
            self, self._shipments_loaded, self._shipments_failed
        )
        self.items_model = ShipmentItemsModel(self)
        self.shipments_model = OpenShipmentsModel(self)
        self.dialog: ActionDialog | None = None  # the parcel dialog open now (window-modal)
        self._keep_selected: str | None = None  # the parcel to select again after a reload
        self._init_order_part()
        self._init_shipments_part()
        self._init_actions()
        self._init_layout()
        self._connect()
        self._update_actions()

    # --- construction ---------------------------------------------------------------------
    def _init_order_part(self) -> None:
        self.order_edit = QLineEdit(self)
        self.order_edit.setObjectName("shipmentOrderNumber")
        self.order_edit.setPlaceholderText("Order number, e.g. ORD-1-20260115-AB12CD")
        self.order_edit.setClearButtonEnabled(True)
        self.order_edit.setAccessibleName("Order number")
        self.order_edit.setMaxLength(64)
        self.order_edit.setMinimumWidth(self.fontMetrics().horizontalAdvance("ORD-000-00000000-XXXXXX") + 40)
        self.order_edit.setMaximumWidth(self.fontMetrics().horizontalAdvance("M") * 40)
        self.show_button = QPushButton("Show", self)
        self.show_button.setObjectName("showShipmentStatus")
        self.show_button.setToolTip("Show the shipment status of this order (Enter)")

        self.placeholder = QLabel(self.PLACEHOLDER_TEXT, self)
        self.placeholder.setObjectName("shipmentPlaceholder")
        self.placeholder.setWordWrap(True)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setEnabled(False)

        summary = QWidget(self)
        self.order_label = title_label(summary, "shipmentOrderTitle")
        self.order_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.state_label = QLabel(summary)
        self.state_label.setObjectName("shipmentState")
        self.state_label.setTextFormat(Qt.TextFormat.PlainText)
        self.order_status_value = figure_label(summary, "shipmentOrderStatus")
        self.items_value = figure_label(summary, "shipmentItemsShipped")
        self.units_value = figure_label(summary, "shipmentUnitsShipped")
        self.progress = QProgressBar(summary)
        self.progress.setObjectName("shipmentProgress")
        self.progress.setTextVisible(True)
        self.progress.setFormat("%p %")
        self.progress.setToolTip("Share of the ordered units that have shipped")
        self.progress.setFixedWidth(self.fontMetrics().horizontalAdvance("M") * 12)

        names = QVBoxLayout()
        names.setSpacing(2)
        names.addWidget(self.order_label)
        names.addWidget(self.state_label)
        names.addStretch(1)
        figures = figure_grid(
            summary,
            (("Order status", self.order_status_value), ("Items fully shipped", self.items_value),
             ("Units shipped", self.units_value)),
        )
        figures.addWidget(self.progress, 0, 3, 2, 1, Qt.AlignmentFlag.AlignVCenter)
        heading_row(names, figures, summary).setContentsMargins(0, 4, 0, 4)
        self.summary = summary

        self.summary_stack = QStackedWidget(self)
        self.summary_stack.addWidget(self.placeholder)
        self.summary_stack.addWidget(summary)
        self.summary_stack.setMaximumHeight(summary.sizeHint().height() + 8)

        self.items_table = make_table(
            self,
            self.items_model,
            name="shipmentItemsTable",
            fill_column=ShipmentItemColumn.ITEM,
            samples={
                ShipmentItemColumn.ORDERED: "00,000",
                ShipmentItemColumn.SHIPPED: "00,000",
                ShipmentItemColumn.REMAINING: "00,000",
                ShipmentItemColumn.STATE: "Not shipped yet",
            },
        )

    def _init_shipments_part(self) -> None:
        self.status_combo = QComboBox(self)
        self.status_combo.setObjectName("openShipmentStatus")
        self.status_combo.setToolTip("Show the open shipments at one step of the workflow")
        self.status_combo.setAccessibleName("Workflow status")
        self.status_combo.addItem("All open shipments", None)
        for status in OPEN_STATUSES:
            self.status_combo.addItem(formatting.status_text(status), status.value)
        self.shipments_count = status_label(self, "openShipmentsCount")
        self.shipments_table = make_table(
            self,
            self.shipments_model,
            name="openShipmentsTable",
            fill_column=OpenShipmentColumn.CONTENTS,
            samples={
                OpenShipmentColumn.SHIPMENT: "SHP-0-00000000-XXXXXX-00",
                OpenShipmentColumn.ORDER: "ORD-0-00000000-XXXXXX",
                OpenShipmentColumn.STATUS: "Ready to ship",
                OpenShipmentColumn.UNITS: "0,000",
                OpenShipmentColumn.ASSIGNED: "assigned",
                OpenShipmentColumn.BOX: "medium",
                OpenShipmentColumn.CREATED: "today 00:00",
            },
        )
        self.shipments_table.setToolTip("Double-click a shipment to see the shipment status of its order")
        self.shipments_sorting = sortable(self.shipments_table, self.shipments_model)  # loaded whole: sort here
        self.shipments_proxy = self.shipments_sorting.proxy

    def _init_actions(self) -> None:
        def action(text: str, tip: str, slot: Callable[[], object], name: str) -> QAction:
            found = QAction(text, self)
            found.setObjectName(name)
            found.setStatusTip(tip)
            found.setToolTip(tip)
            found.triggered.connect(lambda _checked=False: slot())
            self.addAction(found)
            return found

        self.prepare_action = action(
            "&Prepare parcel…", "Start a parcel for the order shown above", self.prepare_parcel,
            "prepareParcelAction")
        self.advance_action = action(
            "&Advance…", "Move the selected parcel to its next step (picking, packing, ready to ship, shipped)",
            self.advance_parcel, "advanceParcelAction")
        self.assign_action = action(
            "Assi&gn…", "Give the selected parcel to someone to pick and pack", self.assign_parcel,
            "assignParcelAction")
        self.cancel_parcel_action = action(
            "&Cancel parcel…", "Cancel the selected parcel; its order keeps its reserved stock", self.cancel_parcel,
            "cancelParcelAction")
        self.parcel_toolbar = QToolBar("Parcel actions", self)
        self.parcel_toolbar.setObjectName("parcelActions")
        self.parcel_toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        # Only as wide as its buttons: a toolbar expands by default and would squeeze the count beside it.
        self.parcel_toolbar.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self.parcel_toolbar.addAction(self.prepare_action)
        self.parcel_toolbar.addSeparator()  # the rest work on the selected parcel
        for found in self.parcel_actions:
            self.parcel_toolbar.addAction(found)

    @property
    def parcel_actions(self) -> tuple[QAction, ...]:
        """The actions on the parcel selected in the open shipments table."""
        return (self.advance_action, self.assign_action, self.cancel_parcel_action)

    def edit_actions(self) -> Sequence[QAction]:
        """Shown in the window's Edit menu while this page is in front."""
        return (self.prepare_action, *self.parcel_actions)

    def _init_layout(self) -> None:
        self.banner = MessageBanner(self)
        order_row = QHBoxLayout()
        order_label = QLabel("&Order:", self)
        order_label.setBuddy(self.order_edit)
        order_row.addWidget(order_label)
        order_row.addWidget(self.order_edit, 2)
        order_row.addWidget(self.show_button)
        order_row.addStretch(1)

        upper = QWidget(self)
        upper_layout = QVBoxLayout(upper)
        upper_layout.setContentsMargins(0, 0, 0, 0)
        upper_layout.addLayout(order_row)
        upper_layout.addWidget(self.summary_stack)
        upper_layout.addWidget(self.items_table, 1)

        filters = QHBoxLayout()
        filters.addWidget(heading("Open shipments", self))
        filters.addSpacing(12)
        filters.addWidget(self.status_combo)
        filters.addSpacing(12)
        filters.addWidget(self.parcel_toolbar)
        filters.addStretch(1)
        filters.addWidget(self.shipments_count)
        lower = table_section(self, filters, self.shipments_table)
        self.splitter = split_vertically(self, "shipmentStatusSplitter", upper, lower)

        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.splitter, 1)

    def _connect(self) -> None:
        self.order_edit.returnPressed.connect(self.show_order)
        self.show_button.clicked.connect(self.show_order)
        self.status_combo.currentIndexChanged.connect(self.load_shipments)
        self.shipments_table.doubleClicked.connect(self._shipment_double_clicked)
        self.shipments_table.selectionModel().currentRowChanged.connect(lambda *_args: self._update_actions())
        self.shipments_proxy.modelReset.connect(self._update_actions)
        self.shipments_proxy.layoutChanged.connect(self._update_actions)

    # --- Page -----------------------------------------------------------------------------
    @property
    def is_loading(self) -> bool:
        return self._order.loading or self._shipments.loading

    def load(self) -> None:
        self.banner.clear()
        self.load_shipments()
        if self._order_number is not None:
            self._load_order(self._order_number)

    def focus_search(self) -> None:
        self.order_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.order_edit.selectAll()

    def remembered_views(self) -> Mapping[str, View]:
        return {
            "splitter": self.splitter, "items_columns": self.items_table, "shipments_columns": self.shipments_sorting
        }

    # --- one order ------------------------------------------------------------------------
    def show_order(self, number: str | None = None) -> None:
        """Enter in the order box (a scanner ends every code with it), Show, or a double-clicked shipment."""
        if isinstance(number, str):
            self.order_edit.setText(number.strip())
        text = self.order_edit.text().strip()
        self.order_edit.selectAll()  # the next scan replaces this one
        self.banner.clear()
        if not text:
            self._order_number = None
            self._order.cancel()
            self._show_report(None)
            return
        self._order_number = text
        self._load_order(text)

    def _load_order(self, text: str) -> None:
        queries = self._services.order_queries

        def work() -> ShipmentStatusReport:
            try:
                return queries.shipment_status(text)
            except NotFound:
                if text.upper() == text:
                    raise
                return queries.shipment_status(text.upper())  # typed in lower case

        self._order.start(work)

    def _order_loaded(self, report: ShipmentStatusReport) -> None:
        self._order_number = report.order_number
        self._show_report(report)

    def _order_failed(self, error: BaseException) -> None:
        self._order_number = None
        self._show_report(None)
        self.show_error(error)

    def _show_report(self, report: ShipmentStatusReport | None) -> None:
        self.report = report
        self._update_actions()
        if report is None:
            self.items_model.set_rows(())
            self.summary_stack.setCurrentWidget(self.placeholder)
            return
        self.items_model.set_rows(report.items)
        self.order_label.setText(report.order_number)
        if report.is_fully_shipped:
            state = "Everything has shipped."
        elif report.is_partially_shipped:
            left = report.total_ordered_units - report.total_shipped_units
            state = f"Partly shipped: {formatting.plural(left, 'unit')} still to ship."
        elif report.total_item_count == 0:
            state = "The order has no items."
        else:
            state = "Nothing has shipped yet."
        self.state_label.setText(state)
        self.order_status_value.setText(formatting.status_text(report.order_status))
        self.items_value.setText(
            f"{formatting.number(report.shipped_item_count)} of {formatting.number(report.total_item_count)}"
        )
        self.units_value.setText(
            f"{formatting.number(report.total_shipped_units)} of {formatting.number(report.total_ordered_units)}"
        )
        self.progress.setRange(0, max(report.total_ordered_units, 1))
        self.progress.setValue(min(report.total_shipped_units, max(report.total_ordered_units, 1)))
        self.summary_stack.setCurrentWidget(self.summary)

    # --- open shipments -------------------------------------------------------------------
    def load_shipments(self, *_args: object) -> None:
        status = self.status_combo.currentData()
        queries = self._services.order_queries
        self.shipments_count.setText("Loading…")
        self._shipments.start(lambda: queries.open_shipments(status))

    def _shipments_loaded(self, shipments: tuple[ShipmentInfo, ...]) -> None:
        selected = self.selected_parcel()
        keep = self._keep_selected or (selected.shipment_number if selected is not None else None)
        self._keep_selected = None
        self.shipments_model.set_rows(shipments)
        if keep is not None:
            self.select_parcel(keep)
        self._update_actions()
        status = self.status_combo.currentData()
        if shipments:
            text = formatting.plural(len(shipments), "open shipment")
        elif status is None:
            text = "No open shipments"
        else:
            text = f"No shipments are {formatting.status_text(status).lower()}"
        self.shipments_count.setText(text)

    def _shipments_failed(self, error: BaseException) -> None:
        self.shipments_model.set_rows(())
        self.shipments_count.setText("")
        self.show_error(error)

    def _shipment_double_clicked(self, index: QModelIndex) -> None:
        shipment: ShipmentInfo | None = index.data(RowRole.ROW) if index.isValid() else None
        if shipment is not None:
            self.show_order(shipment.order_number)

    # --- parcel actions -------------------------------------------------------------------
    def selected_parcel(self) -> ShipmentInfo | None:
        index = self.shipments_table.currentIndex()
        return index.data(RowRole.ROW) if index.isValid() else None

    def select_parcel(self, shipment_number: str) -> bool:
        """Select an open parcel by number if it is listed now."""
        for row in range(self.shipments_proxy.rowCount()):
            index = self.shipments_proxy.index(row, 0)
            shipment: ShipmentInfo | None = index.data(RowRole.ROW)
            if shipment is not None and shipment.shipment_number == shipment_number:
                self.shipments_table.setCurrentIndex(index)
                return True
        return False

    def _update_actions(self, *_args: object) -> None:
        parcel = self.selected_parcel()
        report = self.report
        allowed = order_format.may(self._actor, Permission.MOVE_RESERVED_STOCK)
        open_order = report is not None and report.order_status.is_open and not report.is_fully_shipped
        rules = [(self.prepare_action, open_order, "Show an open order with units still to ship first")]
        rules += [(found, parcel is not None, "Select a parcel in the list first") for found in self.parcel_actions]
        for found, possible, why_not in rules:
            found.setEnabled(allowed and possible)
            tip = found.statusTip()
            if not allowed:
                tip = order_format.needs_role_text(self._actor, Permission.MOVE_RESERVED_STOCK)
            elif not possible:
                tip = f"{tip}. {why_not}."
            found.setToolTip(tip)

    def _open(self, dialog: ActionDialog, on_done: Callable[[ShipmentInfo], str]) -> None:
        """Show a parcel dialog; after OK the list reloads with the same parcel selected (if still open)."""
        if self.dialog is not None:
            self.dialog.close()
        self.dialog = dialog

        def closed() -> None:
            if self.dialog is dialog:
                self.dialog = None

        def done(outcome: ShipmentInfo) -> str:
            self._keep_selected = outcome.shipment_number
            return on_done(outcome)

        open_action_dialog(self, dialog, done, closed)

    def prepare_parcel(self) -> None:
        report = self.report
        if report is None:
            return
        try:  # as it is now: another PC may have shipped or parcelled units since it was shown
            detail = self._services.order_queries.get_order(report.order_number)
        except Exception as error:  # noqa: BLE001 - shown as a sentence, the page stays usable
            self.show_error(error)
            return
        self._open(PrepareParcelDialog(self._services, self._actor, detail, parent=self),
                   lambda shipment: f"{shipment.shipment_number} prepared for {shipment.order_number}: "
                                    f"{parcel_contents(shipment)}.")

    def advance_parcel(self) -> None:
        parcel = self.selected_parcel()
        if parcel is None:
            return

        def advanced(shipment: ShipmentInfo) -> str:
            text = f"{shipment.shipment_number} is now {order_format.SHIPMENT_STATUS_TEXT[shipment.status].lower()}."
            if shipment.status is ShipmentStatus.SHIPPED:
                text += f" Shipped {parcel_contents(shipment)} of {shipment.order_number}."
            return text

        self._open(AdvanceShipmentDialog(self._services, self._actor, parcel, parent=self), advanced)

    def assign_parcel(self) -> None:
        parcel = self.selected_parcel()
        if parcel is None:
            return
        self._open(AssignShipmentDialog(self._services, self._actor, parcel, parent=self),
                   lambda shipment: f"{shipment.shipment_number} is assigned to {shipment.assigned_to}.")

    def cancel_parcel(self) -> None:
        parcel = self.selected_parcel()
        if parcel is None:
            return
        self._open(CancelShipmentDialog(self._services, self._actor, parcel, parent=self),
                   lambda shipment: f"{shipment.shipment_number} is cancelled; order {shipment.order_number} "
                                    "keeps its reserved stock.")
