"""The waiting-items question every stock increase asks (services/stock/backorders.py) sums an item's
open reservations only for items of waiting orders: read the order first, then sum. A product with a
long history has many items of shipped orders; summing for each of them cost a return 325 us of
1.2 ms on SQLite at 600 past orders (docs/performance.md: a return onto the shelf)."""

from __future__ import annotations

import pytest

from orion_desktop.db.engine import Database
from orion_desktop.services.stock.backorders import _FIRST_WAITING_FOR_ONE, _WAITING_FOR_ONE


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
@pytest.mark.parametrize("question", [_FIRST_WAITING_FOR_ONE, _WAITING_FOR_ONE], ids=["first 16", "the rest"])
def test_the_order_is_read_before_its_items_reservations_are_summed(database: Database, question: object) -> None:
    statement = question.statement.params(product_id=1)  # type: ignore[attr-defined]
    with database.engine.begin() as conn:
        sql = str(statement.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
        steps = [str(row[-1]) for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql).all()]
    orders = next(n for n, step in enumerate(steps) if step.startswith("SEARCH orders"))
    sums = [n for n, step in enumerate(steps) if step.startswith("CORRELATED SCALAR SUBQUERY")]
    assert sums and all(orders < n for n in sums), steps
