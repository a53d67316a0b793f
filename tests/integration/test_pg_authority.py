"""On PostgreSQL the database itself keeps stores apart (issue 14, item 6).

A packer of store A, connected with raw psycopg as their own login (not through the app), cannot
read store B's rows, rewrite the ledger, create a table or change another user; through the app,
signed in with that login, the lists hold only store A. Every login made here has a unique name and
is dropped at the end (roles belong to the whole server).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import psycopg
import pytest
from pg_warehouse import (
    BOSS,
    OTHER_PASSWORD,
    PACKER_PASSWORD,
    Warehouse,
    pg_warehouse,
    stored_password,
    verifier_matches,
)
from sqlalchemy import event, text
from sqlalchemy.engine import make_url

from orion_desktop.bootstrap import Services
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.enums import Role
from orion_desktop.domain.errors import Conflict, DatabaseUnavailable, NotFound, PermissionDenied
from orion_desktop.domain.order_results import ShipRequest
from orion_desktop.services.pg_logins import PgLogins, personal_url, sign_in_with_login
from orion_desktop.services.users import WRONG_CREDENTIALS, SignInRefused


@pytest.fixture
def warehouse(pg_database_factory: Callable[..., str]) -> Iterator[Warehouse]:
    """Stores A and B, a packer of each and a manager, each with their own login (tests/pg_warehouse.py)."""
    with pg_warehouse(pg_database_factory) as made:
        yield made


def _raw(warehouse: Warehouse, username: str, password: str) -> psycopg.Connection[tuple[object, ...]]:
    target = personal_url(warehouse.url, username)
    return psycopg.connect(
        host=target.host or "localhost", port=target.port or 5432, dbname=target.database,
        user=target.username, password=password, autocommit=True,
    )


def _refused(conn: psycopg.Connection[tuple[object, ...]], statement: str) -> str:
    with pytest.raises(psycopg.Error) as caught:
        conn.execute(statement)
    return str(caught.value)


def test_a_packer_login_sees_and_changes_only_its_own_store(warehouse: Warehouse) -> None:
    with _raw(warehouse, warehouse.packer, PACKER_PASSWORD) as conn:
        store_b = conn.execute("SELECT id FROM stores WHERE code = 'B'").fetchone()
        assert store_b is not None  # stores are a shared list; their rows are what is kept apart
        for table in ("products", "inventory", "orders", "inventory_transactions"):
            codes = conn.execute(
                f"SELECT DISTINCT s.code FROM {table} t JOIN stores s ON s.id = t.store_id"
            ).fetchall()
            assert codes == [("A",)], table
            assert conn.execute(f"SELECT count(*) FROM {table} WHERE store_id = %s", store_b).fetchone() == (0,)
        for table in ("order_items", "order_history"):
            numbers = conn.execute(
                f"SELECT DISTINCT o.order_number FROM {table} t JOIN orders o ON o.id = t.order_id"
            ).fetchall()
            assert numbers == [(warehouse.order_a,)], table
        # The ledger is append-only for every login.
        assert "permission denied" in _refused(conn, "UPDATE inventory_transactions SET quantity_change = 0")
        assert "permission denied" in _refused(conn, "DELETE FROM inventory_transactions")
        assert "permission denied" in _refused(conn, "DELETE FROM order_history")
        # No schema changes.
        assert "permission denied" in _refused(conn, "CREATE TABLE mine (x int)")
        assert "owner" in _refused(conn, "ALTER TABLE inventory DROP CONSTRAINT ck_inventory_quantity_not_negative")
        # Other users: not visible, not changeable, neither in the table nor as logins.
        assert conn.execute("SELECT username FROM users").fetchall() == [(warehouse.packer,)]
        assert "permission denied" in _refused(conn, "UPDATE users SET role = 'admin'")
        # Their own password hash they may change; another user's row is not there to change.
        hijack = conn.execute("UPDATE users SET password_hash = 'x' WHERE username = %s", (warehouse.other,))
        assert hijack.rowcount == 0
        assert conn.execute("SELECT DISTINCT username FROM user_audit").fetchall() in ([], [(warehouse.packer,)])
        assert "permission denied" in _refused(conn, "DELETE FROM user_stores")
        other_login = personal_url(warehouse.url, warehouse.other).username
        assert "permission denied" in _refused(conn, f'ALTER ROLE "{other_login}" PASSWORD \'taken-over-99\'')
        assert "admin option" in _refused(conn, f'GRANT orion_admin TO "{other_login}"')
        assert "permission denied" in _refused(conn, "INSERT INTO stores (code, name) VALUES ('X', 'X')")


def test_a_packer_cannot_write_into_another_store(warehouse: Warehouse) -> None:
    with _raw(warehouse, warehouse.packer, PACKER_PASSWORD) as conn:
        row = conn.execute("SELECT id FROM stores WHERE code = 'B'").fetchone()
        assert row is not None
        message = _refused(conn, f"UPDATE inventory SET store_id = {row[0]}")
        assert "row-level security" in message
        # Hidden rows are not changed either: the update finds nothing.
        assert conn.execute(f"UPDATE orders SET status = status WHERE store_id = {row[0]}").rowcount == 0


def test_through_the_app_the_packer_login_lists_only_store_a_and_can_pack(warehouse: Warehouse) -> None:
    database, actor = sign_in_with_login(warehouse.url, warehouse.packer, PACKER_PASSWORD)
    try:
        assert actor.role is Role.PACKER and actor.name
        services = Services.on(database)
        assert {p.store_code for p in services.catalog.list_products()} == {"A"}
        assert {row.store_code for row in services.stock.list_stock()} == {"A"}
        assert [o.order_number for o in services.order_queries.list_orders()] == [warehouse.order_a]
        # What a packer does on store A works with the packer group's privileges...
        assert services.packing.open_order(warehouse.order_a).order_number == warehouse.order_a
        services.packing.pick_list([warehouse.order_a])
        services.orders.add_note(actor, warehouse.order_a, "fragile")
        services.orders.prepare_shipment(actor, warehouse.order_a, [ShipRequest("SKU-A", 1)])
        services.inventory.reserve(actor, store="A", product="SKU-A", location="L-1", quantity=1)
        services.inventory.release(actor, store="A", product="SKU-A", location="L-1", quantity=1)
        services.orders.ship(actor, warehouse.order_a, [ShipRequest("SKU-A", 2, "L-1")])
        with pytest.raises(NotFound):
            services.packing.open_order(warehouse.order_b)
        # ...store B's order does not exist for this login, even for an actor claiming every store.
        wide = Actor(actor.name, Role.PACKER)
        with pytest.raises((NotFound, PermissionDenied)):
            services.orders.ship(wide, warehouse.order_b, [ShipRequest("SKU-B", 2, "L-1")])
    finally:
        database.dispose()
    owner = Services.on(warehouse.owner)
    assert owner.stock.verify().ok
    signed_in = [e for e in owner.users.audit(BOSS) if e.event == "signed in"]
    assert [(e.username, e.detail) for e in signed_in] == [(warehouse.packer, "own database login")]


def test_a_packer_login_ships_through_the_server_function_in_its_own_store_only(warehouse: Warehouse) -> None:
    """The ship function (migration 0010) runs as the calling login: the packer group may call it, and
    row-level security hides store B's order from it as from any statement."""
    owner = Services.on(warehouse.owner)
    for number in (warehouse.order_a, warehouse.order_b):
        owner.orders.change_status(BOSS, number, "processing")
    database, actor = sign_in_with_login(warehouse.url, warehouse.packer, PACKER_PASSWORD)
    sent: list[str] = []
    event.listen(database.engine, "before_cursor_execute", lambda *call: sent.append(call[2]))
    try:
        services = Services.on(database)
        shipped = services.orders.ship(actor, warehouse.order_a, [ShipRequest("sku-a")])
        assert [(line.shipped_quantity, line.is_fully_shipped) for line in shipped.items] == [(2, True)]
        assert sum("FROM orion_ship_lines(" in statement for statement in sent) == 1
        with pytest.raises((NotFound, PermissionDenied)):
            services.orders.ship(Actor(actor.name, Role.PACKER), warehouse.order_b, [ShipRequest("SKU-B")])
    finally:
        database.dispose()
    assert [o.status.value for o in (owner.order_queries.get_order(n) for n in (warehouse.order_a,
                                                                               warehouse.order_b))] == [
        "shipped", "processing"]
    assert owner.stock.verify().ok


