"""The pack station's table of open lines: the product takes the spare width, where to pick
(the Location column) comes next, and the figures fit their values."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemView, QWidget

from orion_desktop.ui.models.pack_model import PackColumn, PackModel
from orion_desktop.ui.widgets.filling_table_view import FillingTableView
from orion_desktop.ui.widgets.tables import make_table

SAMPLES: dict[int, str] = {
    PackColumn.LOCATION: "WAREHOUSE_MAIN.A-01",
    PackColumn.SKU: "SKU-0000000",
    PackColumn.GTIN: "0000000000000",
    PackColumn.ORDERED: "0,000",
    PackColumn.SHIPPED: "0,000",
    PackColumn.TO_PACK: "0,000",
    PackColumn.PACKED: "0,000 ✓",
}


def make_pack_table(parent: QWidget, model: PackModel) -> FillingTableView:
    """Read-only rows; nothing is selected (the scanned line is highlighted instead)."""
    return make_table(
        parent,
        model,
        name="packTable",
        fill_column=PackColumn.PRODUCT,
        places=(PackColumn.LOCATION,),
        fill_chars=28,
        max_fill_chars=60,  # at 1600 px the product left a gap; Location, SKU and GTIN share the rest
        samples=SAMPLES,
        selection=QAbstractItemView.SelectionMode.NoSelection,
        row_padding=10,
    )
