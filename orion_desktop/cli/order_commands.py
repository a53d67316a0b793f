"""order commands: create, list, show, status, ship, shipment-status, return, notes, history, backorders, expiry."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta

from orion_desktop.cli.context import CliContext
from orion_desktop.cli.output import print_json, print_table, to_plain
from orion_desktop.domain.errors import InvalidInput
from orion_desktop.domain.order_results import (
    HistoryEntry,
    NoteInfo,
    OrderDetail,
    OrderItemInfo,
    OrderLine,
    ReservationInfo,
    ShipmentInfo,
    StatusChangeResult,
)
from orion_desktop.domain.requests import (
    AddOrderNote,
    ChangeOrderStatus,
    CreateOrder,
    ExpireReservations,
    ReturnItem,
    ShipItem,
)
from orion_desktop.domain.text_rules import shown, status_words
from orion_desktop.domain.validation import decimal_number, has_foreign_digits, whole_number

MAX_EXPIRY_HOURS = 24 * 366 * 10
"""Ten years: anything longer is a typo, and far-future dates would overflow."""


def parse_item(raw: str) -> OrderLine:
    """``P=QTY`` -> OrderLine; the quantity's range (at least 1, at most 10^9) is the service's rule."""
    product, sep, quantity = raw.rpartition("=")
    if not sep or not product.strip() or not quantity.strip():
        raise InvalidInput(
            f"--item {raw!r} must be PRODUCT=QUANTITY (a SKU or GTIN, '=', a number), e.g. --item HP-1=2."
        )
    text = quantity.strip()
    if not re.fullmatch(r"[+-]?[0-9]+", text) and not has_foreign_digits(text):
        raise InvalidInput(f"--item {shown(raw)}: the quantity {shown(text)} is not a whole number.")
    return OrderLine(product.strip(), whole_number(text, "quantity"))  # the domain's one rule for numbers


def parse_expiry(raw: str | None, now: datetime | None = None) -> datetime | None:
    """``--expires-in HOURS`` -> the moment reservations expire (UTC)."""
    if raw is None:
        return None
    try:
        hours = decimal_number(raw, "--expires-in value")
    except InvalidInput as error:
        if has_foreign_digits(raw):
            raise
        raise InvalidInput(f"--expires-in must be a number of hours, not {shown(raw)}.") from error
    if not math.isfinite(hours) or hours <= 0:
        raise InvalidInput(f"--expires-in must be a positive number of hours (got {raw}).")
    if hours > MAX_EXPIRY_HOURS:
        raise InvalidInput(f"--expires-in {raw} is too long; at most {MAX_EXPIRY_HOURS} hours (ten years).")
    return (now or datetime.now(UTC)) + timedelta(hours=hours)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def _item_json(item: OrderItemInfo) -> dict[str, object]:
    return {
        "item_id": item.id,
        "product_id": item.product_id,
        "sku": item.sku,
        "gtin": item.gtin,
        "product_name": item.product_name,
        "quantity": item.quantity,
        "shipped_quantity": item.shipped_quantity,
        "returned_quantity": item.returned_quantity,
        "remaining_quantity": item.remaining_quantity,
        "is_fully_shipped": item.is_fully_shipped,
        "reserved": item.reserved,
        "backordered": item.backordered,
        "stock_tracked": item.stock_tracked,
    }


def _reservation_json(reservation: ReservationInfo) -> dict[str, object]:
    return {
        "id": reservation.id,
        "item_id": reservation.item_id,
        "sku": reservation.sku,
        "location": reservation.location,
        "quantity_reserved": reservation.quantity_reserved,
        "quantity_fulfilled": reservation.quantity_fulfilled,
        "quantity_released": reservation.quantity_released,
        "open_quantity": reservation.open_quantity,
        "status": reservation.status,
        "expires_at": to_plain(reservation.expires_at),
    }


def shipment_json(shipment: ShipmentInfo) -> dict[str, object]:
    return {
        "id": shipment.id,
        "shipment_number": shipment.shipment_number,
        "status": shipment.status.value,
        "tracking_number": shipment.tracking_number,
        "carrier": shipment.carrier,
        "assigned_to": shipment.assigned_to,
        "box_size": shipment.box_size,
        "weight_grams": shipment.weight_grams,
        "notes": shipment.notes,
        "created_at": to_plain(shipment.created_at),
        "shipped_at": to_plain(shipment.shipped_at),
        "lines": [
            {"item_id": line.item_id, "sku": line.sku, "product_name": line.product_name, "location": line.location,
             "quantity": line.quantity}
            for line in shipment.lines
        ],
    }


def order_json(order: OrderDetail) -> dict[str, object]:
    return {
        "id": order.id,
        "order_number": order.order_number,
        "store": order.store_code,
        "status": order.status.value,
        "customer_name": order.customer_name,
        "customer_email": order.customer_email,
        "channel": order.channel,
        "tracking_number": order.tracking_number,
        "carrier": order.carrier,
        "reservation_expires_at": to_plain(order.reservation_expires_at),
        "created_at": to_plain(order.created_at),
        "items": [_item_json(item) for item in order.items],
        "reservations": [_reservation_json(r) for r in order.reservations],
        "shipments": [shipment_json(s) for s in order.shipments],
    }


def _print_order(order: OrderDetail) -> None:
    customer = order.customer_name or "no customer name"
    if order.customer_email:
        customer += f" <{order.customer_email}>"
    print(f"Order {order.order_number}  store {order.store_code}  {status_words(order.status).lower()}  {customer}")
    tracking = ""
    if order.tracking_number:
        tracking = f"  tracking {order.tracking_number}" + (f" ({order.carrier})" if order.carrier else "")
    expiry = ""
    if order.reservation_expires_at:
        expiry = f"  reservations expire {order.reservation_expires_at:%Y-%m-%d %H:%M} UTC"
    print(f"Created {order.created_at:%Y-%m-%d %H:%M} UTC via {order.channel}{tracking}{expiry}")
    print()
    print_table(
        ["ITEM", "SKU", "PRODUCT", "QTY", "SHIPPED", "REMAINING", "RESERVED", "BACKORDERED", "RETURNED"],
        [(i.id, i.sku, i.product_name, i.quantity, i.shipped_quantity, i.remaining_quantity,
          i.reserved if i.stock_tracked else "-", i.backordered, i.returned_quantity) for i in order.items],
    )
    open_reservations = [r for r in order.reservations if r.open_quantity > 0]
    if open_reservations:
        print()
        print("Reserved:")
        for r in open_reservations:
            print(f"  {r.open_quantity} {r.sku} at {r.location}")
    for shipment in order.shipments:
        print()
        tracking = f", tracking {shipment.tracking_number}" if shipment.tracking_number else ""
        carrier = f" ({shipment.carrier})" if shipment.carrier else ""
        print(f"Shipment {shipment.shipment_number}: {status_words(shipment.status).lower()}{tracking}{carrier}")
        for line in shipment.lines:
            where = f" from {line.location}" if line.location else ""
            print(f"  {line.quantity} {line.sku}{where}")


def order_create(ctx: CliContext) -> int:
    a = ctx.args
    request = CreateOrder(
        store=a.store, lines=tuple(parse_item(raw) for raw in a.item), customer=a.customer, email=a.email,
        number=a.number, strict=a.strict, reservation_expires_at=parse_expiry(a.expires_in),
    )
    number = ctx.services.perform(ctx.actor, request, operation_key=a.operation_key)
    order = ctx.services.order_queries.get_order(number)
    if ctx.json:
        print_json(order_json(order))
    else:
        units = sum(i.quantity for i in order.items)
        customer = f" for {order.customer_name}" if order.customer_name else ""
        print(f"Order {order.order_number} created{customer}: {_count(len(order.items), 'line')}, "
              f"{_count(units, 'unit')}, {status_words(order.status).lower()}.")
    return 0


def order_list(ctx: CliContext) -> int:
    a = ctx.args
    orders = ctx.services.order_queries.list_orders(
        status=a.status, search=a.search, store=a.store, limit=a.limit, sort=a.sort, descending=a.descending
    )
    if ctx.json:
        print_json(
            [
                {
                    "id": o.id,
                    "order_number": o.order_number,
                    "store": o.store_code,
                    "status": o.status.value,
                    "customer_name": o.customer_name,
                    "channel": o.channel,
                    "created_at": to_plain(o.created_at),
                    "item_count": o.item_count,
                    "ordered_units": o.ordered_units,
                    "shipped_units": o.shipped_units,
                }
                for o in orders
            ]
        )
    else:
        print_table(
            ["ORDER", "STORE", "STATUS", "CUSTOMER", "ITEMS", "UNITS", "SHIPPED", "CREATED (UTC)"],
            [(o.order_number, o.store_code, status_words(o.status), o.customer_name or "", o.item_count,
              o.ordered_units, o.shipped_units, o.created_at.strftime("%Y-%m-%d %H:%M")) for o in orders],
        )
    return 0


def order_show(ctx: CliContext) -> int:
    order = ctx.services.order_queries.get_order(ctx.args.order)
    if ctx.json:
        print_json(order_json(order))
    else:
        _print_order(order)
    return 0


def _print_status_change(result: StatusChangeResult) -> None:
    print(f"Order {result.order_number}: {status_words(result.old_status).lower()} -> "
          f"{status_words(result.new_status).lower()}.")
    for line in result.reserved:
        print(f"  reserved     {line.quantity} {line.sku} at {line.location}")
    for backordered in result.backordered:
        print(f"  backordered  {backordered.quantity} {backordered.sku} ({backordered.reason})")
    for skipped in result.skipped_items:
        print(f"  skipped      {skipped.sku} ({skipped.reason})")
    for line in result.released:
        print(f"  released     {line.quantity} {line.sku} at {line.location}")
    for line in result.fulfilled:
        print(f"  shipped      {line.quantity} {line.sku} from {line.location}")


def order_status(ctx: CliContext) -> int:
    a = ctx.args
    result = ctx.services.perform(ctx.actor, ChangeOrderStatus(a.order, a.target), operation_key=a.operation_key)
    if ctx.json:
        print_json(result)
    else:
        _print_status_change(result)
    return 0


def order_ship(ctx: CliContext) -> int:
    a = ctx.args
    request = ShipItem(a.order, a.item, a.quantity, location=a.location, tracking=a.tracking, carrier=a.carrier)
    result = ctx.services.perform(ctx.actor, request, operation_key=a.operation_key)
    if ctx.json:
        print_json(result)
        return 0
    status = ctx.services.order_queries.shipment_status(a.order)
    item = next(i for i in status.items if i.item_id == result.item_id)
    print(
        f"Shipped {result.fulfilled_quantity} of {item.product_name} (item {result.item_id}): "
        f"{result.shipped_quantity} of {item.quantity} shipped, {result.remaining_quantity} remaining. "
        f"Order {status.order_number} is now {status_words(status.order_status).lower()}."
    )
    return 0


def order_shipment_status(ctx: CliContext) -> int:
    status = ctx.services.order_queries.shipment_status(ctx.args.order)
    if ctx.json:
        print_json(status)
        return 0
    print(
        f"Order {status.order_number} is {status_words(status.order_status).lower()}: {status.shipped_item_count} of "
        f"{status.total_item_count} items fully shipped, {status.total_shipped_units} of "
        f"{status.total_ordered_units} units."
    )
    print_table(
        ["ITEM", "PRODUCT", "QTY", "SHIPPED", "REMAINING", "DONE"],
        [(i.item_id, i.product_name, i.quantity, i.shipped_quantity, i.remaining_quantity,
          "yes" if i.is_fully_shipped else "no") for i in status.items],
    )
    return 0


def order_return(ctx: CliContext) -> int:
    a = ctx.args
    request = ReturnItem(a.order, a.item, a.quantity, location=a.location, damaged=a.damaged, reason=a.reason)
    result = ctx.services.perform(ctx.actor, request, operation_key=a.operation_key)
    if ctx.json:
        print_json(result)
    else:
        where = f"back to {result.restocked_location}" if result.restocked_location else "as damaged (not restocked)"
        print(f"Returned {result.quantity} {result.sku} of order {result.order_number} {where}; "
              f"{result.returned_quantity} returned so far.")
    return 0


def _note_json(note: NoteInfo) -> dict[str, object]:
    return {
        "id": note.id,
        "note": note.note,
        "customer_visible": not note.is_internal,
        "created_by": note.created_by,
        "created_at": to_plain(note.created_at),
    }


def order_note(ctx: CliContext) -> int:
    a = ctx.args
    note = ctx.services.perform(ctx.actor, AddOrderNote(a.order, a.text, customer_visible=a.customer_visible))
    if ctx.json:
        print_json(_note_json(note))
    else:
        kind = "Customer-visible" if not note.is_internal else "Internal"
        print(f"{kind} note added to order {a.order}.")
    return 0


def order_notes(ctx: CliContext) -> int:
    a = ctx.args
    notes = ctx.services.order_queries.notes(a.order, customer_visible_only=a.customer_visible_only)
    if ctx.json:
        print_json([_note_json(n) for n in notes])
    else:
        print_table(
            ["WHEN (UTC)", "BY", "VISIBLE TO", "NOTE"],
            [(n.created_at.strftime("%Y-%m-%d %H:%M"), n.created_by or "", "staff" if n.is_internal else "customer",
              n.note) for n in notes],
        )
    return 0


def _history_json(entry: HistoryEntry) -> dict[str, object]:
    return {
        "id": entry.id,
        "action": entry.action.value,
        "old_status": entry.old_status,
        "new_status": entry.new_status,
        "description": entry.description,
        "created_by": entry.created_by,
        "created_at": to_plain(entry.created_at),
    }


def order_history(ctx: CliContext) -> int:
    entries = ctx.services.order_queries.history(ctx.args.order)
    if ctx.json:
        print_json([_history_json(e) for e in entries])
    else:
        print_table(
            ["WHEN (UTC)", "ACTION", "FROM", "TO", "BY", "DESCRIPTION"],
            [(e.created_at.strftime("%Y-%m-%d %H:%M:%S"), status_words(e.action),
              status_words(e.old_status or ""), status_words(e.new_status or ""),
              e.created_by or "", e.description) for e in entries],
        )
    return 0


def order_backorders(ctx: CliContext) -> int:
    a = ctx.args
    rows = ctx.services.order_queries.backorders(product=a.product, store=a.store)
    if ctx.json:
        print_json(
            [
                {
                    "order_number": r.order_number,
                    "order_id": r.order_id,
                    "item_id": r.item_id,
                    "sku": r.sku,
                    "product_name": r.product_name,
                    "quantity": r.quantity,
                    "ordered_at": to_plain(r.ordered_at),
                }
                for r in rows
            ]
        )
    else:
        print_table(
            ["ORDER", "ITEM", "SKU", "PRODUCT", "WAITING", "ORDERED (UTC)"],
            [(r.order_number, r.item_id, r.sku, r.product_name, r.quantity, r.ordered_at.strftime("%Y-%m-%d %H:%M"))
             for r in rows],
        )
    return 0


def order_expire_reservations(ctx: CliContext) -> int:
    result = ctx.services.perform(ctx.actor, ExpireReservations())
    if ctx.json:
        print_json({"expired_orders": list(result.order_numbers), "released_units": result.released_units})
    elif result.order_numbers:
        print(f"Released {_count(result.released_units, 'reserved unit')} of "
              f"{_count(len(result.order_numbers), 'expired order')}, now pending again: "
              f"{', '.join(result.order_numbers)}.")
    else:
        print("No reservations have expired.")
    return 0