def test_passwords_are_stored_as_scram_and_changed(warehouse: Warehouse) -> None:
    # The test server trusts connections from 127.0.0.1 (pg_hba), so it never asks for a password;
    # the stored verifier is checked here exactly as a password-checking server would check it.
    stored = stored_password(warehouse, warehouse.packer)
    assert stored.startswith("SCRAM-SHA-256$")
    assert verifier_matches(stored, PACKER_PASSWORD)
    assert not verifier_matches(stored, OTHER_PASSWORD)
    PgLogins(warehouse.owner).set_password(warehouse.packer, "a-new-secret-881")
    changed = stored_password(warehouse, warehouse.packer)
    assert verifier_matches(changed, "a-new-secret-881") and not verifier_matches(changed, PACKER_PASSWORD)


def test_a_disabled_or_unknown_login_is_the_usual_sentence(warehouse: Warehouse) -> None:
    with pytest.raises(SignInRefused, match=WRONG_CREDENTIALS) as caught:
        sign_in_with_login(warehouse.url, "nobody-here", "not-the-password")
    assert "not-the-password" not in str(caught.value)
    logins = PgLogins(warehouse.owner)
    logins.set_active(warehouse.packer, False)
    with pytest.raises(SignInRefused, match=WRONG_CREDENTIALS):
        sign_in_with_login(warehouse.url, warehouse.packer, PACKER_PASSWORD)
    logins.set_active(warehouse.packer, True)
    database, actor = sign_in_with_login(warehouse.url, warehouse.packer, PACKER_PASSWORD)
    database.dispose()
    assert actor.store_codes == frozenset({"A"})


