"""Prepared parcels never go stale (SQLite and PostgreSQL): services and the `shipment` CLI.

Units shipped another way (ship dialog, pack station, `order ship`, `order status --set shipped`)
come first out of units no parcel covers; only what goes beyond shrinks the open parcels, the
least advanced first. A parcel left empty is cancelled, and the order's history says why.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial

import pytest
from helpers import ADMIN, assert_ledger_consistent, seed_catalog

from orion_desktop.__main__ import main
from orion_desktop.bootstrap import Services
from orion_desktop.domain.errors import InvalidInput, InvalidTransition, NotFound, OrionError
from orion_desktop.domain.order_results import OrderLine, ShipRequest
from orion_desktop.domain.orders import OrderStatus, ShipmentStatus


@pytest.fixture
def shop(services: Services) -> Services:
    seed_catalog(services)
    for sku, quantity in (("A", 100), ("B", 50)):
        services.inventory.set_quantity(ADMIN, store="MAIN", product=sku, location="WAREHOUSE_MAIN", quantity=quantity)
    return services


def processing(services: Services, *lines: tuple[str, int]) -> str:
    number = services.orders.create_order(ADMIN, store="MAIN", lines=[OrderLine(p, q) for p, q in lines])
    services.orders.change_status(ADMIN, number, "processing")
    return number


def contents(services: Services, shipment_number: str) -> tuple[ShipmentStatus, list[tuple[str, int]]]:
    shipment = services.order_queries.get_shipment(shipment_number)
    return shipment.status, [(line.sku, line.quantity) for line in shipment.lines]


def on_hand(services: Services, sku: str) -> tuple[int, int]:
    stock = services.stock.product_stock("MAIN", sku)
    return stock.total_quantity, stock.total_reserved


@pytest.mark.parametrize("elsewhere", ["ship_dialog", "pack_station", "ship_item", "status_shipped"])
def test_a_parcel_whose_units_left_another_way_is_cancelled_with_the_reason(shop: Services, elsewhere: str) -> None:
    number = processing(shop, ("A", 3))
    parcel = shop.orders.prepare_shipment(ADMIN, number, [ShipRequest("A", 3)], assigned_to="pat")
    shop.orders.advance_shipment(ADMIN, parcel.shipment_number, "picking")
    if elsewhere == "ship_dialog":
        shop.orders.ship(ADMIN, number, [ShipRequest("A", 3)])
    elif elsewhere == "pack_station":
        item = shop.order_queries.get_order(number).items[0]
        shop.packing.complete(ADMIN, number, {item.id: 3})
    elif elsewhere == "ship_item":
        shop.orders.ship_item(ADMIN, number, "A")
    else:
        shop.orders.change_status(ADMIN, number, "shipped")
    shipment = shop.order_queries.get_shipment(parcel.shipment_number)
    assert (shipment.status, shipment.lines) == (ShipmentStatus.CANCELLED, ())
    assert shipment.notes is not None and "shipped another way" in shipment.notes
    history = [h.description for h in shop.order_queries.history(number)]
    assert any(d.startswith(f"Shipment {parcel.shipment_number} cancelled: all its units were shipped another way")
               for d in history)
    assert shop.order_queries.list_shipments() == ()  # nothing open, nothing stale
    with pytest.raises(InvalidTransition, match="can no longer change"):
        shop.orders.advance_shipment(ADMIN, parcel.shipment_number, "packing")
    assert on_hand(shop, "A") == (97, 0)
    assert_ledger_consistent(shop)


def test_shipping_elsewhere_shrinks_only_what_the_parcels_promise_too_much(shop: Services) -> None:
    number = processing(shop, ("A", 5), ("B", 2))
    parcel = shop.orders.prepare_shipment(ADMIN, number, [ShipRequest("A", 3), ShipRequest("B", 2)])
    shop.orders.ship_item(ADMIN, number, "A", 2)  # 3 remain: the parcel's 3 still fit
    assert contents(shop, parcel.shipment_number) == (ShipmentStatus.PENDING, [("A", 3), ("B", 2)])
    shop.orders.ship_item(ADMIN, number, "A", 1)  # 2 remain: one unit of the parcel has gone
    assert contents(shop, parcel.shipment_number) == (ShipmentStatus.PENDING, [("A", 2), ("B", 2)])
    assert any(h.description == f"Shipment {parcel.shipment_number}: 1 A taken out, shipped another way "
               f"(shipment SHP-{number.removeprefix('ORD-')}-3)." for h in shop.order_queries.history(number))
    shop.orders.ship_item(ADMIN, number, "A", 2)
    assert contents(shop, parcel.shipment_number) == (ShipmentStatus.PENDING, [("B", 2)])
    done = shop.orders.advance_shipment(ADMIN, parcel.shipment_number, "shipped")  # what is left still ships
    assert done.status is ShipmentStatus.SHIPPED
    assert shop.order_queries.get_order(number).status is OrderStatus.SHIPPED
    assert on_hand(shop, "A") == (95, 0) and on_hand(shop, "B") == (48, 0)
    assert_ledger_consistent(shop)


def test_the_least_advanced_parcel_gives_first(shop: Services) -> None:
    number = processing(shop, ("A", 4))
    ready = shop.orders.prepare_shipment(ADMIN, number, [ShipRequest("A", 2)])
    shop.orders.advance_shipment(ADMIN, ready.shipment_number, "ready_to_ship")
    waiting = shop.orders.prepare_shipment(ADMIN, number, [ShipRequest("A", 2)])
    shop.orders.ship_item(ADMIN, number, "A", 3)
    assert contents(shop, waiting.shipment_number) == (ShipmentStatus.CANCELLED, [])
    assert contents(shop, ready.shipment_number) == (ShipmentStatus.READY_TO_SHIP, [("A", 1)])
    assert_ledger_consistent(shop)


def test_cancelling_the_order_cancels_its_open_parcels(shop: Services) -> None:
    number = processing(shop, ("A", 4))
    parcel = shop.orders.prepare_shipment(ADMIN, number, [ShipRequest("A", 2)])
    shop.orders.change_status(ADMIN, number, "cancelled")
    status, _lines = contents(shop, parcel.shipment_number)
    assert status is ShipmentStatus.CANCELLED
    assert f"Shipment {parcel.shipment_number} cancelled: the order was cancelled." in [
        h.description for h in shop.order_queries.history(number)]
    assert on_hand(shop, "A") == (100, 0)
    assert_ledger_consistent(shop)


def test_list_show_assign_and_cancel(shop: Services) -> None:
    first = processing(shop, ("A", 4), ("B", 1))
    second = processing(shop, ("B", 3))
    one = shop.orders.prepare_shipment(ADMIN, first, [ShipRequest("A", 4)])
    two = shop.orders.prepare_shipment(ADMIN, second, [ShipRequest("B", 3)], assigned_to="sam")
    shop.orders.advance_shipment(ADMIN, two.shipment_number, "picking")
    queries = shop.order_queries
    assert [s.shipment_number for s in queries.list_shipments()] == [one.shipment_number, two.shipment_number]
    assert [s.shipment_number for s in queries.list_shipments(status="picking")] == [two.shipment_number]
    assert [s.shipment_number for s in queries.list_shipments(order=first)] == [one.shipment_number]
    assert queries.get_shipment(one.shipment_number.lower()).shipment_number == one.shipment_number

    assigned = shop.orders.assign_shipment(ADMIN, one.shipment_number, "pat")
    assert assigned.assigned_to == "pat"
    moved = shop.orders.assign_shipment(ADMIN, two.shipment_number, "pat")
    assert moved.assigned_to == "pat"
    assert any(h.description == f"Shipment {two.shipment_number} assigned to pat (was sam)."
               for h in queries.history(second))

    reserved_before = on_hand(shop, "A")
    cancelled = shop.orders.cancel_shipment(ADMIN, one.shipment_number, reason="customer asked to wait")
    assert cancelled.status is ShipmentStatus.CANCELLED and cancelled.notes == "Cancelled: customer asked to wait"
    assert on_hand(shop, "A") == reserved_before == (100, 4)  # a parcel holds no stock: nothing released
    assert [i.reserved for i in queries.get_order(first).items] == [4, 1]
    assert [s.shipment_number for s in queries.list_shipments(status="cancelled")] == [one.shipment_number]
    again = shop.orders.prepare_shipment(ADMIN, first, [ShipRequest("A", 4)])  # its units are free again
    assert [line.quantity for line in again.lines] == [4]
    assert_ledger_consistent(shop)


@pytest.mark.parametrize(
    ("call", "error", "sentence"),
    [
        (lambda s, p: s.orders.cancel_shipment(ADMIN, "SHP-NOPE"), NotFound, "There is no shipment SHP-NOPE."),
        (lambda s, p: s.order_queries.get_shipment("SHP-NOPE"), NotFound, "There is no shipment SHP-NOPE."),
        (lambda s, p: s.orders.assign_shipment(ADMIN, p, "  "), InvalidInput, "assignee"),
        (lambda s, p: s.orders.assign_shipment(ADMIN, p, "pat"), InvalidInput, "already assigned to pat"),
        (lambda s, p: s.orders.advance_shipment(ADMIN, p, "pending"), InvalidTransition, "cannot go back"),
        (lambda s, p: s.orders.advance_shipment(ADMIN, p, "lost"), InvalidInput, "not a shipment status"),
        (lambda s, p: s.order_queries.list_shipments(status="lost"), InvalidInput, "not a shipment status"),
        (lambda s, p: s.order_queries.list_shipments(order="ORD-NOPE"), NotFound, "There is no order ORD-NOPE."),
    ],
)
def test_bad_parcel_input_is_a_sentence_and_changes_nothing(
    shop: Services, call: Callable[[Services, str], object], error: type[OrionError], sentence: str
) -> None:
    number = processing(shop, ("A", 2))
    parcel = shop.orders.prepare_shipment(ADMIN, number, [ShipRequest("A", 2)], assigned_to="pat")
    before = (shop.order_queries.get_order(number), shop.order_queries.history(number))
    with pytest.raises(error) as caught:
        call(shop, parcel.shipment_number)
    assert sentence in str(caught.value)
    assert (shop.order_queries.get_order(number), shop.order_queries.history(number)) == before


def test_shipped_and_cancelled_parcels_cannot_be_assigned_or_cancelled(shop: Services) -> None:
    number = processing(shop, ("A", 2), ("B", 1))
    shipped = shop.orders.prepare_shipment(ADMIN, number, [ShipRequest("A", 2)])
    shop.orders.advance_shipment(ADMIN, shipped.shipment_number, "shipped")
    cancelled = shop.orders.prepare_shipment(ADMIN, number, [ShipRequest("B", 1)])
    shop.orders.cancel_shipment(ADMIN, cancelled.shipment_number)
    for parcel, state in ((shipped, "shipped"), (cancelled, "cancelled")):
        sentence = f"Shipment {parcel.shipment_number} is {state}; it can no longer change."
        for attempt in (partial(shop.orders.assign_shipment, ADMIN, parcel.shipment_number, "sam"),
                        partial(shop.orders.cancel_shipment, ADMIN, parcel.shipment_number)):
            with pytest.raises(InvalidTransition) as caught:
                attempt()
            assert str(caught.value) == sentence


def test_keyed_assign_and_cancel_replay_without_applying_twice(shop: Services) -> None:
    number = processing(shop, ("A", 2))
    parcel = shop.orders.prepare_shipment(ADMIN, number, [ShipRequest("A", 2)])
    first = shop.orders.assign_shipment(ADMIN, parcel.shipment_number, "pat", operation_key="assign-1")
    again = shop.orders.assign_shipment(ADMIN, parcel.shipment_number, "pat", operation_key="assign-1")
    assert first == again and again.assigned_to == "pat"  # unkeyed, the second would be "already assigned"
    cancelled = shop.orders.cancel_shipment(ADMIN, parcel.shipment_number, operation_key="cancel-1")
    assert shop.orders.cancel_shipment(ADMIN, parcel.shipment_number, operation_key="cancel-1") == cancelled
    history = [h.description for h in shop.order_queries.history(number)]
    assert sum("assigned to pat" in d for d in history) == 1
    assert sum(d.startswith(f"Shipment {parcel.shipment_number} cancelled") for d in history) == 1


# --- the CLI ------------------------------------------------------------------------------------
def cli(database_url: str, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["--db", database_url, *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_shipment_workflow(database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["store", "add", "--code", "MAIN", "--name", "Main"],
                 ["product", "add", "--sku", "CBL-1023", "--title", "Cable"],
                 ["product", "add", "--sku", "B", "--title", "Widget B"],
                 ["stock", "set", "--product", "CBL-1023", "--location", "W1", "--quantity", "10"],
                 ["stock", "set", "--product", "B", "--location", "W1", "--quantity", "10"],
                 ["order", "create", "--item", "CBL-1023=3", "--item", "B=2", "--number", "ORD-1"]):
        assert cli(database_url, capsys, *argv)[0] == 0

    code, out, _ = cli(database_url, capsys, "shipment", "prepare", "ORD-1", "--item", "CBL-1023=3",
                       "--assign", "pat", "--json")
    assert code == 0
    parcel = json.loads(out)
    number = parcel["shipment_number"]
    assert (parcel["order_number"], parcel["status"], parcel["assigned_to"]) == ("ORD-1", "pending", "pat")
    assert [(line["sku"], line["quantity"]) for line in parcel["lines"]] == [("CBL-1023", 3)]

    code, out, _ = cli(database_url, capsys, "shipment", "advance", number)  # the next step
    assert (code, out.strip()) == (0, f"Shipment {number} is now picking.")
    code, out, _ = cli(database_url, capsys, "shipment", "list")
    assert code == 0 and number in out and "3 × CBL-1023" in out and "Picking" in out
    code, out, _ = cli(database_url, capsys, "shipment", "assign", number, "--to", "sam")
    assert (code, out.strip()) == (0, f"Shipment {number} is assigned to sam.")
    code, out, _ = cli(database_url, capsys, "shipment", "show", number)
    assert code == 0 and "assigned to: sam" in out and "CBL-1023" in out

    # The rest of the order, in a second parcel (default: every unit not yet in one), then cancelled.
    code, out, _ = cli(database_url, capsys, "shipment", "prepare", "ORD-1", "--json")
    second = json.loads(out)
    assert [(line["sku"], line["quantity"]) for line in second["lines"]] == [("B", 2)]
    code, out, err = cli(database_url, capsys, "shipment", "prepare", "ORD-1")
    assert (code, err.strip()) == (1, "error: Every unit of order ORD-1 is shipped or already in a parcel.")
    code, out, _ = cli(database_url, capsys, "shipment", "cancel", second["shipment_number"], "--reason", "later")
    assert code == 0 and "keeps its reserved stock" in out

    # Shipping the cable another way consumes the first parcel; it can then not be advanced.
    assert cli(database_url, capsys, "order", "ship", "--order", "ORD-1", "--item", "CBL-1023")[0] == 0
    code, out, _ = cli(database_url, capsys, "shipment", "list", "--order", "ORD-1", "--json")
    assert [(s["shipment_number"], s["status"]) for s in json.loads(out)] == [
        (number, "cancelled"), (second["shipment_number"], "cancelled"), ("SHP-1-3", "shipped")]
    code, _out, err = cli(database_url, capsys, "shipment", "advance", number, "--to", "shipped")
    assert (code, err.strip()) == (1, f"error: Shipment {number} is cancelled; it can no longer change.")
    code, out, _ = cli(database_url, capsys, "shipment", "list")
    assert (code, out.strip()) == (0, "(nothing to show)")

    # A parcel advanced to shipped with tracking: the order's status follows.
    code, out, _ = cli(database_url, capsys, "shipment", "prepare", "ORD-1", "--item", "B")
    third = out.split()[1]
    code, out, _ = cli(database_url, capsys, "shipment", "advance", third, "--to", "shipped", "--tracking", "1Z9",
                       "--carrier", "UPS", "--json")
    shipped = json.loads(out)
    assert (shipped["status"], shipped["tracking_number"], shipped["carrier"]) == ("shipped", "1Z9", "UPS")
    code, out, _ = cli(database_url, capsys, "order", "show", "--order", "ORD-1", "--json")
    assert json.loads(out)["status"] == "shipped"
    assert cli(database_url, capsys, "stock", "verify")[0] == 0


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["shipment", "show", "SHP-NOPE"], 1, "error: There is no shipment SHP-NOPE."),
        (["shipment", "advance", "SHP-NOPE"], 1, "error: There is no shipment SHP-NOPE."),
        (["shipment", "assign", "SHP-NOPE", "--to", "pat"], 1, "error: There is no shipment SHP-NOPE."),
        (["shipment", "cancel", "SHP-NOPE"], 1, "error: There is no shipment SHP-NOPE."),
        (["shipment", "prepare", "ORD-NOPE"], 1, "error: There is no order ORD-NOPE."),
        (["shipment", "list", "--status", "lost"], 1, "error: 'lost' is not a shipment status"),
        (["shipment", "prepare", "ORD-1", "--item", "A=x"], 1, "error: --item 'A=x': the quantity 'x' is not a whole"),
        (["shipment", "assign", "SHP-1"], 2, "error: the following arguments are required: --to"),
    ],
)
def test_cli_shipment_errors_are_sentences(
    database_url: str, capsys: pytest.CaptureFixture[str], argv: list[str], code: int, message: str
) -> None:
    assert cli(database_url, capsys, "store", "add", "--code", "MAIN", "--name", "Main")[0] == 0
    if code == 2:
        with pytest.raises(SystemExit) as exited:
            main(["--db", database_url, *argv])
        assert exited.value.code == 2
        assert message in capsys.readouterr().err
        return
    got, _out, err = cli(database_url, capsys, *argv)
    assert got == code
    assert err.startswith(message) and err.count("\n") == 1
