"""The stock of many products as one transaction holding it locked sees it (a bulk status move).

An order import that moves hundreds of orders to processing would otherwise read each item's
stock rows anew (one query per item). Here they are read once per few hundred products, and kept
current in memory as this transaction reserves. That is exact only while no one else can change
the rows (the caller holds them locked: ``lock_product_rows`` on PostgreSQL, the writer's lock on
SQLite) and while nothing else in this transaction changes them: a step that does (shipping or
cancelling an order of the same file) calls :meth:`LockedStock.forget` for its products.

With ``defer_holds`` the holds made through it are written together by :meth:`LockedStock.write_holds`
(the caller calls it; ``forget`` does too, first): a few statements for hundreds of orders instead of
one or three per hold (issue 12, the order import's processing orders).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from orion_desktop.db.models import Inventory, Location
from orion_desktop.db.prepared import Prepared
from orion_desktop.domain.orders import StockCandidate
from orion_desktop.services.lookup import Slot
from orion_desktop.services.stock.bulk_holds import Hold, hold_many
from orion_desktop.services.stock.level_changes import LedgerNote
from orion_desktop.services.stock.reservations import hold

IDS_PER_QUERY = 500
"""Most product ids in one query (each travels as a bound value of its IN list)."""

_inventory = Inventory.__table__
_locations = Location.__table__

# The stock rows of many products at active locations: the candidates item_stock reads one product
# at a time, with the product id.
_CANDIDATES = (
    select(
        _inventory.c.product_id, _inventory.c.id, _locations.c.code, _locations.c.sort_key,
        _inventory.c.quantity - _inventory.c.reserved_quantity, _locations.c.id,
    )
    .join(_locations, _locations.c.id == _inventory.c.location_id)
    .where(_locations.c.is_active.is_(True))
)
_CANDIDATES_OF = Prepared(_CANDIDATES.where(_inventory.c.product_id.in_(bindparam("product_ids", expanding=True))))
# One product (a stock increase's backorder allocation): no IN list to lay out on every call.
_CANDIDATES_OF_ONE = Prepared(_CANDIDATES.where(_inventory.c.product_id == bindparam("product_id")))

Candidates = list[tuple[StockCandidate, int]]
"""A product's stock rows, each with its location id."""


class LockedStock:
    """Each product's stock rows with what is available there, read once, kept current."""

    def __init__(self, session: Session, *, defer_holds: bool = False) -> None:
        self._session = session
        self._by_product: dict[int, Candidates] = {}
        self._defer_holds = defer_holds
        self._pending: list[Hold] = []

    def load(self, product_ids: Iterable[int]) -> None:
        """Read the stock rows of every product not read yet, a few hundred products a query."""
        wanted = sorted(set(product_ids) - self._by_product.keys())
        for start in range(0, len(wanted), IDS_PER_QUERY):
            batch = wanted[start:start + IDS_PER_QUERY]
            for product_id in batch:
                self._by_product[product_id] = []
            rows = (_CANDIDATES_OF_ONE.run(self._session, {"product_id": batch[0]}) if len(batch) == 1
                    else _CANDIDATES_OF.run(self._session, {"product_ids": batch}))
            for product_id, row_id, code, sort_key, available, location_id in rows:
                candidate = StockCandidate(row_id, code, sort_key, int(available))
                self._by_product[product_id].append((candidate, location_id))

    def candidates(self, product_id: int) -> Candidates:
        """The product's stock rows as they are now in this transaction."""
        if product_id not in self._by_product:
            self.load([product_id])
        return list(self._by_product[product_id])

    def available(self, product_id: int) -> int:
        """Units of the product free to reserve at active locations, now in this transaction."""
        return sum(max(candidate.available, 0) for candidate, _location_id in self.candidates(product_id))

    def hold(
        self, slot: Slot, quantity: int, note: LedgerNote, order_item_id: int, expires_at: datetime | None
    ) -> None:
        """Reserve ``quantity`` units at ``slot`` for an order item (now, or deferred) and count them here."""
        held = Hold(slot, quantity, note, order_item_id, expires_at)
        if self._defer_holds:
            self._pending.append(held)
        else:
            hold(self._session, slot, quantity, note, order_item_id=order_item_id, expires_at=expires_at)
        self._reserved(slot.product.id, slot.inventory_id, quantity)

    def write_holds(self) -> None:
        """Write the deferred holds: one alone as an ordinary hold (one statement on PostgreSQL), many
        together (``hold_many``: three statements, however many)."""
        pending, self._pending = self._pending, []
        if len(pending) == 1:
            (only,) = pending
            hold(self._session, only.slot, only.quantity, only.note, order_item_id=only.order_item_id,
                 expires_at=only.expires_at)
        elif pending:
            hold_many(self._session, pending)

    def _reserved(self, product_id: int, inventory_id: int, quantity: int) -> None:
        """``quantity`` units of the row were just reserved by this transaction."""
        rows = self._by_product[product_id]
        for index, (candidate, location_id) in enumerate(rows):
            if candidate.inventory_id == inventory_id:
                changed = StockCandidate(inventory_id, candidate.location, candidate.sort_key,
                                         candidate.available - quantity)
                rows[index] = (changed, location_id)
                return
        raise KeyError(f"stock row {inventory_id} is not one of product {product_id}'s")

    def forget(self, product_ids: Iterable[int]) -> None:
        """Something else is to change these products' rows: write the deferred holds first (their
        ledger rows must come before the other change's), and read the rows again when next asked."""
        self.write_holds()
        for product_id in product_ids:
            self._by_product.pop(product_id, None)
