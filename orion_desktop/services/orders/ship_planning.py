"""Which order lines a shipment names, and how many of each: checked against what remains to ship."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from orion_desktop.domain import gtin as gtin_rules
from orion_desktop.domain.errors import InvalidInput, NotFound
from orion_desktop.domain.order_results import ShipItemResult, ShipRequest
from orion_desktop.domain.text_rules import shown
from orion_desktop.domain.validation import MAX_DIGITS, check_count, normalize_location_code, whole_number
from orion_desktop.services.lookup import location_id as find_location_id
from orion_desktop.services.orders.item_stock import ItemState


def find_item(items: list[ItemState], ref: str | int) -> ItemState:
    """An order line by item id, SKU or any GTIN form."""
    text = str(ref).strip()
    # An item id is at most MAX_DIGITS ASCII digits (whole_number refuses other digits and
    # overlong numbers before int()); a longer run of digits can only be a barcode.
    item_id = whole_number(text, "item id") if text.isdigit() and len(text) <= MAX_DIGITS else None
    if item_id is not None and not gtin_rules.looks_like_gtin(text):
        for item in items:
            if item.id == item_id:
                return item
    for item in items:
        if item.product.sku.lower() == text.lower():  # SKUs ignore case
            return item
    if gtin_rules.looks_like_gtin(text):
        canonical = gtin_rules.normalize_gtin(text)
        for item in items:
            if item.gtin == canonical:
                return item
    if item_id is not None:
        for item in items:
            if item.id == item_id:
                return item
    raise NotFound(f"This order has no line for {shown(text)}.")


def plan_shipment(
    session: Session, items: list[ItemState], requests: Sequence[ShipRequest], *, already_planned: dict[int, int]
) -> list[tuple[ItemState, int, int | None]]:
    """Validate ship requests against what remains (minus units in other prepared shipments)."""
    planned: list[tuple[ItemState, int, int | None]] = []
    seen: set[int] = set()
    for request in requests:
        item = find_item(items, request.item)
        if item.id in seen:
            raise InvalidInput(f"{item.product.sku} appears twice in this shipment; give it once.")
        seen.add(item.id)
        open_units = item.remaining - already_planned.get(item.id, 0)
        if open_units <= 0:
            raise InvalidInput(
                f"{item.product.sku} is already fully shipped."
                if item.remaining == 0
                else f"All remaining units of {item.product.sku} are already in a prepared shipment."
            )
        quantity = open_units if request.quantity in (None, "") else check_count(request.quantity)
        if quantity > open_units:
            raise InvalidInput(
                f"Cannot ship {quantity} of {item.product.sku}: only {open_units} remain to ship "
                f"({item.quantity} ordered, {item.shipped_quantity} already shipped"
                + (f", {already_planned[item.id]} in prepared shipments" if already_planned.get(item.id) else "")
                + ")."
            )
        location = None
        if request.location:
            code = normalize_location_code(request.location)
            location = find_location_id(session, code, create=False)
            if location is None:
                raise NotFound(f"There is no location {code}.")
        planned.append((item, quantity, location))
    return planned


def shipped_lines(order_id: int, planned: Sequence[tuple[ItemState, int, int | None]]) -> tuple[ShipItemResult, ...]:
    """The planned lines as they are after shipping, without reading them again: the order row is
    locked and ``ship_units`` added exactly ``quantity`` to each (its conditional UPDATE checked it)."""
    return tuple(shipped_line(order_id, item.id, quantity, item.shipped_quantity + quantity, item.quantity)
                 for item, quantity, _ in planned)


def shipped_line(order_id: int, item_id: int, units: int, shipped_after: int, ordered: int) -> ShipItemResult:
    """One line after ``units`` of it left: ``shipped_after`` of its ``ordered`` units are gone."""
    return ShipItemResult(
        order_id=order_id,
        item_id=item_id,
        fulfilled_quantity=units,
        shipped_quantity=shipped_after,
        remaining_quantity=ordered - shipped_after,
        is_fully_shipped=shipped_after == ordered,
    )
