"""The order commands end to end on both databases: the spec's walk-throughs, exact JSON shapes, bad input."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from helpers import ADMIN, GTIN_B, assert_ledger_consistent, seed_catalog

from orion_desktop.__main__ import main
from orion_desktop.bootstrap import Services

STATUS_KEYS = {"order_number", "old_status", "new_status", "reserved", "skipped_items", "backordered", "warnings",
               "released", "fulfilled"}
SHIP_KEYS = {"order_id", "item_id", "fulfilled_quantity", "shipped_quantity", "remaining_quantity", "is_fully_shipped"}
SHIPMENT_STATUS_KEYS = {"order_id", "order_number", "order_status", "is_fully_shipped", "is_partially_shipped",
                        "shipped_item_count", "total_item_count", "total_shipped_units", "total_ordered_units", "items"}
SHIPMENT_ITEM_KEYS = {"item_id", "product_name", "quantity", "shipped_quantity", "remaining_quantity",
                      "is_fully_shipped"}


class Cli:
    def __init__(self, url: str, capsys: pytest.CaptureFixture[str]) -> None:
        self.url = url
        self.capsys = capsys

    def __call__(self, *argv: str, expect: int = 0) -> str:
        code = main(["--db", self.url, "--user", "maria", *argv])
        out, err = self.capsys.readouterr()
        assert code == expect, f"exit {code}, stdout={out!r}, stderr={err!r}"
        self.last_error = err
        return out

    def json(self, *argv: str) -> Any:
        """The command's JSON answer (a document whose shape is what the tests check)."""
        return json.loads(self(*argv, "--json"))

    def create(self, *items: str, **options: str) -> str:
        argv = ["order", "create"]
        for item in items:
            argv += ["--item", item]
        for name, value in options.items():
            argv += [f"--{name.replace('_', '-')}", value]
        number: str = self.json(*argv)["order_number"]
        return number

    def available(self, sku: str) -> int:
        available: int = self.json("stock", "show", "--product", sku)["total_available"]
        return available

    def on_hand(self, sku: str) -> tuple[int, int]:
        stock = self.json("stock", "show", "--product", sku)
        return stock["total_quantity"], stock["total_reserved"]


@pytest.fixture
def shop(services: Services, database_url: str, capsys: pytest.CaptureFixture[str]) -> Cli:
    """Store MAIN, products A/B/C at 100/50/75 in WAREHOUSE_MAIN, plus EBOOK (digital) and UNMATCHED (placeholder)."""
    seed_catalog(services)
    for sku, quantity in (("A", 100), ("B", 50), ("C", 75)):
        services.inventory.set_quantity(ADMIN, store="MAIN", product=sku, location="WAREHOUSE_MAIN", quantity=quantity)
    return Cli(database_url, capsys)


