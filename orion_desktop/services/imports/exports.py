"""Products, orders and the ledger to CSV files (stock is in :mod:`stock_export`).

Each export writes the columns the matching import reads, so an exported file can be imported
again (into another database, or after editing it in a spreadsheet): products as the product
import reads them, orders one line per order item as the order import reads them. The ledger has
no import; it is written for people and spreadsheets. Every file goes through ``safe_files``:
never onto the database, an existing file only when allowed, cells safe from spreadsheet formulas.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path

from sqlalchemy import SQLColumnExpression, select

from orion_desktop.db.engine import Database
from orion_desktop.db.models import Order, OrderItem, Product, Store
from orion_desktop.db.typing_aliases import AnySelect
from orion_desktop.domain import gtin as gtin_rules
from orion_desktop.domain.enums import TransactionType
from orion_desktop.domain.orders import parse_status
from orion_desktop.domain.results import LedgerEntry
from orion_desktop.services import safe_files
from orion_desktop.services.lookup import resolve_store
from orion_desktop.services.read_scope import in_stores, scope_of
from orion_desktop.services.stock.ledger import read_ledger

PRODUCT_COLUMNS = ("store", "sku", "title", "gtin", "product_type", "low_stock_threshold", "reorder_point")
ORDER_COLUMNS = ("order_number", "store", "customer", "email", "channel", "status", "sku", "quantity",
                 "shipped_quantity")
LEDGER_COLUMNS = ("id", "time_utc", "change", "store", "sku", "location", "quantity_change", "reserved_change",
                  "quantity_after", "reserved_after", "order_number", "reason", "user")
_LEDGER_PAGE = 5000  # rows per query while the ledger is written out (keyset paging: flat memory)
_ORDER_PAGE = 2000


def _store_id(database: Database, store: str | None) -> int | None:
    if store is None or not str(store).strip():
        return None
    with database.read() as session:
        return resolve_store(session, store, scope_of(database)).id  # another store's: not found


def _scoped(database: Database, query: AnySelect, store_id: SQLColumnExpression[int]) -> AnySelect:
    """``query`` kept to the signed-in user's stores (services/read_scope.py)."""
    scope = scope_of(database)
    return query if scope is None else query.where(in_stores(store_id, scope))


def export_products(database: Database, path: Path, store: str | None = None, *, overwrite: bool = False) -> int:
    """Every product (of one store, or all) in the columns the product import reads; returns the row count.

    Placeholder products (made for order lines whose product was unknown) are left out: they are
    not part of the catalog a user keeps.
    """
    safe_files.check_target(path, database_file=database.sqlite_path, overwrite=overwrite)
    store_id = _store_id(database, store)
    query = (
        select(Store.code, Product.sku, Product.title, Product.gtin, Product.product_type,
               Product.low_stock_threshold, Product.reorder_point)
        .join(Store, Store.id == Product.store_id)
        .where(Product.is_placeholder.is_(False))
        .order_by(Store.code, Product.sku, Product.id)
    )
    query = _scoped(database, query, Product.store_id)
    if store_id is not None:
        query = query.where(Product.store_id == store_id)
    with database.read() as session:
        rows = (
            (row.code, row.sku, row.title, gtin_rules.display_gtin(row.gtin) or "", row.product_type,
             _blank(row.low_stock_threshold), _blank(row.reorder_point))
            for row in session.execute(query).yield_per(_ORDER_PAGE)
        )
        return safe_files.write_csv(path, PRODUCT_COLUMNS, rows, database_file=database.sqlite_path,
                                    overwrite=overwrite)


def export_orders(
    database: Database, path: Path, store: str | None = None, status: str | None = None, *, overwrite: bool = False
) -> int:
    """Every order item (of one store and status, or all) as the order import reads it; returns the row count.

    One line per item, the order's customer, e-mail, channel and status repeated on each (the
    import accepts repeats that agree). ``shipped_quantity`` is for people: the import ignores it.
    """
    safe_files.check_target(path, database_file=database.sqlite_path, overwrite=overwrite)
    kind = parse_status(status).value if status is not None and str(status).strip() else None
    store_id = _store_id(database, store)
    query = (
        select(Order.order_number, Store.code, Order.customer_name, Order.customer_email, Order.channel,
               Order.status, OrderItem.sku, OrderItem.quantity, OrderItem.shipped_quantity)
        .join(Store, Store.id == Order.store_id)
        .join(OrderItem, OrderItem.order_id == Order.id)
        .order_by(Order.id, OrderItem.id)
    )
    query = _scoped(database, query, Order.store_id)
    if store_id is not None:
        query = query.where(Order.store_id == store_id)
    if kind is not None:
        query = query.where(Order.status == kind)
    with database.read() as session:
        rows = (
            (row.order_number, row.code, row.customer_name or "", row.customer_email or "", row.channel,
             row.status, row.sku, row.quantity, row.shipped_quantity)
            for row in session.execute(query).yield_per(_ORDER_PAGE)
        )
        return safe_files.write_csv(path, ORDER_COLUMNS, rows, database_file=database.sqlite_path,
                                    overwrite=overwrite)


def export_ledger(
    database: Database,
    path: Path,
    *,
    store: str | None = None,
    product: str | None = None,
    order_number: str | None = None,
    transaction_type: str | TransactionType | None = None,
    location: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    overwrite: bool = False,
) -> int:
    """The ledger rows the same filters show (``stock ledger``, the Ledger page), newest first, all
    of them; returns the row count."""
    safe_files.check_target(path, database_file=database.sqlite_path, overwrite=overwrite)
    with database.read() as session:

        def page_of(limit: int, before: int | None) -> tuple[LedgerEntry, ...]:
            return read_ledger(session, store=store, product=product, order_number=order_number,
                               transaction_type=transaction_type, location=location, since=since, until=until,
                               limit=limit, before_id=before, stores=scope_of(database))

        page_of(1, None)  # a bad filter is refused before the file is started

        def rows() -> Iterator[Sequence[object]]:
            before: int | None = None
            while True:
                page = page_of(_LEDGER_PAGE, before)
                for entry in page:
                    yield (entry.id, f"{entry.created_at:%Y-%m-%d %H:%M:%S}", entry.transaction_type.value,
                           entry.store_code, entry.sku, entry.location, entry.quantity_change,
                           entry.reserved_change, entry.quantity_after, entry.reserved_after,
                           entry.order_number or "", entry.reason or "", entry.created_by or "")
                if len(page) < _LEDGER_PAGE:
                    return
                before = page[-1].id

        return safe_files.write_csv(path, LEDGER_COLUMNS, rows(), database_file=database.sqlite_path,
                                    overwrite=overwrite)


def _blank(value: int | None) -> object:
    return "" if value is None else value
