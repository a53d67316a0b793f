"""The pack station's scan controller driven directly: no window, no widget, no event loop.

The controller turns scans and keys into what the view shows (``Outcome``), a ``Question`` or a
``Shipping`` job; here the job's work runs on the test's thread. On SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from helpers import ADMIN, GTIN_A, GTIN_B, GTIN_C, assert_ledger_consistent, seed_catalog

from orion_desktop.bootstrap import Services
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.enums import Role
from orion_desktop.domain.errors import InvalidTransition
from orion_desktop.domain.order_results import OrderLine, ShipmentResult
from orion_desktop.domain.orders import OrderStatus
from orion_desktop.domain.packing import ScanVerdict
from orion_desktop.ui.pack_station.scan_controller import (
    Outcome,
    Question,
    ScanController,
    Shipping,
    StationKeys,
    Tone,
)

PACKER = Actor(name="pat", role=Role.PACKER)


@dataclass
class Station:
    services: Services
    controller: ScanController
    reported: list[BaseException]
    order: str  # A x1, B x2, processing
    other: str  # A x3, C x1, processing


@pytest.fixture
def station(services: Services) -> Station:
    seed_catalog(services)
    for sku, quantity in (("A", 10), ("B", 10), ("C", 5)):
        services.inventory.set_quantity(ADMIN, store="MAIN", product=sku, location="AISLE-1", quantity=quantity)
    order = services.orders.create_order(ADMIN, store="MAIN", customer="Ann Archer",
                                         lines=[OrderLine("A", 1), OrderLine("B", 2)])
    other = services.orders.create_order(ADMIN, store="MAIN", lines=[OrderLine("A", 3), OrderLine("C", 1)])
    for number in (order, other):
        services.orders.change_status(ADMIN, number, "processing")
    reported: list[BaseException] = []
    controller = ScanController(services, PACKER, report=reported.append, keys=StationKeys("F12", "Esc", "Ctrl+P"))
    return Station(services, controller, reported, order, other)


def packed(controller: ScanController) -> dict[str, int]:
    session = controller.session
    assert session is not None
    return {line.sku: session.packed_for(line.item_id) for line in session.lines}


def test_scans_become_outcomes_and_refused_ones_count_nowhere(station: Station) -> None:
    controller = station.controller
    assert controller.session is None and controller.order_text() == "No order on the station"
    opened = controller.handle_scan(station.order)
    assert opened == Outcome(f"Order {station.order}: 3 units to pack on 2 lines. Scan the items.", Tone.INFO)
    assert controller.order_text() == f"Order {station.order} · Processing · for Ann Archer"
    assert controller.progress_text() == "0 of 3 units packed · 3 left · 0 of 2 lines complete"

    counted = controller.handle_scan(GTIN_A)
    assert counted.tone is Tone.COUNTED and counted.message == "✓ Widget A: 1 of 1 packed."
    assert counted.scan is not None and counted.scan.verdict is ScanVerdict.COUNTED
    assert counted.item_id == counted.scan.item_id is not None

    for code, verdict, words in ((GTIN_C, ScanVerdict.WRONG_ITEM, "Wrong item: Widget C"),
                                 (GTIN_A, ScanVerdict.OVER_SCAN, "Too many Widget A"),
                                 ("4000000000006", ScanVerdict.UNKNOWN, "Unknown code 4000000000006"),
                                 ("0000000000000", ScanVerdict.PLACEHOLDER, "placeholder")):
        refused = controller.handle_scan(code)
        assert refused.refused and refused.message is not None and refused.message.startswith("✗ ")
        assert words in refused.message
        assert refused.scan is not None and refused.scan.verdict is verdict and refused.item_id is None
    assert packed(controller) == {"A": 1, "B": 0}

    last = controller.handle_scan("2*" + GTIN_B)
    assert last.message == "✓ Widget B: 2 of 2 packed. Everything is packed: press F12 to ship."
    assert controller.progress_text() == "3 of 3 units packed · 0 left · 2 of 2 lines complete"
    assert station.services.order_queries.get_order(station.order).shipments == ()  # scans ship nothing
    assert station.reported == []


def test_another_order_number_switches_only_while_the_box_is_empty(station: Station) -> None:
    controller = station.controller
    controller.handle_scan(station.order)
    controller.handle_scan(station.other)
    assert controller.session is not None and controller.session.order_number == station.other
    controller.handle_scan(GTIN_C)
    refused = controller.handle_scan(station.order)
    assert refused.refused and controller.session.order_number == station.other
    assert refused.message == (f"✗ Order {station.other} is still on the station. Complete it (F12) or put it "
                               f"aside (Esc) before scanning {station.order}.")
    gone = controller.handle_scan("ORD-NOPE")
    assert gone.refused and "ORD-NOPE" in (gone.message or "")
    assert packed(controller) == {"A": 0, "C": 1}


def test_a_refused_order_keeps_the_station_as_it_was_and_is_reported(station: Station) -> None:
    controller = station.controller
    station.services.orders.change_status(ADMIN, station.other, "cancelled")
    refused = controller.open_order(station.other)
    assert refused == Outcome(f"✗ Order {station.other} is cancelled; there is nothing to pack.", Tone.REFUSED)
    assert controller.session is None
    assert len(station.reported) == 1 and isinstance(station.reported[0], InvalidTransition)


def test_undo_takes_back_the_last_scan_and_starts_a_new_parcel_key(station: Station) -> None:
    controller = station.controller
    assert controller.undo() == Outcome()  # no order: nothing to say
    controller.handle_scan(station.other)
    assert controller.undo().message == "Nothing to undo: no scan has been counted on this order."
    controller.handle_scan("3*" + GTIN_A)
    controller.handle_scan(GTIN_C)
    undone = controller.undo()
    assert undone.message == "↶ Took back 1 Widget C." and undone.tone is Tone.INFO and undone.item_id is not None
    assert undone.scan is None and packed(controller) == {"A": 3, "C": 0}


def test_complete_refuses_asks_and_ships_the_box_as_one_parcel(station: Station) -> None:
    controller, services = station.controller, station.services
    assert controller.complete(None) == Outcome(
        "✗ Scan an order number first; then scan its items into the box.", Tone.REFUSED)
    controller.handle_scan(station.order)
    assert controller.complete(None) == Outcome(
        "✗ Nothing is packed yet; scan the items into the box first.", Tone.REFUSED)
    controller.handle_scan(GTIN_A)
    controller.handle_scan(GTIN_B)

    question = controller.complete("1Z999")
    assert isinstance(question, Question) and question.default_yes
    assert question.text == f"Ship 2 units of order {station.order} now? 1 unit stays open:"
    assert question.details.startswith("• 1 × Widget B (B)")
    assert not controller.busy and controller.operation_key is None  # asking ships nothing

    job = controller.ship("1Z999")  # the question's yes
    assert isinstance(job, Shipping) and job.message == f"Shipping 2 units of order {station.order}…"
    assert controller.busy and controller.operation_key
    assert controller.handle_scan(GTIN_B).message == (
        "✗ Wait a moment: the parcel is being shipped. Scan again when it is done.")
    assert controller.ship("1Z999") is None and controller.complete(None) == Outcome()  # never twice at once

    completion = job.work()
    assert isinstance(completion.shipment, ShipmentResult) and completion.shipment.units == 2
    assert completion.slip is not None and completion.slip.tracking_number == "1Z999"
    done = controller.shipped(completion)
    assert done.tone is Tone.DONE and done.message == (
        f"Shipped 2 units of order {station.order}: 1 × Widget A, 1 × Widget B. 1 unit stays open; "
        "the order is partially shipped. Ctrl+P saves the packing slip. Scan the next order.")
    assert controller.session is None and not controller.busy and controller.operation_key is None

    detail = services.order_queries.get_order(station.order)
    assert detail.status is OrderStatus.PARTIALLY_SHIPPED
    [shipment] = detail.shipments
    assert shipment.id == completion.shipment.shipment_id and shipment.tracking_number == "1Z999"
    assert sorted((line.sku, line.quantity) for line in shipment.lines) == [("A", 1), ("B", 1)]

    controller.handle_scan(station.order)  # the last unit: nothing stays open, no question
    controller.handle_scan(GTIN_B)
    job = controller.complete(None)
    assert isinstance(job, Shipping)
    assert controller.shipped(job.work()).message == (
        f"Shipped 1 unit of order {station.order}: 1 × Widget B. The order is complete. Ctrl+P saves the packing "
        "slip. Scan the next order.")
    assert services.order_queries.get_order(station.order).status is OrderStatus.SHIPPED
    assert_ledger_consistent(services)


def test_a_failed_parcel_keeps_the_box_and_its_key_for_the_retry(station: Station) -> None:
    controller, services = station.controller, station.services
    controller.handle_scan(station.other)
    controller.handle_scan(GTIN_C)
    job = controller.ship(None)
    assert job is not None
    key = controller.operation_key
    services.orders.change_status(ADMIN, station.other, "cancelled")  # meanwhile, on another PC
    with pytest.raises(InvalidTransition) as refused:
        job.work()
    failed = controller.shipping_failed(refused.value)
    assert failed.refused and failed.message is not None and failed.message.startswith("✗ Not shipped: ")
    assert not controller.busy and packed(controller) == {"A": 0, "C": 1} and controller.operation_key == key
    assert station.reported == [refused.value]
    retry = controller.ship(None)
    assert retry is not None and controller.operation_key == key  # the same parcel: the same key
    controller.shipping_failed(InvalidTransition("again"))
    controller.handle_scan(GTIN_A)  # the box changed: a new parcel, a new key
    assert controller.operation_key is None
    assert services.order_queries.get_order(station.other).shipments == ()


def test_put_aside_asks_only_when_something_is_packed(station: Station) -> None:
    controller = station.controller
    assert controller.put_aside() == Outcome()
    controller.handle_scan(station.order)
    assert controller.put_aside() == Outcome(
        f"Order {station.order} was put aside; nothing was shipped. Scan the next order.")
    controller.handle_scan(station.order)
    controller.handle_scan(GTIN_A)
    question = controller.put_aside()
    assert isinstance(question, Question) and not question.default_yes  # a stray Enter keeps the packing
    assert "The 1 unit scanned so far is forgotten" in question.text
    assert controller.session is not None
    assert controller.drop_order().message == (
        f"Order {station.order} was put aside; nothing was shipped. Scan the next order.")
    assert controller.session is None
    assert station.services.order_queries.get_order(station.order).shipments == ()


def test_refresh_reloads_an_empty_box_and_never_throws_packed_units_away(station: Station) -> None:
    controller, services = station.controller, station.services
    controller.handle_scan(station.other)
    before = controller.session
    assert before is not None
    item_c = next(line.item_id for line in before.lines if line.sku == "C")
    services.packing.complete(ADMIN, station.other, {item_c: 1})  # C leaves on another PC meanwhile
    assert controller.refresh() == Outcome()
    session = controller.session
    assert session is not before and session is not None and [line.sku for line in session.lines] == ["A"]
    controller.handle_scan(GTIN_A)
    kept = controller.session
    assert controller.refresh() == Outcome() and controller.session is kept  # packed units stay
    controller.undo()
    services.orders.change_status(ADMIN, station.other, "cancelled")
    gone = controller.refresh()
    assert gone.message == (f"Order {station.other} left the station: Order {station.other} is cancelled; "
                            "there is nothing to pack.")
    assert controller.session is None and len(station.reported) == 1
