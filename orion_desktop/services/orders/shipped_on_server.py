"""PostgreSQL: shipping order lines from their reservations in one call to a server function (issue 12).

A ship was eleven statements, each a round trip with Python's work between them while the order
and its stock rows stayed locked; with many packers on one server that work set the pace
(docs/performance.md: throughput). ``orion_ship_lines`` (migrations 0010 and 0011) locks, plans and writes
the same rows on the server, in one round trip.

It ships the common case only (see the migration). ``None`` from here means "take the careful
path" (``transitions.ship_units``) in a transaction, before anything was written: a line
named by a number that may be an item id or a SKU, a location picked by the packer, a quantity
that is not a plain count, or anything the function does not ship. That path words every refusal.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ARRAY, Integer, String, bindparam, text
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeEngine

from orion_desktop.db.change_recording import record_actor, record_orders, record_stock
from orion_desktop.db.engine import Database
from orion_desktop.db.models import Inventory
from orion_desktop.db.prepared import Prepared, session_connection
from orion_desktop.db.types import UtcDateTime, utcnow
from orion_desktop.domain import gtin as gtin_rules
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.errors import InvalidInput
from orion_desktop.domain.order_results import (
    ReservedLine,
    ShipmentResult,
    ShipRequest,
    StatusChangeResult,
)
from orion_desktop.domain.orders import OrderStatus
from orion_desktop.domain.validation import MAX_DIGITS, check_count, clean_text
from orion_desktop.services.lookup import slot_gtin
from orion_desktop.services.orders.ship_planning import shipped_line

_ROW: dict[str, TypeEngine[Any]] = {
    "order_id": Integer(), "shipment_id": Integer(), "old_status": String(), "new_status": String(),
    "item_id": Integer(), "product_id": Integer(), "sku": String(), "units": Integer(), "shipped_after": Integer(),
    "ordered": Integer(), "location_code": String(), "row_units": Integer(),
}
_SHIP_LINES = Prepared(
    text("SELECT * FROM orion_ship_lines(:order, :item_ids, :refs, :gtins, :quantities, :tracking, :carrier, "
         ":actor, :key, :now)")
    .bindparams(
        bindparam("order", type_=String()), bindparam("item_ids", type_=ARRAY(Integer())),
        bindparam("refs", type_=ARRAY(String())), bindparam("gtins", type_=ARRAY(String())),
        bindparam("quantities", type_=ARRAY(Integer())), bindparam("tracking", type_=String()),
        bindparam("carrier", type_=String()), bindparam("actor", type_=String()), bindparam("key", type_=String()),
        bindparam("now", type_=UtcDateTime()),
    )
    .columns(**_ROW),
    writes=Inventory.__tablename__,
)


def ship_on_server(
    session: Session, actor: Actor, order_number: str, requests: Sequence[ShipRequest], *,
    tracking: str | None, carrier: str | None, key: str | None,
) -> ShipmentResult | None:
    """Ship the requested lines as one new shipment in one round trip; None when the careful path
    must do it (see the module), always on SQLite."""
    if session_connection(session).dialect.name != "postgresql":
        return None
    number = clean_text(order_number, "order number", max_length=64)  # refused as lock_order refuses it
    named = [_named_line(request) for request in requests]
    if not named or any(line is None for line in named):
        return None
    item_ids, refs, gtins, quantities = (list(column) for column in zip(*named, strict=True))
    rows = _ship(session, actor, {"order": number, "item_ids": item_ids, "refs": refs, "gtins": gtins,
                                  "quantities": quantities, "tracking": tracking, "carrier": carrier, "key": key})
    if not rows:
        return None  # nothing was written: the careful path ships it, or words the refusal
    lines = {row.item_id: row for row in rows}  # a line shipped from two stock rows comes twice
    return ShipmentResult(rows[0].shipment_id, tuple(
        shipped_line(row.order_id, row.item_id, row.units, row.shipped_after, row.ordered) for row in lines.values()
    ))


def ship_alone(
    db: Database, actor: Actor, order_number: str, requests: Sequence[ShipRequest], *,
    tracking: str | None, carrier: str | None, key: str | None,
) -> ShipmentResult | None:
    """``ship_on_server`` for a call without an operation key (``key`` None), as a statement of its own
    (``Database.one_statement``: no BEGIN or COMMIT round trip); None: nothing was written, and the
    call takes a transaction (with a key, or the careful path). Always None on SQLite."""
    if key is not None or db.is_sqlite:
        return None
    with db.one_statement() as session:
        return ship_on_server(session, actor, order_number, requests, tracking=tracking, carrier=carrier, key=None)


def ship_all_alone(db: Database, actor: Actor, order_number: str, key: str | None) -> StatusChangeResult | None:
    """``ship_all_on_server`` the same way: for a call without an operation key, a statement of its own."""
    if key is not None or db.is_sqlite:
        return None
    with db.one_statement() as session:
        return ship_all_on_server(session, actor, order_number, None)


def ship_all_on_server(session: Session, actor: Actor, order_number: str, key: str | None) -> StatusChangeResult | None:
    """A person's "shipped" (``transitions.ship_all``): every unit left, as one shipment, in one round
    trip; None when the careful path must do it (a pending order among others), always on SQLite."""
    if session_connection(session).dialect.name != "postgresql":
        return None
    number = clean_text(order_number, "order number", max_length=64)
    assert number is not None  # required: an empty number was refused
    rows = _ship(session, actor, {"order": number, "item_ids": None, "refs": None, "gtins": None,
                                  "quantities": None, "tracking": None, "carrier": None, "key": key})
    if not rows:
        return None
    return StatusChangeResult(
        number, OrderStatus(rows[0].old_status), OrderStatus(rows[0].new_status),
        fulfilled=tuple(ReservedLine(row.item_id, row.sku, row.location_code, row.row_units) for row in rows),
    )


def _ship(session: Session, actor: Actor, params: dict[str, Any]) -> list[Any]:
    """The function's rows (none: nothing was written), with what changed named for the change feed."""
    rows = _SHIP_LINES.run(session, params | {"actor": actor.name, "now": utcnow()})
    if rows:
        record_stock(session, {row.product_id for row in rows})  # what changed, reported after the commit
        record_orders(session, (rows[0].order_id,))
        record_actor(session, actor.name)  # and who, for the change feed
    return rows


def _named_line(request: ShipRequest) -> tuple[int | None, str | None, str | None, int | None] | None:
    """(item id, SKU or GTIN as typed, canonical GTIN, units or None for all remaining) of one request,
    or None when only the careful path can tell what it names or how many (``ship_planning.find_item``)."""
    if request.location:
        return None
    quantity = None
    if request.quantity not in (None, ""):
        try:
            quantity = check_count(request.quantity)
        except InvalidInput:
            return None
    ref = request.item
    if isinstance(ref, bool):
        return None
    text_ref = str(ref).strip()
    maybe_item_id = text_ref.isdigit() and len(text_ref) <= MAX_DIGITS and not gtin_rules.looks_like_gtin(text_ref)
    if isinstance(ref, int):
        # An item id, as the windows pass it; a number that reads as a barcode goes the careful way.
        return (ref, None, None, quantity) if maybe_item_id and ref > 0 else None
    if text_ref.isdigit() and len(text_ref) <= MAX_DIGITS:
        return None  # an item id or a SKU of digits: find_item's order of tries decides
    canonical = slot_gtin(text_ref)
    if isinstance(canonical, bool):  # False: a wrong check digit, which the careful path words
        return None
    return None, text_ref, canonical, quantity