def test_seed_walkthrough_create_process_ship_cancel(shop: Cli, services: Services) -> None:
    created = shop.json("order", "create", "--store", "main", "--item", "A=10", "--item", f"{GTIN_B}=5",
                        "--item", "C=20", "--customer", "Ann Example", "--email", "ann@example.com")
    number = created["order_number"]
    prefix, store_id, day, tail = number.split("-")
    assert (prefix, len(day), len(tail)) == ("ORD", 8, 6) and store_id.isdigit()
    assert (created["status"], created["customer_name"], created["customer_email"]) == (
        "pending", "Ann Example", "ann@example.com")
    assert [
        (i["sku"], i["quantity"], i["shipped_quantity"], i["reserved"], i["backordered"]) for i in created["items"]
    ] == [
        ("A", 10, 0, 0, 0), ("B", 5, 0, 0, 0), ("C", 20, 0, 0, 0)]
    assert created["reservations"] == [] and created["shipments"] == []

    result = shop.json("order", "status", "--order", number, "--set", "processing")
    assert set(result) == STATUS_KEYS
    assert (result["order_number"], result["old_status"], result["new_status"]) == (number, "pending", "processing")
    assert sorted((r["sku"], r["quantity"], r["location"]) for r in result["reserved"]) == [
        ("A", 10, "WAREHOUSE_MAIN"), ("B", 5, "WAREHOUSE_MAIN"), ("C", 20, "WAREHOUSE_MAIN")]
    assert (result["skipped_items"], result["backordered"], result["warnings"]) == ([], [], [])
    assert (shop.available("A"), shop.available("B"), shop.available("C")) == (90, 45, 55)
    shown = shop.json("order", "show", "--order", number)
    assert [(r["sku"], r["location"], r["open_quantity"]) for r in shown["reservations"]] == [
        ("A", "WAREHOUSE_MAIN", 10), ("B", "WAREHOUSE_MAIN", 5), ("C", "WAREHOUSE_MAIN", 20)]

    # A packer ships part of A; the rest goes out with the status change.
    shop("--role", "packer", "order", "ship", "--order", number, "--item", "A", "--quantity", "4")
    shipped = shop.json("order", "status", "--order", number, "--set", "shipped")
    assert (shipped["old_status"], shipped["new_status"]) == ("partially_shipped", "shipped")
    assert sorted((f["sku"], f["quantity"]) for f in shipped["fulfilled"]) == [("A", 6), ("B", 5), ("C", 20)]
    assert (shop.on_hand("A"), shop.on_hand("B"), shop.on_hand("C")) == ((90, 0), (45, 0), (55, 0))
    assert shop.json("order", "status", "--order", number, "--set", "delivered")["new_status"] == "delivered"

    second = shop.create("A=10")
    shop("order", "status", "--order", second, "--set", "processing")
    assert shop.on_hand("A") == (90, 10)
    cancelled = shop.json("order", "status", "--order", second, "--set", "cancelled")
    assert [(r["sku"], r["quantity"], r["location"]) for r in cancelled["released"]] == [("A", 10, "WAREHOUSE_MAIN")]
    assert shop.on_hand("A") == (90, 0)
    assert "agree" in shop("stock", "verify")
    assert_ledger_consistent(services)


def test_processing_reports_reserved_backordered_and_skipped_lines(shop: Cli) -> None:
    number = shop.create("A=120", "EBOOK=1", "UNMATCHED=1", customer="Bo")
    out = shop("order", "status", "--order", number, "--set", "processing")
    lines = out.splitlines()
    assert lines[0] == f"Order {number}: pending -> processing."
    assert "  reserved     100 A at WAREHOUSE_MAIN" in lines
    assert "  backordered  20 A (only 100 available)" in lines
    assert any(line.startswith("  skipped      EBOOK (digital") for line in lines)
    assert any(line.startswith("  skipped      UNMATCHED (placeholder") for line in lines)

    [item_a, ebook, _unmatched] = shop.json("order", "show", "--order", number)["items"]
    assert (item_a["reserved"], item_a["backordered"], item_a["remaining_quantity"]) == (100, 20, 120)
    assert (ebook["stock_tracked"], ebook["backordered"]) == (False, 0)
    waiting = shop.json("order", "backorders", "--product", "A")
    assert [(b["order_number"], b["sku"], b["quantity"]) for b in waiting] == [(number, "A", 20)]
    assert shop.json("order", "backorders", "--product", "B") == []
    # Restocking serves the backorder in the same step.
    shop("stock", "adjust", "--product", "A", "--location", "INBOUND", "--delta", "25", "--reason", "delivery")
    assert shop.json("order", "backorders") == []
    assert shop.available("A") == 5
    assert "(nothing to show)" in shop("order", "backorders")


