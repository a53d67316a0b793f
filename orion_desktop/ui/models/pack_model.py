"""The pack station's table: the open lines of the order being packed, and how many are in the box.

The model shows a ``PackSession`` (domain, in memory). It never queries: every figure comes from
the session's lines and its ``packed`` counts. The page calls ``line_changed`` after a scan or an
undo, which repaints that one row; ``highlight`` marks the line the last scan counted on.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QLocale, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from orion_desktop.domain import gtin as gtin_rules
from orion_desktop.domain.packing import PackLine, PackSession

ModelIndex = QModelIndex | QPersistentModelIndex

_NUMBER_ALIGNMENT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_TEXT_ALIGNMENT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter

HIGHLIGHT_COLOR = QColor("#fff3b0")  # the line the last scan counted on
DONE_COLOR = QColor("#dff3e0")  # every open unit of the line is in the box
MUTED_COLOR = QColor("#6b6b6b")  # lines with nothing to pack (digital, service, placeholder)


class PackColumn(IntEnum):
    PRODUCT = 0
    LOCATION = 1  # where to pick: the packer walks there
    SKU = 2
    GTIN = 3
    ORDERED = 4
    SHIPPED = 5
    TO_PACK = 6  # counts down while scanning
    PACKED = 7

    @property
    def header(self) -> str:
        return _HEADERS[self]

    @property
    def is_number(self) -> bool:
        return self >= PackColumn.ORDERED


_HEADERS = {
    PackColumn.PRODUCT: "Product",
    PackColumn.LOCATION: "Location",
    PackColumn.SKU: "SKU",
    PackColumn.GTIN: "GTIN",
    PackColumn.ORDERED: "Ordered",
    PackColumn.SHIPPED: "Shipped",
    PackColumn.TO_PACK: "To pack",
    PackColumn.PACKED: "Packed now",
}

_HEADER_TIPS = {
    PackColumn.ORDERED: "Units ordered",
    PackColumn.SHIPPED: "Units already shipped in earlier parcels",
    PackColumn.LOCATION: "Where the units are reserved, along the picking path",
    PackColumn.TO_PACK: "Units still to scan into this parcel (ordered − shipped − packed now)",
    PackColumn.PACKED: "Units scanned into this parcel",
}


class LineState(IntEnum):
    OPEN = 0  # nothing of it in the box yet
    PARTLY_PACKED = 1
    PACKED = 2  # every open unit is in the box
    NOTHING_TO_PACK = 3  # digital, service or placeholder: ships without a box


class PackRole(IntEnum):
    """Custom data roles."""

    LINE = Qt.ItemDataRole.UserRole.value  # the row's PackLine
    VALUE = Qt.ItemDataRole.UserRole.value + 1  # the raw value of the cell (str, int or None)
    ITEM_ID = Qt.ItemDataRole.UserRole.value + 2
    PACKED = Qt.ItemDataRole.UserRole.value + 3  # units of this line in the box now
    STATE = Qt.ItemDataRole.UserRole.value + 4  # LineState
    HIGHLIGHTED = Qt.ItemDataRole.UserRole.value + 5  # True for the line the last scan counted on


class PackModel(QAbstractTableModel):
    """The lines of one ``PackSession`` (or none)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._session: PackSession | None = None
        self._lines: tuple[PackLine, ...] = ()
        self._rows: dict[int, int] = {}  # item id -> row
        self._highlighted: int | None = None
        self._locale = QLocale()
        self._bold = QFont()
        self._bold.setBold(True)

    # --- public API -----------------------------------------------------------------------
    @property
    def session(self) -> PackSession | None:
        return self._session

    def set_session(self, session: PackSession | None) -> None:
        """Show ``session``'s lines (None: an empty table)."""
        self.beginResetModel()
        self._session = session
        self._lines = session.lines if session is not None else ()
        self._rows = {line.item_id: row for row, line in enumerate(self._lines)}
        self._highlighted = None
        self.endResetModel()

    def row_of_item(self, item_id: int) -> int | None:
        return self._rows.get(item_id)

    def line_changed(self, item_id: int) -> None:
        """The packed count of ``item_id`` changed: repaint its row."""
        row = self._rows.get(item_id)
        if row is not None:
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(PackColumn) - 1))

    def highlight(self, item_id: int | None) -> None:
        """Mark the line the last scan counted on (None: no line)."""
        previous, self._highlighted = self._highlighted, item_id
        for changed in {previous, item_id} - {None}:
            assert changed is not None
            self.line_changed(changed)

    # --- Qt -------------------------------------------------------------------------------
    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._lines)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(PackColumn)

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(PackColumn):
            return None
        column = PackColumn(section)
        if role == Qt.ItemDataRole.DisplayRole:
            return column.header
        if role == Qt.ItemDataRole.ToolTipRole:
            return _HEADER_TIPS.get(column)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _NUMBER_ALIGNMENT if column.is_number else _TEXT_ALIGNMENT
        return None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._lines) or not 0 <= index.column() < len(PackColumn):
            return None
        line = self._lines[index.row()]
        column = PackColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(line, column)
        if role == PackRole.VALUE:
            return self._value(line, column)
        if role == PackRole.LINE:
            return line
        if role == PackRole.ITEM_ID:
            return line.item_id
        if role == PackRole.PACKED:
            return self._packed(line)
        if role == PackRole.STATE:
            return self._state(line)
        if role == PackRole.HIGHLIGHTED:
            return line.item_id == self._highlighted
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _NUMBER_ALIGNMENT if column.is_number else _TEXT_ALIGNMENT
        if role == Qt.ItemDataRole.BackgroundRole:
            return self._background(line)
        if role == Qt.ItemDataRole.ForegroundRole:
            if self._state(line) is LineState.NOTHING_TO_PACK or (column is PackColumn.LOCATION and _unreserved(line)):
                return QBrush(MUTED_COLOR)
            return None
        if role == Qt.ItemDataRole.FontRole:
            if column is PackColumn.PACKED and self._packed(line):
                return self._bold
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            if column is PackColumn.LOCATION and _unreserved(line):
                return NOT_RESERVED_TIP
            return self._tooltip(line)
        return None

    # --- internals ------------------------------------------------------------------------
    def _packed(self, line: PackLine) -> int:
        return self._session.packed_for(line.item_id) if self._session is not None else 0

    def _state(self, line: PackLine) -> LineState:
        if not line.physical:
            return LineState.NOTHING_TO_PACK
        packed = self._packed(line)
        if packed >= line.to_pack:
            return LineState.PACKED
        return LineState.PARTLY_PACKED if packed else LineState.OPEN

    def _value(self, line: PackLine, column: PackColumn) -> object:
        match column:
            case PackColumn.PRODUCT:
                return line.title
            case PackColumn.LOCATION:
                return line.locations
            case PackColumn.SKU:
                return line.sku
            case PackColumn.GTIN:
                return line.gtin
            case PackColumn.ORDERED:
                return line.ordered
            case PackColumn.SHIPPED:
                return line.shipped
            case PackColumn.TO_PACK:
                return max(line.to_pack - self._packed(line), 0) if line.physical else line.to_pack
            case PackColumn.PACKED:
                return self._packed(line)

    def _display(self, line: PackLine, column: PackColumn) -> str:
        if column is PackColumn.LOCATION and _unreserved(line):
            return NOT_RESERVED
        if column is PackColumn.GTIN:
            return gtin_rules.display_gtin(line.gtin) or ""
        if column is PackColumn.PACKED:
            if not line.physical:
                return "—"
            packed = self._packed(line)
            mark = " ✓" if packed >= line.to_pack else ""
            return f"{self._locale.toString(packed)}{mark}"
        value = self._value(line, column)
        if isinstance(value, int):
            return self._locale.toString(value)
        return "" if value is None else str(value)

    def _background(self, line: PackLine) -> QBrush | None:
        if line.item_id == self._highlighted:
            return QBrush(HIGHLIGHT_COLOR)
        if self._state(line) is LineState.PACKED:
            return QBrush(DONE_COLOR)
        return None

    def _tooltip(self, line: PackLine) -> str:
        if not line.physical:
            return f"{line.title} has nothing to pack; it ships without a box."
        left = line.to_pack - self._packed(line)
        if left <= 0:
            return f"Every open unit of {line.title} is in the box."
        return f"{left} more {line.title} to scan."


NOT_RESERVED = "not reserved"
"""The Location of a line with nothing reserved for it (a blank looked like a fault).

Not the best location with stock: the column says where this order's units were set aside, as the
pick list does; free stock elsewhere may be promised to another order, so the station points
nowhere and says why."""
NOT_RESERVED_TIP = (
    "No units of this line are reserved at a location (it may be waiting for stock). "
    "Pack it only with units you know are free; Inventory shows where stock is."
)


def _unreserved(line: PackLine) -> bool:
    """A line with units to pack but none reserved anywhere (``PackLine.locations`` is empty)."""
    return line.physical and not line.locations
