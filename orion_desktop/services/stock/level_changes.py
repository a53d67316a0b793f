"""The one way stock changes: a conditional UPDATE ... RETURNING plus its ledger row (ARCHITECTURE.md: stock changes).

Nothing here reads a quantity into Python and writes it back. The WHERE clause states the
invariant for the values *after* the change (0 <= reserved <= quantity), so two PCs racing
for the last unit cannot both win: the loser's UPDATE matches no row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, any_, bindparam, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import CTE

from orion_desktop.db.change_recording import record_actor, record_stock
from orion_desktop.db.dialect import matches_any
from orion_desktop.db.models import Inventory, InventoryTransaction, OrderItem
from orion_desktop.db.prepared import Prepared
from orion_desktop.db.types import utcnow
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.enums import TransactionType
from orion_desktop.domain.errors import InsufficientStock, InvalidInput, NotFound
from orion_desktop.domain.results import StockChange
from orion_desktop.domain.text_rules import agreeing, plural
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
_LEDGER_COLUMNS = (
    "store_id", "product_id", "location_id", "transaction_type", "order_id", "order_number", "reason", "created_by",
    "operation_key", "quantity_change", "reserved_change", "quantity_after", "reserved_after", "created_at",
)
_CHANGE_RUN = Prepared(_CHANGE)
_CHANGE_EXPECTED_RUN = Prepared(_CHANGE_EXPECTED)
_LEDGER_INSERT = Prepared(_ledger.insert().inline(), _LEDGER_COLUMNS)


def _change_and_ledger(change: Any) -> Any:
    """PostgreSQL: the conditional UPDATE and its ledger row in ONE statement (one round trip).

    ``WITH changed AS (UPDATE ... RETURNING quantity, reserved_quantity) INSERT INTO
    inventory_transactions ... SELECT ... FROM changed RETURNING quantity_after, reserved_after``:
    when the UPDATE matches no row the INSERT writes nothing and returns no row, which is the
    refusal, exactly as with two statements. The row lock is then held for one round trip
    instead of two. SQLite allows no UPDATE inside WITH: it keeps the two statements.
    """
    changed = change.cte("changed")
    columns = _ledger.c
    values = [
        bindparam("led_store_id", type_=columns.store_id.type),
        bindparam("led_product_id", type_=columns.product_id.type),
        bindparam("led_location_id", type_=columns.location_id.type),
        bindparam("led_transaction_type", type_=columns.transaction_type.type),
        bindparam("dq"),
        bindparam("dr"),
        changed.c.quantity,
        changed.c.reserved_quantity,
        bindparam("led_order_id", type_=columns.order_id.type),
        bindparam("led_order_number", type_=columns.order_number.type),
        bindparam("led_reason", type_=columns.reason.type),
        bindparam("led_created_by", type_=columns.created_by.type),
        bindparam("now"),
        bindparam("led_operation_key", type_=columns.operation_key.type),
    ]
    names = [
        "store_id", "product_id", "location_id", "transaction_type", "quantity_change", "reserved_change",
        "quantity_after", "reserved_after", "order_id", "order_number", "reason", "created_by", "created_at",
        "operation_key",
    ]
    return (
        _ledger.insert()
        .from_select(names, select(*values).select_from(changed))
        .returning(columns.quantity_after, columns.reserved_after)
    )
_CHANGE_LOGGED = Prepared(_change_and_ledger(_CHANGE))


@dataclass(frozen=True)
class FollowOn:
    """PostgreSQL: one more insert made from the ledger row, in the change's own statement.

    Built once with :func:`followed_by`; ``params`` name its own bind parameters (give them a
    prefix of their own, as the ledger's ``led_``). SQLite runs its insert as a statement of its
    own after the change; ``statement`` is only used on PostgreSQL.
    """

    statement: Prepared
    params: Mapping[str, Any]


def followed_by(insert_from: Callable[[CTE], Any]) -> Prepared:
    """The change, its ledger row and ``insert_from(logged)``, one statement returning the after levels.

    ``insert_from`` builds an INSERT ... SELECT ... FROM ``logged`` (the ledger row's CTE), so it
    writes nothing when the change was refused. A reserve then holds its stock row's lock for one
    round trip, and a hold costs no statement of its own (issue 12).
    """
    logged = _change_and_ledger(_CHANGE).cte("logged")
    statement = select(logged.c.quantity_after, logged.c.reserved_after).add_cte(insert_from(logged).cte("follow_on"))
    return Prepared(statement, writes=_inventory.name)
_CHANGE_EXPECTED_LOGGED = Prepared(_change_and_ledger(_CHANGE_EXPECTED))
_LEVELS = select(_inventory.c.quantity, _inventory.c.reserved_quantity).where(_inventory.c.id == bindparam("row_id"))
_LEVELS_LOCKED = Prepared(_LEVELS.with_for_update(key_share=True))  # FOR NO KEY UPDATE on PostgreSQL
_LEVELS_DELETING = Prepared(_LEVELS.with_for_update())
_LEVELS_READ = Prepared(_LEVELS)


def apply_change(
    session: Session,
    slot: Slot,
    kind: TransactionType,
    *,
    quantity_change: int,
    reserved_change: int,
    note: LedgerNote,
    expected_quantity: int | None = None,
    follow_on: FollowOn | None = None,
) -> StockChange:
    """Apply one change to one inventory row and write its ledger row, or raise and change nothing.

    ``follow_on`` (PostgreSQL only; no ``expected_quantity``): an insert made in the same statement."""
    now = utcnow()
    record_stock(session, (slot.product.id,))  # what changed, reported after the commit
    record_actor(session, note.actor.name)  # and who, for the change feed
    ledger = {
        "store_id": slot.product.store_id,
        "product_id": slot.product.id,
        "location_id": slot.location_id,
        "transaction_type": kind.value,
        "order_id": note.order_id,
        "order_number": note.order_number,
        "reason": note.reason,
        "created_by": note.actor.name,
        "operation_key": note.operation_key,
    }
    change = {"row_id": slot.inventory_id, "dq": quantity_change, "dr": reserved_change, "now": now,
              "expected": expected_quantity}
    if session.get_bind().dialect.name == "postgresql":
        statement = _CHANGE_LOGGED if expected_quantity is None else _CHANGE_EXPECTED_LOGGED
        # Prefixed: a parameter named like an inventory column would join the UPDATE's SET clause.
        prefixed: dict[str, Any] = {f"led_{name}": value for name, value in ledger.items()}
        if follow_on is not None:
            assert expected_quantity is None
            statement = follow_on.statement
            prefixed.update(follow_on.params)
        row = statement.first(session, change | prefixed)
        if row is None:
            raise _refusal(session, slot, kind, quantity_change, reserved_change)
        quantity_after, reserved_after = row
    else:
        prepared = _CHANGE_RUN if expected_quantity is None else _CHANGE_EXPECTED_RUN
        rows = prepared.run(session, change)
        if not rows:
            raise _refusal(session, slot, kind, quantity_change, reserved_change)
        quantity_after, reserved_after = rows[0]
        _LEDGER_INSERT.run(session, ledger | {
            "quantity_change": quantity_change,
            "reserved_change": reserved_change,
            "quantity_after": quantity_after,
            "reserved_after": reserved_after,
            "created_at": now,
        })
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
    query = _LEVELS_DELETING if deleting else _LEVELS_LOCKED if lock else _LEVELS_READ
    row = query.first(session, {"row_id": slot.inventory_id})
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
            f"Cannot set {what} to {target}: {plural(reserved, 'unit')} {agreeing(reserved, 'is', 'are')} "
            "reserved there for orders. "
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


_LOCK_ONE_PRODUCT = Prepared(
    select(_inventory.c.id, _inventory.c.quantity, _inventory.c.reserved_quantity)
    .where(_inventory.c.product_id == bindparam("product_id"))
    .order_by(_inventory.c.id)
    .with_for_update(key_share=True)
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
    if len(product_ids) == 1:  # the common case (a reserve, a transfer): built once
        (product_id,) = product_ids
        return {row.id: (row.quantity, row.reserved_quantity)
                for row in _LOCK_ONE_PRODUCT.run(session, {"product_id": product_id})}
    rows = session.connection().execute(  # Core, so no ORM work per statement
        select(_inventory.c.id, _inventory.c.quantity, _inventory.c.reserved_quantity)
        .where(matches_any(session, _inventory.c.product_id, sorted(product_ids)))
        .order_by(_inventory.c.id)
        .with_for_update(key_share=True)  # renders FOR NO KEY UPDATE on PostgreSQL
    ).all()
    return {row_id: (quantity, reserved) for row_id, quantity, reserved in rows}


_LOCK_ORDER_ROWS = Prepared(
    select(_inventory.c.id)
    .where(_inventory.c.product_id.in_(
        select(OrderItem.__table__.c.product_id).where(OrderItem.__table__.c.order_id == bindparam("order_id"))
    ))
    .order_by(_inventory.c.id)
    .with_for_update(key_share=True)
)


_LOCK_ORDERS_ROWS = Prepared(  # PostgreSQL only: the order ids travel as one array
    select(_inventory.c.id)
    .where(_inventory.c.product_id.in_(
        select(OrderItem.__table__.c.product_id)
        .where(OrderItem.__table__.c.order_id == any_(bindparam("order_ids", type_=ARRAY(Integer))))
    ))
    .order_by(_inventory.c.id)
    .with_for_update(key_share=True)
)


def lock_orders_rows(session: Session, order_ids: Sequence[int]) -> None:
    """:func:`lock_order_rows` for many orders at once (expiry), still one statement, built once."""
    if order_ids and session.get_bind().dialect.name == "postgresql":
        _LOCK_ORDERS_ROWS.run(session, {"order_ids": list(order_ids)})


def lock_order_rows(session: Session, order_id: int) -> None:
    """``lock_product_rows`` for the products of one order's items, in the same one statement.

    Built once, and the products are found by the statement itself (no round trip to read them
    first): the caller holds the order row locked, so its items cannot change meanwhile.
    """
    if session.get_bind().dialect.name == "postgresql":
        _LOCK_ORDER_ROWS.run(session, {"order_id": order_id})


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
