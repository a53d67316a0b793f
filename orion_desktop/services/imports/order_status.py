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
from orion_desktop.services.orders import transitions
from orion_desktop.services.orders.item_stock import item_states
from orion_desktop.services.orders.service import LockedOrder
from orion_desktop.services.stock.level_changes import lock_product_rows


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
    """Move each imported order to its status, with the hooks of the status machine."""
    if not moves:
        return
    # Every stock row these orders touch, locked at once in ascending id before any changes.
    lock_product_rows(session, {product_id for move in moves for product_id in move.product_ids})
    for move in moves:
        order = LockedOrder(move.order_id, move.store_id, move.order_number, OrderStatus.PENDING, None)
        items = item_states(session, order.id)
        try:
            if move.target is OrderStatus.PROCESSING:
                transitions.enter_processing(session, actor, order, items, None, Cause.REQUEST)
            elif move.target is OrderStatus.SHIPPED:
                transitions.ship_all(session, actor, order, items, None)
            elif move.target is OrderStatus.CANCELLED:
                transitions.cancel_order(session, actor, order, items, None)
        except OrionError as error:
            problems.add(move.line, f"order {move.order_number}: {error}")
            problems.raise_if_any()  # the transaction rolls back: the import writes nothing
