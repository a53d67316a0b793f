"""A stateful property test: hypothesis drives random sequences of stock and order requests through
``Services.perform`` and, after every step, checks invariants L and R (``stock verify``), that no
stock row's available units are negative and that the on-hand units per product match a model kept
beside the database. On SQLite and on PostgreSQL; small enough for the default run (25 examples of
20 steps); ``ORION_STATEFUL_EXAMPLES`` and ``ORION_STATEFUL_STEPS`` make it longer.

Each example works in a store of its own on one database per test (a fresh database per example
would cost more than the steps), so the checks cover what earlier examples left too.
"""

from __future__ import annotations

import itertools
import os
from collections import Counter
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test
from sqlalchemy import text
from stress_run import CHECKS

from orion_desktop.bootstrap import Services
from orion_desktop.db.engine import Database
from orion_desktop.domain import requests as rq
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.enums import Role
from orion_desktop.domain.errors import DatabaseUnavailable, OrionError

SKUS = ("A", "B")
LOCATIONS = ("S1", "S2")
MANAGER = Actor(name="model", role=Role.MANAGER)
ADMIN = Actor(name="admin", role=Role.ADMIN)
EXAMPLES = int(os.environ.get("ORION_STATEFUL_EXAMPLES", "25"))
STEPS = int(os.environ.get("ORION_STATEFUL_STEPS", "20"))
_stores = itertools.count(1)

skus = st.sampled_from(SKUS)
locations = st.sampled_from(LOCATIONS)
amounts = st.integers(min_value=1, max_value=6)


