"""Shipping: the same rows on both databases, and on PostgreSQL the common case in one call of a
server-side function (migration 0010, services/orders/shipped_on_server.py).

Each scenario runs three ways: on SQLite (the careful Python path), on PostgreSQL through the
function, and on PostgreSQL with the function switched off (the careful path there). All three must
leave the rows written out below, so the SQL states the ship rules exactly as the Python does."""

from __future__ import annotations

import re
from typing import Any

import pytest
from helpers import ADMIN, GTIN_A, assert_ledger_consistent, seed_catalog
from sqlalchemy import event, text

import orion_desktop.services.orders.shipped_on_server as on_server
from orion_desktop.bootstrap import Services
from orion_desktop.db.engine import Database
from orion_desktop.domain.errors import InvalidInput, InvalidTransition, NotFound
from orion_desktop.domain.order_results import OrderLine, ShipRequest

FIRST, SECOND = "SHELF-1", "SHELF-2"


@pytest.fixture(params=["as built", "careful path only"])
def path(request: pytest.FixtureRequest, database: Database, monkeypatch: pytest.MonkeyPatch) -> str:
    """On PostgreSQL "as built" ships the common case on the server; "careful path only" switches that
    off. SQLite always takes the careful path (so there both run the same)."""
    if request.param != "as built":
        monkeypatch.setattr(on_server, "ship_on_server", lambda *args, **kwargs: None)
        monkeypatch.setattr(on_server, "ship_all_on_server", lambda *args, **kwargs: None)
    return str(request.param)


@pytest.fixture
def shop(services: Services) -> Services:
    """A on two shelves (2 units each: an order of 3 is reserved from both), B with 10."""
    seed_catalog(services)
    services.inventory.set_quantity(ADMIN, store="MAIN", product="A", location=FIRST, quantity=2)
    services.inventory.set_quantity(ADMIN, store="MAIN", product="A", location=SECOND, quantity=2)
    services.inventory.set_quantity(ADMIN, store="MAIN", product="B", location=FIRST, quantity=10)
    return services


def _order(services: Services, *lines: tuple[str, int], process: bool = True) -> str:
    number = services.orders.create_order(ADMIN, store="MAIN", lines=[OrderLine(sku, n) for sku, n in lines])
    if process:
        services.orders.change_status(ADMIN, number, "processing")
    return number


def _item_id(services: Services, number: str, sku: str) -> int:
    return next(item.id for item in services.order_queries.get_order(number).items if item.sku == sku)


def _rows(database: Database, number: str) -> dict[str, Any]:
    """What a ship writes about the order, without ids or clock times (the number shortened to N)."""
    short = number.removeprefix("ORD-")

    def query(sql: str) -> list[tuple[Any, ...]]:
        with database.engine.connect() as conn:
            found = conn.execute(text(sql), {"number": number}).all()
        return [tuple(value.replace(short, "N") if isinstance(value, str) else value for value in row)
                for row in found]

    return {
        "order": query(
            "SELECT status, tracking_number, carrier, processing_at IS NOT NULL, partially_shipped_at IS NOT NULL, "
            "shipped_at IS NOT NULL FROM orders WHERE order_number = :number"),
        "items": query(
            "SELECT i.sku, i.quantity, i.shipped_quantity FROM order_items i JOIN orders o ON o.id = i.order_id "
            "WHERE o.order_number = :number ORDER BY i.id"),
        "shipments": query(
            "SELECT s.shipment_number, s.status, s.tracking_number, s.carrier, s.created_by, s.shipped_at IS NOT NULL "
            "FROM shipments s JOIN orders o ON o.id = s.order_id WHERE o.order_number = :number ORDER BY s.id"),
        "shipment lines": query(
            "SELECT s.shipment_number, i.sku, l.code, sl.quantity FROM shipment_lines sl "
            "JOIN shipments s ON s.id = sl.shipment_id JOIN orders o ON o.id = s.order_id "
            "JOIN order_items i ON i.id = sl.order_item_id LEFT JOIN locations l ON l.id = sl.location_id "
            "WHERE o.order_number = :number ORDER BY sl.id"),
        "ledger": query(
            "SELECT t.transaction_type, p.sku, l.code, t.quantity_change, t.reserved_change, t.quantity_after, "
            "t.reserved_after, t.order_number, t.reason, t.created_by, t.operation_key "
            "FROM inventory_transactions t JOIN products p ON p.id = t.product_id "
            "JOIN locations l ON l.id = t.location_id WHERE t.order_number = :number "
            "AND t.transaction_type = 'fulfill' ORDER BY t.id"),
        "reservations": query(
            "SELECT i.sku, l.code, r.quantity_reserved, r.quantity_fulfilled, r.quantity_released, r.status, "
            "r.fulfilled_at IS NOT NULL FROM inventory_reservations r JOIN order_items i ON i.id = r.order_item_id "
            "JOIN orders o ON o.id = i.order_id JOIN locations l ON l.id = r.location_id "
            "WHERE o.order_number = :number ORDER BY r.id"),
        "history": query(
            "SELECT h.action, h.old_status, h.new_status, h.description, h.created_by FROM order_history h "
            "JOIN orders o ON o.id = h.order_id WHERE o.order_number = :number AND h.action = 'shipped' "
            "ORDER BY h.id"),
    }


