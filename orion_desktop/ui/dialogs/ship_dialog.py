"""Ship items of an order in one parcel: how many of each open line, from where, with which tracking number.

Partial shipping is the normal case. Every open line gets a row: the quantity defaults to what
remains (as far as the shelves hold it; 0 leaves the line out of this parcel) and the location
defaults to automatic (the order's own reservations first, then along the picking path). Picking
a location lists what is free there plus what is reserved there for this order; shipping from
another shelf than the reserved one moves the reservation (the service does that).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from orion_desktop.domain.order_results import OrderDetail, OrderItemInfo, ShipmentResult, ShipRequest
from orion_desktop.domain.requests import ShipOrder
from orion_desktop.domain.results import ProductStock
from orion_desktop.ui import formatting, order_format
from orion_desktop.ui.dialogs.action_dialog import ActionDialog, ScanLineEdit

if TYPE_CHECKING:
    from orion_desktop.domain.actor import Actor
    from orion_desktop.services.registry import Services

CARRIERS = ("DHL", "DPD", "FedEx", "GLS", "Hermes", "UPS", "USPS", "Royal Mail", "La Poste", "PostNL")
"""Offered in the carrier box; any other name can be typed."""

_MUTED = "color: #5f6368;"
_WARNING = f"color: {order_format.WARNING_COLOUR};"
_MAX_VISIBLE_ROWS = 8


ShipLine = ShipRequest  # one line the dialog ships: item id, units, location (None: automatic)


@dataclass(frozen=True, slots=True)
class LocationChoice:
    """A place one line can be shipped from: ``code`` None is automatic."""

    code: str | None
    free: int  # available to anyone there
    reserved_here: int  # reserved there for this order line

    @property
    def usable(self) -> int:
        return self.free + self.reserved_here

    def text(self) -> str:
        figures = [f"{formatting.number(self.free)} free"]
        if self.reserved_here:
            figures.insert(0, f"{formatting.number(self.reserved_here)} reserved")
        where = "Automatic" if self.code is None else self.code
        return f"{where} — {', '.join(figures)}"


class StockSource(Protocol):
    def product_stock(self, store: str | None, product: str) -> ProductStock: ...


def stock_for_shipping(source: StockSource, order: OrderDetail) -> dict[int, ProductStock]:
    """The stock of every open, stock-tracked line's product, by item id (one short query each)."""
    return {
        item.id: source.product_stock(order.store_code, item.sku)
        for item in order.items
        if item.remaining_quantity > 0 and item.stock_tracked
    }


def location_choices(order: OrderDetail, item: OrderItemInfo, stock: ProductStock | None) -> list[LocationChoice]:
    """Automatic first, then every location that can give something to this line, picking path order."""
    own: dict[str, int] = {}
    for reservation in order.reservations:
        if reservation.item_id == item.id and reservation.open_quantity > 0:
            own[reservation.location] = own.get(reservation.location, 0) + reservation.open_quantity
    levels = stock.locations if stock is not None else ()
    places = [
        LocationChoice(level.location, max(0, level.available_quantity), own.get(level.location, 0))
        for level in levels
    ]
    places = [place for place in places if place.usable > 0]
    total_free = sum(place.free for place in places)
    return [LocationChoice(None, total_free, sum(own.values())), *places]


