"""Sorting the Orders and Inventory tables by clicking their headers, on SQLite and PostgreSQL.

Driven like a person: click a header (again to turn the order round, a third time for the default
order), scroll down until every row is there, close the page and open it again. The rows shown
are compared with the database, read here with plain SQL and sorted in Python. A main window
opened with saved sorts queries each table once, already sorted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from helpers import ADMIN
from PySide6.QtCore import QModelIndex, QSettings, Qt
from PySide6.QtWidgets import QTableView
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from orion_desktop.bootstrap import Services
from orion_desktop.db.engine import Database
from orion_desktop.db.models import Inventory, Location, Order, Product
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.order_results import OrderLine
from orion_desktop.ui.data_events import DataEvents
from orion_desktop.ui.models.inventory_model import InventoryColumn, InventoryModel
from orion_desktop.ui.models.orders_model import OrderColumn
from orion_desktop.ui.pages.inventory_page import InventoryPage
from orion_desktop.ui.pages.orders_page import OrdersPage

from .orders_support import show
from .overview_helpers import click_header
from .window_support import go_to, open_window

pytestmark = pytest.mark.usefixtures("background_work_done")  # pages here work in the background

PAGE_SIZE = 7  # small pages: the view has to fetch several while scrolling
CUSTOMERS = ("Cleo Clark", "ann archer", None, "Bob Baker", "Ann Archer", "Cleo Clark", "Äda Straße")
ASCENDING, DESCENDING = Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder


@pytest.fixture
def many_orders(stocked: Services) -> int:
    """35 orders of a digital product (no stock needed), with customers that tie, and no customer."""
    for n in range(35):
        stocked.orders.create_order(
            ADMIN, store="MAIN", customer=CUSTOMERS[n % len(CUSTOMERS)], lines=[OrderLine("EBOOK", 1 + n % 3)]
        )
    return 35


@pytest.fixture
def many_stock_rows(stocked: Services) -> int:
    """The five stock rows of ``stocked`` plus 36 more, with available quantities that tie."""
    for p in range(12):
        stocked.catalog.add_product(ADMIN, store="MAIN", sku=f"P{(p * 5) % 12:02d}", title=f"Part {p:02d}")
        for k, location in enumerate(("WAREHOUSE_A", "WAREHOUSE_B", "SHELF-1")):
            stocked.inventory.set_quantity(
                ADMIN, store="MAIN", product=f"P{(p * 5) % 12:02d}", location=location, quantity=(p + k * 4) % 9
            )
    return 41


def _orders_in_database(database: Database, key: Callable[[Any], Any], descending: bool = False) -> list[str]:
    with database.engine.connect() as connection:
        rows = connection.execute(select(Order.id, Order.order_number, Order.customer_name)).all()
    return [r.order_number for r in sorted(rows, key=lambda r: (key(r), r.id), reverse=descending)]


def _stock_in_database(database: Database, descending: bool = False) -> list[int]:
    """Inventory row ids by available quantity, then id."""
    with database.engine.connect() as connection:
        rows = connection.execute(
            select(Inventory.id, (Inventory.quantity - Inventory.reserved_quantity).label("available"))
            .join(Product, Product.id == Inventory.product_id)
            .join(Location, Location.id == Inventory.location_id)
        ).all()
    return [r.id for r in sorted(rows, key=lambda r: (r.available, r.id), reverse=descending)]


def _shown(table: QTableView, column: int) -> list[Any]:
    model = table.model()
    return [model.index(row, column).data() for row in range(model.rowCount())]


def _indicator(table: QTableView) -> tuple[int, Qt.SortOrder]:
    header = table.horizontalHeader()
    return header.sortIndicatorSection(), header.sortIndicatorOrder()


def _scroll_to_the_end(qtbot: QtBot, table: QTableView) -> int:
    """Drag the scroll bar to the bottom until no more rows come; returns how many times it loaded."""
    model, bar, loads = table.model(), table.verticalScrollBar(), 0
    while model.canFetchMore(QModelIndex()):
        rows = model.rowCount()
        qtbot.waitUntil(lambda: bar.maximum() > bar.value())  # the scroll bar has grown with the rows
        bar.setValue(bar.maximum())  # the view asks the model for more at the bottom
        assert model.rowCount() > rows
        loads += 1
    return loads


def _open(
    qtbot: QtBot,
    page_class: type[InventoryPage | OrdersPage],
    services: Services,
    manager: Actor,
    settings: QSettings | None = None,
) -> Any:
    """A page as the main window opens it: settings restored, then shown."""
    page = page_class(services, manager, DataEvents(), page_size=PAGE_SIZE)
    if settings is not None:
        page.restore_state(settings)
    page.resize(1000, 420)
    show(qtbot, page)
    return page


def _restarted(page: OrdersPage | InventoryPage, settings: QSettings, open_again: Callable[[QSettings], Any]) -> Any:
    """Close the page (saving its settings, as quitting does) and open it again with them."""
    page.save_state(settings)
    page.close()
    return open_again(settings)


def _click_and_scroll(qtbot: QtBot, table: QTableView, column: int) -> tuple[int, Qt.SortOrder]:
    """Click a header, scroll down to the last row; the sort indicator shown then."""
    click_header(qtbot, table, column)
    _scroll_to_the_end(qtbot, table)
    return _indicator(table)


def test_orders_sorted_by_a_header_click_scroll_without_repeats_and_come_back_after_a_restart(
    qtbot: QtBot, stocked: Services, database: Database, manager: Actor, window_settings: QSettings, many_orders: int
) -> None:
    page = _open(qtbot, OrdersPage, stocked, manager)
    table = page.table
    newest_first = _orders_in_database(database, lambda r: -r.id)
    assert _shown(table, OrderColumn.NUMBER) == newest_first[: page.model.rowCount()]
    assert _indicator(table)[0] == -1  # the default order shows no indicator

    click_header(qtbot, table, OrderColumn.CUSTOMER)
    by_customer = _orders_in_database(database, lambda r: r.customer_name or "")
    assert _indicator(table) == (OrderColumn.CUSTOMER, ASCENDING)
    first_page = _shown(table, OrderColumn.NUMBER)
    assert PAGE_SIZE <= len(first_page) < many_orders and first_page == by_customer[: len(first_page)]
    assert _scroll_to_the_end(qtbot, table) >= 2
    assert _shown(table, OrderColumn.NUMBER) == by_customer  # every order once, in order

    assert _click_and_scroll(qtbot, table, OrderColumn.CUSTOMER) == (OrderColumn.CUSTOMER, DESCENDING)  # Z to A
    by_customer_descending = _orders_in_database(database, lambda r: r.customer_name or "", descending=True)
    assert _shown(table, OrderColumn.NUMBER) == by_customer_descending
    assert _shown(table, OrderColumn.CUSTOMER)[-1] == ""  # no customer comes last

    click_header(qtbot, table, OrderColumn.ITEMS)  # the item totals cannot be sorted: nothing changes
    assert _indicator(table) == (OrderColumn.CUSTOMER, DESCENDING)
    assert _shown(table, OrderColumn.NUMBER) == by_customer_descending

    again = _restarted(page, window_settings, lambda settings: _open(qtbot, OrdersPage, stocked, manager, settings))
    assert _indicator(again.table) == (OrderColumn.CUSTOMER, DESCENDING)
    _scroll_to_the_end(qtbot, again.table)
    assert _shown(again.table, OrderColumn.NUMBER) == by_customer_descending

    assert _click_and_scroll(qtbot, again.table, OrderColumn.CUSTOMER)[0] == -1  # a third click: newest first
    assert _shown(again.table, OrderColumn.NUMBER) == newest_first


def test_the_created_column_sorts_newest_first_on_the_first_click(
    qtbot: QtBot, stocked: Services, database: Database, manager: Actor, many_orders: int
) -> None:
    page = _open(qtbot, OrdersPage, stocked, manager)
    assert _click_and_scroll(qtbot, page.table, OrderColumn.CREATED) == (OrderColumn.CREATED, DESCENDING)
    with database.engine.connect() as connection:
        rows = connection.execute(select(Order.id, Order.order_number, Order.created_at)).all()
    expected = [r.order_number for r in sorted(rows, key=lambda r: (r.created_at, r.id), reverse=True)]
    assert _shown(page.table, OrderColumn.NUMBER) == expected
    click_header(qtbot, page.table, OrderColumn.CREATED)
    assert _indicator(page.table) == (OrderColumn.CREATED, ASCENDING)
    assert _shown(page.table, OrderColumn.NUMBER)[0] == expected[-1]  # the oldest


def test_inventory_sorted_by_a_header_click_scrolls_without_repeats_and_comes_back_after_a_restart(
    qtbot: QtBot,
    stocked: Services,
    database: Database,
    manager: Actor,
    window_settings: QSettings,
    many_stock_rows: int,
) -> None:
    page = _open(qtbot, InventoryPage, stocked, manager)
    table = page.table

    def shown_ids(shown_table: QTableView) -> list[int]:
        model = shown_table.model()
        assert isinstance(model, InventoryModel)
        return [model.row_at(row).inventory_id for row in range(model.rowCount())]

    click_header(qtbot, table, InventoryColumn.AVAILABLE)
    assert _indicator(table) == (InventoryColumn.AVAILABLE, ASCENDING)
    by_available = _stock_in_database(database)
    assert shown_ids(table) == by_available[: page.model.rowCount()]
    assert _scroll_to_the_end(qtbot, table) >= 2
    assert shown_ids(table) == by_available
    assert len(by_available) == many_stock_rows

    assert _click_and_scroll(qtbot, table, InventoryColumn.AVAILABLE) == (InventoryColumn.AVAILABLE, DESCENDING)
    assert shown_ids(table) == _stock_in_database(database, descending=True)

    again = _restarted(page, window_settings, lambda settings: _open(qtbot, InventoryPage, stocked, manager, settings))
    assert _indicator(again.table) == (InventoryColumn.AVAILABLE, DESCENDING)
    _scroll_to_the_end(qtbot, again.table)
    assert shown_ids(again.table) == _stock_in_database(database, descending=True)

    assert _click_and_scroll(qtbot, again.table, InventoryColumn.AVAILABLE)[0] == -1  # third click: picking order
    assert list(again.model.rows()) == list(stocked.stock.list_stock())


def test_a_search_keeps_the_sort(qtbot: QtBot, stocked: Services, manager: Actor, many_stock_rows: int) -> None:
    page = _open(qtbot, InventoryPage, stocked, manager)
    click_header(qtbot, page.table, InventoryColumn.SKU)
    click_header(qtbot, page.table, InventoryColumn.SKU)
    page.search_edit.setFocus()
    qtbot.keyClicks(page.search_edit, "part")
    qtbot.keyClick(page.search_edit, Qt.Key.Key_Return)
    _scroll_to_the_end(qtbot, page.table)
    skus = _shown(page.table, InventoryColumn.SKU)
    assert len(skus) == 36 and all(sku.startswith("P") for sku in skus)
    assert skus == sorted(skus, reverse=True)
    assert _indicator(page.table) == (InventoryColumn.SKU, DESCENDING)


def test_column_widths_saved_before_sorting_existed_neither_sort_nor_reload_the_table(
    qtbot: QtBot, stocked: Services, manager: Actor, window_settings: QSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = _open(qtbot, InventoryPage, stocked, manager)
    plain = QTableView()  # a header as older versions saved it: indicator on column 0, hidden
    qtbot.addWidget(plain)
    plain.setModel(page.model)
    assert plain.horizontalHeader().sortIndicatorSection() == 0
    window_settings.setValue("inventory/columns", plain.horizontalHeader().saveState())
    queries: list[dict[str, Any]] = []
    list_stock = stocked.stock.list_stock

    def recording(**kwargs: Any) -> Any:
        queries.append(kwargs)
        return list_stock(**kwargs)

    monkeypatch.setattr(stocked.stock, "list_stock", recording)
    shown = page.model.rows()
    page.restore_state(window_settings)
    assert queries == []  # the rows shown are already in the order wanted
    assert page.model.rows() == shown and page.model.sort_order.key is None
    assert _indicator(page.table)[0] == -1 and page.table.horizontalHeader().isSortIndicatorShown()
    click_header(qtbot, page.table, InventoryColumn.QUANTITY)  # and the header still sorts
    assert [q["sort"] for q in queries] == ["quantity"]


# --- opening the window -----------------------------------------------------------------------
def _counting(monkeypatch: pytest.MonkeyPatch, service: object, name: str) -> list[dict[str, Any]]:
    """Wrap a service method so its calls are recorded (their keyword arguments); it still runs."""
    calls: list[dict[str, Any]] = []
    real = getattr(service, name)

    def counting(**kwargs: Any) -> Any:
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(service, name, counting)
    return calls


def _sorts(calls: list[dict[str, Any]]) -> list[tuple[str | None, bool]]:
    return [(call["sort"], call["descending"]) for call in calls]


def test_a_window_opened_with_saved_sorts_loads_each_table_once_already_sorted(
    qtbot: QtBot, stocked: Services, manager: Actor, window_settings: QSettings, monkeypatch: pytest.MonkeyPatch,
    many_orders: int
) -> None:
    first = open_window(qtbot, stocked, manager, window_settings)
    go_to(qtbot, first, first.orders_page)
    click_header(qtbot, first.orders_page.table, OrderColumn.CUSTOMER)
    go_to(qtbot, first, first.inventory_page)
    click_header(qtbot, first.inventory_page.table, InventoryColumn.AVAILABLE)
    click_header(qtbot, first.inventory_page.table, InventoryColumn.AVAILABLE)
    first.close()  # saves the settings, as quitting does

    stock_calls = _counting(monkeypatch, stocked.stock, "list_stock")
    order_calls = _counting(monkeypatch, stocked.order_queries, "list_orders")
    window = open_window(qtbot, stocked, manager, window_settings)
    assert _sorts(stock_calls) == [("available", True)]  # one query, in the saved order
    assert _indicator(window.inventory_page.table) == (InventoryColumn.AVAILABLE, DESCENDING)
    assert order_calls == []  # a hidden page loads when it is first shown
    go_to(qtbot, window, window.orders_page)
    assert _sorts(order_calls) == [("customer", False)]
    assert _indicator(window.orders_page.table) == (OrderColumn.CUSTOMER, ASCENDING)
    go_to(qtbot, window, window.inventory_page)
    assert len(stock_calls) == 1 and len(order_calls) == 1  # nothing changed meanwhile: no reload


def test_sorts_saved_by_older_versions_are_ignored(
    qtbot: QtBot, stocked: Services, manager: Actor, window_settings: QSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keys an earlier version wrote (``sort``/``sort_descending`` beside the SQL-sorted tables,
    ``columns_sort_column``/``columns_sort_order`` beside the others) neither sort nor reload."""
    for key, value in {
        "inventory/sort": "available", "inventory/sort_descending": "true",
        "orders/sort": "customer", "orders/sort_descending": "false",
        "locations/columns_sort_column": 5, "locations/columns_sort_order": 1,
        "inventory/columns_sort": "no such column", "orders/columns_sort": "status; drop table orders",
    }.items():
        window_settings.setValue(key, value)
    stock_calls = _counting(monkeypatch, stocked.stock, "list_stock")
    window = open_window(qtbot, stocked, manager, window_settings)
    assert _sorts(stock_calls) == [(None, False)]  # the picking order, loaded once
    assert _indicator(window.inventory_page.table)[0] == -1
    go_to(qtbot, window, window.orders_page)
    assert window.orders_page.model.sort_order.key is None and _indicator(window.orders_page.table)[0] == -1
    go_to(qtbot, window, window.locations_page)
    qtbot.waitUntil(lambda: not window.locations_page.is_loading)
    assert _indicator(window.locations_page.table)[0] == -1
    assert [row.code for row in window.locations_page.model.rows()] == _shown(window.locations_page.table, 0)
    assert len(stock_calls) == 1
