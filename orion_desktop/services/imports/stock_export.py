"""Stock levels to a CSV file that the stock import reads back."""

from __future__ import annotations

from pathlib import Path

from orion_desktop.db.engine import Database
from orion_desktop.db.models import Inventory, Location, Product, Store
from orion_desktop.domain import gtin as gtin_rules
from orion_desktop.services import safe_files
from orion_desktop.services.lookup import resolve_store
from orion_desktop.services.read_scope import in_stores, scope_of
from orion_desktop.services.stock.rows import stock_rows

EXPORT_COLUMNS = (
    "store",
    "sku",
    "gtin",
    "title",
    "location",
    "quantity",
    "reserved_quantity",
    "available_quantity",
)


def export_stock(database: Database, path: Path, store: str | None = None, *, overwrite: bool = False) -> int:
    """Write every stock row (of one store, or all) as CSV that import_stock reads back.

    Refuses the database's own files, and an existing file unless ``overwrite`` (the user
    agreed). The file is written beside the target and moved into place, so a failed export
    never leaves half a file. Returns the number of rows written.
    """
    # Refused before the query: a wrong target costs nothing.
    safe_files.check_target(path, database_file=database.sqlite_path, overwrite=overwrite)
    scope = scope_of(database)  # the signed-in user's stores only
    with database.read() as session:
        query = stock_rows().order_by(Store.code, Product.sku, Location.sort_key, Location.code)
        if scope is not None:
            query = query.where(in_stores(Inventory.store_id, scope))
        if store is not None and str(store).strip():
            query = query.where(Inventory.store_id == resolve_store(session, store, scope).id)
        rows = session.execute(query).all()
    lines = (
        (
            row.store_code,
            row.sku,
            gtin_rules.display_gtin(row.gtin) or "",
            row.title,
            row.location,
            row.quantity,
            row.reserved_quantity,
            row.quantity - row.reserved_quantity,
        )
        for row in rows
    )
    return safe_files.write_csv(path, EXPORT_COLUMNS, lines, database_file=database.sqlite_path, overwrite=overwrite)