def test_a_server_that_cannot_be_reached_is_not_a_wrong_password() -> None:
    # Port 1 of this PC: nothing listens there. "Wrong password" would send the person to retype it.
    with pytest.raises(DatabaseUnavailable, match="^The database cannot be reached") as caught:
        sign_in_with_login("postgresql+psycopg://127.0.0.1:1/orion", "anna", "anna-secret-31")
    assert "anna-secret-31" not in f"{caught.value} {caught.value.details}"


def test_a_role_change_moves_the_login_to_the_other_group(warehouse: Warehouse) -> None:
    logins = PgLogins(warehouse.owner)
    login = logins.login(warehouse.packer)
    with warehouse.owner.engine.connect() as conn:
        logins.set_role(warehouse.packer, Role.MANAGER)
        groups = conn.execute(
            text(
                "SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
                "JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = :n"
            ),
            {"n": login},
        ).scalars().all()
    assert groups == ["orion_manager"]


def test_personal_url_drops_anystored_password() -> None:
    url = personal_url("postgresql+psycopg://orion_app:shared@db-server/orion", "Anna")
    assert url.username == "orion_anna" and url.password is None
    assert make_url(url).host == "db-server"


def test_a_login_reads_and_uses_only_its_own_operation_keys(warehouse: Warehouse) -> None:
    """Operation keys keep each call's result: another user's (store B's) are not readable (0008)."""
    owner = Services.on(warehouse.owner)
    other = Actor(warehouse.other, Role.PACKER, frozenset({"B"}))
    owner.inventory.reserve(other, store="B", product="SKU-B", location="L-1", quantity=1, operation_key="key-of-b")
    before = owner.stock.list_stock(store="A")[0].reserved_quantity
    database, actor = sign_in_with_login(warehouse.url, warehouse.packer, PACKER_PASSWORD)
    try:
        services = Services.on(database)
        first = services.inventory.reserve(actor, store="A", product="SKU-A", location="L-1", quantity=1,
                                           operation_key="key-of-a")
        replay = services.inventory.reserve(actor, store="A", product="SKU-A", location="L-1", quantity=1,
                                            operation_key="key-of-a")
        assert replay == first  # their own key replays
        with pytest.raises(Conflict, match="^Operation key key-of-b was already used"):
            services.inventory.reserve(actor, store="A", product="SKU-A", location="L-1", quantity=1,
                                       operation_key="key-of-b")
    finally:
        database.dispose()
    with _raw(warehouse, warehouse.packer, PACKER_PASSWORD) as conn:
        assert conn.execute("SELECT key, created_by FROM operations").fetchall() == [("key-of-a", warehouse.packer)]
        message = _refused(
            conn, f"INSERT INTO operations (key, kind, result_json, created_by, created_at) "
                  f"VALUES ('forged', 'x', '{{}}', '{warehouse.other}', now())"
        )
        assert "row-level security" in message
    # The replay and the refused key reserved nothing more.
    assert owner.stock.list_stock(store="A")[0].reserved_quantity == before + 1
