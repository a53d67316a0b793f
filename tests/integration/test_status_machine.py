"""One status machine on every path (SQLite and PostgreSQL).

Shipping from a pending order passes through processing: its lines are reserved as `order
status --set processing` would, the history shows pending -> processing and then
-> partially_shipped/shipped, and a refused ship changes nothing, not even the status. The same
holds for ship item, ship (several lines), the pack station, a prepared parcel reaching shipped,
`order status --set shipped` and an order import with a status.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from helpers import ADMIN, assert_ledger_consistent, seed_catalog
from sqlalchemy import event

from orion_desktop.__main__ import main
from orion_desktop.bootstrap import Services
from orion_desktop.db.engine import Database
from orion_desktop.db.types import utcnow
from orion_desktop.domain.errors import Conflict, ImportRejected, InsufficientStock, InvalidInput, InvalidTransition
from orion_desktop.domain.order_results import OrderLine, ShipRequest
from orion_desktop.domain.orders import Cause, OrderStatus, check_transition
from orion_desktop.services.imports import order_status
from orion_desktop.services.lookup import find_slot
from orion_desktop.services.stock.bulk_holds import Hold, hold_many
from orion_desktop.services.stock.level_changes import LedgerNote

S = OrderStatus


@pytest.fixture
def shop(services: Services) -> Services:
    seed_catalog(services)
    for sku, quantity in (("A", 100), ("B", 50), ("C", 75)):
        services.inventory.set_quantity(ADMIN, store="MAIN", product=sku, location="WAREHOUSE_MAIN", quantity=quantity)
    return services


def pending_order(services: Services) -> str:
    """A pending order of A×3, B×2 and an e-book (not stock-tracked)."""
    return services.orders.create_order(
        ADMIN, store="MAIN", lines=[OrderLine("A", 3), OrderLine("B", 2), OrderLine("EBOOK", 1)]
    )


def status_moves(services: Services, number: str) -> list[tuple[str | None, str | None]]:
    return [(h.old_status, h.new_status) for h in services.order_queries.history(number) if h.new_status]


def reserved(services: Services, number: str) -> dict[str, int]:
    return {i.sku: i.reserved for i in services.order_queries.get_order(number).items if i.stock_tracked}


def assert_clean(services: Services) -> None:
    """Invariants L and R (stock verify), and no item with more reserved than it still needs."""
    assert_ledger_consistent(services)
    for summary in services.order_queries.list_orders(limit=1000):
        for item in services.order_queries.get_order(summary.order_number).items:
            assert item.reserved + item.shipped_quantity <= item.quantity, (summary.order_number, item)


def _item_id(services: Services, number: str, sku: str) -> int:
    return next(i.id for i in services.order_queries.get_order(number).items if i.sku == sku)


def _ship_item(s: Services, n: str) -> None:
    s.orders.ship_item(ADMIN, n, "A", 1)


def _ship(s: Services, n: str) -> None:
    s.orders.ship(ADMIN, n, [ShipRequest("A", 1), ShipRequest("EBOOK", 1)], tracking="T-1")


def _pack_station(s: Services, n: str) -> None:
    s.packing.complete(ADMIN, n, {_item_id(s, n, "A"): 1})


def _parcel(s: Services, n: str) -> None:
    parcel = s.orders.prepare_shipment(ADMIN, n, [ShipRequest("A", 1)])
    s.orders.advance_shipment(ADMIN, parcel.shipment_number, "picking")
    s.orders.advance_shipment(ADMIN, parcel.shipment_number, "shipped", tracking="T-2")


PARTIAL_PATHS: dict[str, Callable[[Services, str], None]] = {
    "ship_item": _ship_item,
    "ship": _ship,
    "pack_station": _pack_station,
    "parcel_advanced_to_shipped": _parcel,
}


@pytest.mark.parametrize("path", PARTIAL_PATHS)
def test_shipping_part_of_a_pending_order_passes_through_processing(shop: Services, path: str) -> None:
    number = pending_order(shop)
    PARTIAL_PATHS[path](shop, number)
    detail = shop.order_queries.get_order(number)
    assert detail.status is S.PARTIALLY_SHIPPED
    assert status_moves(shop, number) == [
        (None, "pending"), ("pending", "processing"), ("processing", "partially_shipped")]
    assert reserved(shop, number) == {"A": 2, "B": 2}  # the rest of A and the other line are reserved
    on_hand = {sku: shop.stock.product_stock("MAIN", sku) for sku in ("A", "B")}
    assert (on_hand["A"].total_quantity, on_hand["A"].total_reserved) == (99, 2)
    assert (on_hand["B"].total_quantity, on_hand["B"].total_reserved) == (50, 2)
    assert_clean(shop)


@pytest.mark.parametrize("path", ["ship", "pack_station", "parcel", "status"])
def test_shipping_all_of_a_pending_order_passes_through_processing(shop: Services, path: str) -> None:
    number = pending_order(shop)
    everything = [ShipRequest("A"), ShipRequest("B"), ShipRequest("EBOOK")]
    if path == "ship":
        shop.orders.ship(ADMIN, number, everything)
    elif path == "pack_station":
        shop.packing.complete(ADMIN, number, {i.id: i.quantity for i in shop.order_queries.get_order(number).items})
    elif path == "parcel":
        parcel = shop.orders.prepare_shipment(ADMIN, number, everything)
        shop.orders.advance_shipment(ADMIN, parcel.shipment_number, "shipped")
    else:
        shop.orders.change_status(ADMIN, number, "shipped")
    assert shop.order_queries.get_order(number).status is S.SHIPPED
    assert status_moves(shop, number) == [(None, "pending"), ("pending", "processing"), ("processing", "shipped")]
    assert reserved(shop, number) == {"A": 0, "B": 0}
    assert (
        shop.stock.product_stock("MAIN", "A").total_quantity, shop.stock.product_stock("MAIN", "B").total_quantity
    ) == (
        97, 48)
    assert_clean(shop)


@pytest.mark.parametrize("path", ["ship_item", "pack_station", "parcel", "status"])
def test_a_refused_ship_from_pending_changes_nothing_not_even_the_status(shop: Services, path: str) -> None:
    shop.inventory.set_quantity(ADMIN, store="MAIN", product="B", location="WAREHOUSE_MAIN", quantity=1)
    number = pending_order(shop)  # wants 2 of B: one is there
    parcel = shop.orders.prepare_shipment(ADMIN, number, [ShipRequest("B", 2)]) if path == "parcel" else None
    before = (shop.stock.list_stock(), shop.order_queries.get_order(number), shop.order_queries.history(number),
              shop.stock.ledger(limit=1000))
    with pytest.raises(InsufficientStock, match="Widget B"):
        if path == "ship_item":
            shop.orders.ship_item(ADMIN, number, "B", 2)
        elif path == "pack_station":
            shop.packing.complete(ADMIN, number, {_item_id(shop, number, "B"): 2})
        elif path == "parcel":
            assert parcel is not None
            shop.orders.advance_shipment(ADMIN, parcel.shipment_number, "shipped")
        else:
            shop.orders.change_status(ADMIN, number, "shipped")
    after = (shop.stock.list_stock(), shop.order_queries.get_order(number), shop.order_queries.history(number),
             shop.stock.ledger(limit=1000))
    assert after == before
    assert after[1].status is S.PENDING
    assert_clean(shop)


def test_shipping_a_processing_order_takes_one_step(shop: Services) -> None:
    number = pending_order(shop)
    shop.orders.change_status(ADMIN, number, "processing")
    shop.orders.ship_item(ADMIN, number, "A", 3)
    shop.orders.ship_item(ADMIN, number, "B", 1)  # partially_shipped stays partially_shipped: no status row
    shop.orders.ship_item(ADMIN, number, "B", 1)
    shop.orders.ship_item(ADMIN, number, "EBOOK")
    moves = status_moves(shop, number)
    assert [m for m in moves if m[0] != m[1]] == [
        (None, "pending"), ("pending", "processing"), ("processing", "partially_shipped"),
        ("partially_shipped", "shipped")]
    assert_clean(shop)


@pytest.mark.parametrize("closed", ["cancelled", "delivered", "shipped"])
def test_shipping_a_closed_order_is_refused_with_a_sentence(shop: Services, closed: str) -> None:
    number = pending_order(shop)
    parcel = shop.orders.prepare_shipment(ADMIN, number, [ShipRequest("A", 1)])
    if closed == "cancelled":
        shop.orders.change_status(ADMIN, number, "cancelled")
    else:
        shop.orders.change_status(ADMIN, number, "shipped")
        if closed == "delivered":
            shop.orders.change_status(ADMIN, number, "delivered")
    before = (shop.stock.list_stock(), shop.order_queries.get_order(number), shop.order_queries.history(number))
    closed_sentence = f"Order {number} is {closed}; nothing can be shipped."
    # A shipped or delivered order has nothing left: the line says so first.
    line_sentence = closed_sentence if closed == "cancelled" else "A is already fully shipped."
    for attempt, sentence in (
        (lambda: shop.orders.ship_item(ADMIN, number, "A", 1), line_sentence),
        (lambda: shop.orders.ship(ADMIN, number, [ShipRequest("A", 1)]), line_sentence),
        (lambda: shop.packing.complete(ADMIN, number, {_item_id(shop, number, "A"): 1}), line_sentence),
        (lambda: shop.orders.prepare_shipment(ADMIN, number, [ShipRequest("A", 1)]), closed_sentence),
        (lambda: shop.orders.change_status(ADMIN, number, "shipped"),
         f"Order {number} is {closed}; its status can no longer change." if closed != "shipped"
         else f"Order {number} is already shipped."),
    ):
        with pytest.raises((InvalidTransition, InvalidInput)) as caught:
            attempt()
        assert str(caught.value) == sentence
    # The parcel did not go stale: it went with the order (cancelled, or consumed by the shipment).
    assert shop.order_queries.get_shipment(parcel.shipment_number).status.value == "cancelled"
    with pytest.raises(InvalidTransition, match="can no longer change"):
        shop.orders.advance_shipment(ADMIN, parcel.shipment_number, "shipped")
    assert (shop.stock.list_stock(), shop.order_queries.get_order(number), shop.order_queries.history(number)) == before


def test_expiry_moves_only_processing_orders_back_to_pending(shop: Services) -> None:
    past = utcnow() - timedelta(minutes=5)
    processing = shop.orders.create_order(ADMIN, store="MAIN", lines=[OrderLine("A", 4)], reservation_expires_at=past)
    shop.orders.change_status(ADMIN, processing, "processing")
    partial = shop.orders.create_order(ADMIN, store="MAIN", lines=[OrderLine("A", 4)], reservation_expires_at=past)
    shop.orders.ship_item(ADMIN, partial, "A", 1)  # through processing to partially_shipped
    result = shop.orders.expire_reservations(ADMIN)
    assert result.order_numbers == (processing,)
    assert status_moves(shop, processing)[-1] == ("processing", "pending")
    assert shop.order_queries.get_order(partial).status is S.PARTIALLY_SHIPPED  # never partially_shipped -> pending
    assert reserved(shop, partial) == {"A": 3}
    # Shipping the expired (pending again) order passes through processing once more.
    shop.orders.ship_item(ADMIN, processing, "A", 4)
    assert status_moves(shop, processing)[-2:] == [("pending", "processing"), ("processing", "shipped")]
    assert_clean(shop)


def test_expiring_many_orders_reads_their_items_and_holds_once_and_writes_their_history_together(
    shop: Services, database: Database
) -> None:
    past = utcnow() - timedelta(minutes=5)
    numbers = []
    for _ in range(6):
        number = shop.orders.create_order(ADMIN, store="MAIN", lines=[OrderLine("A", 2), OrderLine("B", 1)],
                                          reservation_expires_at=past)
        shop.orders.change_status(ADMIN, number, "processing")
        numbers.append(number)
    sent: list[tuple[str, bool]] = []

    def seen(_conn: object, _cursor: object, statement: str, _params: object, _context: object, many: bool) -> None:
        sent.append((statement, many))

    def count(start: str, *, many: bool = False) -> int:
        return sum(1 for statement, was_many in sent if statement.startswith(start) and was_many == many)

    event.listen(database.engine, "before_cursor_execute", seen)
    try:
        result = shop.orders.expire_reservations(ADMIN)
    finally:
        event.remove(database.engine, "before_cursor_execute", seen)
    assert sorted(result.order_numbers) == sorted(numbers) and result.released_units == 18
    assert count("SELECT order_items.id,") == 1  # the 6 orders' items: one read
    assert count("SELECT inventory_reservations.id,") == 1  # their 12 items' reservations: one read
    assert count("INSERT INTO order_history", many=True) == 1  # their 6 history rows: one executemany
    assert count("INSERT INTO order_history") == 0
    assert count("UPDATE orders SET", many=True) == 1  # the status and the spent deadline: one executemany
    assert count("UPDATE orders SET") == 0
    for number in numbers:
        order = shop.order_queries.get_order(number)
        assert (order.status, order.reservation_expires_at) == (S.PENDING, None)
        assert status_moves(shop, number)[-1] == ("processing", "pending")
        assert reserved(shop, number) == {"A": 0, "B": 0}
    assert_clean(shop)


def test_returns_change_no_status(shop: Services) -> None:
    number = pending_order(shop)
    shop.orders.change_status(ADMIN, number, "shipped")
    shop.orders.return_item(ADMIN, number, "A", 1, location="RETURNS")
    assert shop.order_queries.get_order(number).status is S.SHIPPED
    shop.orders.change_status(ADMIN, number, "delivered")
    shop.orders.return_item(ADMIN, number, "B", 1, damaged=True)
    assert shop.order_queries.get_order(number).status is S.DELIVERED
    assert status_moves(shop, number)[-1] == ("shipped", "delivered")
    assert_clean(shop)


def _import(services: Services, tmp_path: Path, text: str) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(text, encoding="utf-8")
    services.importing.import_orders(ADMIN, path)


def test_imported_statuses_follow_the_machine(shop: Services, tmp_path: Path) -> None:
    _import(shop, tmp_path, "order_number,status,product,quantity\n"
                            "IMP-1,processing,A,3\nIMP-1,,B,60\n"   # B: 50 there, 10 backordered
                            "IMP-2,Shipped,C,5\n"
                            "IMP-3,cancelled,A,1\n"
                            "IMP-4,pending,A,1\n"
                            "IMP-5,,A,1\n")
    statuses = {o.order_number: o.status for o in shop.order_queries.list_orders()}
    assert statuses == {"IMP-1": S.PROCESSING, "IMP-2": S.SHIPPED, "IMP-3": S.CANCELLED, "IMP-4": S.PENDING,
                        "IMP-5": S.PENDING}
    assert reserved(shop, "IMP-1") == {"A": 3, "B": 50}
    assert [(b.sku, b.quantity) for b in shop.order_queries.backorders()] == [("B", 10)]
    assert status_moves(shop, "IMP-1") == [(None, "pending"), ("pending", "processing")]
    assert status_moves(shop, "IMP-2") == [(None, "pending"), ("pending", "processing"), ("processing", "shipped")]
    assert shop.stock.product_stock("MAIN", "C").total_quantity == 70
    assert status_moves(shop, "IMP-3") == [(None, "pending"), ("pending", "cancelled")]
    assert_clean(shop)


def test_imported_orders_reserve_in_file_order_across_read_batches_and_other_moves(
    shop: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bulk move reads items and stock once per batch of orders and keeps the stock in memory: a
    shipped order of the same product in between (the ordinary path) must be seen by the next one."""
    monkeypatch.setattr(order_status, "ORDERS_PER_READ", 2)  # batch boundaries inside this small file
    shop.inventory.set_quantity(ADMIN, store="MAIN", product="A", location="WAREHOUSE_MAIN", quantity=5)
    _import(shop, tmp_path, "order_number,status,product,quantity\n"
                            "P-1,processing,A,2\n"
                            "S-1,shipped,A,1\n"    # 4 left, 2 of them reserved for P-1
                            "P-2,processing,A,3\n"  # 2 available: 1 backordered
                            "P-3,processing,A,1\nP-3,,B,2\n")
    assert [reserved(shop, n) for n in ("P-1", "P-2", "P-3")] == [{"A": 2}, {"A": 2}, {"A": 0, "B": 2}]
    assert [(b.order_number, b.sku, b.quantity) for b in shop.order_queries.backorders()] == [
        ("P-2", "A", 1), ("P-3", "A", 1)]
    a = shop.stock.product_stock("MAIN", "A")
    assert (a.total_quantity, a.total_reserved) == (4, 4)
    assert_clean(shop)


