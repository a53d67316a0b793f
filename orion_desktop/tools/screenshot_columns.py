"""Which figures a screenshot hides: number columns not wholly inside their table's viewport.

A number column is one the model's header right-aligns (every table model here does so for its
figures; a ``QTableWidget`` aligns its cells instead, so its first row is asked). The tour records,
per page, the columns a user would have to scroll sideways to see (issue 11: none at 1024×768).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Qt is loaded only once the tool has set up its environment
    from PySide6.QtWidgets import QTableView, QWidget


def number_columns(table: QTableView) -> list[int]:
    """The shown columns whose header (or first cell) is right-aligned."""
    from PySide6.QtCore import Qt

    model = table.model()
    header = table.horizontalHeader()
    found = []
    for column in range(model.columnCount()):
        alignment = model.headerData(column, Qt.Orientation.Horizontal, Qt.ItemDataRole.TextAlignmentRole)
        if alignment is None and model.rowCount() > 0:
            alignment = model.index(0, column).data(Qt.ItemDataRole.TextAlignmentRole)
        right = alignment is not None and bool(Qt.AlignmentFlag(int(alignment)) & Qt.AlignmentFlag.AlignRight)
        if right and not header.isSectionHidden(column):
            found.append(column)
    return found


def column_report(page: QWidget) -> dict[str, list[str]]:
    """Per visible table of ``page`` (by object name): its number columns, each ``"Title"`` when in
    sight or ``"Title (hidden)"`` when a user would have to scroll sideways to see all of it."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QTableView

    report: dict[str, list[str]] = {}
    for table in page.findChildren(QTableView):
        if not table.isVisible() or table.model() is None:
            continue
        header = table.horizontalHeader()
        width = table.viewport().width()
        columns = report.setdefault(table.objectName() or type(table).__name__, [])
        for column in number_columns(table):
            left = header.sectionViewportPosition(column)
            title = str(table.model().headerData(column, Qt.Orientation.Horizontal))
            hidden = left < 0 or left + header.sectionSize(column) > width
            columns.append(f"{title} (hidden)" if hidden else title)
    return report
