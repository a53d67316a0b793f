"""``stock verify``: invariants L and R over the whole database (ARCHITECTURE.md: invariants).

L: each (product, location) ledger adds up to its stock row, and its newest row's after-values match.
R: each stock row's reserved units are the open parts of its reservations.
"""

from __future__ import annotations

from sqlalchemy import (
    SQLColumnExpression,
    and_,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import Session

from orion_desktop.db.models import Inventory, InventoryReservation, InventoryTransaction, Location, Product
from orion_desktop.db.typing_aliases import AnySelect
from orion_desktop.domain.results import (
    LedgerMismatch,
    ReservationMismatch,
    VerifyReport,
)
from orion_desktop.services.read_scope import in_stores


def verify_ledger(session: Session, stores: frozenset[str] | None = None) -> VerifyReport:
    """Invariants L and R over the stock rows and ledgers of ``stores`` (None: every store)."""
    ledger = InventoryTransaction

    def scoped(query: AnySelect, store_id: SQLColumnExpression[int]) -> AnySelect:
        return query if stores is None else query.where(in_stores(store_id, stores))

    sums = (
        scoped(select(
            ledger.product_id,
            ledger.location_id,
            func.sum(ledger.quantity_change).label("dq"),
            func.sum(ledger.reserved_change).label("dr"),
            func.max(ledger.id).label("last_id"),
            func.count().label("n"),
        ), ledger.store_id)
        .group_by(ledger.product_id, ledger.location_id)
        .subquery()
    )
    last = ledger.__table__.alias("last_row")
    # Full comparison both ways: stock rows with a wrong or missing ledger, and ledgers
    # of deleted rows that do not end at zero.
    with_stock = scoped(
        select(
            Product.sku,
            Location.code,
            Inventory.quantity,
            Inventory.reserved_quantity,
            func.coalesce(sums.c.dq, 0),
            func.coalesce(sums.c.dr, 0),
            last.c.quantity_after,
            last.c.reserved_after,
        )
        .join(Product, Product.id == Inventory.product_id)
        .join(Location, Location.id == Inventory.location_id)
        .outerjoin(
            sums, and_(sums.c.product_id == Inventory.product_id, sums.c.location_id == Inventory.location_id)
        )
        .outerjoin(last, last.c.id == sums.c.last_id)
        .where(
            or_(
                sums.c.product_id.is_(None) & ((Inventory.quantity != 0) | (Inventory.reserved_quantity != 0)),
                sums.c.dq != Inventory.quantity,
                sums.c.dr != Inventory.reserved_quantity,
                last.c.quantity_after != Inventory.quantity,
                last.c.reserved_after != Inventory.reserved_quantity,
            )
        ),
        Inventory.store_id,
    )
    orphaned = scoped(
        select(
            Product.sku,
            Location.code,
            literal(0),
            literal(0),
            sums.c.dq,
            sums.c.dr,
            last.c.quantity_after,
            last.c.reserved_after,
        )
        .select_from(sums)
        .join(Product, Product.id == sums.c.product_id)
        .join(Location, Location.id == sums.c.location_id)
        .join(last, last.c.id == sums.c.last_id)
        .outerjoin(
            Inventory, and_(Inventory.product_id == sums.c.product_id, Inventory.location_id == sums.c.location_id)
        )
        .where(Inventory.id.is_(None), or_(sums.c.dq != 0, sums.c.dr != 0)),
        Product.store_id,
    )
    mismatches = tuple(
        LedgerMismatch(
            sku=r[0],
            location=r[1],
            quantity=int(r[2]),
            reserved_quantity=int(r[3]),
            ledger_quantity=int(r[4]),
            ledger_reserved=int(r[5]),
            last_quantity_after=r[6],
            last_reserved_after=r[7],
        )
        for query in (with_stock, orphaned)
        for r in session.execute(query).all()
    )
    rows_checked = session.execute(scoped(select(func.count(Inventory.id)), Inventory.store_id)).scalar_one()
    ledger_rows = session.execute(scoped(select(func.count(ledger.id)), ledger.store_id)).scalar_one()
    return VerifyReport(
        rows_checked=rows_checked,
        ledger_rows=ledger_rows,
        mismatches=mismatches,
        reservation_mismatches=_reservation_mismatches(session, stores),
    )


def _reservation_mismatches(session: Session, stores: frozenset[str] | None) -> tuple[ReservationMismatch, ...]:
    """Invariant R: each row's reserved quantity equals the open parts of its reservations."""
    r = InventoryReservation
    open_parts = (
        select(
            r.inventory_id,
            func.sum(r.quantity_reserved - r.quantity_fulfilled - r.quantity_released).label("open_quantity"),
        )
        .where(r.status == "active")
        .group_by(r.inventory_id)
        .subquery()
    )
    query = (
        select(Product.sku, Location.code, Inventory.reserved_quantity, func.coalesce(open_parts.c.open_quantity, 0))
        .join(Product, Product.id == Inventory.product_id)
        .join(Location, Location.id == Inventory.location_id)
        .outerjoin(open_parts, open_parts.c.inventory_id == Inventory.id)
        .where(Inventory.reserved_quantity != func.coalesce(open_parts.c.open_quantity, 0))
    )
    if stores is not None:
        query = query.where(in_stores(Inventory.store_id, stores))
    rows = session.execute(query).all()
    return tuple(
        ReservationMismatch(sku, code, int(reserved), int(open_quantity)) for sku, code, reserved, open_quantity in rows
    )
