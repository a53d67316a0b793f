"""shipment commands: list, show, prepare, advance, assign, cancel — the parcel workflow.

A parcel (shipment) is prepared for an order, walks pending -> picking -> packing ->
ready_to_ship -> shipped (stock leaves only then), and can be cancelled before it ships.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from orion_desktop.cli.context import CliContext, Commands
from orion_desktop.cli.order_commands import parse_item, shipment_json
from orion_desktop.cli.output import print_json, print_table
from orion_desktop.domain.errors import InvalidInput
from orion_desktop.domain.order_results import OrderDetail, ShipmentInfo, ShipRequest
from orion_desktop.domain.orders import ShipmentStatus, next_shipment_status
from orion_desktop.domain.requests import AdvanceShipment, AssignShipment, CancelShipment, PrepareShipment
from orion_desktop.domain.text_rules import status_words

STATUS_CHOICES = ", ".join(status.value for status in ShipmentStatus)


def add_commands(
    commands: Commands,
    group: Callable[[Commands, str, str, str], Commands],
    json_option: Callable[[argparse.ArgumentParser], None],
    op_key_option: Callable[[argparse.ArgumentParser], None],
) -> None:
    """Register `orion-desktop shipment ...` (called by cli.parser with its helpers)."""
    sub = group(commands, "shipment", "parcels: list, show, prepare, advance, assign, cancel", "shipment_command")

    lst = sub.add_parser("list", help="parcels: the open ones (default), one order's, or those in one status")
    lst.add_argument("--order", metavar="N", help="every parcel of this order")
    lst.add_argument("--status", metavar="S", help=f"only parcels in this status ({STATUS_CHOICES})")
    lst.add_argument("--limit", default="200", metavar="N")
    json_option(lst)
    lst.set_defaults(handler=shipment_list)

    show = sub.add_parser("show", help="one parcel: status, assignee, lines")
    show.add_argument("number", metavar="NUMBER", help="shipment number, e.g. SHP-1-20260101-ABC123-1")
    json_option(show)
    show.set_defaults(handler=shipment_show)

    prepare = sub.add_parser("prepare", help="start a parcel for an order (nothing leaves until it is shipped)")
    prepare.add_argument("order", metavar="ORDER", help="order number")
    prepare.add_argument("--item", action="append", default=[], metavar="SKU=QTY",
                         help="a line and how many (SKU alone: all its units not yet in a parcel); repeat for more "
                              "lines (default: every unit of the order not yet shipped or in a parcel)")
    prepare.add_argument("--assign", dest="assigned_to", metavar="USER", help="who picks and packs it")
    prepare.add_argument("--box", dest="box_size", metavar="SIZE")
    prepare.add_argument("--notes", metavar="TEXT")
    op_key_option(prepare)
    json_option(prepare)
    prepare.set_defaults(handler=shipment_prepare)

    advance = sub.add_parser("advance", help="move a parcel on (picking, packing, ready_to_ship, shipped)")
    advance.add_argument("number", metavar="NUMBER")
    advance.add_argument("--to", dest="target", metavar="STATUS",
                         help="picking, packing, ready_to_ship or shipped (default: the next step)")
    advance.add_argument("--tracking", metavar="T", help="tracking number")
    advance.add_argument("--carrier", metavar="C")
    advance.add_argument("--weight", metavar="GRAMS", help="weight of the packed parcel in grams")
    advance.add_argument("--box", dest="box_size", metavar="SIZE")
    op_key_option(advance)
    json_option(advance)
    advance.set_defaults(handler=shipment_advance)

    assign = sub.add_parser("assign", help="give an open parcel to someone")
    assign.add_argument("number", metavar="NUMBER")
    assign.add_argument("--to", dest="assignee", required=True, metavar="USER")
    op_key_option(assign)
    json_option(assign)
    assign.set_defaults(handler=shipment_assign)

    cancel = sub.add_parser("cancel", help="cancel an open parcel (its order keeps its reserved stock)")
    cancel.add_argument("number", metavar="NUMBER")
    cancel.add_argument("--reason", metavar="R")
    op_key_option(cancel)
    json_option(cancel)
    cancel.set_defaults(handler=shipment_cancel)


def _contents(shipment: ShipmentInfo) -> str:
    return ", ".join(f"{line.quantity} × {line.sku}" for line in shipment.lines)


def _print_shipment(shipment: ShipmentInfo) -> None:
    status = status_words(shipment.status).lower()
    print(f"Shipment {shipment.shipment_number} of order {shipment.order_number}: {status}")
    facts = [
        ("assigned to", shipment.assigned_to),
        ("box", shipment.box_size),
        ("weight", f"{shipment.weight_grams} g" if shipment.weight_grams is not None else None),
        ("tracking", shipment.tracking_number),
        ("carrier", shipment.carrier),
        ("created", f"{shipment.created_at:%Y-%m-%d %H:%M} UTC"),
        ("shipped", f"{shipment.shipped_at:%Y-%m-%d %H:%M} UTC" if shipment.shipped_at else None),
    ]
    for name, value in facts:
        if value:
            print(f"  {name}: {value}")
    if shipment.notes:
        print("  notes: " + shipment.notes.replace("\n", "\n         "))
    print()
    print_table(["ITEM", "SKU", "PRODUCT", "QTY", "FROM"],
                [
                    (line.item_id, line.sku, line.product_name, line.quantity, line.location or "")
                    for line in shipment.lines
                ])


def _json(shipment: ShipmentInfo) -> dict[str, object]:
    return shipment_json(shipment) | {"order_number": shipment.order_number}


def _done(ctx: CliContext, shipment: ShipmentInfo, sentence: str) -> int:
    if ctx.json:
        print_json(_json(shipment))
    else:
        print(sentence)
    return 0


def shipment_list(ctx: CliContext) -> int:
    a = ctx.args
    shipments = ctx.services.order_queries.list_shipments(order=a.order, status=a.status, limit=a.limit)
    if ctx.json:
        print_json([_json(s) for s in shipments])
        return 0
    print_table(
        ["SHIPMENT", "ORDER", "STATUS", "CONTENTS", "UNITS", "ASSIGNED", "CREATED (UTC)"],
        [(s.shipment_number, s.order_number, status_words(s.status), _contents(s),
          sum(line.quantity for line in s.lines),
          s.assigned_to or "", s.created_at.strftime("%Y-%m-%d %H:%M")) for s in shipments],
    )
    return 0


def shipment_show(ctx: CliContext) -> int:
    shipment = ctx.services.order_queries.get_shipment(ctx.args.number)
    if ctx.json:
        print_json(_json(shipment))
    else:
        _print_shipment(shipment)
    return 0


def unparcelled_requests(order: OrderDetail) -> list[ShipRequest]:
    """Every line's units not yet shipped and not in an open parcel (what `prepare` takes by default)."""
    requests = [ShipRequest(item_id, units) for item_id, units in order.unparcelled_units().items()]
    if not requests:
        raise InvalidInput(f"Every unit of order {order.order_number} is shipped or already in a parcel.")
    return requests