def test_two_lines_from_two_shelves_with_tracking_then_the_rest_by_gtin(
    shop: Services, database: Database, path: str
) -> None:
    number = _order(shop, ("A", 3), ("B", 2))
    first = shop.orders.ship(ADMIN, number, [ShipRequest(_item_id(shop, number, "A"), 2), ShipRequest("b")],
                             tracking="1Z999", carrier="UPS", operation_key="ship-1")
    assert [(r.fulfilled_quantity, r.shipped_quantity, r.remaining_quantity, r.is_fully_shipped)
            for r in first.items] == [(2, 2, 1, False), (2, 2, 0, True)]
    assert {r.order_id for r in first.items} == {shop.order_queries.get_order(number).id}
    last = shop.orders.ship_item(ADMIN, number, GTIN_A)
    assert (last.fulfilled_quantity, last.shipped_quantity, last.remaining_quantity, last.is_fully_shipped) == (
        1, 3, 0, True)
    assert last.item_id == first.items[0].item_id
    assert _rows(database, number) == {
        "order": [("shipped", "1Z999", "UPS", True, True, True)],
        "items": [("A", 3, 3), ("B", 2, 2)],
        "shipments": [("SHP-N-1", "shipped", "1Z999", "UPS", "admin", True),
                      ("SHP-N-2", "shipped", None, None, "admin", True)],
        "shipment lines": [("SHP-N-1", "A", FIRST, 2), ("SHP-N-1", "B", FIRST, 2), ("SHP-N-2", "A", SECOND, 1)],
        "ledger": [
            ("fulfill", "A", FIRST, -2, -2, 0, 0, "ORD-N", "shipped", "admin", "ship-1"),
            ("fulfill", "B", FIRST, -2, -2, 8, 0, "ORD-N", "shipped", "admin", "ship-1"),
            ("fulfill", "A", SECOND, -1, -1, 1, 0, "ORD-N", "shipped", "admin", None),
        ],
        "reservations": [("A", FIRST, 2, 2, 0, "fulfilled", True), ("A", SECOND, 1, 1, 0, "fulfilled", True),
                         ("B", FIRST, 2, 2, 0, "fulfilled", True)],
        "history": [
            ("shipped", "processing", "partially_shipped",
             "Shipment SHP-N-1: shipped 2 A, 2 B (4 units), tracking 1Z999.", "admin"),
            ("shipped", "partially_shipped", "shipped", "Shipment SHP-N-2: shipped 1 A (1 unit).", "admin"),
        ],
    }
    assert_ledger_consistent(shop)


def test_one_line_across_two_shelves_in_one_ship_and_a_replayed_key(
    shop: Services, database: Database, path: str
) -> None:
    number = _order(shop, ("A", 3))
    shipped = shop.orders.ship_item(ADMIN, number, "a", operation_key="once")
    assert shop.orders.ship_item(ADMIN, number, "a", operation_key="once") == shipped  # the retry is answered
    rows = _rows(database, number)
    assert rows["shipment lines"] == [("SHP-N-1", "A", FIRST, 2), ("SHP-N-1", "A", SECOND, 1)]
    assert rows["ledger"] == [("fulfill", "A", FIRST, -2, -2, 0, 0, "ORD-N", "shipped", "admin", "once"),
                              ("fulfill", "A", SECOND, -1, -1, 1, 0, "ORD-N", "shipped", "admin", "once")]
    assert rows["history"] == [("shipped", "processing", "shipped", "Shipment SHP-N-1: shipped 3 A (3 units).",
                                "admin")]
    assert_ledger_consistent(shop)


