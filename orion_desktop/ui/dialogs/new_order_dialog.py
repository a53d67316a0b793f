"""Type in a new order: store, customer, and lines of product (SKU or scanned GTIN) and quantity.

Scanning works like everywhere else: the scanner types the GTIN and Enter. Enter looks the
product up at once and moves to a fresh line; scanning a product that is already on the order
adds one to that line instead. A product is also looked up when the user leaves the field or
pauses typing. Unknown products are named in red on their line and keep OK disabled.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from orion_desktop.domain.errors import InvalidInput, NotFound, OrionError
from orion_desktop.domain.order_results import OrderLine
from orion_desktop.domain.requests import CreateOrder
from orion_desktop.domain.results import ProductInfo, StoreInfo
from orion_desktop.domain.validation import MAX_QUANTITY, clean_email
from orion_desktop.ui.dialogs.action_dialog import ActionDialog, ScanLineEdit
from orion_desktop.ui.errors import user_message
from orion_desktop.ui.order_format import WARNING_COLOUR

if TYPE_CHECKING:
    from orion_desktop.domain.actor import Actor
    from orion_desktop.services.registry import Services

LOOKUP_DELAY_MS = 300
"""Typing pauses this long before the product is looked up; Enter and Tab look it up at once."""

_MUTED = "color: #5f6368;"


class OrderLineRow(QWidget):
    """One line: product (SKU or GTIN), quantity, what was found, and a remove button."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.product: ProductInfo | None = None  # what the text names, once looked up
        self.error: str | None = None  # why the text names no product
        self.looked_up_text: str | None = None  # the (store, text) the two fields above belong to
        self.product_edit = ScanLineEdit(self)
        self.product_edit.setPlaceholderText("SKU or scan a GTIN")
        self.product_edit.setAccessibleName("Product")
        self.product_edit.setMinimumWidth(self.fontMetrics().horizontalAdvance("0" * 16) + 16)
        self.quantity_spin = QSpinBox(self)
        self.quantity_spin.setRange(1, MAX_QUANTITY)
        self.quantity_spin.setAccessibleName("Quantity")
        self.quantity_spin.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.quantity_spin.setMinimumWidth(self.fontMetrics().horizontalAdvance("000000") + 40)
        self.found_label = QLabel(self)
        self.found_label.setTextFormat(Qt.TextFormat.PlainText)
        self.found_label.setWordWrap(True)  # a long product name or problem takes a second line
        self.found_label.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 18)
        self.remove_button = QToolButton(self)
        self.remove_button.setText("✕")
        self.remove_button.setToolTip("Remove this line")
        self.remove_button.setAutoRaise(True)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(LOOKUP_DELAY_MS)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.product_edit)
        layout.addWidget(self.quantity_spin)
        layout.addWidget(self.found_label, 1)
        layout.addWidget(self.remove_button)

    @property
    def text(self) -> str:
        return self.product_edit.text().strip()

    @property
    def is_blank(self) -> bool:
        return not self.text

    def show_state(self, *, pending: bool) -> None:
        if self.is_blank:
            self.found_label.setText("")
        elif pending:
            self.found_label.setText("…")
            self.found_label.setStyleSheet(_MUTED)
        elif self.product is not None:
            self.found_label.setText(f"{self.product.title} ({self.product.sku})")
            self.found_label.setStyleSheet("")
            self.found_label.setToolTip(self.product.title)
        else:
            self.found_label.setText(self.error or "")
            self.found_label.setStyleSheet(f"color: {WARNING_COLOUR};")
            self.found_label.setToolTip(self.error or "")