def test_partial_shipping_and_exact_shapes(shop: Cli, services: Services) -> None:
    number = shop.create("A=2", "B=3")
    shop("order", "status", "--order", number, "--set", "processing")
    shipped = shop.json("order", "ship", "--order", number, "--item", "A", "--quantity", "2", "--tracking", "TRK-1",
                        "--carrier", "DHL")
    assert set(shipped) == SHIP_KEYS
    order_id, item_a = shipped["order_id"], shipped["item_id"]
    assert shipped == {"order_id": order_id, "item_id": item_a, "fulfilled_quantity": 2, "shipped_quantity": 2,
                       "remaining_quantity": 0, "is_fully_shipped": True}

    status = shop.json("order", "shipment-status", "--order", number)
    assert set(status) == SHIPMENT_STATUS_KEYS
    assert all(set(item) == SHIPMENT_ITEM_KEYS for item in status["items"])
    assert (
        status["order_id"], status["order_number"], status["order_status"]
    ) == (order_id, number, "partially_shipped")
    assert (status["is_fully_shipped"], status["is_partially_shipped"]) == (False, True)
    assert (status["shipped_item_count"], status["total_item_count"], status["total_shipped_units"],
            status["total_ordered_units"]) == (1, 2, 2, 5)
    assert [(i["product_name"], i["quantity"], i["shipped_quantity"], i["remaining_quantity"], i["is_fully_shipped"])
            for i in status["items"]] == [("Widget A", 2, 2, 0, True), ("Widget B", 3, 0, 3, False)]
    human = shop("order", "shipment-status", "--order", number)
    assert "1 of 2 items fully shipped, 2 of 5 units" in human

    # The rest of B by its item id; the quantity defaults to what remains.
    item_b = status["items"][1]["item_id"]
    out = shop("order", "ship", "--order", number, "--item", str(item_b))
    assert f"Shipped 3 of Widget B (item {item_b})" in out and "is now shipped" in out
    final = shop.json("order", "shipment-status", "--order", number)
    assert (final["order_status"], final["is_fully_shipped"], final["is_partially_shipped"]) == ("shipped", True, False)
    assert (final["shipped_item_count"], final["total_shipped_units"]) == (2, 5)

    shown = shop.json("order", "show", "--order", number)
    assert (shown["status"], shown["tracking_number"], shown["carrier"]) == ("shipped", "TRK-1", "DHL")
    assert [(s["tracking_number"], [(ln["sku"], ln["quantity"], ln["location"]) for ln in s["lines"]])
            for s in shown["shipments"]] == [
                ("TRK-1", [("A", 2, "WAREHOUSE_MAIN")]), (None, [("B", 3, "WAREHOUSE_MAIN")])
            ]
    assert [
        (i["shipped_quantity"], i["remaining_quantity"], i["reserved"], i["backordered"]) for i in shown["items"]
    ] == [
        (2, 0, 0, 0), (3, 0, 0, 0)]
    human = shop("order", "show", "--order", number)
    assert f"Order {number}  store MAIN  shipped" in human
    assert "tracking TRK-1 (DHL)" in human and "  2 A from WAREHOUSE_MAIN" in human
    assert (shop.on_hand("A"), shop.on_hand("B")) == ((98, 0), (47, 0))
    assert_ledger_consistent(services)


def test_returns_to_a_location_and_damaged(shop: Cli, services: Services) -> None:
    number = shop.create("A=5")
    shop("order", "status", "--order", number, "--set", "shipped")
    back = shop.json("order", "return", "--order", number, "--item", "A", "--quantity", "2", "--location", "returns",
                     "--reason", "wrong size")
    assert back == {"order_number": number, "item_id": back["item_id"], "sku": "A", "quantity": 2,
                    "restocked_location": "RETURNS", "damaged": False, "returned_quantity": 2}
    stock = shop.json("stock", "show", "--product", "A")
    assert {loc["location"]: loc["quantity"] for loc in stock["locations"]} == {"RETURNS": 2, "WAREHOUSE_MAIN": 95}
    out = shop(
        "order", "return", "--order", number, "--item", "A", "--quantity", "1", "--damaged", "--reason", "crushed"
    )
    assert "Returned 1 A" in out and "as damaged" in out and "3 returned so far" in out
    assert shop.on_hand("A") == (97, 0)  # damaged units do not come back
    assert shop.json("order", "show", "--order", number)["items"][0]["returned_quantity"] == 3
    history = shop.json("order", "history", "--order", number)
    assert [h["description"] for h in history if h["action"] == "returned"] == [
        "Returned 2 A back to RETURNS: wrong size.", "Returned 1 A as damaged (not restocked): crushed."]
    assert_ledger_consistent(services)