def _item_request(raw: str) -> ShipRequest:
    if "=" not in raw:
        if not raw.strip():
            raise InvalidInput("--item needs a SKU (or SKU=QUANTITY).")
        return ShipRequest(raw.strip())
    line = parse_item(raw)
    return ShipRequest(line.product, line.quantity)


def shipment_prepare(ctx: CliContext) -> int:
    a = ctx.args
    if a.item:
        lines = [_item_request(raw) for raw in a.item]
    else:
        lines = unparcelled_requests(ctx.services.order_queries.get_order(a.order))
    request = PrepareShipment(a.order, tuple(lines), assigned_to=a.assigned_to, box_size=a.box_size, notes=a.notes)
    shipment = ctx.services.perform(ctx.actor, request, operation_key=a.operation_key)
    who = f", assigned to {shipment.assigned_to}" if shipment.assigned_to else ""
    return _done(ctx, shipment, f"Shipment {shipment.shipment_number} prepared for order {shipment.order_number}"
                 f"{who}: {_contents(shipment)}.")


def _target(ctx: CliContext, number: str, raw: str | None) -> str:
    if raw:
        return raw
    current = ctx.services.order_queries.get_shipment(number)
    following = next_shipment_status(current.status)
    if following is None:
        raise InvalidInput(f"Shipment {current.shipment_number} is {current.status.value}; it can no longer change.")
    return following.value


def shipment_advance(ctx: CliContext) -> int:
    a = ctx.args
    target = _target(ctx, a.number, a.target)
    request = AdvanceShipment(a.number, target, tracking=a.tracking, carrier=a.carrier, weight_grams=a.weight,
                              box_size=a.box_size)
    shipment = ctx.services.perform(ctx.actor, request, operation_key=a.operation_key)
    sentence = f"Shipment {shipment.shipment_number} is now {status_words(shipment.status).lower()}."
    if shipment.status is ShipmentStatus.SHIPPED:
        status = ctx.services.order_queries.shipment_status(shipment.order_number)
        sentence += f" Order {status.order_number} is now {status_words(status.order_status).lower()}."
    return _done(ctx, shipment, sentence)


def shipment_assign(ctx: CliContext) -> int:
    a = ctx.args
    shipment = ctx.services.perform(ctx.actor, AssignShipment(a.number, a.assignee), operation_key=a.operation_key)
    return _done(ctx, shipment, f"Shipment {shipment.shipment_number} is assigned to {shipment.assigned_to}.")


def shipment_cancel(ctx: CliContext) -> int:
    a = ctx.args
    request = CancelShipment(a.number, reason=a.reason)
    shipment = ctx.services.perform(ctx.actor, request, operation_key=a.operation_key)
    return _done(ctx, shipment, f"Shipment {shipment.shipment_number} is cancelled; order {shipment.order_number} "
                 "keeps its reserved stock.")