def test_an_import_of_processing_orders_reads_and_writes_in_a_few_statements_whatever_their_number(
    shop: Services, database: Database, tmp_path: Path
) -> None:
    """30 processing orders of 2 lines: their items and stock read once, their statuses, holds, ledger
    rows and history rows each written by one statement (or one executemany), not one per order."""
    reads: list[str] = []
    history_writes: list[str] = []
    stock_writes: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        if statement.startswith(("SELECT order_items.id", "SELECT inventory.id, locations.code",
                                 "SELECT inventory.product_id")):
            reads.append(statement.split(" FROM ")[0])
        if statement.startswith("INSERT INTO order_history"):
            history_writes.append(statement)
        if statement.startswith(("UPDATE orders SET status", "UPDATE inventory", "INSERT INTO inventory_transactions",
                                 "INSERT INTO inventory_reservations", "WITH")):
            stock_writes.append(statement[:40])

    orders = "".join(f"P-{n},processing,A,1\nP-{n},,B,1\n" for n in range(30))
    event.listen(database.engine, "before_cursor_execute", seen)
    try:
        _import(shop, tmp_path, "order_number,status,product,quantity\n" + orders)
    finally:
        event.remove(database.engine, "before_cursor_execute", seen)
    assert len(reads) == 2, reads  # the items of the 30 orders, the stock rows of A and B: one query each
    # Their rows as new orders (one bulk insert), then the moves' rows (one executemany), not 60 statements.
    assert len(history_writes) == 2, history_writes
    # The statuses, the stock rows of A and B, their 60 ledger rows, their 60 holds.
    assert len(stock_writes) == 4, stock_writes
    assert all(reserved(shop, f"P-{n}") == {"A": 1, "B": 1} for n in range(30))
    assert all(status_moves(shop, f"P-{n}") == [(None, "pending"), ("pending", "processing")] for n in range(30))
    assert_clean(shop)