class ShipRow:
    """The widgets of one open order line."""

    def __init__(self, item: OrderItemInfo, choices: Sequence[LocationChoice], parent: QWidget) -> None:
        self.item = item
        self.choices = tuple(choices)
        self.product_label = QLabel(f"{item.product_name}\n{item.sku}", parent)
        self.product_label.setTextFormat(Qt.TextFormat.PlainText)
        # A long product name wraps rather than widening the dialog past a 1024-pixel screen.
        metrics = parent.fontMetrics()
        widest = max(metrics.horizontalAdvance(item.product_name), metrics.horizontalAdvance(item.sku))
        self.product_label.setWordWrap(True)
        self.product_label.setFixedWidth(min(widest + 4, metrics.horizontalAdvance("M") * 16))
        self.product_label.setToolTip(item.product_name + (f"\nGTIN {item.gtin}" if item.gtin else ""))
        self.figure_labels = tuple(
            self._figure(value, parent) for value in (item.quantity, item.shipped_quantity, item.reserved)
        )
        self.quantity_spin = QSpinBox(parent)
        self.quantity_spin.setObjectName(f"shipQuantity{item.id}")
        self.quantity_spin.setRange(0, item.remaining_quantity)
        self.quantity_spin.setSuffix(f" of {formatting.number(item.remaining_quantity)}")
        self.quantity_spin.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.quantity_spin.setAccessibleName(f"Units of {item.sku} to ship")
        self.quantity_spin.setToolTip("0 leaves this line out of the parcel")
        self.location_combo = QComboBox(parent)
        self.location_combo.setObjectName(f"shipLocation{item.id}")
        self.location_combo.setAccessibleName(f"Where to take {item.sku} from")
        self.location_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        if item.stock_tracked:
            for choice in self.choices:
                self.location_combo.addItem(choice.text(), choice.code)
            self.location_combo.setToolTip(
                "Automatic takes the units reserved for this order first, then the locations along the picking path"
            )
        else:
            self.location_combo.addItem("Not stock-tracked", None)
            self.location_combo.setEnabled(False)
        self.hint_label = QLabel(parent)
        self.hint_label.setTextFormat(Qt.TextFormat.PlainText)
        self.hint_label.setMinimumWidth(parent.fontMetrics().horizontalAdvance("Only 0,000 free there") + 8)
        self.quantity_spin.setValue(self.default_quantity)

    @staticmethod
    def _figure(value: int, parent: QWidget) -> QLabel:
        label = QLabel(formatting.number(value), parent)
        label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return label

    @property
    def chosen(self) -> LocationChoice | None:
        """The chosen place (None for lines that are not stock-tracked)."""
        if not self.item.stock_tracked:
            return None
        code = self.location_combo.currentData()
        return next((choice for choice in self.choices if choice.code == code), None)

    @property
    def usable(self) -> int | None:
        """How many units the chosen place can give; None means no limit (not stock-tracked)."""
        choice = self.chosen
        if not self.item.stock_tracked:
            return None
        return choice.usable if choice is not None else 0

    @property
    def default_quantity(self) -> int:
        """What remains, as far as the shelves hold it (a backordered line starts at what can go now)."""
        usable = self.usable
        remaining = self.item.remaining_quantity
        return remaining if usable is None else min(remaining, usable)

    @property
    def quantity(self) -> int:
        return self.quantity_spin.value()

    def problem(self) -> str | None:
        usable = self.usable
        if usable is not None and self.quantity > usable:
            where = "in stock" if self.chosen is None or self.chosen.code is None else f"at {self.chosen.code}"
            return f"Only {formatting.number(usable)} {where}"
        return None

    def update_hint(self) -> None:
        problem = self.problem()
        if problem:
            text, style = problem, _WARNING
        elif self.quantity == 0:
            text, style = "not in this parcel", _MUTED
        elif self.quantity < self.item.remaining_quantity:
            left_over = self.item.remaining_quantity - self.quantity
            text, style = f"{formatting.number(left_over)} {'stays' if left_over == 1 else 'stay'} open", _MUTED
        else:
            text, style = "", _MUTED
        self.hint_label.setText(text)
        self.hint_label.setStyleSheet(style)

    def line(self) -> ShipLine:
        choice = self.chosen
        return ShipLine(self.item.id, self.quantity, choice.code if choice is not None else None)


