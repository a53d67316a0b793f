"""Issue 11, items 7 and 8 through the services and the CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from helpers import ADMIN, seed_catalog

from orion_desktop.__main__ import main
from orion_desktop.bootstrap import Services
from orion_desktop.domain.errors import InsufficientStock
from orion_desktop.domain.order_results import OrderLine


@pytest.fixture
def shop(services: Services) -> Services:
    seed_catalog(services)
    services.inventory.set_quantity(ADMIN, store="MAIN", product="A", location="WAREHOUSE_MAIN", quantity=5)
    return services


def test_7_one_line_one_unit_in_the_history(shop: Services) -> None:
    number = shop.orders.create_order(ADMIN, store="MAIN", lines=[OrderLine("A", 1)])
    shop.orders.change_status(ADMIN, number, "processing")
    texts = [entry.description for entry in shop.order_queries.history(number)]
    assert texts[0] == "Order created with 1 line, 1 unit."
    assert texts[1] == "Reserved 1 unit."


def test_7_one_reserved_unit_is_one_unit(shop: Services) -> None:
    number = shop.orders.create_order(ADMIN, store="MAIN", lines=[OrderLine("A", 1)])
    shop.orders.change_status(ADMIN, number, "processing")
    with pytest.raises(InsufficientStock) as refused:
        shop.inventory.set_quantity(ADMIN, store="MAIN", product="A", location="WAREHOUSE_MAIN", quantity=0)
    assert "1 unit is reserved there for orders" in str(refused.value)


def test_7_cli_tables_show_statuses_as_words(
    shop: Services, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    number = shop.orders.create_order(ADMIN, store="MAIN", lines=[OrderLine("A", 2)])
    shop.orders.change_status(ADMIN, number, "processing")
    shop.orders.ship_item(ADMIN, number, "A", 1)
    assert main(["--db", database_url, "--user", "maria", "order", "list"]) == 0
    table = capsys.readouterr().out
    assert "Partially shipped" in table and "partially_shipped" not in table
    assert main(["--db", database_url, "--user", "maria", "order", "history", "--order", number]) == 0
    history = capsys.readouterr().out
    assert "partially_shipped" not in history and "Partially shipped" in history


def test_8_new_orders_avoid_look_alikes_and_old_numbers_stay_valid(shop: Services) -> None:
    numbers = [shop.orders.create_order(ADMIN, store="MAIN", lines=[OrderLine("A", 1)]) for _ in range(20)]
    assert all(not set("0O1IL") & set(n.rsplit("-", 1)[1]) for n in numbers), numbers
    old = shop.orders.create_order(ADMIN, store="MAIN", lines=[OrderLine("A", 1)], number="ORD-1-20260101-Q0PX6F")
    assert shop.order_queries.get_order(old).order_number == "ORD-1-20260101-Q0PX6F"