def test_imported_holds_written_together_leave_a_ledger_whose_rows_count_up_row_by_row(
    shop: Services, tmp_path: Path
) -> None:
    """The holds of many orders are one UPDATE per batch; each ledger row still tells the level after
    its own reserve, in the order of the file, across the two locations the units come from."""
    shop.inventory.set_quantity(ADMIN, store="MAIN", product="A", location="WAREHOUSE_MAIN", quantity=4)
    shop.inventory.set_quantity(ADMIN, store="MAIN", product="A", location="BACKROOM", quantity=3)
    _import(shop, tmp_path, "order_number,status,product,quantity\n"
                            "P-1,processing,A,3\nP-2,processing,A,2\nP-3,processing,A,1\nP-4,processing,A,2\n")
    ledger = sorted(shop.stock.ledger(product="A", transaction_type="reserve", limit=100), key=lambda e: e.id)
    chains: dict[str, list[tuple[int, int, int, str | None]]] = {}
    for entry in ledger:
        chains.setdefault(entry.location, []).append(
            (entry.reserved_change, entry.reserved_after, entry.quantity_after, entry.order_number))
    for rows in chains.values():
        levels = [after - change for change, after, _quantity, _order in rows]
        assert levels[0] == 0 and all(rows[n - 1][1] == levels[n] for n in range(1, len(rows))), rows
    assert sum(change for rows in chains.values() for change, *_rest in rows) == 7
    assert [entry.order_number for entry in ledger if entry.order_number != ledger[0].order_number][0] == "P-2"
    assert [reserved(shop, f"P-{n}") for n in range(1, 5)] == [{"A": 3}, {"A": 2}, {"A": 1}, {"A": 1}]
    assert [(b.order_number, b.quantity) for b in shop.order_queries.backorders()] == [("P-4", 1)]
    assert_clean(shop)


