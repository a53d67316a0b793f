"""Adjust stock, set (count) a quantity, transfer between locations: one stock row's dialogs.

Each dialog takes the services, the acting user and the ``StockRow`` it works on (plus what it
needs to offer choices), builds the same frozen request the CLI builds (``value()``,
``domain/requests.py``) and sends it itself through ``Services.perform``, like every order dialog;
``outcome`` is what the service returned. Validation, sending off the GUI thread, refusals shown
as sentences and the one operation key per dialog come from ``ActionDialog``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Generic, TypeVar

from PySide6.QtCore import QLocale, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from orion_desktop.domain.errors import InvalidInput
from orion_desktop.domain.requests import AdjustStock, SetStock, TransferStock
from orion_desktop.domain.results import LocationStock, ProductStock, StockChange, StockRow, TransferResult
from orion_desktop.domain.validation import MAX_QUANTITY, normalize_location_code
from orion_desktop.ui import formatting
from orion_desktop.ui.dialogs.action_dialog import MUTED_STYLE, ActionDialog

if TYPE_CHECKING:
    from orion_desktop.domain.actor import Actor
    from orion_desktop.domain.requests import Request as ServiceRequest
    from orion_desktop.services.registry import Services

REASON_MAX_LENGTH = 255

Outcome = TypeVar("Outcome")


# --- shared frame ---------------------------------------------------------------------------
class SignedSpinBox(QSpinBox):
    """A spin box for changes: shows ``+5`` and ``-2``, accepts both typed with or without a sign."""

    def textFromValue(self, value: int) -> str:  # noqa: N802
        return f"{value:+d}" if value else "0"


class StockDialog(ActionDialog, Generic[Outcome]):
    """An ``ActionDialog`` about one stock row: product header over a form; it sends its own request."""

    busy_text = "Saving…"

    def __init__(
        self, title: str, services: Services, actor: Actor, row: StockRow, parent: QWidget | None = None
    ) -> None:
        super().__init__(title, parent)
        self.setModal(True)
        self.row = row
        self.outcome: Outcome | None = None
        self._services = services
        self._actor = actor
        self._locale = QLocale()
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

    # A narrower signature than ActionDialog's on purpose: stock dialogs lay out their own inputs.
    def _init_frame(self, inputs: Sequence[QWidget]) -> QVBoxLayout:  # type: ignore[override]
        """Lay out header, form, problem line and buttons; tab through ``inputs`` then OK, Cancel."""
        title = QLabel(self.row.title, self)
        title.setObjectName("dialogProductTitle")
        title.setTextFormat(Qt.TextFormat.PlainText)
        title.setWordWrap(True)
        font = QFont(title.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        title.setFont(font)
        parts = [f"SKU {self.row.sku}"]
        if self.row.gtin:
            parts.append(f"GTIN {self.row.gtin}")
        parts.append(f"store {self.row.store_code}")
        subtitle = QLabel("  ·  ".join(parts), self)
        subtitle.setTextFormat(Qt.TextFormat.PlainText)
        subtitle.setStyleSheet(MUTED_STYLE)

        body = QVBoxLayout()
        body.addWidget(title)
        body.addWidget(subtitle)
        body.addSpacing(6)
        body.addLayout(self.form)
        layout = super()._init_frame(body)
        layout.insertStretch(layout.indexOf(self.button_box), 1)  # spare height below the problem line
        self.setMinimumWidth(self._wide_enough())
        for label in self.findChildren(QLabel):  # a figure longer than foreseen wraps, it is never cut off
            if label.buddy() is None and label.parent() is self and label not in (title, subtitle):
                label.setWordWrap(True)

        chain = [*inputs, self.ok_button, self.cancel_button]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)
        if inputs:
            inputs[0].setFocus(Qt.FocusReason.OtherFocusReason)
        self.validate()
        return layout

    def _wide_enough(self) -> int:
        """Wide enough for the row's caption and the longest levels line beside it ("Afterwards: …")."""
        metrics = self.fontMetrics()
        caption = metrics.horizontalAdvance(f"At {self.row.location}:")
        figures = metrics.horizontalAdvance(self._levels(9_999_999, 9_999_999))  # longer ones wrap
        return max(metrics.horizontalAdvance("M") * 34, caption + figures + 60)

    def _number(self, value: int) -> str:
        return self._locale.toString(value)

    def _levels(self, quantity: int, reserved: int) -> str:
        return (
            f"{self._number(quantity)} on hand, {self._number(reserved)} reserved, "
            f"{self._number(quantity - reserved)} available"
        )

    @staticmethod
    def _reason_edit(parent: QWidget, placeholder: str, tip: str) -> QLineEdit:
        edit = QLineEdit(parent)
        edit.setObjectName("reasonEdit")
        edit.setMaxLength(REASON_MAX_LENGTH)
        edit.setPlaceholderText(placeholder)
        edit.setToolTip(tip)
        edit.setClearButtonEnabled(True)
        return edit

    @staticmethod
    def _count_spin(parent: QWidget, name: str, minimum: int, tip: str) -> QSpinBox:
        spin = QSpinBox(parent)
        spin.setObjectName(name)
        spin.setRange(minimum, MAX_QUANTITY)
        spin.setGroupSeparatorShown(True)
        spin.setAccelerated(True)
        spin.setCorrectionMode(QAbstractSpinBox.CorrectionMode.CorrectToNearestValue)
        spin.setToolTip(tip)
        return spin

    # --- to override ----------------------------------------------------------------------
    def value(self) -> ServiceRequest[Outcome]:
        """The frozen request the input describes (only meaningful without a problem)."""
        raise NotImplementedError

    def submit(self, value: ServiceRequest[Outcome]) -> Outcome:
        return self._services.perform(self._actor, value, operation_key=self.operation_key)

    def describe(self, outcome: Outcome) -> str:
        """One line for the status bar about what the service did."""
        raise NotImplementedError

    def _freeze_inputs(self, busy: bool) -> None:
        for child in self.findChildren(QLineEdit) + self.findChildren(QAbstractSpinBox):
            child.setReadOnly(busy)  # not disabled: the focus stays where it was
        for combo in self.findChildren(QComboBox):
            if not combo.isEditable():
                combo.setEnabled(not busy)


