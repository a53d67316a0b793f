"""Orders on SQLite and PostgreSQL: the spec's walk-throughs, partial shipping, backorders, returns, expiry."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from helpers import ADMIN, GTIN_B, assert_ledger_consistent, seed_catalog
from sqlalchemy import event

from orion_desktop.bootstrap import Services
from orion_desktop.db.types import utcnow
from orion_desktop.domain.enums import TransactionType
from orion_desktop.domain.errors import (
    Conflict,
    InsufficientStock,
    InvalidInput,
    InvalidTransition,
    NotFound,
    OrionError,
)
from orion_desktop.domain.order_results import OrderLine, ShipRequest
from orion_desktop.domain.orders import OrderHistoryAction, OrderStatus
from orion_desktop.services.orders import creation


@pytest.fixture
def shop(services: Services) -> Services:
    seed_catalog(services)
    for sku, quantity in (("A", 100), ("B", 50), ("C", 75)):
        services.inventory.set_quantity(ADMIN, store="MAIN", product=sku, location="WAREHOUSE_MAIN", quantity=quantity)
    return services


def available(services: Services, sku: str) -> int:
    return services.stock.product_stock("MAIN", sku).total_available


def on_hand(services: Services, sku: str) -> tuple[int, int]:
    stock = services.stock.product_stock("MAIN", sku)
    return stock.total_quantity, stock.total_reserved


def order(services: Services, *lines: tuple[str, int], **kwargs: Any) -> str:
    return services.orders.create_order(ADMIN, store="MAIN", lines=[OrderLine(p, q) for p, q in lines], **kwargs)


def assert_invariants(services: Services) -> None:
    """L and R via verify, plus: an item's open reservations + shipped never exceed its quantity."""
    assert_ledger_consistent(services)
    for summary in services.order_queries.list_orders(limit=1000):
        for item in services.order_queries.get_order(summary.order_number).items:
            assert item.reserved + item.shipped_quantity <= item.quantity, (summary.order_number, item)


def test_seed_walkthrough_process_ship_cancel(shop: Services) -> None:
    number = order(shop, ("A", 10), ("B", 5), ("C", 20), customer="Ann")
    result = shop.orders.change_status(ADMIN, number, "processing")
    assert (result.old_status, result.new_status) == (OrderStatus.PENDING, OrderStatus.PROCESSING)
    assert {(r.sku, r.quantity) for r in result.reserved} == {("A", 10), ("B", 5), ("C", 20)}
    assert (available(shop, "A"), available(shop, "B"), available(shop, "C")) == (90, 45, 55)

    shop.orders.change_status(ADMIN, number, "shipped")
    assert on_hand(shop, "A") == (90, 0) and on_hand(shop, "B") == (45, 0) and on_hand(shop, "C") == (55, 0)

    second = order(shop, ("A", 10))
    shop.orders.change_status(ADMIN, second, "processing")
    assert on_hand(shop, "A") == (90, 10)
    cancelled = shop.orders.change_status(ADMIN, second, "cancelled")
    assert [(r.sku, r.quantity) for r in cancelled.released] == [("A", 10)]
    assert on_hand(shop, "A") == (90, 0)
    assert_invariants(shop)


def test_partial_shipping_and_shipment_status(shop: Services) -> None:
    number = order(shop, ("A", 2), ("B", 3))
    shop.orders.change_status(ADMIN, number, "processing")
    shipped = shop.orders.ship_item(ADMIN, number, "A", 2, tracking="TRK-1", carrier="DHL")
    assert (
        shipped.fulfilled_quantity, shipped.shipped_quantity, shipped.remaining_quantity, shipped.is_fully_shipped
    ) == (
        2, 2, 0, True)
    status = shop.order_queries.shipment_status(number)
    assert status.order_status is OrderStatus.PARTIALLY_SHIPPED
    assert (
        status.shipped_item_count, status.total_item_count, status.total_shipped_units, status.total_ordered_units
    ) == (
        1, 2, 2, 5)
    assert (status.is_fully_shipped, status.is_partially_shipped) == (False, True)
    assert [(i.product_name, i.remaining_quantity, i.is_fully_shipped) for i in status.items] == [
        ("Widget A", 0, True), ("Widget B", 3, False)]
    rest = shop.orders.ship_item(ADMIN, number, GTIN_B)  # quantity defaults to what remains
    assert rest.fulfilled_quantity == 3
    assert shop.order_queries.shipment_status(number).order_status is OrderStatus.SHIPPED
    detail = shop.order_queries.get_order(number)
    assert detail.tracking_number == "TRK-1" and len(detail.shipments) == 2
    assert on_hand(shop, "A") == (98, 0) and on_hand(shop, "B") == (47, 0)
    assert_invariants(shop)