def test_bulk_holds_that_would_oversell_a_row_are_refused_whole_and_change_nothing(
    shop: Services, database: Database
) -> None:
    """hold_many trusts its caller's locked levels, but the database still checks: 4 + 3 of 5 units at one
    row is refused as a whole (the other row's hold too), with a sentence, and the rollback leaves all."""
    shop.inventory.set_quantity(ADMIN, store="MAIN", product="A", location="WAREHOUSE_MAIN", quantity=5)
    shop.inventory.set_quantity(ADMIN, store="MAIN", product="B", location="WAREHOUSE_MAIN", quantity=5)
    before = [shop.stock.product_stock("MAIN", sku) for sku in ("A", "B")]
    with pytest.raises(Conflict, match="nothing was written"), database.write() as session:
        slot_a = find_slot(session, "MAIN", "A", "WAREHOUSE_MAIN")
        slot_b = find_slot(session, "MAIN", "B", "WAREHOUSE_MAIN")
        assert slot_a is not None and slot_b is not None
        note = LedgerNote(ADMIN, "test")
        hold_many(session, [Hold(slot_b, 1, note), Hold(slot_a, 4, note), Hold(slot_a, 3, note)])
    assert [shop.stock.product_stock("MAIN", sku) for sku in ("A", "B")] == before
    assert shop.stock.ledger(product="A", transaction_type="reserve") == ()
    assert_clean(shop)