def _clean_reason(text: str) -> str | None:
    cleaned = " ".join(text.split())
    return cleaned or None


# --- Adjust ---------------------------------------------------------------------------------
class AdjustStockDialog(StockDialog[StockChange]):
    """Add or remove units at the row's location (delivery, damage, found during a count)."""

    ok_text = "Adjust"

    def __init__(self, services: Services, actor: Actor, row: StockRow, parent: QWidget | None = None) -> None:
        super().__init__("Adjust stock", services, actor, row, parent)
        self.setObjectName("adjustStockDialog")
        self._init_inputs()
        self._init_frame([self.delta_spin, self.reason_edit])

    def _init_inputs(self) -> None:
        row = self.row
        self.levels_label = QLabel(self._levels(row.quantity, row.reserved_quantity), self)
        self.delta_spin = SignedSpinBox(self)
        self.delta_spin.setObjectName("deltaSpin")
        self.delta_spin.setRange(-MAX_QUANTITY, MAX_QUANTITY)
        self.delta_spin.setValue(0)
        self.delta_spin.setAccelerated(True)
        self.delta_spin.setToolTip("Units to add (for example 5) or to remove (for example -2)")
        self.delta_spin.setAccessibleName("Change")
        self.reason_edit = self._reason_edit(
            self,
            "Why? For example: delivery, damaged, found during count",
            "Written to the ledger with your name; required",
        )
        self.reason_edit.setAccessibleName("Reason")
        self.after_label = QLabel(self)
        self.after_label.setObjectName("afterLabel")
        self.form.addRow(f"At {row.location}:", self.levels_label)
        self.form.addRow("&Change:", self.delta_spin)
        self.form.addRow("&Reason:", self.reason_edit)
        self.form.addRow("Afterwards:", self.after_label)
        self.delta_spin.valueChanged.connect(self.input_changed)
        self.reason_edit.textChanged.connect(self.input_changed)

    def problem(self) -> str | None:
        row = self.row
        delta = self.delta_spin.value()
        if delta == 0:
            self.after_label.setText("")
            return "Enter how many units to add (for example 5) or to remove (for example -2)."
        after = row.quantity + delta
        self.after_label.setText(self._levels(after, row.reserved_quantity) if after >= 0 else "")
        if delta < 0 and -delta > row.available_quantity:
            if row.reserved_quantity:
                return (
                    f"At most {self._number(max(row.available_quantity, 0))} can be removed at {row.location}: "
                    f"{self._number(row.reserved_quantity)} of the {formatting.plural(row.quantity, 'unit')} there "
                    f"{_are(row.reserved_quantity)} reserved for orders."
                )
            return (f"Only {formatting.plural(row.quantity, 'unit')} {_are(row.quantity)} at {row.location}; "
                    "that many can be removed at most.")
        if _clean_reason(self.reason_edit.text()) is None:
            return "Give a reason for the ledger, for example “damaged” or “delivery”."
        return None

    def value(self) -> AdjustStock:
        reason = _clean_reason(self.reason_edit.text())
        assert reason is not None
        return AdjustStock(
            store=self.row.store_code,
            product=self.row.sku,
            location=self.row.location,
            delta=self.delta_spin.value(),
            reason=reason,
        )

    def describe(self, outcome: StockChange) -> str:
        verb = "Added" if outcome.quantity_change > 0 else "Removed"
        return (
            f"{verb} {self._number(abs(outcome.quantity_change))} of {self.row.title} at {outcome.location}: "
            f"{self._number(outcome.quantity_after)} on hand now."
        )