def test_several_lines_in_one_parcel(shop: Services) -> None:
    number = order(shop, ("A", 4), ("B", 4), ("C", 1))
    shop.orders.change_status(ADMIN, number, "processing")
    shipped = shop.orders.ship(ADMIN, number, [ShipRequest("A", 4), ShipRequest("B", 1)], tracking="T9")
    shipment_id, results = shipped.shipment_id, shipped.items
    assert [(r.item_id, r.shipped_quantity, r.remaining_quantity) for r in results] == [
        (results[0].item_id, 4, 0), (results[1].item_id, 1, 3)]
    [shipment] = shop.order_queries.get_order(number).shipments
    assert shipment.id == shipment_id and shipment.tracking_number == "T9"
    assert sorted((line.sku, line.quantity, line.location) for line in shipment.lines) == [
        ("A", 4, "WAREHOUSE_MAIN"), ("B", 1, "WAREHOUSE_MAIN")]
    assert_invariants(shop)


def test_allocation_prefers_one_location_then_splits_by_sort_key(shop: Services) -> None:
    shop.catalog.add_location(ADMIN, "A-01", sort_key=10)
    shop.catalog.add_location(ADMIN, "B-01", sort_key=20)
    shop.catalog.add_location(ADMIN, "WAREHOUSE_MAIN", sort_key=30)
    shop.inventory.set_quantity(ADMIN, store="MAIN", product="C", location="A-01", quantity=5)
    shop.inventory.set_quantity(ADMIN, store="MAIN", product="C", location="B-01", quantity=8)
    shop.inventory.set_quantity(ADMIN, store="MAIN", product="C", location="WAREHOUSE_MAIN", quantity=4)
    whole = order(shop, ("C", 7))
    assert [(r.location, r.quantity) for r in shop.orders.change_status(ADMIN, whole, "processing").reserved] == [
        ("B-01", 7)]
    split = order(shop, ("C", 8))
    assert [(r.location, r.quantity) for r in shop.orders.change_status(ADMIN, split, "processing").reserved] == [
        ("A-01", 5), ("B-01", 1), ("WAREHOUSE_MAIN", 2)]
    reservations = shop.order_queries.get_order(split).reservations
    assert [(r.location, r.open_quantity) for r in reservations] == [("A-01", 5), ("B-01", 1), ("WAREHOUSE_MAIN", 2)]
    assert_invariants(shop)


def test_shipping_from_another_location_moves_the_reservation(shop: Services) -> None:
    shop.catalog.add_location(ADMIN, "WAREHOUSE_MAIN", sort_key=10)
    shop.catalog.add_location(ADMIN, "STORE_FRONT", sort_key=50)
    shop.inventory.set_quantity(ADMIN, store="MAIN", product="A", location="STORE_FRONT", quantity=10)
    number = order(shop, ("A", 5))
    shop.orders.change_status(ADMIN, number, "processing")  # reserved at WAREHOUSE_MAIN, first on the path
    shop.orders.ship_item(ADMIN, number, "A", 3, location="store_front")
    rows = {r.location: (r.quantity, r.reserved_quantity) for r in shop.stock.list_stock(search="Widget A")}
    assert rows == {"STORE_FRONT": (7, 0), "WAREHOUSE_MAIN": (100, 2)}
    kinds = [(e.transaction_type, e.location) for e in shop.stock.ledger(product="A", limit=2)]
    assert kinds == [(TransactionType.RELEASE, "WAREHOUSE_MAIN"), (TransactionType.FULFILL, "STORE_FRONT")]
    assert_invariants(shop)


