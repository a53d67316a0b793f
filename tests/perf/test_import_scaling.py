"""A products import of new SKUs must cost about linearly in its lines (ARCHITECTURE.md: budgets).

A 100k-line file of new products on a fresh SQLite file never finished: every chunk looked up
its SKUs with a join SQLite (no statistics yet) started from the store's products, reading the
whole SKU list once per product already imported, so each chunk cost more than the one before
(services/imports/lookups.py: sku_rows). The 100k budget in test_import_perf.py did not see it:
its products exist and are analyzed before it starts.

Here the same import runs at 1k and at 10k lines, alternately, each into a new store of one
database, with chunks of 500 lines so the larger file has 20 chunks: linear costs 10x (fixed
costs make it less), the quadratic lookup cost about 200x. Seconds either way.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

import pytest

from orion_desktop.bootstrap import Services
from orion_desktop.db.engine import Database
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.enums import Role
from orion_desktop.services.imports import csv_files

from .budgets import check_ratio
from .conftest import measure_pair, record

pytestmark = pytest.mark.perf

SMALL, LARGE = 1_000, 10_000
CHUNK = 500
BUDGET = 15.0
"""10x the lines may cost at most 15x the time: linear with room for noise, far below quadratic."""
MANAGER = Actor(name="perf", role=Role.MANAGER)
ADMIN = Actor(name="perf", role=Role.ADMIN)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_new_products_import_cost_grows_linearly(
    backend: str,
    perf_database: Callable[[str, str], Database],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(csv_files, "CHUNK_LINES", CHUNK)
    database = perf_database(backend, "import_scaling")
    services = Services.on(database)
    runs, warmup = 3, 1

    def prepared(lines: int) -> Callable[[], object]:
        """Files written and stores made before the clock starts; each call imports the next one."""
        files = iter([_new_products_file(services, tmp_path, lines) for _ in range(runs + warmup)])

        def run() -> None:
            result = services.importing.import_products(MANAGER, next(files))
            assert result.created == lines
        return run

    small, large = measure_pair(prepared(SMALL), prepared(LARGE), runs=runs, warmup=warmup)
    record(f"products import, new SKUs, {backend}: {SMALL} lines {small}; {LARGE} lines {large}")
    check_ratio(
        "products import, new SKUs, 10x the lines", database=backend, size=f"{SMALL} vs {LARGE} lines",
        service_ms=large.median_ms, baseline_ms=small.median_ms, budget=BUDGET, baseline=f"{SMALL} lines",
    )


_ROUNDS = itertools.count(1)


def _new_products_file(services: Services, folder: Path, lines: int) -> Path:
    """A new store and a file of new products for it.

    SKUs differ between rounds too, so no SKU matches another round's product (a SKU lookup
    probes every store's product of that spelling).
    """
    n = next(_ROUNDS)
    store = f"S{n}"
    services.catalog.add_store(ADMIN, code=store, name=store)
    path = folder / f"products-{n}.csv"
    path.write_text(
        "store,sku,title\n" + "".join(f"{store},R{n}-{i:06d},Product {i}\n" for i in range(lines)), encoding="utf-8"
    )
    return path