@pytest.mark.parametrize(
    ("rows", "fragment"),
    [
        ("IMP-1,delivered,A,1\n", "line 2: Order IMP-1 cannot go from pending to delivered"),
        ("IMP-1,partially_shipped,A,1\n", "line 2: Order IMP-1 cannot go from pending to partially_shipped"),
        ("IMP-1,done,A,1\n", "line 2: 'done' is not an order status"),
        ("IMP-1,processing,A,1\nIMP-1,cancelled,B,1\n", "line 3: the status differs from line 2"),
        ("IMP-1,processing,A,1\nIMP-2,shipped,B,51\n", "line 3: order IMP-2: Insufficient stock for Widget B"),
    ],
)
def test_a_bad_imported_status_refuses_the_whole_file(shop: Services, tmp_path: Path, rows: str, fragment: str) -> None:
    before = (shop.stock.list_stock(), shop.stock.ledger(limit=1000))
    with pytest.raises(ImportRejected) as caught:
        _import(shop, tmp_path, "order_number,status,product,quantity\n" + rows)
    assert any(problem.startswith(fragment) for problem in caught.value.problems), caught.value.problems
    assert shop.order_queries.list_orders() == ()
    assert (shop.stock.list_stock(), shop.stock.ledger(limit=1000)) == before