def test_processing_is_a_soft_failure_with_backorders(shop: Services) -> None:
    number = order(shop, ("A", 120), ("EBOOK", 1), ("UNMATCHED", 1))
    result = shop.orders.change_status(ADMIN, number, "processing")
    assert result.new_status is OrderStatus.PROCESSING
    assert [(r.sku, r.quantity) for r in result.reserved] == [("A", 100)]
    assert [(b.sku, b.quantity) for b in result.backordered] == [("A", 20)]
    assert {s.sku for s in result.skipped_items} == {"EBOOK", "UNMATCHED"}
    assert any("20 backordered" in w for w in result.warnings)
    history = shop.order_queries.history(number)
    assert any("backordered" in h.description for h in history)
    assert [(b.sku, b.quantity) for b in shop.order_queries.backorders()] == [("A", 20)]
    assert_invariants(shop)


def test_restock_serves_backorders_oldest_first(shop: Services) -> None:
    first = order(shop, ("B", 40))
    second = order(shop, ("B", 30))
    shop.orders.change_status(ADMIN, first, "processing")  # takes 40 of 50
    shop.orders.change_status(ADMIN, second, "processing")  # gets 10, 20 backordered
    assert [(b.order_number, b.quantity) for b in shop.order_queries.backorders()] == [(second, 20)]
    third = order(shop, ("B", 5))
    shop.orders.change_status(ADMIN, third, "processing")  # nothing left: 5 backordered
    shop.inventory.adjust(ADMIN, store="MAIN", product="B", location="INBOUND", delta=22, reason="supplier delivery")
    # 20 to the older order, the remaining 2 to the newer one.
    waiting = {b.order_number: b.quantity for b in shop.order_queries.backorders()}
    assert waiting == {third: 3}
    assert [i.reserved for i in shop.order_queries.get_order(second).items] == [30]
    assert any(h.action is OrderHistoryAction.INVENTORY_RESERVED and "Backorder" in h.description
               for h in shop.order_queries.history(second))
    assert_invariants(shop)


def test_a_delivery_for_more_waiting_orders_than_the_first_look_reads_serves_them_all_oldest_first(
    shop: Services,
) -> None:
    """The waiting items are read FIRST_LOOK at a time (services/stock/backorders.py): a delivery that
    fills more orders than that reads the rest, past the ones it has seen, and still goes oldest first."""
    from orion_desktop.services.stock import backorders

    shop.orders.change_status(ADMIN, order(shop, ("B", 50)), "processing")  # every unit of B taken
    waiting = [order(shop, ("B", 2)) for _ in range(backorders.FIRST_LOOK + 4)]
    for number in waiting:
        shop.orders.change_status(ADMIN, number, "processing")  # 2 backordered each
    served = backorders.FIRST_LOOK + 2  # more than the first read holds
    shop.inventory.adjust(ADMIN, store="MAIN", product="B", location="INBOUND", delta=2 * served + 1,
                          reason="delivery")
    still = {b.order_number: b.quantity for b in shop.order_queries.backorders()}
    assert still == {waiting[served]: 1, waiting[served + 1]: 2}  # the oldest whole, then 1 unit to the next
    assert_invariants(shop)


def test_restock_stops_reading_waiting_orders_once_its_units_are_handed_out(shop: Services) -> None:
    """Three orders wait for B; 10 units arrive, enough for the oldest only. The stock rows are read
    once and kept current, and the waiting items are read once with their product and missing units:
    no order's items are read again, and allocation stops when the units are handed out."""
    shop.orders.change_status(ADMIN, order(shop, ("B", 50)), "processing")  # every unit of B taken
    waiting = [order(shop, ("B", 10)) for _ in range(3)]
    for number in waiting:
        shop.orders.change_status(ADMIN, number, "processing")  # 10 backordered each
    sent: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(" ".join(statement.split()))

    engine = shop.database.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        shop.inventory.adjust(ADMIN, store="MAIN", product="B", location="INBOUND", delta=10, reason="delivery")
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert {b.order_number: b.quantity for b in shop.order_queries.backorders()} == {waiting[1]: 10, waiting[2]: 10}
    items_reads = [s for s in sent if s.startswith("SELECT order_items.id, order_items.order_id")]
    waiting_reads = [s for s in sent if s.startswith("SELECT orders.id, orders.order_number, order_items.id")]
    stock_reads = [s for s in sent if s.startswith("SELECT inventory.product_id, inventory.id, locations.code")]
    assert (len(items_reads), len(waiting_reads), len(stock_reads)) == (0, 1, 1), sent
    assert_invariants(shop)


