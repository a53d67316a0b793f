"""The one way stock changes: a conditional UPDATE ... RETURNING plus its ledger row (ARCHITECTURE.md: stock changes).

Nothing here reads a quantity into Python and writes it back. The WHERE clause states the
invariant for the values *after* the change (0 <= reserved <= quantity), so two PCs racing
for the last unit cannot both win: the loser's UPDATE matches no row.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from orion_desktop.db.change_recording import record_actor, record_stock
from orion_desktop.db.dialect import matches_any
from orion_desktop.db.models import Inventory, InventoryTransaction
from orion_desktop.db.types import utcnow
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.enums import TransactionType
from orion_desktop.domain.errors import InsufficientStock, InvalidInput, NotFound
from orion_desktop.domain.results import StockChange
from orion_desktop.services.lookup import ProductRef, Slot

_inventory = Inventory.__table__
_ledger = InventoryTransaction.__table__


@dataclass(frozen=True, slots=True)
class LedgerNote:
    """Who and why, written on every ledger row of one service call."""

    actor: Actor
    reason: str | None = None
    operation_key: str | None = None
    order_id: int | None = None
    order_number: str | None = None


def require_stock_tracked(product: ProductRef) -> None:
    """Placeholders and non-physical products have no stock to change."""
    if product.is_placeholder:
        raise InvalidInput(f"{product.sku} is a placeholder product for unmatched items; it has no stock.")
    if not product.product_type.is_stock_tracked:
        raise InvalidInput(
            f"{product.title} ({product.sku}) is a {product.product_type.value} product with unlimited stock; "
            "there is no stock to change."
        )


# Built once: the hot path (every scan that ships, every reserve) only binds parameters.
# The WHERE clause states the invariant for the values *after* the change.
_CHANGE = (
    update(_inventory)
    .where(
        _inventory.c.id == bindparam("row_id"),
        _inventory.c.reserved_quantity + bindparam("dr") >= 0,
        _inventory.c.quantity + bindparam("dq") >= _inventory.c.reserved_quantity + bindparam("dr"),
    )
    .values(
        quantity=_inventory.c.quantity + bindparam("dq"),
        reserved_quantity=_inventory.c.reserved_quantity + bindparam("dr"),
        updated_at=bindparam("now"),
    )
    .returning(_inventory.c.quantity, _inventory.c.reserved_quantity)
)
_CHANGE_EXPECTED = _CHANGE.where(_inventory.c.quantity == bindparam("expected"))
_LEDGER_INSERT = _ledger.insert()
_LEVELS = select(_inventory.c.quantity, _inventory.c.reserved_quantity)


def apply_change(
    session: Session,
    slot: Slot,
    kind: TransactionType,
    *,
    quantity_change: int,
    reserved_change: int,
    note: LedgerNote,
    expected_quantity: int | None = None,
) -> StockChange:
    """Apply one change to one inventory row and write its ledger row, or raise and change nothing."""
    now = utcnow()
    record_stock(session, (slot.product.id,))  # what changed, reported after the commit
    record_actor(session, note.actor.name)  # and who, for the change feed
    statement = _CHANGE if expected_quantity is None else _CHANGE_EXPECTED
    row = session.execute(
        statement,
        {"row_id": slot.inventory_id, "dq": quantity_change, "dr": reserved_change, "now": now,
         "expected": expected_quantity},
    ).first()
    if row is None:
        raise _refusal(session, slot, kind, quantity_change, reserved_change)
    quantity_after, reserved_after = row
    session.execute(
        _LEDGER_INSERT,
        {
            "store_id": slot.product.store_id,
            "product_id": slot.product.id,
            "location_id": slot.location_id,
            "transaction_type": kind.value,
            "quantity_change": quantity_change,
            "reserved_change": reserved_change,
            "quantity_after": quantity_after,
            "reserved_after": reserved_after,
            "order_id": note.order_id,
            "order_number": note.order_number,
            "reason": note.reason,
            "created_by": note.actor.name,
            "created_at": now,
            "operation_key": note.operation_key,
        },
    )
    return StockChange(
        transaction_type=kind,
        sku=slot.product.sku,
        location=slot.location_code,
        quantity_change=quantity_change,
        reserved_change=reserved_change,
        quantity_after=quantity_after,
        reserved_after=reserved_after,
    )


def missing_stock(product: ProductRef, location_code: str) -> NotFound:
    """The one sentence for a stock row that is not there (never was, or another PC deleted it)."""
    return NotFound(f"There is no stock of {product.title} ({product.sku}) at {location_code}.")


def current_levels(session: Session, slot: Slot, *, lock: bool = False, deleting: bool = False) -> tuple[int, int]:
    """(quantity, reserved) of the slot's row, or NotFound when it is gone.

    The row can be gone although the slot was just found: on PostgreSQL another PC may delete
    it while this call waits for its lock (``stock delete``), and the user gets the same sentence
    as for a row that never existed. ``lock`` holds the row until commit with FOR NO KEY UPDATE
    (the lock an UPDATE takes); ``deleting`` with FOR UPDATE, the lock a DELETE needs, taken at
    once so that it never has to be upgraded while another PC waits on the row.
    """
    query = _LEVELS.where(_inventory.c.id == slot.inventory_id)
    if lock or deleting:
        query = query.with_for_update(key_share=not deleting)
    row = session.execute(query).first()
    if row is None:
        raise missing_stock(slot.product, slot.location_code)
    return row.quantity, row.reserved_quantity


def _refusal(
    session: Session, slot: Slot, kind: TransactionType, quantity_change: int, reserved_change: int
) -> InsufficientStock:
    """Explain why the conditional update matched nothing, from the row as it is now."""
    quantity, reserved = current_levels(session, slot)  # NotFound if another PC deleted the row
    available = quantity - reserved
    what = f"{slot.product.title} ({slot.product.sku}) at {slot.location_code}"
    if kind in (TransactionType.RELEASE, TransactionType.FULFILL):
        requested = -reserved_change
        verb = "release" if kind is TransactionType.RELEASE else "ship"
        return InsufficientStock(
            f"Cannot {verb} {requested} of {what}: only {reserved} reserved there.",
            available=reserved,
            requested=requested,
        )
    if kind is TransactionType.RESERVE:
        return InsufficientStock(
            f"Insufficient stock for {what}. Available: {available}, Requested: {reserved_change}.",
            available=available,
            requested=reserved_change,
        )
    if kind in (TransactionType.SET,):
        target = quantity + quantity_change
        return InsufficientStock(
            f"Cannot set {what} to {target}: {reserved} units are reserved there for orders. "
            f"Release them first or set at least {reserved}.",
            available=available,
            requested=target,
        )
    removed = -quantity_change
    return InsufficientStock(
        f"Cannot remove {removed} of {what}: {quantity} on hand, {reserved} reserved for orders, "
        f"so at most {available} can be removed. Available: {available}, Requested: {removed}.",
        available=available,
        requested=removed,
    )


def lock_product_rows(session: Session, product_ids: set[int] | list[int]) -> dict[int, tuple[int, int]]:
    """Lock every stock row of these products in ascending id, before a multi-row change.

    Returns the locked rows' (quantity, reserved) by row id on PostgreSQL (read by the same
    statement, so a caller that needs them pays no second round trip); SQLite returns {}.

    All multi-row stock work (orders, shipping, transfers, imports, expiry, backorder
    allocation) takes its row locks in this one statement per transaction, in one global order
    (order rows first, then stock rows by ascending id), so two PCs can wait for each other but
    never deadlock. The order is real: PostgreSQL applies ORDER BY before the locking clause
    (EXPLAIN shows LockRows above the Sort), and a row that changed while we waited is rechecked,
    not moved. FOR NO KEY UPDATE (the lock an UPDATE takes anyway) rather than FOR UPDATE: it does
    not block the KEY SHARE locks of foreign-key checks, e.g. a reservation row being inserted for
    the row. SQLite needs nothing: a writer holds the whole database (BEGIN IMMEDIATE).
    """
    if not product_ids or session.get_bind().dialect.name != "postgresql":
        return {}
    rows = session.execute(
        select(_inventory.c.id, _inventory.c.quantity, _inventory.c.reserved_quantity)
        .where(matches_any(session, _inventory.c.product_id, sorted(product_ids)))
        .order_by(_inventory.c.id)
        .with_for_update(key_share=True)  # renders FOR NO KEY UPDATE on PostgreSQL
    ).all()
    return {row_id: (quantity, reserved) for row_id, quantity, reserved in rows}


def lock_slot(session: Session, slot: Slot) -> tuple[int, int]:
    """Lock the stock rows of the slot's product (the global order) and return the slot's levels.

    One statement on PostgreSQL; NotFound when another PC deleted the row while we waited.
    """
    if session.get_bind().dialect.name != "postgresql":
        return current_levels(session, slot)
    levels = lock_product_rows(session, {slot.product.id})
    if slot.inventory_id not in levels:
        raise missing_stock(slot.product, slot.location_code)
    return levels[slot.inventory_id]