def test_cli_ship_from_pending_and_stock_verify(database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """The CLI's `order ship` on a pending order: the history shows the step through processing."""
    db = ["--db", database_url]
    for argv in (["store", "add", "--code", "MAIN", "--name", "Main"],
                 ["product", "add", "--sku", "A", "--title", "Widget A"],
                 ["product", "add", "--sku", "B", "--title", "Widget B"],
                 ["stock", "set", "--product", "A", "--location", "W1", "--quantity", "5"],
                 ["stock", "set", "--product", "B", "--location", "W1", "--quantity", "5"],
                 ["order", "create", "--item", "A=2", "--item", "B=3", "--number", "ORD-CLI-1"],
                 ["order", "ship", "--order", "ORD-CLI-1", "--item", "A", "--quantity", "1"]):
        assert main([*db, *argv]) == 0
    capsys.readouterr()
    assert main([*db, "order", "history", "--order", "ORD-CLI-1", "--json"]) == 0
    import json

    moves = [(e["old_status"], e["new_status"]) for e in json.loads(capsys.readouterr().out) if e["new_status"]]
    assert moves == [(None, "pending"), ("pending", "processing"), ("processing", "partially_shipped")]
    assert main([*db, "stock", "verify"]) == 0


# --- the rules themselves (no database) --------------------------------------------------------
@pytest.mark.parametrize(
    ("current", "target", "cause", "steps"),
    [
        (S.PENDING, S.SHIPPED, Cause.REQUEST, (S.PROCESSING, S.SHIPPED)),
        (S.PENDING, S.PROCESSING, Cause.SHIPPING, (S.PROCESSING,)),
        (S.PROCESSING, S.PARTIALLY_SHIPPED, Cause.SHIPPING, (S.PARTIALLY_SHIPPED,)),
        (S.PARTIALLY_SHIPPED, S.SHIPPED, Cause.SHIPPING, (S.SHIPPED,)),
        (S.PROCESSING, S.PENDING, Cause.EXPIRY, (S.PENDING,)),
    ],
)
def test_steps_of_the_machine(
    current: OrderStatus, target: OrderStatus, cause: Cause, steps: tuple[OrderStatus, ...]
) -> None:
    assert check_transition("ORD-1", current, target, cause=cause) == steps


@pytest.mark.parametrize(
    ("current", "target", "cause", "sentence"),
    [
        (
            S.PENDING, S.PARTIALLY_SHIPPED, Cause.SHIPPING,
            "Order ORD-1 is pending; shipping cannot make it partially_shipped."
        ),
        (S.PENDING, S.SHIPPED, Cause.SHIPPING, "Order ORD-1 is pending; shipping cannot make it shipped."),
        (S.CANCELLED, S.SHIPPED, Cause.SHIPPING, "Order ORD-1 is cancelled; nothing can be shipped."),
        (S.DELIVERED, S.PARTIALLY_SHIPPED, Cause.SHIPPING, "Order ORD-1 is delivered; nothing can be shipped."),
        (S.PARTIALLY_SHIPPED, S.PENDING, Cause.EXPIRY,
         "Order ORD-1 cannot go from partially_shipped to pending; "
         "from partially_shipped it can go to cancelled, shipped."),
        (S.PENDING, S.PARTIALLY_SHIPPED, Cause.REQUEST,
         "Order ORD-1 cannot go from pending to partially_shipped; "
         "from pending it can go to cancelled, processing, shipped."),
    ],
)
def test_moves_the_machine_does_not_have_are_sentences(
    current: OrderStatus, target: OrderStatus, cause: Cause, sentence: str
) -> None:
    with pytest.raises(InvalidTransition) as caught:
        check_transition("ORD-1", current, target, cause=cause)
    assert str(caught.value) == sentence