def test_pending_to_shipped_fulfils_from_available_or_refuses(shop: Services) -> None:
    number = order(shop, ("A", 3), ("EBOOK", 2))
    shop.orders.change_status(ADMIN, number, "shipped")
    assert on_hand(shop, "A") == (97, 0)
    too_much = order(shop, ("A", 50), ("B", 60))
    before = shop.stock.list_stock()
    with pytest.raises(InsufficientStock, match="Widget B"):
        shop.orders.change_status(ADMIN, too_much, "shipped")
    assert shop.stock.list_stock() == before
    assert shop.order_queries.get_order(too_much).status is OrderStatus.PENDING
    assert_invariants(shop)


def test_returns_to_shelf_or_damaged(shop: Services) -> None:
    number = order(shop, ("A", 5))
    shop.orders.change_status(ADMIN, number, "shipped")
    waiting = order(shop, ("A", 97))
    shop.orders.change_status(ADMIN, waiting, "processing")  # 95 reserved, 2 backordered
    back = shop.orders.return_item(ADMIN, number, "A", 2, location="returns")
    assert (back.restocked_location, back.returned_quantity) == ("RETURNS", 2)
    assert shop.order_queries.backorders() == ()  # the returned units went to the waiting order
    damaged = shop.orders.return_item(ADMIN, number, "A", 1, damaged=True, reason="crushed box")
    assert damaged.damaged and damaged.returned_quantity == 3
    with pytest.raises(InvalidInput, match="at most 2 can come back"):
        shop.orders.return_item(ADMIN, number, "A", 3, location="RETURNS")
    assert [e.transaction_type for e in shop.stock.ledger(location="RETURNS")] == [
        TransactionType.RESERVE, TransactionType.RETURN]
    assert_invariants(shop)


def test_cancel_after_partial_shipment_releases_only_the_rest(shop: Services) -> None:
    number = order(shop, ("A", 10))
    shop.orders.change_status(ADMIN, number, "processing")
    shop.orders.ship_item(ADMIN, number, "A", 4)
    shop.orders.change_status(ADMIN, number, "cancelled")
    assert on_hand(shop, "A") == (96, 0)
    with pytest.raises(InvalidTransition, match="can no longer change"):
        shop.orders.change_status(ADMIN, number, "processing")
    assert_invariants(shop)


def test_reservation_expiry(shop: Services) -> None:
    late = order(shop, ("A", 10), reservation_expires_at=utcnow() - timedelta(minutes=1))
    fine = order(shop, ("A", 5), reservation_expires_at=utcnow() + timedelta(days=1))
    for number in (late, fine):
        shop.orders.change_status(ADMIN, number, "processing")
    result = shop.orders.expire_reservations(ADMIN)
    assert result.order_numbers == (late,) and result.released_units == 10
    assert shop.order_queries.get_order(late).status is OrderStatus.PENDING
    assert on_hand(shop, "A") == (100, 5)
    assert shop.order_queries.history(late)[-1].new_status == "pending"
    # The spent deadline is cleared: processing again holds the stock until shipped or cancelled.
    assert shop.order_queries.get_order(late).reservation_expires_at is None
    shop.orders.change_status(ADMIN, late, "processing")
    assert shop.orders.expire_reservations(ADMIN).order_numbers == ()
    assert_invariants(shop)


def test_notes_and_history(shop: Services) -> None:
    number = order(shop, ("A", 1), customer="Bea")
    shop.orders.add_note(ADMIN, number, "Gift wrap, please", customer_visible=True)
    shop.orders.add_note(ADMIN, number, "Customer called twice")
    assert [n.note for n in shop.order_queries.notes(number, customer_visible_only=True)] == ["Gift wrap, please"]
    shop.orders.change_status(ADMIN, number, "processing")
    shop.orders.change_status(ADMIN, number, "shipped")
    shop.orders.change_status(ADMIN, number, "delivered")
    actions = [h.action for h in shop.order_queries.history(number)]
    assert actions[0] is OrderHistoryAction.CREATED and actions[-1] is OrderHistoryAction.DELIVERED
    assert OrderHistoryAction.NOTE_ADDED in actions and OrderHistoryAction.SHIPPED in actions
    assert all(h.created_by == "admin" for h in shop.order_queries.history(number))