def test_a_line_held_twice_on_one_shelf_settles_the_older_hold_first(
    shop: Services, database: Database, path: str
) -> None:
    # 12 B with 10 on the shelf: 10 held at processing, 2 more when 2 arrive (a second hold, same shelf).
    number = _order(shop, ("B", 12))
    shop.inventory.adjust(ADMIN, store="MAIN", product="B", location=FIRST, delta=2, reason="delivery")
    assert [row[2:4] for row in _rows(database, number)["reservations"]] == [(10, 0), (2, 0)]
    sent: list[str] = []

    def capture(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(statement)

    event.listen(database.engine, "before_cursor_execute", capture)
    try:
        first = shop.orders.ship_item(ADMIN, number, "B", 11, operation_key="eleven")
    finally:
        event.remove(database.engine, "before_cursor_execute", capture)
    on_the_server = not any("UPDATE inventory_reservations" in statement for statement in sent)
    assert on_the_server == (path == "as built" and not database.is_sqlite)  # the function settled both holds
    assert (first.fulfilled_quantity, first.shipped_quantity, first.remaining_quantity) == (11, 11, 1)
    assert [row[3:6] for row in _rows(database, number)["reservations"]] == [(10, 0, "fulfilled"), (1, 0, "active")]
    shop.orders.ship_item(ADMIN, number, "B")
    rows = _rows(database, number)
    assert rows["reservations"] == [("B", FIRST, 10, 10, 0, "fulfilled", True),
                                    ("B", FIRST, 2, 2, 0, "fulfilled", True)]
    assert rows["shipment lines"] == [("SHP-N-1", "B", FIRST, 11), ("SHP-N-2", "B", FIRST, 1)]
    assert rows["ledger"] == [("fulfill", "B", FIRST, -11, -11, 1, 1, "ORD-N", "shipped", "admin", "eleven"),
                              ("fulfill", "B", FIRST, -1, -1, 0, 0, "ORD-N", "shipped", "admin", None)]
    assert [row[1:3] for row in rows["history"]] == [("processing", "partially_shipped"),
                                                      ("partially_shipped", "shipped")]
    assert_ledger_consistent(shop)


def test_a_persons_shipped_sends_every_unit_left_from_each_shelf(shop: Services, database: Database, path: str) -> None:
    number = _order(shop, ("A", 3), ("B", 2))
    shop.orders.ship_item(ADMIN, number, "B", 1)
    result = shop.orders.change_status(ADMIN, number, "shipped", operation_key="done")
    ids = {sku: _item_id(shop, number, sku) for sku in ("A", "B")}
    assert (result.order_number, result.old_status.value, result.new_status.value) == (
        number, "partially_shipped", "shipped")
    assert [(line.item_id, line.sku, line.location, line.quantity) for line in result.fulfilled] == [
        (ids["A"], "A", FIRST, 2), (ids["A"], "A", SECOND, 1), (ids["B"], "B", FIRST, 1)]
    assert (result.reserved, result.released, result.skipped_items, result.backordered) == ((), (), (), ())
    assert shop.orders.change_status(ADMIN, number, "shipped", operation_key="done") == result  # a retry
    rows = _rows(database, number)
    assert rows["order"] == [("shipped", None, None, True, True, True)]
    assert rows["shipment lines"] == [("SHP-N-1", "B", FIRST, 1), ("SHP-N-2", "A", FIRST, 2),
                                      ("SHP-N-2", "A", SECOND, 1), ("SHP-N-2", "B", FIRST, 1)]
    assert rows["ledger"][1:] == [("fulfill", "A", FIRST, -2, -2, 0, 0, "ORD-N", "shipped", "admin", "done"),
                                  ("fulfill", "A", SECOND, -1, -1, 1, 0, "ORD-N", "shipped", "admin", "done"),
                                  ("fulfill", "B", FIRST, -1, -1, 8, 0, "ORD-N", "shipped", "admin", "done")]
    assert rows["history"][1:] == [("shipped", "partially_shipped", "shipped",
                                    "Shipment SHP-N-2: shipped 3 A, 1 B (4 units).", "admin")]
    pending = _order(shop, ("B", 1), process=False)  # through processing first: the careful path
    assert shop.orders.change_status(ADMIN, pending, "shipped").new_status.value == "shipped"
    assert_ledger_consistent(shop)


def test_what_the_function_does_not_ship_the_careful_path_ships(shop: Services, database: Database, path: str) -> None:
    # A pending order passes through processing; a location picked by the packer; an item id given as
    # text; a line without stock (a digital product) in the same shipment; an open parcel shrunk.
    pending = _order(shop, ("B", 1), process=False)
    assert shop.orders.ship_item(ADMIN, pending, "B").is_fully_shipped
    picked = _order(shop, ("A", 1))
    assert shop.orders.ship_item(ADMIN, picked, "A", location=SECOND).shipped_quantity == 1
    with_ebook = _order(shop, ("B", 1), ("EBOOK", 1))
    item_text = str(_item_id(shop, with_ebook, "B"))
    shipped = shop.orders.ship(ADMIN, with_ebook, [ShipRequest(item_text), ShipRequest("EBOOK")])
    assert [r.is_fully_shipped for r in shipped.items] == [True, True]
    parcelled = _order(shop, ("B", 3))
    parcel = shop.orders.prepare_shipment(ADMIN, parcelled, [ShipRequest("B", 2)])
    shop.orders.ship_item(ADMIN, parcelled, "B")
    assert shop.order_queries.get_shipment(parcel.shipment_number).status.value == "cancelled"
    assert _rows(database, picked)["ledger"] == [
        ("fulfill", "A", SECOND, -1, 0, 1, 0, "ORD-N", "shipped", "admin", None)]  # from free stock there
    assert _rows(database, with_ebook)["shipment lines"] == [("SHP-N-1", "B", FIRST, 1), ("SHP-N-1", "EBOOK", None, 1)]
    assert_ledger_consistent(shop)


@pytest.mark.parametrize("requests, error, sentence", [
    ([ShipRequest("A", 4)], InvalidInput, "Cannot ship 4 of A: only 3 remain to ship (3 ordered, 0 already shipped)."),
    ([ShipRequest("A", 1), ShipRequest("a", 1)], InvalidInput, "A appears twice in this shipment; give it once."),
    ([ShipRequest("Z")], NotFound, "This order has no line for 'Z'."),
    ([ShipRequest("A", "two")], InvalidInput, None),
])
def test_refusals_are_worded_by_the_careful_path_and_change_nothing(
    shop: Services, database: Database, path: str, requests: list[ShipRequest], error: type[Exception],
    sentence: str | None,
) -> None:
    number = _order(shop, ("A", 3))
    before = _rows(database, number)
    with pytest.raises(error) as refused:
        shop.orders.ship(ADMIN, number, requests)
    if sentence is not None:
        assert str(refused.value) == sentence
    assert _rows(database, number) == before
    cancelled = _order(shop, ("A", 1))
    shop.orders.change_status(ADMIN, cancelled, "cancelled")
    with pytest.raises(InvalidTransition, match=re.escape(f"Order {cancelled} is cancelled; nothing can be shipped.")):
        shop.orders.ship_item(ADMIN, cancelled, "A")
    with pytest.raises(NotFound, match="There is no order ORD-NONE."):
        shop.orders.ship_item(ADMIN, "ORD-NONE", "A")
    assert_ledger_consistent(shop)


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_the_common_ship_is_one_statement_on_postgresql(shop: Services, database: Database) -> None:
    numbers = [_order(shop, ("B", 2)) for _ in range(2)]
    second_item = _item_id(shop, numbers[1], "B")
    database.flush_announcements()
    sent: list[str] = []

    def capture(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "pg_notify" not in statement:  # the announcer's, on its own thread, after the commit
            sent.append(statement)

    event.listen(database.engine, "before_cursor_execute", capture)
    try:
        shop.orders.ship_item(ADMIN, numbers[0], "B")
        shop.orders.ship(ADMIN, numbers[1], [ShipRequest(second_item, 1)], tracking="1Z1")
    finally:
        event.remove(database.engine, "before_cursor_execute", capture)
    assert len(sent) == 2 and all("FROM orion_ship_lines(" in statement for statement in sent), sent
    assert [_rows(database, n)["order"][0][:2] for n in numbers] == [("shipped", None), ("partially_shipped", "1Z1")]
    assert_ledger_consistent(shop)
