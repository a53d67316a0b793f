"""Acceptance (issue 14): every request as each role, for the user's own store and a foreign one.

Exactly the allowed requests succeed; a refused one (role, or another store "as if it did not
exist") changes nothing. Every list and report is then checked for foreign-store rows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from orion_desktop.db.models import Base
from orion_desktop.domain import requests as rq
from orion_desktop.domain.actor import SYSTEM, Actor
from orion_desktop.domain.enums import Role
from orion_desktop.domain.errors import NotFound, OrionError, PermissionDenied
from orion_desktop.domain.order_results import OrderLine, ShipRequest
from orion_desktop.services import store_scope
from orion_desktop.services.commands import HANDLERS
from orion_desktop.services.registry import Services

SKIPPED_TABLES = {"users", "user_stores", "user_audit"}


class Scene:
    """Stores A and B, each with a product, stock, an open order, a parcel and a shipped order."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.shipments: dict[str, str] = {}
        self.items: dict[str, int] = {}
        do = services.perform
        for store in ("A", "B"):
            do(SYSTEM, rq.AddStore(store, f"Store {store}"))
        for store in ("A", "B"):
            sku = f"P-{store}"
            do(SYSTEM, rq.AddProduct(store=store, sku=sku, title=f"Product {store}"))
            do(SYSTEM, rq.SetStock(store, sku, "L1", 40))
            do(SYSTEM, rq.SetStock(store, sku, "L3", 0))
            do(SYSTEM, rq.ReserveStock(store, sku, "L1", 3))
            do(SYSTEM, rq.CreateOrder(store, (OrderLine(sku, 4),), number=f"ORD-{store}"))
            do(SYSTEM, rq.CreateOrder(store, (OrderLine(sku, 2),), number=f"PAR-{store}"))
            parcel = do(SYSTEM, rq.PrepareShipment(f"PAR-{store}", (ShipRequest(sku, 1),)))
            self.shipments[store] = parcel.shipment_number
            do(SYSTEM, rq.CreateOrder(store, (OrderLine(sku, 2),), number=f"SHP-{store}"))
            do(SYSTEM, rq.ShipOrder(f"SHP-{store}", (ShipRequest(sku, 2),)))
            self.items[store] = services.order_queries.get_order(f"ORD-{store}").items[0].id

    def request(self, kind: type[rq.Request[Any]], store: str) -> rq.Request[Any]:
        sku, order, shipment = f"P-{store}", f"ORD-{store}", self.shipments[store]
        build: dict[type[rq.Request[Any]], Callable[[], rq.Request[Any]]] = {
            rq.SetStock: lambda: rq.SetStock(store, sku, "L1", 50),
            rq.AdjustStock: lambda: rq.AdjustStock(store, sku, "L1", 1, "found one"),
            rq.ReserveStock: lambda: rq.ReserveStock(store, sku, "L1", 1),
            rq.ReleaseStock: lambda: rq.ReleaseStock(store, sku, "L1", 1),
            rq.FulfillStock: lambda: rq.FulfillStock(store, sku, "L1", 1),
            rq.TransferStock: lambda: rq.TransferStock(store, sku, "L1", "L2", 1),
            rq.DeleteStock: lambda: rq.DeleteStock(store, sku, "L3"),
            rq.CreateOrder: lambda: rq.CreateOrder(store, (OrderLine(sku, 1),)),
            rq.ChangeOrderStatus: lambda: rq.ChangeOrderStatus(order, "processing"),
            rq.ShipOrder: lambda: rq.ShipOrder(order, (ShipRequest(sku, 1),)),
            rq.ShipItem: lambda: rq.ShipItem(order, sku, 1),
            rq.ReturnItem: lambda: rq.ReturnItem(f"SHP-{store}", sku, 1, location="L1"),
            rq.AddOrderNote: lambda: rq.AddOrderNote(order, "call first"),
            rq.ExpireReservations: lambda: rq.ExpireReservations(),
            rq.PrepareShipment: lambda: rq.PrepareShipment(order, (ShipRequest(sku, 1),)),
            rq.AdvanceShipment: lambda: rq.AdvanceShipment(shipment, "picking"),
            rq.AssignShipment: lambda: rq.AssignShipment(shipment, "pat"),
            rq.CancelShipment: lambda: rq.CancelShipment(shipment),
            rq.CompletePacking: lambda: rq.CompletePacking(order, ((self.items[store], 1),)),
            rq.AddStore: lambda: rq.AddStore("C", "Store C"),
            rq.AddLocation: lambda: rq.AddLocation("L9", "Shelf nine"),
            rq.UpdateLocation: lambda: rq.UpdateLocation("L1", name="Front shelf"),
            rq.AddProduct: lambda: rq.AddProduct(store=store, sku="NEW-1", title="New product"),
        }
        return build[kind]()

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        with self.services.database.read() as session:
            return {
                table.name: sorted((tuple(row) for row in session.execute(select(table))), key=repr)
                for table in Base.metadata.sorted_tables
                if table.name not in SKIPPED_TABLES
            }