class StockAndOrders(RuleBasedStateMachine):
    """The model: on-hand units per SKU of this example's store, and the orders it created."""

    services: Services

    def __init__(self) -> None:
        super().__init__()
        self.store = f"E{os.getpid()}X{next(_stores)}"
        self.on_hand: Counter[str] = Counter()
        self.orders: list[str] = []
        self.refusals: Counter[str] = Counter()

    def perform(self, request: rq.Request[Any]) -> Any:
        """The request's result, or None when the services refused it with a sentence (nothing changed)."""
        try:
            return self.services.perform(MANAGER, request)
        except DatabaseUnavailable:
            raise  # never expected here: the database is up
        except OrionError as error:
            assert str(error).strip(), "a refusal without a sentence"
            self.refusals[type(error).__name__] += 1
            return None

    @initialize()
    def catalog(self) -> None:
        self.services.perform(ADMIN, rq.AddStore(code=self.store, name="Model store"))
        for sku in SKUS:
            self.services.perform(ADMIN, rq.AddProduct(store=self.store, sku=sku, title=f"Model {sku}"))

    # --- stock -----------------------------------------------------------------------------------

    @rule(sku=skus, location=locations, quantity=st.integers(min_value=0, max_value=15))
    def set_stock(self, sku: str, location: str, quantity: int) -> None:
        change = self.perform(rq.SetStock(store=self.store, product=sku, location=location, quantity=quantity))
        if change is not None:
            assert change.quantity_after == quantity
            self.on_hand[sku] += change.quantity_change

    @rule(sku=skus, location=locations, delta=st.integers(min_value=-6, max_value=8).filter(bool))
    def adjust(self, sku: str, location: str, delta: int) -> None:
        change = self.perform(rq.AdjustStock(store=self.store, product=sku, location=location, delta=delta,
                                             reason="model"))
        if change is not None:
            assert change.quantity_change == delta
            self.on_hand[sku] += delta

    @rule(sku=skus, source=locations, quantity=amounts)
    def transfer(self, sku: str, source: str, quantity: int) -> None:
        other = next(loc for loc in LOCATIONS if loc != source)
        self.perform(rq.TransferStock(store=self.store, product=sku, source=source, destination=other,
                                      quantity=quantity))  # on-hand per product unchanged either way

    @rule(sku=skus, location=locations, quantity=amounts)
    def hold(self, sku: str, location: str, quantity: int) -> None:
        self.perform(rq.ReserveStock(store=self.store, product=sku, location=location, quantity=quantity))

    @rule(sku=skus, location=locations, quantity=amounts)
    def release(self, sku: str, location: str, quantity: int) -> None:
        self.perform(rq.ReleaseStock(store=self.store, product=sku, location=location, quantity=quantity))

    @rule(sku=skus, location=locations)
    def delete(self, sku: str, location: str) -> None:
        change = self.perform(rq.DeleteStock(store=self.store, product=sku, location=location))
        if change is not None:
            self.on_hand[sku] += change.quantity_change

    # --- orders ----------------------------------------------------------------------------------

    @rule(lines=st.lists(st.tuples(skus, amounts), min_size=1, max_size=2))
    def create_order(self, lines: list[tuple[str, int]]) -> None:
        number = self.perform(rq.CreateOrder(
            store=self.store, lines=tuple(rq.OrderLine(product=s, quantity=q) for s, q in lines),
            number=f"{self.store}-{len(self.orders) + 1}"))
        if number is not None:
            self.orders.append(number)

    @rule(data=st.data(), status=st.sampled_from(("processing", "cancelled")))
    def change_status(self, data: st.DataObject, status: str) -> None:
        if self.orders:
            self.perform(rq.ChangeOrderStatus(order_number=data.draw(st.sampled_from(self.orders)), target=status))

    @rule(data=st.data(), quantity=st.one_of(st.none(), amounts))
    def ship_item(self, data: st.DataObject, quantity: int | None) -> None:
        if not self.orders:
            return
        order = self.services.order_queries.get_order(data.draw(st.sampled_from(self.orders)))
        item = data.draw(st.sampled_from(order.items))
        result = self.perform(rq.ShipItem(order_number=order.order_number, item=item.id, quantity=quantity))
        if result is not None:
            assert result.shipped_quantity == item.shipped_quantity + result.fulfilled_quantity
            self.on_hand[item.sku] -= result.fulfilled_quantity

    @rule(data=st.data(), location=locations, damaged=st.booleans())
    def return_one(self, data: st.DataObject, location: str, damaged: bool) -> None:
        if not self.orders:
            return
        order = self.services.order_queries.get_order(data.draw(st.sampled_from(self.orders)))
        item = data.draw(st.sampled_from(order.items))
        result = self.perform(rq.ReturnItem(order_number=order.order_number, item=item.id, quantity=1,
                                            location=location, damaged=damaged))
        if result is not None and result.restocked_location is not None:
            self.on_hand[item.sku] += result.quantity

    # --- after every step ------------------------------------------------------------------------

    @invariant()
    def ledger_reservations_and_available(self) -> None:
        report = self.services.stock.verify()
        assert report.ok, report.problems()  # L and R
        with self.services.database.engine.connect() as conn:
            for name, sql in CHECKS.items():  # no negative available, shipped = parcels = ledger, ...
                rows = conn.execute(text(sql)).fetchall()
                assert not rows, f"{name}: {rows[:5]}"
            levels: dict[str, int] = dict(conn.execute(text(
                "SELECT p.sku, SUM(i.quantity) FROM inventory i JOIN products p ON p.id = i.product_id "
                "JOIN stores s ON s.id = p.store_id WHERE s.code = :store GROUP BY p.sku"),
                {"store": self.store}).all())
        assert {s: levels.get(s, 0) for s in SKUS} == {s: self.on_hand[s] for s in SKUS}


def test_stock_and_order_steps_keep_the_invariants(database_url: str) -> None:
    database = Database(database_url)
    StockAndOrders.services = Services.on(database)
    try:
        run_state_machine_as_test(StockAndOrders, settings=settings(
            max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None, derandomize=False,
            suppress_health_check=[HealthCheck.too_slow], database=None))
    finally:
        database.dispose()