class NewOrderDialog(ActionDialog):
    ok_text = "Create order"

    def __init__(
        self,
        services: Services,
        actor: Actor,
        stores: Sequence[StoreInfo],
        *,
        store: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("New order", parent)
        self.setObjectName("newOrderDialog")
        self._services = services
        self._actor = actor
        self.rows: list[OrderLineRow] = []
        self._init_header(stores, store)
        self._init_lines()
        self._init_options()
        self._init_layout()
        self._init_frame(self._body)
        self.add_line()
        self.resize(self.fontMetrics().horizontalAdvance("M") * 60, self.sizeHint().height())
        self.validate()

    @property
    def order_number(self) -> str | None:
        """The number of the order created (after OK)."""
        return self.outcome if isinstance(self.outcome, str) else None

    # --- construction ---------------------------------------------------------------------
    def _init_header(self, stores: Sequence[StoreInfo], store: str | None) -> None:
        self._body = QWidget(self)
        self.store_combo = QComboBox(self._body)
        self.store_combo.setObjectName("newOrderStore")
        for info in stores:
            self.store_combo.addItem(info.code if info.name == info.code else f"{info.code} – {info.name}", info.code)
        chosen = self.store_combo.findData(store) if store else 0
        self.store_combo.setCurrentIndex(max(chosen, 0) if stores else -1)
        self.customer_edit = QLineEdit(self._body)
        self.customer_edit.setObjectName("newOrderCustomer")
        self.customer_edit.setPlaceholderText("Name of the customer (optional)")
        self.customer_edit.setMaxLength(255)
        self.email_edit = QLineEdit(self._body)
        self.email_edit.setObjectName("newOrderEmail")
        self.email_edit.setPlaceholderText("optional")
        self.email_edit.setMaxLength(255)
        self.email_error = self.field_error_label(self._body)

    def _init_lines(self) -> None:
        self.lines_widget = QWidget(self._body)
        self.lines_layout = QVBoxLayout(self.lines_widget)
        self.lines_layout.setContentsMargins(0, 0, 0, 0)
        self.lines_layout.setSpacing(4)
        self.lines_layout.addStretch(1)
        self.scroll_area = QScrollArea(self._body)
        self.scroll_area.setObjectName("newOrderLines")
        self.scroll_area.setWidget(self.lines_widget)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setMinimumHeight(self.fontMetrics().height() * 10)
        self.add_line_button = QPushButton("&Add line", self._body)
        self.add_line_button.setObjectName("newOrderAddLine")
        self.add_line_button.setAutoDefault(False)
        self.add_line_button.setToolTip("Another product (scanning and Enter add a line too)")
        self.add_line_button.clicked.connect(lambda: self.add_line(focus=True))

    def _init_options(self) -> None:
        self.strict_check = QCheckBox("&Strict: refuse the order if any product is short of stock", self._body)
        self.strict_check.setObjectName("newOrderStrict")
        self.strict_check.setToolTip(
            "Unticked, the order is created anyway and what is missing is backordered when it is processed"
        )

    def _init_layout(self) -> None:
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("&Store:", self.store_combo)
        form.addRow("C&ustomer:", self.customer_edit)
        email = QVBoxLayout()
        email.setSpacing(2)
        email.addWidget(self.email_edit)
        email.addWidget(self.email_error)
        email_label = QLabel("&E-mail:", self._body)
        email_label.setBuddy(self.email_edit)
        form.addRow(email_label, email)
        lines_heading = QHBoxLayout()
        caption = QLabel("Lines (product and quantity):", self._body)
        lines_heading.addWidget(caption, 1)
        lines_heading.addWidget(self.add_line_button)
        layout = QVBoxLayout(self._body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addSpacing(6)
        layout.addLayout(lines_heading)
        layout.addWidget(self.scroll_area, 1)
        layout.addWidget(self.strict_check)
        self.store_combo.currentIndexChanged.connect(self._store_changed)
        self.customer_edit.textChanged.connect(self.input_changed)
        self.email_edit.textChanged.connect(self.input_changed)
        self.strict_check.toggled.connect(self.input_changed)

    # --- lines ----------------------------------------------------------------------------
    def add_line(self, *, focus: bool = False) -> OrderLineRow:
        row = OrderLineRow(self.lines_widget)
        self.lines_layout.insertWidget(len(self.rows), row)
        self.rows.append(row)
        row.product_edit.textChanged.connect(lambda _text, r=row: self._text_edited(r))
        row.product_edit.returnPressed.connect(lambda r=row: self._scanned(r))
        row.product_edit.editingFinished.connect(lambda r=row: self._look_up(r))
        row.timer.timeout.connect(lambda r=row: self._look_up(r))
        row.quantity_spin.valueChanged.connect(self.input_changed)
        row.remove_button.clicked.connect(lambda _checked=False, r=row: self.remove_line(r))
        self._update_remove_buttons()
        if focus:
            row.product_edit.setFocus(Qt.FocusReason.OtherFocusReason)
            QTimer.singleShot(0, lambda: self.scroll_area.ensureWidgetVisible(row))
        self.input_changed()
        return row

    def remove_line(self, row: OrderLineRow) -> None:
        if row not in self.rows:
            return
        if len(self.rows) == 1:  # the last line is emptied instead: there is always one to type into
            row.product_edit.clear()
            row.quantity_spin.setValue(1)
            return
        index = self.rows.index(row)
        self.rows.remove(row)
        self.lines_layout.removeWidget(row)
        row.timer.stop()
        row.hide()
        row.deleteLater()
        self.rows[min(index, len(self.rows) - 1)].product_edit.setFocus()
        self._update_remove_buttons()
        self.input_changed()

    def _update_remove_buttons(self) -> None:
        for row in self.rows:
            row.remove_button.setEnabled(len(self.rows) > 1 or not row.is_blank)

    def _text_edited(self, row: OrderLineRow) -> None:
        row.product = None
        row.error = None
        row.looked_up_text = None
        if row.is_blank:
            row.timer.stop()
        else:
            row.timer.start()
        row.show_state(pending=not row.is_blank)
        self._update_remove_buttons()
        self.input_changed()

    def _store_changed(self, *_args: object) -> None:
        for row in self.rows:
            row.looked_up_text = None
            self._look_up(row)
        self.input_changed()

    def _look_up(self, row: OrderLineRow) -> None:
        """Find the product the row's text names in the chosen store (once per store and text)."""
        row.timer.stop()
        store = self.store_combo.currentData()
        key = f"{store}\n{row.text}"
        if row.is_blank or store is None or row.looked_up_text == key:
            row.show_state(pending=False)
            self.input_changed()
            return
        try:
            row.product, row.error = self._services.catalog.get_product(store, row.text), None
        except NotFound:
            row.product, row.error = None, f"No product {row.text!r} in store {store}"
        except OrionError as error:
            row.product, row.error = None, str(error)
        except Exception as error:  # noqa: BLE001 - a sentence on the line; the traceback goes to the log
            row.product, row.error = None, user_message(error)
        row.looked_up_text = key
        row.show_state(pending=False)
        self.input_changed()

    def _scanned(self, row: OrderLineRow) -> None:
        """Enter in a product field (what a scanner sends): look up now, then move to a fresh line."""
        self._look_up(row)
        if row.product is None:
            row.product_edit.selectAll()  # the next scan replaces the bad one
            return
        same = next((other for other in self.rows if other is not row and other.product is not None
                     and other.product.id == row.product.id), None)
        if same is not None:  # scanned again: one more of that line
            same.quantity_spin.setValue(same.quantity_spin.value() + row.quantity_spin.value())
            row.product_edit.clear()
            row.quantity_spin.setValue(1)
            row.product_edit.setFocus()
            return
        blank = next((other for other in self.rows if other.is_blank), None)
        if blank is None:
            self.add_line(focus=True)
        else:
            blank.product_edit.setFocus()

    # --- validation and sending -----------------------------------------------------------
    def _email_problem(self) -> str | None:
        # The domain's rule, the one the service applies: the dialog never lets through what it refuses.
        try:
            clean_email(self.email_edit.text(), "e-mail address")
        except InvalidInput as error:
            return str(error)
        return None

    def problem(self) -> str | None:
        email_problem = self._email_problem()
        self.set_field_error(self.email_error, email_problem)
        if self.store_combo.currentData() is None:
            return "There is no store yet; create one first."
        filled = [row for row in self.rows if not row.is_blank]
        if not filled:
            return "Add at least one product: type its SKU or scan its GTIN."
        if any(row.looked_up_text is None for row in filled):
            return "Looking up the products…"
        if any(row.product is None for row in filled):
            return "Some lines name no product of this store; correct or remove them."
        if email_problem:
            return "Correct the e-mail address or leave it empty."
        return None

    def value(self) -> CreateOrder:
        lines = tuple(
            OrderLine(row.product.sku, row.quantity_spin.value())
            for row in self.rows
            if row.product is not None and not row.is_blank
        )
        return CreateOrder(
            store=self.store_combo.currentData(),
            customer=self.customer_edit.text().strip() or None,
            email=self.email_edit.text().strip() or None,
            lines=lines,
            strict=self.strict_check.isChecked(),
        )

    def submit(self, value: CreateOrder) -> str:
        return self._services.perform(self._actor, value, operation_key=self.operation_key)