# The least role each request needs (ARCHITECTURE.md: permissions); None: store-wide, see EVERY_STORE.
MINIMUM_ROLE: dict[type[rq.Request[Any]], Role] = {
    rq.SetStock: Role.MANAGER, rq.AdjustStock: Role.MANAGER, rq.ReserveStock: Role.PACKER,
    rq.ReleaseStock: Role.PACKER, rq.FulfillStock: Role.PACKER, rq.TransferStock: Role.MANAGER,
    rq.DeleteStock: Role.MANAGER, rq.CreateOrder: Role.MANAGER, rq.ChangeOrderStatus: Role.MANAGER,
    rq.ShipOrder: Role.PACKER, rq.ShipItem: Role.PACKER, rq.ReturnItem: Role.MANAGER,
    rq.AddOrderNote: Role.PACKER, rq.ExpireReservations: Role.MANAGER, rq.PrepareShipment: Role.PACKER,
    rq.AdvanceShipment: Role.PACKER, rq.AssignShipment: Role.PACKER, rq.CancelShipment: Role.PACKER,
    rq.CompletePacking: Role.PACKER, rq.AddStore: Role.ADMIN, rq.AddLocation: Role.ADMIN,
    rq.UpdateLocation: Role.ADMIN, rq.AddProduct: Role.MANAGER,
}


def test_every_request_type_has_a_row_and_a_store_rule() -> None:
    assert set(MINIMUM_ROLE) == set(HANDLERS)
    scoped = set(HANDLERS) - store_scope.SHARED - store_scope.EVERY_STORE
    for kind in scoped:
        fields = kind.__dataclass_fields__  # type: ignore[attr-defined]
        assert {"store", "order_number", "shipment_number"} & set(fields), kind


CASES = [(kind, role, target) for kind in MINIMUM_ROLE for role in Role for target in ("A", "B")]


@pytest.mark.parametrize(("kind", "role", "target"), CASES,
                         ids=[f"{k.__name__}-{r.value}-{t}" for k, r, t in CASES])
def test_each_request_as_each_role_for_own_and_foreign_store(
    services: Services, kind: type[rq.Request[Any]], role: Role, target: str
) -> None:
    scene = Scene(services)
    actor = Actor(name="pat", role=role, store_codes=frozenset({"A"}))
    foreign = target == "B" and kind not in store_scope.SHARED
    allowed = role.rank >= MINIMUM_ROLE[kind].rank and not foreign and kind not in store_scope.EVERY_STORE
    before = scene.snapshot()
    request = scene.request(kind, target)
    if allowed:
        services.perform(actor, request)
        assert scene.snapshot() != before
        return
    with pytest.raises(OrionError) as refused:
        services.perform(actor, request)
    if foreign and kind not in store_scope.EVERY_STORE:
        assert isinstance(refused.value, NotFound), refused.value
        # The sentence for a thing that does not exist, naming only what the user typed.
        assert str(refused.value).startswith("There is no "), refused.value
    else:
        assert isinstance(refused.value, PermissionDenied), refused.value
    assert scene.snapshot() == before


def test_lists_and_reports_show_only_the_users_stores(services: Services) -> None:
    scene = Scene(services)
    everything = services.stock.list_stock()
    assert {row.store_code for row in everything} == {"A", "B"}  # unscoped: both stores
    services.scope_reads_to(Actor(name="pat", role=Role.PACKER, store_codes=frozenset({"A"})))
    assert {row.store_code for row in services.stock.list_stock()} == {"A"}
    assert {row.store_code for row in services.stock.list_stock(search="P-")} == {"A"}
    assert {row.store_code for row in services.stock.low_stock(threshold=1000)} == {"A"}
    assert {o.store_code for o in services.order_queries.list_orders()} == {"A"}
    assert {o.store_code for o in services.order_queries.list_orders(search="ORD")} == {"A"}
    assert sum(services.order_queries.status_counts().values()) == 3  # store A's three orders
    assert [s.code for s in services.catalog.list_stores()] == ["A"]
    assert {p.store_code for p in services.catalog.list_products()} == {"A"}
    assert services.order_queries.get_order("ORD-A").store_code == "A"
    with pytest.raises(NotFound, match="^There is no order ORD-B.$"):
        services.order_queries.get_order("ORD-B")
    assert {e.store_code for e in services.stock.ledger(limit=500)} == {"A"}
    with pytest.raises(NotFound, match="^There is no store with code B.$"):
        services.stock.ledger(store="B")
    assert {s.order_number[-1] for s in services.order_queries.open_shipments()} == {"A"}
    assert {s.order_number[-1] for s in services.order_queries.list_shipments(status="shipped")} <= {"A"}
    assert services.order_queries.get_shipment(scene.shipments["A"]).order_number == "PAR-A"
    with pytest.raises(NotFound, match="^There is no shipment "):
        services.order_queries.get_shipment(scene.shipments["B"])
    services.scope_reads_to(SYSTEM)
    assert len(services.stock.list_stock()) == len(everything)
    del scene
