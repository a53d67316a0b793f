"""The `status` column of an order import: a new order is pending, and the file may move it on
through the same status machine and stock hooks as `order status --set` (processing reserves,
shipped fulfils everything, cancelled releases). A status the machine cannot reach from pending
is a line problem, and so is a refusal on the way (e.g. too little stock to ship): the whole
import is then refused and nothing is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from orion_desktop.domain.actor import Actor
from orion_desktop.domain.errors import OrionError
from orion_desktop.domain.orders import Cause, OrderStatus, check_transition, parse_status
from orion_desktop.services.imports.csv_files import Problems
from orion_desktop.services.orders import history, transitions
from orion_desktop.services.orders.item_stock import ItemState, item_states_of
from orion_desktop.services.orders.locked_stock import LockedStock
from orion_desktop.services.orders.service import LockedOrder
from orion_desktop.services.stock.level_changes import lock_product_rows

ORDERS_PER_READ = 500
"""Orders whose items one query reads (each order id travels as a bound value of its IN list)."""


@dataclass(frozen=True, slots=True)
class ImportedMove:
    """An imported order (just written, pending) and the status its file names."""

    line: int
    order_id: int
    store_id: int
    order_number: str
    target: OrderStatus
    product_ids: frozenset[int]


def check_imported_status(order_number: str, raw: str | None) -> str | None:
    """The status a line names for its order, normalised, if the machine can reach it from pending."""
    if raw is None:
        return None
    status = parse_status(raw)
    if status is not OrderStatus.PENDING:
        check_transition(order_number, OrderStatus.PENDING, status)
    return status.value


def move_imported(session: Session, actor: Actor, moves: Sequence[ImportedMove], problems: Problems) -> None:
    """Move each imported order to its status, with the hooks of the status machine.

    Many orders at once, a few hundred at a time: their items are read by one query, the stock of
    their products by one for all of them (orders/locked_stock.py), the processing orders' statuses
    are set by one UPDATE and their holds written together (``LockedStock.write_holds``),
    as are the history rows. Each order is still planned in the file's order, so it reserves what the
    orders before it left; an order shipped or cancelled by the file writes what is pending first."""
    if not moves:
        return
    # Every stock row these orders touch, locked at once in ascending id before any changes.
    lock_product_rows(session, {product_id for move in moves for product_id in move.product_ids})
    stock = LockedStock(session, defer_holds=True)
    for start in range(0, len(moves), ORDERS_PER_READ):
        batch = moves[start:start + ORDERS_PER_READ]
        items_of = item_states_of(session, [move.order_id for move in batch])
        processing = [move for move in batch if move.target is OrderStatus.PROCESSING]
        stock.load(product_id for move in processing for product_id in move.product_ids)
        transitions.set_statuses(session, [_as_locked(move) for move in processing], OrderStatus.PROCESSING,
                                 Cause.REQUEST)
        with history.batched(session):  # the batch's history rows: one executemany, not one statement each
            for move in batch:
                _move(session, actor, move, items_of[move.order_id], stock, problems)
            stock.write_holds()


def _as_locked(move: ImportedMove) -> LockedOrder:
    """The imported order as the status machine sees it: just written, pending, locked by this import."""
    return LockedOrder(move.order_id, move.store_id, move.order_number, OrderStatus.PENDING, None)


def _move(
    session: Session, actor: Actor, move: ImportedMove, items: list[ItemState], stock: LockedStock, problems: Problems
) -> None:
    order = _as_locked(move)
    try:
        if move.target is OrderStatus.PROCESSING:  # its status is set already (move_imported)
            transitions.reserve_for_processing(session, actor, order, items, None, Cause.REQUEST, stock)
        elif move.target is OrderStatus.SHIPPED:
            stock.forget(move.product_ids)  # these go through the ordinary path, which changes the rows
            transitions.ship_all(session, actor, order, items, None)
        elif move.target is OrderStatus.CANCELLED:
            stock.forget(move.product_ids)
            transitions.cancel_order(session, actor, order, items, None)
    except OrionError as error:
        problems.add(move.line, f"order {move.order_number}: {error}")
        problems.raise_if_any()  # the transaction rolls back: the import writes nothing
