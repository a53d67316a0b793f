"""Reservations expiring (issue 12, item 2): ``order expire`` of a batch of processing orders past their
deadline, against hand-written raw SQL doing the same (``raw_writes.raw_expire``). Each call expires
its own batch: the service's batches and the raw side's have deadlines that interleave, one call
apart, and each side is asked at a moment that catches its batch only. Measured as the other write
paths are (interleaved medians, ``stock verify`` afterwards); budget 2x raw on PostgreSQL, 3x on SQLite."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from orion_desktop.domain.order_results import OrderLine

from .raw_writes import raw_expire
from .write_pairs import (
    MANAGER,
    RUNS,
    WARMUP,
    check_against_raw,
    expect_known_miss,
    raw_connection,
    stocked_warehouse,
    time_both_sides,
)

pytestmark = pytest.mark.perf

BATCH = 4  # orders expired by one call
BASE = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)


def deadline(call: int, side: str) -> datetime:
    """Call ``call``'s batch: the service's at +1 s, the raw side's at +5 s, calls 10 s apart."""
    return BASE + timedelta(seconds=10 * call + (1 if side == "SVC" else 5))


def test_expiring_a_batch_of_reservations_costs_at_most_2x_raw_sql(
    backend: str, perf_database: Any, perf: Any, request: pytest.FixtureRequest
) -> None:
    expect_known_miss(request, "expiry", backend)
    database = perf_database(backend, "expiry")
    services = stocked_warehouse(database, "SVC", "RAW")
    calls = RUNS + WARMUP
    for call in range(calls):
        for side in ("SVC", "RAW"):
            for _ in range(BATCH):
                number = services.orders.create_order(MANAGER, store="MAIN", lines=[OrderLine(side, 2)],
                                                      reservation_expires_at=deadline(call, side))
                services.orders.change_status(MANAGER, number, "processing")
    raw = raw_connection(database)
    done = {"SVC": 0, "RAW": 0}

    def service_call() -> None:
        moment = deadline(done["SVC"], "SVC") + timedelta(seconds=1)
        done["SVC"] += 1
        assert len(services.orders.expire_reservations(MANAGER, now=moment).order_numbers) == BATCH

    def raw_call() -> None:
        moment = deadline(done["RAW"], "RAW") + timedelta(seconds=1)
        done["RAW"] += 1
        assert raw_expire(raw, moment.strftime("%Y-%m-%d %H:%M:%S.%f") if raw.sqlite else moment) == BATCH

    service, baseline = time_both_sides(perf, services, raw, service_call, raw_call)
    with database.engine.connect() as conn:  # every order of both sides is back to pending, nothing held
        pending = conn.execute(text("SELECT count(*) FROM orders WHERE status = 'pending'")).scalar_one()
        held = conn.execute(text("SELECT count(*) FROM inventory_reservations WHERE status = 'active'")).scalar_one()
    assert (pending, held) == (2 * calls * BATCH, 0)
    check_against_raw(perf, "expiry", backend, f"{BATCH} orders of 1 line a call", service, baseline)
