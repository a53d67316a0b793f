"""The pack station's reads and its one write, plus the data of pick lists and packing slips.

Scanning itself is pure (domain.packing.PackSession): the station loads the order's open lines
once, and only a code that is not on the order costs a (indexed) catalog lookup.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import SQLColumnExpression, func, select
from sqlalchemy.orm import Session

from orion_desktop.db.engine import Database
from orion_desktop.db.models import (
    InventoryReservation,
    Location,
    Order,
    OrderItem,
    Product,
    Shipment,
    ShipmentLine,
    Store,
)
from orion_desktop.db.types import utcnow
from orion_desktop.db.typing_aliases import AnySelect
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.errors import InvalidInput, InvalidTransition, NotFound
from orion_desktop.domain.order_results import ShipmentResult, ShipRequest
from orion_desktop.domain.orders import OrderStatus
from orion_desktop.domain.packing import OrderToPack, PackLine
from orion_desktop.domain.print_results import PackingSlip, PickList, PickRow, SlipLine
from orion_desktop.domain.validation import clean_text
from orion_desktop.services.lookup import sku_matches
from orion_desktop.services.orders.service import OrderService
from orion_desktop.services.read_scope import in_stores, scope_of

_OPEN = (
    InventoryReservation.quantity_reserved
    - InventoryReservation.quantity_fulfilled
    - InventoryReservation.quantity_released
)


class PackingService:
    def __init__(self, database: Database, orders: OrderService) -> None:
        self._db = database
        self._orders = orders

    def _scoped(self, query: AnySelect, store_id: SQLColumnExpression[int]) -> AnySelect:
        """``query`` kept to the signed-in user's stores (services/read_scope.py)."""
        scope = scope_of(self._db)
        return query if scope is None else query.where(in_stores(store_id, scope))

    def open_order(self, order_number: str) -> OrderToPack:
        """The order's number, status, customer and open lines; refuses orders with nothing to pack."""
        number = clean_text(order_number, "order number", max_length=64)
        with self._db.read() as session:
            order = session.execute(self._scoped(
                select(Order.id, Order.order_number, Order.status, Order.customer_name).where(
                    Order.order_number == number), Order.store_id)).first()
            if order is None:  # also another store's order (the reads' scope): as if it did not exist
                raise NotFound(f"There is no order {number}.")
            status = OrderStatus(order.status)
            if not status.is_open:
                raise InvalidTransition(f"Order {order.order_number} is {status.value}; there is nothing to pack.")
            rows = session.execute(
                select(OrderItem.id, OrderItem.sku, OrderItem.product_name, Product.gtin, OrderItem.quantity,
                       OrderItem.shipped_quantity, Product.product_type, Product.is_placeholder)
                .join(Product, Product.id == OrderItem.product_id)
                .where(OrderItem.order_id == order.id, OrderItem.shipped_quantity < OrderItem.quantity)
                .order_by(OrderItem.id)
            ).all()
            where = _pick_locations(session, order.id)
            lines = tuple(
                PackLine(r.id, r.sku, r.product_name, r.gtin, r.quantity, r.shipped_quantity,
                         physical=r.product_type == "physical" and not r.is_placeholder,
                         locations=where.get(r.id, ""))
                for r in rows
            )
            if not lines:
                raise InvalidInput(f"Order {order.order_number} has nothing left to pack.")
            return OrderToPack(order.order_number, status, order.customer_name, lines)

    def product_name(self, code: str) -> str | None:
        """The title of a product with this SKU or canonical GTIN in any store the user works for (for
        "wrong item"); another store's product is unknown here."""
        # The station passes canonical 14-digit GTINs for barcodes: those use the GTIN index, and
        # anything else is a typed SKU. One indexed equality each, never an OR over both columns.
        match = Product.gtin == code if len(code) == 14 and code.isdigit() else sku_matches(code)  # any case
        with self._db.read() as session:
            return session.execute(
                self._scoped(select(Product.title).where(match), Product.store_id).limit(1)
            ).scalar_one_or_none()

    def complete(
        self,
        actor: Actor,
        order_number: str,
        packed: Mapping[int, int],
        *,
        tracking: str | None = None,
        carrier: str | None = None,
        operation_key: str | None = None,
    ) -> ShipmentResult:
        """Ship exactly the packed quantities as one shipment (partial allowed).

        The same ship path as every other (OrderService.ship): a pending order passes through
        processing first, and prepared parcels of these units shrink or are cancelled.
        """
        requests = [ShipRequest(item_id, quantity) for item_id, quantity in packed.items() if quantity > 0]
        if not requests:
            raise InvalidInput("Nothing is packed yet; scan the items into the box first.")
        return self._orders.ship(actor, order_number, requests, tracking=tracking, carrier=carrier,
                                 operation_key=operation_key)

    def pick_list(self, order_numbers: Sequence[str]) -> PickList:
        """Where to walk: every open line once per location, along the picking path, then by SKU."""
        numbers = tuple(dict.fromkeys(clean_text(n, "order number", max_length=64) or "" for n in order_numbers))
        if not numbers:
            raise InvalidInput("Name at least one order for the pick list.")
        with self._db.read() as session:
            found: dict[str, int] = dict(session.execute(self._scoped(
                select(Order.order_number, Order.id).where(Order.order_number.in_(numbers)), Order.store_id)).all())
            missing = [n for n in numbers if n not in found]
            if missing:
                raise NotFound(f"There is no order {', '.join(missing)}.")
            reserved = session.execute(
                select(Location.code, Location.sort_key, OrderItem.sku, OrderItem.product_name,
                       func.sum(_OPEN), Order.order_number)
                .join(OrderItem, OrderItem.id == InventoryReservation.order_item_id)
                .join(Order, Order.id == OrderItem.order_id)
                .join(Location, Location.id == InventoryReservation.location_id)
                .where(Order.id.in_(found.values()), InventoryReservation.status == "active")
                .group_by(Location.code, Location.sort_key, OrderItem.sku, OrderItem.product_name, Order.order_number)
            ).all()
            rows = [PickRow(code, key, sku, name, int(qty), number) for code, key, sku, name, qty, number in reserved]
            # Open units with no reservation (pending or backordered lines) are listed without a location.
            covered: dict[tuple[str, str], int] = {}
            for row in rows:
                covered[(row.order_number, row.sku)] = covered.get((row.order_number, row.sku), 0) + row.quantity
            for number, sku, name, remaining, product_type, placeholder in session.execute(
                select(Order.order_number, OrderItem.sku, OrderItem.product_name,
                       OrderItem.quantity - OrderItem.shipped_quantity, Product.product_type, Product.is_placeholder)
                .join(Order, Order.id == OrderItem.order_id)
                .join(Product, Product.id == OrderItem.product_id)
                .where(Order.id.in_(found.values()), OrderItem.shipped_quantity < OrderItem.quantity)
            ).all():
                if product_type != "physical" or placeholder:
                    continue
                gap = int(remaining) - covered.get((number, sku), 0)
                if gap > 0:
                    rows.append(PickRow(None, 2**31, sku, name, gap, number))
            rows.sort(key=lambda r: (r.sort_key, r.location or "", r.sku, r.order_number))
            return PickList(numbers, tuple(rows), utcnow())

    def packing_slip(self, order_number: str, shipment_number: str | None = None) -> PackingSlip:
        """The slip for one shipment of an order (default: its latest shipped one)."""
        number = clean_text(order_number, "order number", max_length=64)
        with self._db.read() as session:
            order = session.execute(self._scoped(
                select(Order.id, Order.order_number, Order.customer_name, Store.name)
                .join(Store, Store.id == Order.store_id)
                .where(Order.order_number == number), Order.store_id)
            ).first()
            if order is None:
                raise NotFound(f"There is no order {number}.")
            query = select(Shipment).where(Shipment.order_id == order.id, Shipment.status == "shipped")
            if shipment_number:
                query = query.where(Shipment.shipment_number == shipment_number.strip())
            shipment = session.scalars(query.order_by(Shipment.id.desc()).limit(1)).first()
            if shipment is None:
                raise NotFound(
                    f"Order {order.order_number} has no shipped shipment"
                    + (f" {shipment_number.strip()}" if shipment_number else "") + " yet."
                )
            shipped = session.execute(
                select(OrderItem.sku, OrderItem.product_name, func.sum(ShipmentLine.quantity))
                .join(OrderItem, OrderItem.id == ShipmentLine.order_item_id)
                .where(ShipmentLine.shipment_id == shipment.id)
                .group_by(OrderItem.id, OrderItem.sku, OrderItem.product_name)
                .order_by(OrderItem.id)
            ).all()
            still_open = session.execute(
                select(OrderItem.sku, OrderItem.product_name, OrderItem.quantity - OrderItem.shipped_quantity)
                .where(OrderItem.order_id == order.id, OrderItem.shipped_quantity < OrderItem.quantity)
                .order_by(OrderItem.id)
            ).all()
            return PackingSlip(
                store_name=order.name,
                order_number=order.order_number,
                customer_name=order.customer_name,
                shipment_number=shipment.shipment_number,
                shipped_at=shipment.shipped_at,
                tracking_number=shipment.tracking_number,
                carrier=shipment.carrier,
                shipped=tuple(SlipLine(sku, name, int(q)) for sku, name, q in shipped),
                still_open=tuple(SlipLine(sku, name, int(q)) for sku, name, q in still_open),
            )


def _pick_locations(session: Session, order_id: int) -> dict[int, str]:
    """Where each open line's reserved units wait, along the picking path: ``AISLE-1`` or
    ``AISLE-1 ×2, AISLE-2 ×1`` (the pack station's Location column)."""
    rows = session.execute(
        select(InventoryReservation.order_item_id, Location.code, func.sum(_OPEN))
        .join(Location, Location.id == InventoryReservation.location_id)
        .where(InventoryReservation.order_id == order_id, InventoryReservation.status == "active")
        .group_by(InventoryReservation.order_item_id, Location.code, Location.sort_key)
        .having(func.sum(_OPEN) > 0)
        .order_by(InventoryReservation.order_item_id, Location.sort_key, Location.code)
    ).all()
    places: dict[int, list[tuple[str, int]]] = {}
    for item_id, code, units in rows:
        if item_id is not None:
            places.setdefault(int(item_id), []).append((str(code), int(units)))
    return {
        item_id: found[0][0] if len(found) == 1 else ", ".join(f"{code} ×{units}" for code, units in found)
        for item_id, found in places.items()
    }
