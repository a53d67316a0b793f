"""The detail pane under the orders table: one order's figures, items, reservations, shipments, history, notes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QTableWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from orion_desktop.domain.order_results import HistoryEntry, NoteInfo, OrderDetail
from orion_desktop.domain.orders import OrderStatus
from orion_desktop.ui import formatting, order_format
from orion_desktop.ui.widgets.detail_pane import DetailPane, figure_label, subtitle_label, title_label

_MUTED = QColor("#80868b")

ITEM_HEADERS = ("Product", "SKU", "Ordered", "Shipped", "Reserved", "Backordered", "Remaining", "Returned")
ITEM_HEADER_TIPS = (
    "Product name on the order",
    "Stock keeping unit",
    "Units ordered",
    "Units already shipped",
    "Units set aside on a shelf for this order",
    "Units waiting for stock: neither shipped nor reserved",
    "Units still to ship (ordered minus shipped)",
    "Shipped units the customer sent back",
)
RESERVATION_HEADERS = ("Location", "SKU", "Open", "Reserved", "Fulfilled", "Released", "Status")
RESERVATION_HEADER_TIPS = (
    "Where the units are set aside",
    "Stock keeping unit",
    "Units still held on the shelf for this order",
    "Units reserved in all",
    "Units shipped from this reservation",
    "Units given back to available stock",
    "Status of the reservation",
)
SHIPMENT_HEADERS = ("Shipment", "Status", "Shipped", "Tracking", "Carrier", "Contents")
HISTORY_HEADERS = ("When", "What", "Status", "By", "Description")
NOTE_HEADERS = ("When", "By", "Visible to", "Note")


@dataclass(frozen=True, slots=True)
class OrderView:
    """Everything the pane shows about one order, loaded together (off the GUI thread)."""

    detail: OrderDetail
    history: tuple[HistoryEntry, ...]
    notes: tuple[NoteInfo, ...]


class OrderViewSource(Protocol):
    """What loading an ``OrderView`` needs from ``services.order_queries``."""

    def get_order(self, order_number: str) -> OrderDetail: ...
    def history(self, order_number: str) -> tuple[HistoryEntry, ...]: ...
    def notes(self, order_number: str, *, customer_visible_only: bool = ...) -> tuple[NoteInfo, ...]: ...


def load_order_view(source: OrderViewSource, order_number: str) -> OrderView:
    """Three short read queries; safe to run in a worker thread (each opens its own session)."""
    detail = source.get_order(order_number)
    return OrderView(detail, source.history(order_number), source.notes(order_number))


class OrderDetailPane(DetailPane):
    """Shows an ``OrderView``; the page does the querying."""

    PLACEHOLDER_TEXT = "Select an order to see its items, reservations, shipments, history and notes."
    UNAVAILABLE_TEXT = "The details of this order could not be loaded."
    LOADING_TEXT = "Loading {number}…"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("orderDetail", "orderDetailPlaceholder", parent)
        self.current_view: OrderView | None = None
        self.clear()

    @property
    def current_order(self) -> OrderDetail | None:
        return self.current_view.detail if self.current_view is not None else None

    # --- construction ---------------------------------------------------------------------
    def _init_content(self) -> QWidget:
        content = QWidget(self)
        self.title_label = title_label(content, "orderTitle")
        self.title_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status_label = QLabel(content)
        self.status_label.setObjectName("orderStatus")
        self.status_label.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.subtitle_label = subtitle_label(content, "orderSubtitle")

        self.ordered_value = figure_label(content, "orderOrdered")
        self.shipped_value = figure_label(content, "orderShipped")
        self.reserved_value = figure_label(content, "orderReserved")
        self.backordered_value = figure_label(content, "orderBackordered")
        self.remaining_value = figure_label(content, "orderRemaining")
        figures = QGridLayout()
        figures.setHorizontalSpacing(24)
        figures.setVerticalSpacing(0)
        captions = (
            ("Ordered", self.ordered_value, "Units ordered"),
            ("Shipped", self.shipped_value, "Units shipped so far"),
            ("Reserved", self.reserved_value, "Units set aside on shelves for this order"),
            ("Backordered", self.backordered_value, "Units waiting for stock"),
            ("Remaining", self.remaining_value, "Units still to ship"),
        )
        for column, (caption, value, tip) in enumerate(captions):
            label = QLabel(caption, content)
            label.setToolTip(tip)
            value.setToolTip(tip)
            figures.addWidget(label, 0, column, Qt.AlignmentFlag.AlignRight)
            figures.addWidget(value, 1, column, Qt.AlignmentFlag.AlignRight)

        self.items_table = self._table(content, ITEM_HEADERS, "orderItems", ITEM_HEADER_TIPS)
        self.reservations_table = self._table(
            content, RESERVATION_HEADERS, "orderReservations", RESERVATION_HEADER_TIPS
        )
        self.shipments_table = self._table(content, SHIPMENT_HEADERS, "orderShipments")
        self.history_table = self._table(content, HISTORY_HEADERS, "orderHistory")
        self.notes_table = self._table(content, NOTE_HEADERS, "orderNotes")
        for table in self._tables:
            table.horizontalHeader().setHighlightSections(False)
        for table in (self.items_table, self.reservations_table):  # the first column takes the spare width
            table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for table in (self.shipments_table, self.history_table, self.notes_table):
            # The long text comes last and takes what is left, elided (its tooltip has it all).
            table.horizontalHeader().setSectionResizeMode(table.columnCount() - 1, QHeaderView.ResizeMode.Stretch)
        self.tabs = QTabWidget(content)
        self.tabs.setObjectName("orderTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.items_table, "Items")
        self.tabs.addTab(self.reservations_table, "Reservations")
        self.tabs.addTab(self.shipments_table, "Shipments")
        self.tabs.addTab(self.history_table, "History")
        self.tabs.addTab(self.notes_table, "Notes")

        heading = QHBoxLayout()
        heading.setSpacing(10)
        heading.addWidget(self.title_label)
        heading.addWidget(self.status_label, 0, Qt.AlignmentFlag.AlignVCenter)
        heading.addStretch(1)
        names = QVBoxLayout()
        names.setSpacing(2)
        names.addLayout(heading)
        names.addWidget(self.subtitle_label)
        names.addStretch(1)
        self._lay_out(content, names, figures, self.tabs)
        return content

    @property
    def _tables(self) -> tuple[QTableWidget, ...]:
        return (self.items_table, self.reservations_table, self.shipments_table, self.history_table, self.notes_table)

    # --- content --------------------------------------------------------------------------
    def clear(self, message: str | None = None) -> None:
        """Show no order: the hint to select one, or ``message`` (e.g. why nothing is shown)."""
        self.current_view = None
        for label in (
            self.title_label, self.subtitle_label, self.status_label, self.ordered_value, self.shipped_value,
            self.reserved_value, self.backordered_value, self.remaining_value,
        ):
            label.clear()
        for table in self._tables:
            table.setRowCount(0)
        self._show_placeholder(message)

    def show_loading(self, order_number: str) -> None:
        """While another order's details load: say so rather than show the previous order."""
        self.clear(self.LOADING_TEXT.format(number=order_number))

    def show_order(self, view: OrderView) -> None:
        order = view.detail
        self.current_view = view
        self.title_label.setText(order.order_number)
        self.status_label.setText(order_format.status_text(order.status))
        self.status_label.setStyleSheet(order_format.status_chip_style(order.status))
        self.status_label.setToolTip(order_format.STATUS_HELP[order.status])
        parts = [order.customer_name or "No customer name"]
        if order.customer_email:
            parts.append(order.customer_email)
        parts.append(f"store {order.store_code}")
        parts.append(f"{order.channel} order")
        parts.append(f"created {formatting.when(order.created_at)}")
        if order.tracking_number:
            parts.append(f"tracking {order.tracking_number}" + (f" ({order.carrier})" if order.carrier else ""))
        if order.reservation_expires_at is not None and order.status.is_open:
            parts.append(f"reservation until {formatting.when(order.reservation_expires_at)}")
        self.subtitle_label.setText("  ·  ".join(parts))

        items = order.items
        self.ordered_value.setText(formatting.number(sum(i.quantity for i in items)))
        self.shipped_value.setText(formatting.number(sum(i.shipped_quantity for i in items)))
        self.reserved_value.setText(formatting.number(sum(i.reserved for i in items)))
        backordered = sum(i.backordered for i in items)
        self.backordered_value.setText(formatting.number(backordered))
        self.backordered_value.setStyleSheet(f"color: {order_format.WARNING_COLOUR};" if backordered else "")
        self.remaining_value.setText(formatting.number(sum(i.remaining_quantity for i in items)))

        self._fill_items(order)
        self._fill_reservations(order)
        self._fill_shipments(order)
        self._fill_history(view.history)
        self._fill_notes(view.notes)
        counts = (len(items), sum(1 for r in order.reservations if r.open_quantity > 0), len(order.shipments),
                  len(view.history), len(view.notes))
        for tab, (name, count) in enumerate(zip(("Items", "Reservations", "Shipments", "History", "Notes"), counts,
                                                strict=True)):
            self.tabs.setTabText(tab, f"{name} ({count})" if count else name)
        self._show_content()

    def _fill_items(self, order: OrderDetail) -> None:
        table = self.items_table
        table.setRowCount(len(order.items))
        for row, item in enumerate(order.items):
            values: tuple[object, ...] = (
                item.product_name, item.sku, item.quantity, item.shipped_quantity, item.reserved,
                item.backordered, item.remaining_quantity, item.returned_quantity,
            )
            for column, value in enumerate(values):
                cell = self._item(value)
                if column == 0 and not item.stock_tracked:
                    cell.setToolTip(f"{item.product_name}\nNot stock-tracked: never reserved or backordered")
                elif column == 0:
                    cell.setToolTip(item.product_name + (f"\nGTIN {item.gtin}" if item.gtin else ""))
                if column == 5 and item.backordered:
                    cell.setForeground(QBrush(QColor(order_format.WARNING_COLOUR)))
                if column >= 2 and value == 0:
                    cell.setForeground(QBrush(_MUTED))
                table.setItem(row, column, cell)

    def _fill_reservations(self, order: OrderDetail) -> None:
        # By location (picking order is the service's; here alphabetical is what people scan for).
        reservations = sorted(order.reservations, key=lambda r: (r.open_quantity == 0, r.location, r.sku, r.id))
        table = self.reservations_table
        table.setRowCount(len(reservations))
        for row, reservation in enumerate(reservations):
            values: tuple[object, ...] = (
                reservation.location, reservation.sku, reservation.open_quantity, reservation.quantity_reserved,
                reservation.quantity_fulfilled, reservation.quantity_released,
                reservation.status.replace("_", " ").capitalize(),
            )
            for column, value in enumerate(values):
                cell = self._item(value)
                if reservation.open_quantity == 0:
                    cell.setForeground(QBrush(_MUTED))
                table.setItem(row, column, cell)

    def _fill_shipments(self, order: OrderDetail) -> None:
        table = self.shipments_table
        table.setRowCount(len(order.shipments))
        for row, shipment in enumerate(order.shipments):
            contents = ", ".join(
                f"{formatting.number(line.quantity)} × {line.sku}" + (f" from {line.location}" if line.location else "")
                for line in shipment.lines
            )
            values: tuple[object, ...] = (
                shipment.shipment_number,
                order_format.SHIPMENT_STATUS_TEXT[shipment.status],
                formatting.when(shipment.shipped_at),
                shipment.tracking_number or "",
                shipment.carrier or "",
                contents,
            )
            for column, value in enumerate(values):
                cell = self._item(value)
                if column == 5:
                    cell.setToolTip("\n".join(
                        f"{line.quantity} × {line.product_name} ({line.sku})"
                        + (f" from {line.location}" if line.location else "")
                        for line in shipment.lines
                    ))
                elif column == 2 and shipment.shipped_at is not None:
                    cell.setToolTip(formatting.full_time(shipment.shipped_at))
                table.setItem(row, column, cell)

    def _fill_history(self, history: Sequence[HistoryEntry]) -> None:
        entries = list(reversed(history))  # newest first, like the ledger
        table = self.history_table
        table.setRowCount(len(entries))
        for row, entry in enumerate(entries):
            change = ""
            if entry.new_status and entry.old_status and entry.old_status != entry.new_status:
                change = f"{_status_word(entry.old_status)} → {_status_word(entry.new_status)}"
            elif entry.new_status and not entry.old_status:
                change = _status_word(entry.new_status)
            values: tuple[object, ...] = (
                formatting.when(entry.created_at),
                entry.action.value.replace("_", " ").capitalize(),
                change,
                entry.created_by or "",
                entry.description,
            )
            for column, value in enumerate(values):
                cell = self._item(value)
                if column == 0:
                    cell.setToolTip(formatting.full_time(entry.created_at))
                elif column == 4:
                    cell.setToolTip(entry.description)
                table.setItem(row, column, cell)

    def _fill_notes(self, notes: Sequence[NoteInfo]) -> None:
        entries = list(reversed(notes))
        table = self.notes_table
        table.setRowCount(len(entries))
        for row, note in enumerate(entries):
            values: tuple[object, ...] = (
                formatting.when(note.created_at),
                note.created_by or "",
                "Staff only" if note.is_internal else "Customer",
                note.note,
            )
            for column, value in enumerate(values):
                cell = self._item(value)
                if column == 0:
                    cell.setToolTip(formatting.full_time(note.created_at))
                elif column == 3:
                    cell.setToolTip(note.note)
                table.setItem(row, column, cell)


def _status_word(raw: str) -> str:
    try:
        return order_format.status_text(OrderStatus(raw))
    except ValueError:
        return raw.replace("_", " ")