class ShipDialog(ActionDialog):
    ok_text = "Ship"

    def __init__(
        self,
        services: Services,
        actor: Actor,
        order: OrderDetail,
        stock: Mapping[int, ProductStock],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(f"Ship items of {order.order_number}", parent)
        self.setObjectName("shipDialog")
        self._services = services
        self._actor = actor
        self.order = order
        open_items = [item for item in order.items if item.remaining_quantity > 0]
        self._body = QWidget(self)
        self.rows = [
            ShipRow(item, location_choices(order, item, stock.get(item.id)), self._body) for item in open_items
        ]
        self._init_heading()
        self._init_lines()
        self._init_parcel()
        self._init_layout()
        self._init_frame(self._body)
        self._connect()
        self.input_changed()
        self.resize(max(self.sizeHint().width(), self.fontMetrics().horizontalAdvance("M") * 48),
                    self.sizeHint().height())

    # --- construction ---------------------------------------------------------------------
    def _init_heading(self) -> None:
        order = self.order
        customer = f" for {order.customer_name}" if order.customer_name else ""
        self.heading_label = QLabel(
            f"{order.order_number}{customer} · {order_format.status_text(order.status)}", self._body
        )
        self.heading_label.setTextFormat(Qt.TextFormat.PlainText)
        font = QFont(self.heading_label.font())
        font.setBold(True)
        self.heading_label.setFont(font)
        self.all_button = QPushButton("&All remaining", self._body)
        self.all_button.setToolTip("Put every open unit the shelves can give into this parcel")
        self.all_button.setAutoDefault(False)
        self.none_button = QPushButton("N&one", self._body)
        self.none_button.setToolTip("Set every line to 0, then enter just what goes in this parcel")
        self.none_button.setAutoDefault(False)

    def _init_lines(self) -> None:
        self.lines_widget = QWidget(self._body)
        grid = QGridLayout(self.lines_widget)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(6)
        headers = ("Product", "Ordered", "Shipped", "Reserved", "Ship now", "From", "")
        tips = ("", "Units ordered", "Units already shipped", "Units reserved for this order",
                "Units going into this parcel", "Where the units are taken from", "")
        for column, (text, tip) in enumerate(zip(headers, tips, strict=True)):
            label = QLabel(text, self.lines_widget)
            font = QFont(label.font())
            font.setBold(True)
            label.setFont(font)
            label.setToolTip(tip)
            align = Qt.AlignmentFlag.AlignRight if 1 <= column <= 3 else Qt.AlignmentFlag.AlignLeft
            grid.addWidget(label, 0, column, align | Qt.AlignmentFlag.AlignBottom)
        for number, row in enumerate(self.rows, start=1):
            row.product_label.setParent(self.lines_widget)
            grid.addWidget(row.product_label, number, 0)
            for column, label in enumerate(row.figure_labels, start=1):
                label.setParent(self.lines_widget)
                grid.addWidget(label, number, column)
            for widget in (row.quantity_spin, row.location_combo, row.hint_label):
                widget.setParent(self.lines_widget)
            grid.addWidget(row.quantity_spin, number, 4)
            grid.addWidget(row.location_combo, number, 5)
            grid.addWidget(row.hint_label, number, 6)
        widest = max((row.location_combo.sizeHint().width() for row in self.rows), default=0)
        for row in self.rows:  # one column of equally wide boxes, not a ragged edge
            row.location_combo.setMinimumWidth(widest)
        grid.setColumnStretch(0, 1)
        grid.setRowStretch(len(self.rows) + 1, 1)
        self.scroll_area = QScrollArea(self._body)
        self.scroll_area.setObjectName("shipLines")
        self.scroll_area.setWidget(self.lines_widget)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        hint = self.lines_widget.sizeHint()
        row_height = hint.height() // max(1, len(self.rows) + 1)
        visible = min(hint.height(), row_height * (_MAX_VISIBLE_ROWS + 1))
        self.scroll_area.setMinimumHeight(visible)
        self.scroll_area.setMinimumWidth(hint.width() + self.scroll_area.verticalScrollBar().sizeHint().width())
        self.empty_label = QLabel("Every unit of this order has shipped.", self._body)
        self.empty_label.setVisible(not self.rows)

    def _init_parcel(self) -> None:
        self.summary_label = QLabel(self._body)
        self.summary_label.setObjectName("shipSummary")
        self.summary_label.setTextFormat(Qt.TextFormat.PlainText)
        self.tracking_edit = ScanLineEdit(self._body)  # scanning the label's barcode must not ship yet
        self.tracking_edit.setObjectName("shipTracking")
        self.tracking_edit.setPlaceholderText("Scan or type the label's tracking number (optional)")
        self.tracking_edit.setMaxLength(128)
        self.carrier_combo = QComboBox(self._body)
        self.carrier_combo.setObjectName("shipCarrier")
        self.carrier_combo.setEditable(True)
        self.carrier_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.carrier_combo.addItem("")
        self.carrier_combo.addItems(list(CARRIERS))
        self.carrier_combo.setCurrentIndex(0)
        line_edit = self.carrier_combo.lineEdit()
        assert line_edit is not None
        line_edit.setPlaceholderText("optional")
        line_edit.setMaxLength(64)
        self.carrier_combo.setMinimumContentsLength(16)
        self.carrier_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.carrier_combo.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    def _init_layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.heading_label, 1)
        top.addWidget(self.all_button)
        top.addWidget(self.none_button)
        parcel = QFormLayout()
        parcel.setContentsMargins(0, 0, 0, 0)
        parcel.addRow("&Tracking number:", self.tracking_edit)
        parcel.addRow("&Carrier:", self.carrier_combo)
        separator = QFrame(self._body)
        separator.setFrameShape(QFrame.Shape.HLine)
        separator.setFrameShadow(QFrame.Shadow.Sunken)
        layout = QVBoxLayout(self._body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.scroll_area, 1)
        layout.addWidget(self.empty_label)
        layout.addWidget(separator)
        layout.addWidget(self.summary_label)
        layout.addLayout(parcel)

    def _connect(self) -> None:
        for row in self.rows:
            row.quantity_spin.valueChanged.connect(self.input_changed)
            row.location_combo.currentIndexChanged.connect(self.input_changed)
        self.all_button.clicked.connect(self.ship_all_remaining)
        self.none_button.clicked.connect(self.ship_none)
        self.tracking_edit.textChanged.connect(self.input_changed)
        self.carrier_combo.currentTextChanged.connect(self.input_changed)

    # --- actions --------------------------------------------------------------------------
    def row_for(self, item: str | int) -> ShipRow:
        """The row of an item, by item id or SKU (for tests and scanners)."""
        for row in self.rows:
            if row.item.id == item or row.item.sku == item:
                return row
        raise KeyError(item)

    def ship_all_remaining(self) -> None:
        for row in self.rows:
            row.quantity_spin.setValue(row.default_quantity)

    def ship_none(self) -> None:
        for row in self.rows:
            row.quantity_spin.setValue(0)

    # --- validation and sending -----------------------------------------------------------
    def input_changed(self, *_args: object) -> None:
        for row in self.rows:
            row.update_hint()
        self._update_summary()
        super().input_changed()

    def _update_summary(self) -> None:
        chosen = [row for row in self.rows if row.quantity > 0]
        units = sum(row.quantity for row in chosen)
        left = sum(row.item.remaining_quantity for row in self.rows) - units
        if not chosen:
            text = "Nothing in this parcel yet."
        else:
            text = f"This parcel: {order_format.lines(len(chosen))}, {order_format.units(units)}."
            verb = "stays" if left == 1 else "stay"
            text += f" {order_format.units(left)} {verb} open." if left else " Everything still open goes."
        self.summary_label.setText(text)

    def problem(self) -> str | None:
        if not self.rows:
            return f"Nothing is left to ship on {self.order.order_number}."
        if any(row.problem() for row in self.rows):
            return "Some lines ask for more than is on the shelf; lower the quantity or pick another location."
        if not any(row.quantity > 0 for row in self.rows):
            return "Enter how many units go into this parcel."
        return None

    def value(self) -> ShipOrder:
        return ShipOrder(
            order_number=self.order.order_number,
            lines=tuple(row.line() for row in self.rows if row.quantity > 0),
            tracking=self.tracking_edit.text().strip() or None,
            carrier=self.carrier_combo.currentText().strip() or None,
        )

    def submit(self, value: ShipOrder) -> ShipmentResult:
        return self._services.perform(self._actor, value, operation_key=self.operation_key)
