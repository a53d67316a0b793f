"""InventoryModel: Qt's model contract, paging through fetchMore, and filters that re-query in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import pytest
from helpers import GTIN_A
from PySide6.QtCore import QModelIndex, Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from orion_desktop.bootstrap import Services
from orion_desktop.domain.errors import DatabaseUnavailable
from orion_desktop.domain.results import StockRow
from orion_desktop.ui.models.inventory_model import InventoryColumn, InventoryModel, InventoryRole, StockFilter

ALL_ROWS = 5  # see seed_stock in conftest.py


class Recorder:
    """Wraps ``services.stock`` and records every list_stock call."""

    def __init__(self, stock: Any) -> None:
        self._stock = stock
        self.calls: list[dict[str, Any]] = []

    def list_stock(self, **kwargs: Any) -> Sequence[StockRow]:
        self.calls.append(kwargs)
        rows: Sequence[StockRow] = self._stock.list_stock(**kwargs)
        return rows


def _row(inventory_id: int, sku: str = "X") -> StockRow:
    return StockRow(
        inventory_id=inventory_id,
        store_code="MAIN",
        product_id=inventory_id,
        sku=f"{sku}{inventory_id}",
        gtin=None,
        title=f"Item {inventory_id}",
        location="WAREHOUSE_A",
        quantity=10,
        reserved_quantity=inventory_id % 3,
    )


class ListSource:
    """An in-memory source with keyset paging in SKU order, to count queries exactly."""

    def __init__(self, rows: list[StockRow]) -> None:
        self.rows = rows
        self.calls: list[tuple[str | None, int | None]] = []  # (the cursor's SKU, limit)

    def list_stock(
        self, *, limit: int | None = None, after: StockRow | None = None, **_filters: Any
    ) -> Sequence[StockRow]:
        self.calls.append((None if after is None else after.sku, limit))
        later = [row for row in sorted(self.rows, key=lambda r: r.sku) if after is None or row.sku > after.sku]
        return tuple(later[:limit])


def _skus(model: InventoryModel) -> list[str]:
    return [row.sku for row in model.rows()]


def test_model_passes_qt_model_tester(qtmodeltester: ModelTester, stocked: Services) -> None:
    model = InventoryModel(stocked.stock, page_size=2)
    assert model.reload()
    qtmodeltester.check(model)  # Qt's C++ QAbstractItemModelTester keeps watching from here on
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    assert model.rowCount() == ALL_ROWS
    model.set_filter(StockFilter(search="widget"))
    model.set_filter(StockFilter())
    assert model.rowCount() >= 2  # the tester may fetch more pages itself after a reset


def test_model_passes_python_model_tester(qtmodeltester: ModelTester, stocked: Services) -> None:
    model = InventoryModel(stocked.stock, page_size=3)
    model.reload()
    qtmodeltester.check(model, force_py=True)  # also fetches more and re-checks on every signal
    model.set_filter(StockFilter(location="WAREHOUSE_B"))
    assert model.rowCount() == 2


def test_rows_grow_page_by_page_with_fetch_more(stocked: Services) -> None:
    source = Recorder(stocked.stock)
    model = InventoryModel(source, page_size=2)
    model.reload()
    assert model.rowCount() == 2
    assert model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 4
    model.fetchMore(QModelIndex())
    assert model.rowCount() == ALL_ROWS
    assert not model.canFetchMore(QModelIndex())
    # Every page is its own short query (no cursor stays open) that starts after the last row
    # shown (keyset paging); one row more tells if more follow.
    rows = model.rows()
    assert [(c["after"], c["limit"]) for c in source.calls] == [(None, 3), (rows[1], 3), (rows[3], 3)]
    assert all("offset" not in c for c in source.calls)
    # The pages join up to exactly what one unpaged query returns, in the same order.
    assert model.rows() == stocked.stock.list_stock()


def test_a_full_last_page_needs_no_extra_empty_query() -> None:
    source = ListSource([_row(i) for i in range(1, 7)])
    model = InventoryModel(source, page_size=3)
    model.reload()
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 6
    assert not model.canFetchMore(QModelIndex())
    assert source.calls == [(None, 4), ("X3", 4)]


def _first_page_of(count: int) -> tuple[ListSource, InventoryModel]:
    """A model showing the first two of ``count`` rows (SKUs X1, X2, ...)."""
    source = ListSource([_row(i) for i in range(1, count + 1)])
    model = InventoryModel(source, page_size=2)
    model.reload()
    return source, model


def _scroll_through(model: InventoryModel) -> list[int]:
    """Fetch every page, as scrolling to the end does; the inventory ids shown."""
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    return [row.inventory_id for row in model.rows()]


def test_rows_added_elsewhere_neither_repeat_nor_skip_rows_while_scrolling() -> None:
    source, model = _first_page_of(6)
    # Another workstation adds a row that sorts before the cursor and one that sorts after it.
    source.rows += [_row(0), _row(7)]
    # Keyset paging continues after the last row shown: nothing shown twice, nothing after it missed.
    assert _scroll_through(model) == [1, 2, 3, 4, 5, 6, 7]


def test_a_row_that_moves_behind_the_cursor_is_not_shown_twice() -> None:
    source, model = _first_page_of(5)
    # Another workstation renames X1's SKU: it now sorts after the rows loaded so far.
    source.rows[0] = replace(source.rows[0], sku="X9")
    assert _scroll_through(model) == [1, 2, 3, 4, 5]  # row 1 stays where it was shown, and only there


def test_a_page_of_rows_already_shown_does_not_stop_paging() -> None:
    source, model = _first_page_of(7)
    # Both loaded rows move just behind the cursor: the next page holds only rows already shown.
    source.rows[0] = replace(source.rows[0], sku="X2a")
    source.rows[1] = replace(source.rows[1], sku="X2b")
    model.fetchMore(QModelIndex())
    assert [row.inventory_id for row in model.rows()] == [1, 2, 3, 4]  # went on to the rows after them
    assert _scroll_through(model) == [1, 2, 3, 4, 5, 6, 7]


def _scrolled_a_page_down(stocked: Services) -> tuple[Recorder, InventoryModel, list[bool]]:
    """A model over the real stock with two pages loaded; the list collects its resets from now on."""
    source = Recorder(stocked.stock)
    model = InventoryModel(source, page_size=2)
    model.reload()
    model.fetchMore(QModelIndex())
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))
    return source, model, resets


@pytest.mark.parametrize("scanned", [GTIN_A, "0" + GTIN_A, "4006 3813 3393 1"])
def test_search_requeries_in_sql_and_finds_any_form_of_a_gtin(stocked: Services, scanned: str) -> None:
    source, model, resets = _scrolled_a_page_down(stocked)

    assert model.set_filter(StockFilter(search=scanned))

    assert resets == [True]
    assert source.calls[-1]["search"] == scanned.strip()
    assert source.calls[-1]["after"] is None  # from the first row again
    assert _skus(model) == ["A", "A"]
    assert {row.location for row in model.rows()} == {"WAREHOUSE_A", "WAREHOUSE_B"}


def test_upc_a_finds_the_product_stored_as_ean13(stocked: Services) -> None:
    model = InventoryModel(stocked.stock)
    model.set_filter(StockFilter(search="036000291452"))
    assert _skus(model) == ["D"]


def test_store_location_and_low_stock_filters(stocked: Services) -> None:
    model = InventoryModel(stocked.stock)
    model.set_filter(StockFilter(location="warehouse_b"))
    assert sorted(_skus(model)) == ["A", "D"]
    model.set_filter(StockFilter(store="MAIN", low_stock_at_most=4))
    assert sorted((row.sku, row.available_quantity) for row in model.rows()) == [("B", 4), ("C", 2)]
    model.set_filter(StockFilter(search="no such thing"))
    assert model.rowCount() == 0
    assert not model.canFetchMore(QModelIndex())


def test_data_and_header_roles(stocked: Services) -> None:
    model = InventoryModel(stocked.stock)
    model.set_filter(StockFilter(search="A", location="WAREHOUSE_A"))
    assert model.rowCount() == 1
    row = model.row_at(0)

    def cell(column: InventoryColumn, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        return model.data(model.index(0, column), role)

    assert [cell(c) for c in InventoryColumn] == ["Widget A", "A", GTIN_A, "WAREHOUSE_A", 12, 5, 7]
    assert cell(InventoryColumn.PRODUCT, InventoryRole.ROW) == row
    assert cell(InventoryColumn.QUANTITY, InventoryRole.VALUE) == 12
    right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    assert cell(InventoryColumn.AVAILABLE, Qt.ItemDataRole.TextAlignmentRole) == right
    assert cell(InventoryColumn.SKU, Qt.ItemDataRole.TextAlignmentRole) & Qt.AlignmentFlag.AlignLeft
    assert "MAIN" in cell(InventoryColumn.PRODUCT, Qt.ItemDataRole.ToolTipRole)
    assert cell(InventoryColumn.SKU, Qt.ItemDataRole.DecorationRole) is None
    assert model.data(QModelIndex()) is None
    assert model.rowCount(model.index(0, 0)) == 0
    assert model.columnCount(model.index(0, 0)) == 0
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in InventoryColumn]
    assert headers == ["Product", "SKU", "GTIN", "Location", "Quantity", "Reserved", "Available"]
    assert model.headerData(0, Qt.Orientation.Vertical) is None
    assert model.row_of_inventory(row.inventory_id) == 0
    assert model.row_of_inventory(-1) is None


def test_custom_roles_start_at_user_role() -> None:
    assert InventoryRole.ROW == Qt.ItemDataRole.UserRole.value  # type: ignore[comparison-overlap]  # IntEnum == int
    assert min(InventoryRole) == InventoryRole.ROW


def test_a_failed_query_empties_the_model_and_reports_the_error(qtbot: QtBot) -> None:
    class Broken:
        def list_stock(self, **_kwargs: Any) -> Sequence[StockRow]:
            raise DatabaseUnavailable("The database cannot be reached. Check the network and try again.")

    model = InventoryModel(Broken())
    with qtbot.waitSignal(model.loadFailed) as blocker:
        assert not model.reload()
    assert isinstance(blocker.args[0], DatabaseUnavailable)
    assert model.rowCount() == 0
    assert not model.canFetchMore(QModelIndex())


def test_a_failed_later_page_keeps_the_loaded_rows_and_stops_paging(qtbot: QtBot) -> None:
    source = ListSource([_row(i) for i in range(1, 6)])
    model = InventoryModel(source, page_size=2)
    model.reload()

    def broken(**_kwargs: Any) -> Sequence[StockRow]:
        raise DatabaseUnavailable("The database cannot be reached.")

    source.list_stock = broken  # type: ignore[method-assign]  # the stand-in fails from now on
    with qtbot.waitSignal(model.loadFailed):
        model.fetchMore(QModelIndex())
    assert model.rowCount() == 2
    assert not model.canFetchMore(QModelIndex())


# --- sorting in SQL ---------------------------------------------------------------------------
def _sorted_in_python(stocked: Services, key: Any, descending: bool = False) -> list[StockRow]:
    return sorted(stocked.stock.list_stock(), key=lambda r: (key(r), r.inventory_id), reverse=descending)


def test_sorting_queries_the_sorted_first_page_and_pages_on_in_that_order(stocked: Services) -> None:
    source, model, resets = _scrolled_a_page_down(stocked)

    model.sort(InventoryColumn.AVAILABLE, Qt.SortOrder.DescendingOrder)  # what a header click calls

    assert resets == [True]
    assert model.rowCount() == 2  # the first page again, sorted
    assert {k: source.calls[-1][k] for k in ("sort", "descending", "after")} == {
        "sort": "available", "descending": True, "after": None}
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    assert list(model.rows()) == _sorted_in_python(stocked, lambda r: r.available_quantity, descending=True)
    assert (model.sort_column, model.sort_order.descending) == (InventoryColumn.AVAILABLE, True)


def test_every_column_sorts_in_sql(stocked: Services) -> None:
    model = InventoryModel(stocked.stock, page_size=2)
    model.reload()
    for column in InventoryColumn:
        model.sort(column, Qt.SortOrder.AscendingOrder)
        while model.canFetchMore(QModelIndex()):
            model.fetchMore(QModelIndex())
        assert model.sort_column == column
        values = [model.index(r, column).data(InventoryRole.VALUE) for r in range(model.rowCount())]
        # Titles sort without regard to case; the seeded locations share one picking-path key, so
        # they sort by code.
        assert values == sorted(values, key=lambda v: "" if v is None else (v.lower() if isinstance(v, str) else v))
        assert model.rowCount() == ALL_ROWS


def test_sort_column_minus_one_goes_back_to_the_picking_order(stocked: Services) -> None:
    model = InventoryModel(stocked.stock)
    model.reload()
    picking_order = model.rows()
    model.sort(InventoryColumn.QUANTITY, Qt.SortOrder.AscendingOrder)
    assert model.rows() != picking_order
    model.sort(-1)  # a cleared sort indicator
    assert model.rows() == picking_order
    assert model.sort_column == -1 and model.sort_order.key is None


def test_a_sort_before_the_first_load_is_used_by_it() -> None:
    source = ListSource([_row(i) for i in range(1, 4)])
    calls: list[dict[str, Any]] = []
    plain = source.list_stock

    def recording(**kwargs: Any) -> Sequence[StockRow]:
        calls.append(kwargs)
        return plain(**{k: v for k, v in kwargs.items() if k not in ("sort", "descending")})

    source.list_stock = recording  # type: ignore[method-assign]  # a stand-in that records
    model = InventoryModel(source)
    model.sort(InventoryColumn.SKU, Qt.SortOrder.DescendingOrder)  # e.g. restored from the settings
    assert calls == []  # nothing is loaded before the page asks
    model.reload()
    assert (calls[-1]["sort"], calls[-1]["descending"]) == ("sku", True)


def test_the_model_tester_watches_sorting(qtmodeltester: ModelTester, stocked: Services) -> None:
    model = InventoryModel(stocked.stock, page_size=2)
    model.reload()
    qtmodeltester.check(model)
    model.sort(InventoryColumn.PRODUCT, Qt.SortOrder.DescendingOrder)
    model.fetchMore(QModelIndex())
    model.sort(-1)
    assert model.rowCount() >= 2