def test_notes_history_and_list(shop: Cli) -> None:
    number = shop.create("A=1", customer="Bea Baker")
    other = shop.create("B=1", customer="Carl")
    note = shop.json("order", "note", "--order", number, "--text", "Gift wrap, please", "--customer-visible")
    assert (note["note"], note["customer_visible"], note["created_by"]) == ("Gift wrap, please", True, "maria")
    assert "Internal note added" in shop("order", "note", "--order", number, "--text", "Customer called twice")
    assert [n["note"] for n in shop.json("order", "notes", "--order", number)] == [
        "Gift wrap, please", "Customer called twice"]
    assert [n["note"] for n in shop.json("order", "notes", "--order", number, "--customer-visible-only")] == [
        "Gift wrap, please"]
    shop("order", "status", "--order", number, "--set", "processing")
    history = shop.json("order", "history", "--order", number)
    assert [h["action"] for h in history] == [
        "created", "note_added", "note_added", "processing_started", "inventory_reserved"]
    assert set(history[0]) == {"id", "action", "old_status", "new_status", "description", "created_by", "created_at"}
    assert (history[3]["old_status"], history[3]["new_status"]) == ("pending", "processing")
    assert all(h["created_by"] == "maria" for h in history)
    table = shop("order", "history", "--order", number)
    assert "Processing started" in table and "processing_started" not in table  # words (issue 11, item 7)

    assert [o["order_number"] for o in shop.json("order", "list")] == [other, number]
    listed = shop.json("order", "list", "--status", "processing")
    assert [(o["order_number"], o["status"], o["item_count"], o["ordered_units"]) for o in listed] == [
        (number, "processing", 1, 1)]
    # A space: an order number's random tail can hold "BEA" (CI once drew ...-QK7BEA), never "BEA B".
    assert [o["order_number"] for o in shop.json("order", "list", "--search", "bea b")] == [number]
    assert [o["order_number"] for o in shop.json("order", "list", "--limit", "1")] == [other]
    assert [o["customer_name"] for o in shop.json("order", "list", "--sort", "customer")] == ["Bea Baker", "Carl"]
    assert [o["customer_name"] for o in shop.json("order", "list", "--sort", "customer", "--descending")] == [
        "Carl", "Bea Baker"]
    assert number in shop("order", "list")
    assert shop("order", "create", "--item", "C=2", "--customer", "Dee").endswith(
        " created for Dee: 1 line, 2 units, pending.\n")


def test_expire_reservations(shop: Cli, services: Services) -> None:
    late = shop.create("A=10", expires_in="0.000001")  # a few milliseconds
    fine = shop.create("A=5", expires_in="24")
    for number in (late, fine):
        shop("order", "status", "--order", number, "--set", "processing")
    fine_order = shop.json("order", "show", "--order", fine)
    expiry = datetime.fromisoformat(fine_order["reservation_expires_at"])
    assert abs(expiry - (datetime.now(UTC) + timedelta(hours=24))) < timedelta(minutes=5)
    assert [datetime.fromisoformat(r["expires_at"]) for r in fine_order["reservations"]] == [expiry]
    assert shop.json("order", "expire-reservations") == {"expired_orders": [late], "released_units": 10}
    shown = shop.json("order", "show", "--order", late)
    assert (shown["status"], shown["items"][0]["reserved"]) == ("pending", 0)
    assert shop.json("order", "history", "--order", late)[-1]["new_status"] == "pending"
    assert shop.on_hand("A") == (100, 5)
    assert shop("order", "expire-reservations") == "No reservations have expired.\n"
    again = shop.create("B=1", expires_in="0.000001")
    shop("order", "status", "--order", again, "--set", "processing")
    assert shop("order", "expire-reservations") == (
        f"Released 1 reserved unit of 1 expired order, now pending again: {again}.\n")
    assert_ledger_consistent(services)


def test_operation_keys_make_retries_safe(shop: Cli) -> None:
    first = shop.create("A=3", operation_key="create-1")
    assert shop.create("A=3", operation_key="create-1") == first
    assert len(shop.json("order", "list")) == 1
    processing = shop.json("order", "status", "--order", first, "--set", "processing", "--operation-key", "status-1")
    replay = shop.json("order", "status", "--order", first, "--set", "processing", "--operation-key", "status-1")
    assert replay == processing and shop.on_hand("A") == (100, 3)
    ship = ["order", "ship", "--order", first, "--item", "A", "--quantity", "1", "--operation-key", "ship-1"]
    assert shop.json(*ship) == shop.json(*ship)
    assert shop.on_hand("A") == (99, 2)
    ret = ["order", "return", "--order", first, "--item", "A", "--quantity", "1", "--damaged", "--operation-key", "r-1"]
    assert shop.json(*ret)["returned_quantity"] == shop.json(*ret)["returned_quantity"] == 1


def test_replayed_ship_prints_the_human_sentence(shop: Cli) -> None:
    number = shop.create("A=3")
    ship = ["order", "ship", "--order", number, "--item", "A", "--quantity", "1", "--operation-key", "ship-h"]
    assert shop(*ship) == shop(*ship)