# --- Set quantity ---------------------------------------------------------------------------
class SetQuantityDialog(StockDialog[StockChange]):
    """Record what was counted at the row's location; never below what is reserved there."""

    ok_text = "Set quantity"

    def __init__(self, services: Services, actor: Actor, row: StockRow, parent: QWidget | None = None) -> None:
        super().__init__("Set quantity", services, actor, row, parent)
        self.setObjectName("setQuantityDialog")
        self._init_inputs()
        self._init_frame([self.quantity_spin, self.reason_edit])
        self.quantity_spin.selectAll()

    def _init_inputs(self) -> None:
        row = self.row
        self.levels_label = QLabel(self._levels(row.quantity, row.reserved_quantity), self)
        self.quantity_spin = self._count_spin(
            self, "quantitySpin", 0, f"The number of units counted at {row.location}"
        )
        self.quantity_spin.setValue(row.quantity)
        self.quantity_spin.setAccessibleName("Counted quantity")
        self.reason_edit = self._reason_edit(
            self, "Optional, for example: stock count", "Written to the ledger with your name"
        )
        self.reason_edit.setAccessibleName("Reason")
        self.change_label = QLabel(self)
        self.change_label.setObjectName("changeLabel")
        self.form.addRow(f"At {row.location}:", self.levels_label)
        self.form.addRow("&Counted:", self.quantity_spin)
        self.form.addRow("&Reason:", self.reason_edit)
        self.form.addRow("Change:", self.change_label)
        self.quantity_spin.valueChanged.connect(self.input_changed)
        self.reason_edit.textChanged.connect(self.input_changed)

    def problem(self) -> str | None:
        row = self.row
        quantity = self.quantity_spin.value()
        delta = quantity - row.quantity
        if delta == 0:
            self.change_label.setText("none (confirms the recorded quantity)")
        else:
            sign = "+" if delta > 0 else "−"
            self.change_label.setText(
                f"{sign}{self._number(abs(delta))}  ({self._number(row.quantity)} → {self._number(quantity)})"
            )
        if quantity < row.reserved_quantity:
            return (
                f"{formatting.plural(row.reserved_quantity, 'unit')} {_are(row.reserved_quantity)} reserved here "
                "for orders, so the quantity "
                f"cannot be below {self._number(row.reserved_quantity)}."
            )
        return None

    def value(self) -> SetStock:
        return SetStock(
            store=self.row.store_code,
            product=self.row.sku,
            location=self.row.location,
            quantity=self.quantity_spin.value(),
            reason=_clean_reason(self.reason_edit.text()),
        )

    def describe(self, outcome: StockChange) -> str:
        return f"{self.row.title} at {outcome.location} set to {self._number(outcome.quantity_after)}."


