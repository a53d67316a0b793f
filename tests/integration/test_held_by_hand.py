"""Reserve, release and fulfil by hand: the same answers on both databases, and on PostgreSQL in one
call of a server-side function (migration 0009, services/stock/held_on_server.py)."""

from __future__ import annotations

from typing import Any

import pytest
from helpers import ADMIN, GTIN_A, assert_ledger_consistent, seed_catalog
from sqlalchemy import event, text

from orion_desktop.bootstrap import Services
from orion_desktop.db.engine import Database
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.enums import Role
from orion_desktop.domain.errors import InsufficientStock, InvalidInput, NotFound, PermissionDenied

WH = "WAREHOUSE_MAIN"


@pytest.fixture
def shop(services: Services) -> Services:
    seed_catalog(services)
    services.inventory.set_quantity(ADMIN, store="MAIN", product="A", location=WH, quantity=10)
    return services


def _ledger_rows(database: Database) -> int:
    with database.engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM inventory_transactions")).scalar_one())


def _holds(database: Database) -> list[tuple[int, int, int, str]]:
    with database.engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT quantity_reserved, quantity_fulfilled, quantity_released, status FROM inventory_reservations "
            "ORDER BY id"
        ))
        return [tuple(row) for row in rows]


def test_reserve_by_gtin_release_by_sku_in_any_case_and_fulfil_oldest_hold_first(
    shop: Services, database: Database
) -> None:
    held = shop.inventory.reserve(ADMIN, store=" main ", product=GTIN_A, location="warehouse_main", quantity=2,
                                  reason="for a customer")
    assert (held.sku, held.location, held.quantity_after, held.reserved_after) == ("A", WH, 10, 2)
    shop.inventory.reserve(ADMIN, store="MAIN", product="A", location=WH, quantity=3)
    shipped = shop.inventory.fulfill(ADMIN, store="MAIN", product="a", location=WH, quantity=4)
    assert (shipped.quantity_change, shipped.reserved_change, shipped.quantity_after, shipped.reserved_after) == (
        -4, -4, 6, 1)
    assert _holds(database) == [(2, 2, 0, "fulfilled"), (3, 2, 0, "active")]
    released = shop.inventory.release(ADMIN, store="MAIN", product="A", location=WH, quantity=1)
    assert (released.quantity_after, released.reserved_after) == (6, 0)
    assert _holds(database) == [(2, 2, 0, "fulfilled"), (3, 2, 1, "fulfilled")]
    with database.engine.connect() as conn:
        reasons = conn.execute(text(
            "SELECT transaction_type, reason, created_by FROM inventory_transactions "
            "WHERE transaction_type IN ('reserve', 'release', 'fulfill') ORDER BY id"
        )).all()
        notes = conn.execute(text("SELECT notes FROM inventory_reservations ORDER BY id")).scalars().all()
    assert [tuple(row) for row in reasons] == [
        ("reserve", "for a customer", ADMIN.name), ("reserve", None, ADMIN.name),
        ("fulfill", None, ADMIN.name), ("release", None, ADMIN.name),
    ]
    assert notes == ["for a customer", None]
    assert_ledger_consistent(shop)


@pytest.mark.parametrize("call, quantity, sentence", [
    ("reserve", 11, "Insufficient stock for Widget A (A) at WAREHOUSE_MAIN. Available: 8, Requested: 11."),
    ("release", 3, "Cannot release 3 of Widget A (A) at WAREHOUSE_MAIN: only 2 held manually there."),
    ("fulfill", 3, "Cannot ship 3 of Widget A (A) at WAREHOUSE_MAIN: only 2 held manually there."),
])
def test_more_than_there_is_is_refused_with_the_same_sentence_and_changes_nothing(
    shop: Services, database: Database, call: str, quantity: int, sentence: str
) -> None:
    shop.inventory.reserve(ADMIN, store="MAIN", product="A", location=WH, quantity=2)
    before = (_ledger_rows(database), _holds(database))
    with pytest.raises(InsufficientStock) as refused:
        getattr(shop.inventory, call)(ADMIN, store="MAIN", product="A", location=WH, quantity=quantity)
    assert str(refused.value).startswith(sentence)
    assert (_ledger_rows(database), _holds(database)) == before


def test_a_product_without_stock_and_a_missing_row_are_told_as_such(shop: Services, database: Database) -> None:
    # A stock row of a digital product, as an old version or a hand-made fix might have left: refused.
    with database.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO inventory (store_id, product_id, location_id, quantity, reserved_quantity, created_at, "
            "updated_at) SELECT p.store_id, p.id, l.id, 5, 0, i.created_at, i.updated_at FROM products p, "
            "locations l, inventory i WHERE p.sku = 'EBOOK' AND l.code = :wh LIMIT 1"
        ), {"wh": WH})
    before = _ledger_rows(database)
    with pytest.raises(InvalidInput, match="digital product with unlimited stock"):
        shop.inventory.reserve(ADMIN, store="MAIN", product="EBOOK", location=WH, quantity=1)
    with pytest.raises(NotFound, match="There is no stock of Widget B"):
        shop.inventory.reserve(ADMIN, store="MAIN", product="B", location=WH, quantity=1)
    with pytest.raises(NotFound, match="There is no stock of Widget A"):
        shop.inventory.release(ADMIN, store="MAIN", product="A", location="SHELF-9", quantity=1)
    assert _ledger_rows(database) == before


def test_an_actor_of_another_store_is_refused_before_anything_changes(shop: Services, database: Database) -> None:
    shop.catalog.add_store(ADMIN, "SIDE", "Side store")
    outsider = Actor(name="sam", role=Role.MANAGER, store_codes=frozenset({"SIDE"}))
    before = _ledger_rows(database)
    with pytest.raises(PermissionDenied, match="sam may not work in store MAIN"):
        shop.inventory.reserve(outsider, store="MAIN", product="A", location=WH, quantity=1)
    assert _ledger_rows(database) == before


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_on_postgresql_a_hand_move_is_one_call_of_a_server_function(shop: Services, database: Database) -> None:
    """The fast path is taken (a change that dropped it would still pass the tests above)."""
    sent: list[str] = []

    def capture(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(statement)

    event.listen(database.engine, "before_cursor_execute", capture)
    try:
        shop.inventory.reserve(ADMIN, store="MAIN", product="A", location=WH, quantity=2)
        shop.inventory.release(ADMIN, store="MAIN", product="A", location=WH, quantity=1)
        shop.inventory.fulfill(ADMIN, store="MAIN", product="A", location=WH, quantity=1)
    finally:
        event.remove(database.engine, "before_cursor_execute", capture)
    calls = [sql.split("(")[0].split()[-1] for sql in sent if "_by_hand(" in sql]
    assert calls == ["orion_hold_by_hand", "orion_settle_by_hand", "orion_settle_by_hand"], sent
    assert not [sql for sql in sent if "inventory" in sql and "_by_hand(" not in sql], sent
    assert_ledger_consistent(shop)