def test_bad_input_is_a_sentence_and_changes_nothing(shop: Cli) -> None:
    number = shop.create("A=2", "B=1")
    shop("order", "status", "--order", number, "--set", "processing")
    done = shop.create("C=1")
    shop("order", "status", "--order", done, "--set", "shipped")

    def snapshot() -> tuple[object, ...]:
        return (shop.json("order", "show", "--order", number), shop.json("order", "show", "--order", done),
                shop.json("stock", "list"), shop.json("order", "list"), shop.json(
                    "order", "history", "--order", number
                ))

    cases = [
        (("order", "show", "--order", "ORD-NOPE"), "There is no order ORD-NOPE."),
        (("order", "status", "--order", "ORD-NOPE", "--set", "shipped"), "There is no order ORD-NOPE."),
        (("order", "ship", "--order", "ORD-NOPE", "--item", "A"), "There is no order ORD-NOPE."),
        (("order", "ship", "--order", number, "--item", "ZZZ"), "This order has no line for 'ZZZ'."),
        (("order", "return", "--order", number, "--item", "ZZZ", "--quantity", "1", "--damaged"), "no line for 'ZZZ'"),
        (("order", "ship", "--order", number, "--item", "A", "--quantity", "3"), "only 2 remain to ship"),
        (("order", "ship", "--order", number, "--item", "A", "--quantity", "0"), "at least 1"),
        (("order", "ship", "--order", number, "--item", "A", "--location", "NOWHERE"), "no location NOWHERE"),
        (("order", "return", "--order", number, "--item", "A", "--quantity", "1", "--location", "R"), "0 shipped"),
        (
            ("order", "return", "--order", done, "--item", "C", "--quantity", "2", "--damaged"),
            "at most 1 can come back"
        ),
        (("order", "return", "--order", done, "--item", "C", "--quantity", "0", "--damaged"), "at least 1"),
        (("order", "status", "--order", number, "--set", "delivered"), "cannot go from processing to delivered"),
        (("order", "status", "--order", done, "--set", "cancelled"), "only orders not yet shipped can be cancelled"),
        (("order", "ship", "--order", done, "--item", "C"), "already fully shipped"),
        (("order", "note", "--order", number, "--text", "  "), "A note needs some text."),
        (("order", "create", "--item", "A=0"), "at least 1"),
        (("order", "create", "--item", "A"), "must be PRODUCT=QUANTITY"),
        (("order", "create", "--item", "=3"), "must be PRODUCT=QUANTITY"),
        (("order", "create", "--item", "A="), "must be PRODUCT=QUANTITY"),
        (("order", "create", "--item", "A=1", "--item", "B=two"), "'two' is not a whole number"),
        (("order", "create", "--item", "NOPE=1"), "No product"),
        (("order", "create", "--item", "A=1", "--expires-in", "0"), "positive number of hours"),
        (("order", "create", "--item", "A=1", "--expires-in", "soon"), "number of hours"),
        (("order", "create", "--item", "A=1", "--item", "B=51", "--strict"),
         "Insufficient stock for Widget B. Available: 49, Requested: 51"),
        (("order", "create", "--item", "A=1", "--number", number), f"An order numbered {number} already exists."),
        (("--role", "packer", "order", "status", "--order", number, "--set", "cancelled"), "may not manage orders"),
        (("order", "list", "--status", "done"), "not an order status"),
        (("order", "list", "--sort", "colour"), "cannot be sorted by"),
    ]
    before = snapshot()
    for argv, fragment in cases:
        shop(*argv, expect=1)
        error = shop.last_error
        assert error.startswith("error: ") and fragment in error and error.count("\n") == 1, (argv, error)
        assert "Traceback" not in error
    assert snapshot() == before


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (
        ["order", "return", "--order", "X", "--item", "A", "--quantity", "1"],  # neither --location nor --damaged
        ["order", "return", "--order", "X", "--item", "A", "--quantity", "1", "--location", "R", "--damaged"],
        ["order", "status", "--order", "X", "--set", "partially_shipped"],
        ["order", "create", "--customer", "Ann"],  # no --item
        ["order", "ship", "--item", "A"],  # no --order
    ):
        with pytest.raises(SystemExit) as caught:
            main(argv)
        assert caught.value.code == 2, argv
        assert "error: " in capsys.readouterr().err
