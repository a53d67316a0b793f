"""Low stock: the one definition, in SQL, that every list and count of low stock uses.

A stock row (a product at a location) is **low** when

- **threshold**: its available units (on hand minus reserved) are at or below the threshold: the
  one asked for, else the product's own low-stock threshold, else ``DEFAULT_LOW_STOCK_THRESHOLD``
  (10); or, when reorder points are asked for too,
- **reorder point**: its product's available units, all locations together, are at or below the
  product's reorder point. Then every location of that product is listed, even a full one.

Who asks which question:

- ``stock stats`` (``low_stock_count``) and ``stock low`` keep the inventory spec's meaning:
  thresholds only. ``stock low --reorder-points`` asks the screens' question.
- The Dashboard's low-stock tile and the Low stock page (as it opens) ask with reorder points
  (``REORDER_POINTS_ON_SCREENS``); unticking "Also products at their reorder point" on the page
  asks the thresholds-only question, the CLI's and the stats' one.

``StockQueries.low_stock``/``stats`` and ``ReportService.low_stock``/``low_stock_count`` all
select from ``low_stock_rows``, so the same question gets the same rows everywhere.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    SQLColumnExpression,
    Subquery,
    func,
    literal,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from orion_desktop.db.models import Inventory, Location, Product, Store
from orion_desktop.db.typing_aliases import AnySelect
from orion_desktop.domain.validation import DEFAULT_LOW_STOCK_THRESHOLD, REORDER_POINTS_ON_SCREENS
from orion_desktop.services.read_scope import in_stores

# Exactly the expression of ix_inventory_available, so that index serves the ranges below.
_AVAILABLE = Inventory.quantity - Inventory.reserved_quantity


def low_stock_level(override: int | None) -> ColumnElement[int]:
    """The low-stock threshold per row: the override, else the product's own, else the default."""
    if override is not None:
        return literal(override)
    return func.coalesce(Product.low_stock_threshold, DEFAULT_LOW_STOCK_THRESHOLD)


def threshold_bound(session: Session) -> int:
    """No product's low-stock threshold is above this.

    ``available <= bound`` is a range that ``ix_inventory_available`` serves, so the low-stock
    queries read only the rows near empty instead of joining every stock row to its product.
    One probe of ``ix_products_low_stock_threshold``.
    """
    highest = session.execute(select(func.max(Product.low_stock_threshold))).scalar_one()
    return max(DEFAULT_LOW_STOCK_THRESHOLD, highest or 0)


def below_threshold(session: Session, override: int | None) -> tuple[ColumnElement[bool], ...]:
    """The threshold half of the definition, as conditions on Inventory joined to Product."""
    bound = override if override is not None else threshold_bound(session)
    return (_AVAILABLE <= bound, _AVAILABLE <= low_stock_level(override))


def _at_reorder_point() -> ColumnElement[bool]:
    """The reorder-point half: rows of products whose available units, all locations together,
    are at or below their reorder point (ix_products_reorder_point finds the few that have one)."""
    other = Inventory.__table__.alias("other_rows")
    product_total = (
        select(func.sum(other.c.quantity - other.c.reserved_quantity))
        .where(other.c.product_id == Product.id)
        .scalar_subquery()
    )
    products = select(Product.id).where(Product.reorder_point.is_not(None), product_total <= Product.reorder_point)
    return Inventory.product_id.in_(products)


def _low_stock_select(
    session: Session,
    columns: tuple[SQLColumnExpression[Any], ...],
    *,
    threshold: int | None,
    reorder_points: bool,
    store_id: int | None,
    stores: frozenset[str] | None,
    named: bool,
) -> AnySelect | CompoundSelect[*tuple[Any, ...]]:
    """``columns`` of the low rows (of one store, and of the ``stores`` the reads are scoped to);
    ``named`` joins the store and location for their codes."""
    level = low_stock_level(threshold)

    def rows_where(*conditions: ColumnElement[bool]) -> AnySelect:
        query = select(*columns).select_from(Inventory).join(Product, Product.id == Inventory.product_id)
        if named:
            query = query.join(Store, Store.id == Inventory.store_id)
            query = query.join(Location, Location.id == Inventory.location_id)
        query = query.where(*conditions)
        if stores is not None:
            query = query.where(in_stores(Inventory.store_id, stores))
        return query if store_id is None else query.where(Inventory.store_id == store_id)

    by_threshold = rows_where(*below_threshold(session, threshold))
    if not reorder_points:
        return by_threshold
    # The rows above their threshold that are listed for their product's reorder point (each row once).
    return union_all(by_threshold, rows_where(_at_reorder_point(), _AVAILABLE > level))


def low_stock_rows(
    session: Session,
    *,
    threshold: int | None,
    reorder_points: bool,
    store_id: int | None = None,
    stores: frozenset[str] | None = None,
) -> Subquery:
    """The low stock rows, unordered, with the columns every caller needs.

    Columns: product_id, location_id, store_code, store_name, sku, title, location, sort_key,
    quantity, available, threshold. The stock row is named by product and location (both in
    ix_inventory_available, so the threshold part reads no table row of inventory).
    """
    columns: tuple[SQLColumnExpression[Any], ...] = (
        Inventory.product_id,
        Inventory.location_id,
        Store.code.label("store_code"),
        Store.name.label("store_name"),
        Product.sku,
        Product.title,
        Location.code.label("location"),
        Location.sort_key,
        Inventory.quantity,
        _AVAILABLE.label("available"),
        low_stock_level(threshold).label("threshold"),
    )
    query = _low_stock_select(
        session,
        columns,
        threshold=threshold,
        reorder_points=reorder_points,
        store_id=store_id,
        stores=stores,
        named=True,
    )
    return query.subquery("low_stock")


def count_low_stock(
    session: Session,
    *,
    threshold: int | None,
    reorder_points: bool,
    store_id: int | None = None,
    stores: frozenset[str] | None = None,
) -> AnySelect:
    """How many rows ``low_stock_rows`` holds, as a query (stats() embeds it in its one statement).

    The same rows without their names: no join to stores and locations just to count.
    """
    rows = _low_stock_select(
        session,
        (Inventory.product_id, Inventory.location_id),
        threshold=threshold,
        reorder_points=reorder_points,
        store_id=store_id,
        stores=stores,
        named=False,
    ).subquery("low_stock")
    return select(func.count()).select_from(rows)


__all__ = [
    "REORDER_POINTS_ON_SCREENS",
    "below_threshold",
    "count_low_stock",
    "low_stock_level",
    "low_stock_rows",
    "threshold_bound",
]