# --- Transfer -------------------------------------------------------------------------------
class TransferStockDialog(StockDialog[TransferResult]):
    """Move available units of the row's product from one location to another (or a new one)."""

    ok_text = "Transfer"

    def __init__(
        self,
        services: Services,
        actor: Actor,
        row: StockRow,
        stock: ProductStock,
        location_codes: Sequence[str],
        parent: QWidget | None = None,
    ) -> None:
        """``stock`` says where the product is; ``location_codes`` are the locations to offer as destinations."""
        super().__init__("Transfer stock", services, actor, row, parent)
        self.setObjectName("transferStockDialog")
        self._sources = {loc.location: loc for loc in stock.locations if loc.quantity > 0}
        if row.location not in self._sources:  # the row was just emptied elsewhere: still offer it
            self._sources[row.location] = LocationStock(row.location, row.quantity, row.reserved_quantity)
        self._held = {loc.location: loc for loc in stock.locations}
        self._location_codes = tuple(location_codes)
        self._init_inputs()
        self._init_frame([self.source_combo, self.destination_combo, self.quantity_spin, self.reason_edit])

    def _init_inputs(self) -> None:
        self.source_combo = QComboBox(self)
        self.source_combo.setObjectName("sourceCombo")
        self.source_combo.setToolTip("Where the units are now; each shows how many are available to move")
        self.source_combo.setAccessibleName("From")
        for code, loc in self._sources.items():
            self.source_combo.addItem(f"{code}  —  {self._number(loc.available_quantity)} available", code)
        self.source_combo.setCurrentIndex(max(self.source_combo.findData(self.row.location), 0))

        self.destination_combo = QComboBox(self)
        self.destination_combo.setObjectName("destinationCombo")
        self.destination_combo.setEditable(True)
        self.destination_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.destination_combo.addItems(list(self._location_codes))
        self.destination_combo.setCurrentIndex(-1)
        self.destination_combo.setToolTip("Choose a location, or type the code of a new one (letters, digits, _ - .)")
        self.destination_combo.setAccessibleName("To")
        line = self.destination_combo.lineEdit()
        assert line is not None  # the combo box is editable
        line.setPlaceholderText("Location code, for example WAREHOUSE_B")
        line.setClearButtonEnabled(True)
        self.destination_hint = QLabel(self)
        self.destination_hint.setObjectName("destinationHint")
        self.destination_hint.setWordWrap(True)
        self.destination_hint.setStyleSheet(MUTED_STYLE)
        self.destination_hint.setTextFormat(Qt.TextFormat.PlainText)

        self.quantity_spin = self._count_spin(self, "transferQuantitySpin", 1, "Units to move")
        self.quantity_spin.setValue(1)
        self.quantity_spin.setAccessibleName("Quantity")
        self.reason_edit = self._reason_edit(
            self, "Optional, for example: restock the shop floor", "Written to the ledger with your name"
        )
        self.reason_edit.setAccessibleName("Reason")

        self.form.addRow("&From:", self.source_combo)
        self.form.addRow("&To:", self.destination_combo)
        self.form.addRow("", self.destination_hint)
        self.form.addRow("&Quantity:", self.quantity_spin)
        self.form.addRow("&Reason:", self.reason_edit)
        self.source_combo.currentIndexChanged.connect(self.input_changed)
        self.destination_combo.editTextChanged.connect(self.input_changed)
        self.quantity_spin.valueChanged.connect(self.input_changed)
        self.reason_edit.textChanged.connect(self.input_changed)

    @property
    def source(self) -> LocationStock:
        return self._sources[self.source_combo.currentData()]

    def destination(self) -> str:
        """The normalized destination code; raises InvalidInput with a sentence."""
        return normalize_location_code(self.destination_combo.currentText())

    def problem(self) -> str | None:
        source = self.source
        quantity = self.quantity_spin.value()
        text = self.destination_combo.currentText()
        destination: str | None = None
        problem: str | None = None
        if not text.strip():
            problem = "Choose or type the location to move the units to."
        else:
            try:
                destination = self.destination()
            except InvalidInput as error:
                problem = str(error)
        self._show_destination_hint(destination)
        if problem is not None:
            return problem
        if destination == source.location:
            return f"The units are already at {destination}; choose another destination."
        if source.available_quantity <= 0:
            return f"Nothing is available to move at {source.location}: all units there are reserved for orders."
        if quantity > source.available_quantity:
            held = (
                f" ({self._number(source.reserved_quantity)} of {self._number(source.quantity)}"
                f" {_are(source.reserved_quantity)} reserved for orders)"
                if source.reserved_quantity
                else ""
            )
            return (f"Only {formatting.plural(source.available_quantity, 'unit')} {_are(source.available_quantity)} "
                    f"available at {source.location}{held}.")
        return None

    def _show_destination_hint(self, destination: str | None) -> None:
        if destination is None:
            text = ""
        elif destination in self._held:
            text = f"{destination} holds {self._number(self._held[destination].quantity)} of this product now."
        elif destination in self._location_codes:
            text = f"{destination} holds none of this product yet."
        else:
            text = f"{destination} is a new location; it will be created."
        self.destination_hint.setText(text)

    def value(self) -> TransferStock:
        return TransferStock(
            store=self.row.store_code,
            product=self.row.sku,
            source=self.source.location,
            destination=self.destination(),
            quantity=self.quantity_spin.value(),
            reason=_clean_reason(self.reason_edit.text()),
        )

    def describe(self, outcome: TransferResult) -> str:
        moved = self._number(outcome.destination.quantity_change)
        return (
            f"Moved {moved} of {self.row.title} from {outcome.source.location} to {outcome.destination.location}."
        )


def _are(count: int) -> str:
    """``is`` for one, ``are`` for any other count."""
    return "is" if count == 1 else "are"
