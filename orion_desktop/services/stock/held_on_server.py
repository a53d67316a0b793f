"""PostgreSQL: a reserve, release or fulfil by hand in one call to a server-side function (issue 12).

On PostgreSQL each statement is a round trip, and Python's work between them was what kept many
PCs from going faster (docs/performance.md: throughput). ``orion_hold_by_hand`` and
``orion_settle_by_hand`` (migration 0009) find the stock row, lock it, change it with its ledger
row and write or settle the holds, on the server, in one round trip.

They do the common case only. ``None`` from here means "take the careful path" (writes.py), in the
same transaction: the row is not there, the GTIN is not valid, the actor may not work in that
store, or the units are short. That path says exactly what is wrong, from the rows as they are
then, with the same sentences on both databases.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Integer, String, Text, bindparam, text
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeEngine

from orion_desktop.db.change_recording import record_actor, record_stock
from orion_desktop.db.models import Inventory
from orion_desktop.db.prepared import Prepared
from orion_desktop.db.types import UtcDateTime, utcnow
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.enums import ProductType, TransactionType
from orion_desktop.domain.results import StockChange
from orion_desktop.services.lookup import ProductRef, slot_gtin
from orion_desktop.services.stock.level_changes import LedgerNote, require_stock_tracked

_BINDS = (
    bindparam("store", type_=String()), bindparam("sku", type_=String()), bindparam("gtin", type_=String()),
    bindparam("location", type_=String()), bindparam("quantity", type_=Integer()),
    bindparam("actor", type_=String()), bindparam("reason", type_=Text()), bindparam("key", type_=String()),
    bindparam("now", type_=UtcDateTime()),
)
_ROW: dict[str, TypeEngine[Any]] = {
    "product_id": Integer(), "store_id": Integer(), "store_code": String(), "sku": String(), "title": String(),
    "product_type": String(), "is_placeholder": Boolean(), "location_id": Integer(), "inventory_id": Integer(),
    "outcome": String(), "quantity_after": Integer(), "reserved_after": Integer(),
}
_ARGUMENTS = ":store, :sku, :gtin, :location, :quantity, :actor, :reason, :key, :now"
_HOLD = Prepared(
    text(f"SELECT * FROM orion_hold_by_hand({_ARGUMENTS})").bindparams(*_BINDS).columns(**_ROW),
    writes=Inventory.__tablename__,
)
_SETTLE = Prepared(
    text(f"SELECT * FROM orion_settle_by_hand(:kind, {_ARGUMENTS})")
    .bindparams(bindparam("kind", type_=String()), *_BINDS).columns(**_ROW),
    writes=Inventory.__tablename__,
)


def move_held_on_server(
    session: Session, kind: TransactionType, store: str | None, product: str, location_code: str, quantity: int,
    note: LedgerNote,
) -> StockChange | None:
    """Reserve, release or fulfil ``quantity`` units by hand at one stock row in one round trip; None
    when the careful path must do it (see the module). PostgreSQL only; ``location_code`` normalised."""
    store_code = str(store).strip().upper() if store is not None else ""
    if not store_code or not _may_work_in(note.actor, store_code):
        return None
    identifier = str(product).strip()
    gtin = slot_gtin(identifier)
    if gtin is False:
        return None
    params = {
        "store": store_code, "sku": identifier, "gtin": gtin, "location": location_code, "quantity": quantity,
        "actor": note.actor.name, "reason": note.reason, "key": note.operation_key, "now": utcnow(),
    }
    if kind is TransactionType.RESERVE:
        row = _HOLD.first(session, params)
    else:
        row = _SETTLE.first(session, params | {"kind": kind.value})
    if row is None:
        return None
    if row.outcome == "untracked":
        require_stock_tracked(ProductRef(
            id=row.product_id, store_id=row.store_id, store_code=row.store_code, sku=row.sku, title=row.title,
            product_type=ProductType(row.product_type), is_placeholder=row.is_placeholder,
        ))
    if row.outcome != "done":
        return None  # nothing was changed: the careful path words the refusal
    record_stock(session, (row.product_id,))  # what changed, reported after the commit
    record_actor(session, note.actor.name)  # and who, for the change feed
    return StockChange(
        transaction_type=kind,
        sku=row.sku,
        location=location_code,
        quantity_change=-quantity if kind is TransactionType.FULFILL else 0,
        reserved_change=quantity if kind is TransactionType.RESERVE else -quantity,
        quantity_after=row.quantity_after,
        reserved_after=row.reserved_after,
    )


def _may_work_in(actor: Actor, store_code: str) -> bool:
    """Whether ``actor`` may work in the store; when not, the careful path refuses in its own order
    (a store that does not exist is told as such first)."""
    return actor.store_codes is None or store_code in actor.store_codes
