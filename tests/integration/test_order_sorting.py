"""``list_orders`` sorted in SQL, on SQLite and PostgreSQL: every sort gives exactly the order a Python
sort of all orders gives (ties broken by order id), and keyset paging (``after=``) through it, with
any page size, neither repeats nor skips an order, even while orders change."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from helpers import ADMIN
from sqlalchemy import update

from orion_desktop.bootstrap import Services
from orion_desktop.db.engine import Database
from orion_desktop.db.models import Order
from orion_desktop.domain.errors import InvalidInput
from orion_desktop.domain.order_results import OrderLine, OrderSummary
from orion_desktop.services.orders.queries import ORDER_SORT_KEYS

# Customers with ties, case, a missing name, non-ASCII and LIKE characters.
CUSTOMERS = ("Ada Lovelace", "ada lovelace", None, "Zoë Zed", "Äda Straße", "100% Percent", "Ada Lovelace", "b_c")
STORES = ("MAIN", "OUTLET", "ANNEX")  # ANNEX is created last: store ids are not in code order

PYTHON_KEYS: dict[str, Callable[[OrderSummary], Any]] = {
    "number": lambda o: o.order_number,
    "status": lambda o: o.status.value,
    "customer": lambda o: o.customer_name or "",  # no customer sorts as an empty name
    "store": lambda o: o.store_code,
    "created": lambda o: o.created_at,
}

FILTERS: list[dict[str, Any]] = [{}, {"status": "pending"}, {"store": "OUTLET"}, {"search": "ada"}]


@pytest.fixture
def shop(services: Services, database: Database) -> Services:
    """24 orders over three stores in four statuses; some share a creation time."""
    catalog = services.catalog
    for store in STORES:
        catalog.add_store(ADMIN, store, f"Store {store}")
        catalog.add_product(ADMIN, store=store, sku="P", title="Product", product_type="digital")
    numbers = []
    for n in range(24):
        numbers.append(services.orders.create_order(
            ADMIN, store=STORES[n % 3], customer=CUSTOMERS[n % len(CUSTOMERS)], lines=[OrderLine("P", 1 + n % 2)],
            number=f"ORD-{(n * 7) % 24:03d}" if n % 4 else None,  # numbers out of id order, and generated ones
        ))
    for n, number in enumerate(numbers):
        if n % 5 == 1:
            services.orders.change_status(ADMIN, number, "processing")
        elif n % 5 == 2:
            services.orders.change_status(ADMIN, number, "cancelled")
        elif n % 5 == 3:
            services.orders.change_status(ADMIN, number, "shipped")
    with database.engine.begin() as connection:  # ties in the creation time: only the id tells them apart
        tie = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
        connection.execute(update(Order).where(Order.id % 3 == 0).values(created_at=tie))
    return services


def _expected(shop: Services, sort: str, descending: bool, filters: dict[str, Any]) -> list[OrderSummary]:
    every = shop.order_queries.list_orders(limit=1000, **filters)  # newest first: the same orders
    key = PYTHON_KEYS[sort]
    return sorted(every, key=lambda o: (key(o), o.id), reverse=descending)


def _paged(shop: Services, size: int, **arguments: Any) -> list[OrderSummary]:
    shown: list[OrderSummary] = []
    while True:
        page = shop.order_queries.list_orders(limit=size, after=shown[-1] if shown else None, **arguments)
        shown += page
        if len(page) < size:
            return shown


def test_the_sortable_columns() -> None:
    assert set(ORDER_SORT_KEYS) == set(PYTHON_KEYS)


def test_the_orders_have_ties_for_the_order_id_to_break(shop: Services) -> None:
    every = shop.order_queries.list_orders(limit=1000)
    assert len(every) == 24
    for sort, key in PYTHON_KEYS.items():
        values = {key(o) for o in every}
        assert len(values) > 1 and (sort == "number" or len(values) < len(every)), sort
    assert {o.status.value for o in every} == {"pending", "processing", "cancelled", "shipped"}
    assert None in {o.customer_name for o in every}


@pytest.mark.parametrize("descending", [False, True], ids=["ascending", "descending"])
@pytest.mark.parametrize("sort", sorted(PYTHON_KEYS))
def test_each_sort_is_the_python_sort_and_pages_neither_repeat_nor_skip(
    shop: Services, sort: str, descending: bool
) -> None:
    for filters in FILTERS:
        expected = _expected(shop, sort, descending, filters)
        assert expected, filters
        whole = shop.order_queries.list_orders(limit=1000, sort=sort, descending=descending, **filters)
        assert [o.id for o in whole] == [o.id for o in expected], filters
        assert whole == tuple(expected)  # the totals are the same too
        for size in (1, 2, 3, 5, 7, 24):
            paged = _paged(shop, size, sort=sort, descending=descending, **filters)
            assert [o.id for o in paged] == [o.id for o in expected], (filters, size)


def test_the_default_order_is_newest_first_and_after_pages_it_like_before_id(shop: Services) -> None:
    newest_first = shop.order_queries.list_orders(limit=1000)
    assert [o.id for o in newest_first] == sorted((o.id for o in newest_first), reverse=True)
    for size in (1, 5, 24):
        assert _paged(shop, size) == list(newest_first)
    assert shop.order_queries.list_orders(limit=3, after=newest_first[4]) == newest_first[5:8]
    assert shop.order_queries.list_orders(limit=3, before_id=newest_first[4].id) == newest_first[5:8]
    assert shop.order_queries.list_orders(sort=None, descending=True) == shop.order_queries.list_orders()


def test_paging_stays_whole_while_other_workstations_add_and_change_orders(shop: Services) -> None:
    """Orders added meanwhile show up only behind the cursor; the others neither repeat nor skip."""
    before = {o.id for o in shop.order_queries.list_orders(limit=1000)}
    shown: list[OrderSummary] = []
    added = []
    while True:
        page = shop.order_queries.list_orders(limit=4, sort="customer", after=shown[-1] if shown else None)
        shown += page
        if len(page) < 4:
            break
        added.append(shop.orders.create_order(ADMIN, store="MAIN", customer="Mia Meyer", lines=[OrderLine("P", 1)]))
    ids = [o.id for o in shown]
    assert len(ids) == len(set(ids))
    assert before <= set(ids)
    keys = [(o.customer_name or "", o.id) for o in shown]
    assert keys == sorted(keys)


@pytest.mark.parametrize("sort", ["total", "id; DROP TABLE orders", ""])
def test_an_unknown_sort_is_a_sentence(shop: Services, sort: str) -> None:
    with pytest.raises(
        InvalidInput, match=r"^Orders cannot be sorted by .*\. Sort by number, status, customer, store or created\.$"
    ):
        shop.order_queries.list_orders(sort=sort)


def test_sort_keys_ignore_case_and_spaces(shop: Services) -> None:
    assert shop.order_queries.list_orders(sort=" Customer ") == shop.order_queries.list_orders(sort="customer")


def test_a_sorted_list_is_not_paged_by_order_id(shop: Services) -> None:
    first = shop.order_queries.list_orders(limit=1, sort="number")[0]
    with pytest.raises(InvalidInput, match="after"):
        shop.order_queries.list_orders(sort="number", before_id=first.id)
    with pytest.raises(InvalidInput, match="after"):
        shop.order_queries.list_orders(after=first, before_id=first.id)
