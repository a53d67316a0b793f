"""One CSV import (or the raw ``executemany`` it is compared with) in a fresh interpreter, for
tests/perf/test_import_memory.py. The process's own peak memory (VmHWM) is then the import's,
not pytest's or another test's::

    python tests/perf/import_memory_probe.py <database URL> <what> <csv file>

``what`` is ``stock`` or ``products`` (the real service, ``Services.importing``), or
``raw-stock`` / ``raw-products``: the same rows written with a bare DBAPI ``executemany`` and
every id known. A raw stock run writes each line at location ``R..`` instead of the file's
``S..``; a raw products run writes into store ``P-R`` instead of ``P-S``. The raw rows are built
before the clock starts. Prints one JSON object: seconds, VmHWM and VmRSS at the start (kB),
and the result or the refusal.
"""

from __future__ import annotations

import csv
import json
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def status_kb(field: str) -> int:
    """A field of /proc/self/status (Linux), in kB: VmHWM is the peak resident memory so far."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


INSERT_STOCK = (
    "INSERT INTO inventory (store_id, product_id, location_id, quantity, reserved_quantity, created_at, updated_at) "
    "VALUES (?, ?, ?, ?, 0, ?, ?)"
)
INSERT_LEDGER = (
    "INSERT INTO inventory_transactions (store_id, product_id, location_id, transaction_type, quantity_change, "
    "reserved_change, quantity_after, reserved_after, order_id, order_number, reason, created_by, created_at, "
    "operation_key) VALUES (?, ?, ?, 'import', ?, 0, ?, 0, NULL, NULL, 'raw', 'perf', ?, NULL)"
)
INSERT_PRODUCT = (
    "INSERT INTO products (store_id, sku, gtin, title, product_type, is_placeholder, low_stock_threshold, "
    "reorder_point, created_at) VALUES (?, ?, ?, ?, 'physical', ?, NULL, NULL, ?)"
)


def _raw_work(database: Any, what: str, path: Path) -> list[tuple[str, list[tuple[Any, ...]]]]:
    """The statements and parameter rows of a raw run, read from the same file."""
    now: Any = datetime.now(UTC)
    if database.is_sqlite:
        now = now.strftime("%Y-%m-%d %H:%M:%S.%f")  # as SQLAlchemy stores a DateTime in SQLite
    with database.engine.connect() as conn:
        stores = dict(conn.exec_driver_sql("SELECT code, id FROM stores").all())
        with path.open(encoding="utf-8", newline="") as handle:
            lines = csv.reader(handle)
            next(lines)
            if what == "raw-products":
                false = 0 if database.is_sqlite else False
                store = stores["P-R"]
                return [(INSERT_PRODUCT, [(store, sku, gtin.rjust(14, "0"), title, false, now)
                                          for _store, sku, title, gtin in lines])]
            main = stores["MAIN"]
            locations = dict(conn.exec_driver_sql("SELECT code, id FROM locations").all())
            products = dict(conn.exec_driver_sql(f"SELECT sku, id FROM products WHERE store_id = {main}").all())
            rows = [(main, products[sku], locations["R" + code[1:]], int(qty)) for _store, sku, code, qty in lines]
    return [
        (INSERT_STOCK, [(store, product, location, qty, now, now) for store, product, location, qty in rows]),
        (INSERT_LEDGER, [(store, product, location, qty, qty, now) for store, product, location, qty in rows]),
    ]


def _raw(database: Any, work: list[tuple[str, list[tuple[Any, ...]]]]) -> None:
    raw = database.engine.raw_connection()
    try:
        cursor = raw.cursor()
        if database.is_sqlite:
            cursor.execute("BEGIN IMMEDIATE")  # the connection is in autocommit mode (see db/engine.py)
        for sql, rows in work:
            cursor.executemany(sql if database.is_sqlite else sql.replace("?", "%s"), rows)
        if database.is_sqlite:
            cursor.execute("COMMIT")
        else:
            raw.commit()
    finally:
        raw.close()


def main(url: str, what: str, path: Path) -> dict[str, object]:
    from orion_desktop.bootstrap import Services
    from orion_desktop.db.engine import Database
    from orion_desktop.domain.actor import Actor
    from orion_desktop.domain.enums import Role
    from orion_desktop.domain.errors import OrionError
    from orion_desktop.services.imports import service  # noqa: F401  (loaded before the clock, as in the app)

    database = Database(url)
    services = Services.on(database)
    actor = Actor(name="perf", role=Role.MANAGER)
    outcome: dict[str, object] = {}
    if what.startswith("raw-"):
        work = _raw_work(database, what, path)
        started_kb = status_kb("VmRSS")
        started = time.perf_counter()
        _raw(database, work)
    else:
        started_kb = status_kb("VmRSS")
        started = time.perf_counter()
        try:
            result = getattr(services.importing, f"import_{what}")(actor, path)
            outcome = {"created": result.created, "updated": result.updated, "rows": result.rows}
        except OrionError as error:
            problems = getattr(error, "problems", ())
            outcome = {"refused": str(error)[:2000], "problems": len(problems)}
    seconds = time.perf_counter() - started
    database.dispose()
    return {"seconds": round(seconds, 3), "start_kb": started_kb, "peak_kb": status_kb("VmHWM"), **outcome}


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2], Path(sys.argv[3]))), flush=True)
    os._exit(0)