def test_strict_creation_refuses_short_stock(shop: Services) -> None:
    with pytest.raises(InsufficientStock, match=r"Insufficient stock for Widget B\. Available: 50, Requested: 51"):
        order(shop, ("A", 1), ("B", 51), strict=True)
    assert shop.order_queries.list_orders() == ()
    number = order(shop, ("A", 1), ("EBOOK", 5), number="WEB-1001", strict=True)
    assert number == "WEB-1001"
    assert shop.order_queries.get_order("WEB-1001").items[1].stock_tracked is False


def test_order_number_format(shop: Services) -> None:
    number = order(shop, ("A", 1))
    prefix, store_id, day, tail = number.split("-")
    assert prefix == "ORD" and store_id.isdigit() and len(day) == 8 and len(tail) == 6



def test_a_drawn_order_number_that_is_taken_is_drawn_again(shop: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    # A random 6-character tail: at thousands of orders a day a draw now and then meets a number in use.
    taken = order(shop, ("A", 1))
    draws = iter([taken, taken, taken.rsplit("-", 1)[0] + "-FRESH2"])
    monkeypatch.setattr(creation, "new_order_number", lambda _store, _day: next(draws))
    assert order(shop, ("A", 1)) == taken.rsplit("-", 1)[0] + "-FRESH2"
    monkeypatch.setattr(creation, "new_order_number", lambda _store, _day: taken)  # never a free one
    with pytest.raises(Conflict, match=r"^No free order number could be drawn; please try again\.$"):
        order(shop, ("A", 1))
    assert len(shop.order_queries.list_orders()) == 2

BAD = [
    (lambda s, n: s.orders.change_status(ADMIN, "ORD-NOPE", "processing"), NotFound, "no order"),
    (lambda s, n: s.orders.ship_item(ADMIN, n, "ZZZ", 1), NotFound, "no line"),
    (lambda s, n: s.orders.ship_item(ADMIN, n, "A", 3), InvalidInput, "only 2 remain"),
    (lambda s, n: s.orders.ship_item(ADMIN, n, "A", 0), InvalidInput, "at least 1"),
    (lambda s, n: s.orders.return_item(ADMIN, n, "A", 1, location="R"), InvalidInput, "0 shipped"),
    (lambda s, n: s.orders.change_status(ADMIN, n, "delivered"), InvalidTransition, "cannot go from processing"),
    (lambda s, n: s.orders.change_status(ADMIN, n, "done"), InvalidInput, "not an order status"),
    (lambda s, n: order(s, ("A", 0)), InvalidInput, "at least 1"),
    (lambda s, n: order(s, ("NOPE", 1)), NotFound, "No product"),
    (lambda s, n: s.orders.ship(ADMIN, n, [ShipRequest("A", 1), ShipRequest("A", 1)]), InvalidInput, "twice"),
    (lambda s, n: s.orders.ship_item(ADMIN, n, "A", 1, location="NOWHERE"), NotFound, "no location"),
]


@pytest.mark.parametrize(("call", "error", "fragment"), BAD)
def test_bad_order_input_is_a_sentence_and_changes_nothing(
    shop: Services, call: Callable[[Services, str], object], error: type[OrionError], fragment: str
) -> None:
    number = order(shop, ("A", 2), ("B", 1))
    shop.orders.change_status(ADMIN, number, "processing")
    before = (shop.stock.list_stock(), shop.order_queries.get_order(number), shop.order_queries.history(number),
              shop.order_queries.list_orders())
    with pytest.raises(error) as caught:
        call(shop, number)
    assert fragment in str(caught.value)
    after = (shop.stock.list_stock(), shop.order_queries.get_order(number), shop.order_queries.history(number),
             shop.order_queries.list_orders())
    assert after == before


def test_fulfillment_workflow_fulfils_only_when_shipped(shop: Services) -> None:
    number = order(shop, ("A", 5), ("B", 2))
    shop.orders.change_status(ADMIN, number, "processing")
    parcel = shop.orders.prepare_shipment(ADMIN, number, [ShipRequest("A", 3)], assigned_to="pat", box_size="M")
    assert parcel.status.value == "pending" and parcel.assigned_to == "pat"
    with pytest.raises(InvalidInput, match="only 2 remain to ship .*3 in prepared shipments"):
        shop.orders.prepare_shipment(ADMIN, number, [ShipRequest("A", 3)])
    for step in ("picking", "packing", "ready_to_ship"):
        assert shop.orders.advance_shipment(ADMIN, parcel.shipment_number, step).status.value == step
        assert on_hand(shop, "A") == (100, 5)  # nothing leaves before shipped
    with pytest.raises(InvalidTransition, match="cannot go back"):
        shop.orders.advance_shipment(ADMIN, parcel.shipment_number, "picking")
    done = shop.orders.advance_shipment(ADMIN, parcel.shipment_number, "shipped", weight_grams=850, tracking="PKG-7")
    assert done.status.value == "shipped" and done.weight_grams == 850 and done.tracking_number == "PKG-7"
    assert [(line.sku, line.quantity, line.location) for line in done.lines] == [("A", 3, "WAREHOUSE_MAIN")]
    assert on_hand(shop, "A") == (97, 2)
    assert shop.order_queries.get_order(number).status is OrderStatus.PARTIALLY_SHIPPED
    assert OrderHistoryAction.PACKED in [h.action for h in shop.order_queries.history(number)]

    other = shop.orders.prepare_shipment(ADMIN, number, [ShipRequest("B")])
    assert [line.quantity for line in other.lines] == [2]
    assert [s.shipment_number for s in shop.order_queries.open_shipments()] == [other.shipment_number]
    shop.orders.advance_shipment(ADMIN, other.shipment_number, "cancelled")
    assert on_hand(shop, "B") == (50, 2)  # reservations stay in place
    assert shop.order_queries.open_shipments() == ()
    with pytest.raises(InvalidTransition, match="can no longer change"):
        shop.orders.advance_shipment(ADMIN, other.shipment_number, "shipped")
    assert_invariants(shop)


def test_transfer_to_an_active_location_serves_backorders(shop: Services) -> None:
    shop.inventory.set_quantity(ADMIN, store="MAIN", product="C", location="QUARANTINE", quantity=10)
    shop.catalog.update_location(ADMIN, "QUARANTINE", is_active=False)  # stock there is not handed out
    number = order(shop, ("C", 80))
    result = shop.orders.change_status(ADMIN, number, "processing")
    assert [(b.quantity) for b in result.backordered] == [5]
    shop.inventory.transfer(ADMIN, store="MAIN", product="C", source="QUARANTINE", destination="A-02", quantity=10)
    assert shop.order_queries.backorders() == ()
    assert [i.reserved for i in shop.order_queries.get_order(number).items] == [80]
    assert_invariants(shop)


def test_stock_import_serves_backorders(shop: Services, tmp_path: Path) -> None:
    number = order(shop, ("B", 60))
    assert [b.quantity for b in shop.orders.change_status(ADMIN, number, "processing").backordered] == [10]
    delivery = tmp_path / "delivery.csv"
    delivery.write_text("product,location,quantity\nB,INBOUND,12\nA,INBOUND,0\n", encoding="utf-8")
    shop.importing.import_stock(ADMIN, delivery)
    assert shop.order_queries.backorders() == ()
    assert on_hand(shop, "B") == (62, 60)
    assert_invariants(shop)


def test_notes_keep_their_line_breaks(shop: Services) -> None:
    number = order(shop, ("A", 1))
    shop.orders.add_note(ADMIN, number, "  Gate code 4711\n\n  ring   twice  ")
    assert [n.note for n in shop.order_queries.notes(number)] == ["Gate code 4711\n\nring twice"]
    with pytest.raises(InvalidInput, match="needs some text"):
        shop.orders.add_note(ADMIN, number, " \n ")
