"""The README's shared-database recipe works: an owner role migrates, the app role works but cannot
rewrite the ledger or change the schema."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from orion_desktop.bootstrap import Services
from orion_desktop.db.engine import Database
from orion_desktop.db.migrate import upgrade
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.enums import Role
from orion_desktop.domain.errors import PermissionDenied

README_GRANTS = """
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO {app};
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {app};
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {app};
REVOKE UPDATE, DELETE ON inventory_transactions FROM {app};
"""


@pytest.fixture
def shared_database(pg_admin_url: str) -> Iterator[tuple[str, str]]:
    """(owner URL, app URL) of a database set up exactly as the README says."""
    suffix = uuid.uuid4().hex[:8]
    owner, app, name = f"orion_owner_{suffix}", f"orion_app_{suffix}", f"orion_shared_{suffix}"
    server = make_url(pg_admin_url).set(drivername="postgresql+psycopg")
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE ROLE {owner} LOGIN PASSWORD 'owner-pw'"))
        conn.execute(text(f"CREATE ROLE {app} LOGIN PASSWORD 'app-pw'"))
        conn.execute(text(f"CREATE DATABASE {name} OWNER {owner}"))
    owner_url = server.set(username=owner, password="owner-pw", database=name).render_as_string(hide_password=False)
    app_url = server.set(username=app, password="app-pw", database=name).render_as_string(hide_password=False)
    try:
        yield owner_url, app_url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            conn.execute(text(f"DROP ROLE IF EXISTS {app}"))
            conn.execute(text(f"DROP ROLE IF EXISTS {owner}"))
        admin.dispose()


def test_least_privilege_role_can_work_but_not_rewrite_history(shared_database: tuple[str, str]) -> None:
    owner_url, app_url = shared_database
    app_role = make_url(app_url).username
    owner_db = Database(owner_url)
    upgrade(owner_db)
    with owner_db.engine.begin() as conn:
        for statement in README_GRANTS.format(app=app_role).strip().split(";"):
            if statement.strip():
                conn.execute(text(statement))
    owner_db.dispose()

    app_db = Database(app_url)
    services = Services.on(app_db)
    boss = Actor("boss", Role.ADMIN)
    services.catalog.add_store(boss, "MAIN", "Main")
    services.catalog.add_product(boss, store=None, sku="A", title="Widget")
    services.inventory.set_quantity(boss, store=None, product="A", location="A-01", quantity=5)
    services.inventory.reserve(boss, store=None, product="A", location="A-01", quantity=2, operation_key="k-1")
    assert services.stock.verify().ok

    with pytest.raises(Exception, match="permission denied"), app_db.engine.begin() as conn:
        conn.execute(text("UPDATE inventory_transactions SET quantity_change = 0"))
    with pytest.raises(Exception, match="permission denied"), app_db.engine.begin() as conn:
        conn.execute(text("DELETE FROM inventory_transactions"))
    with pytest.raises(Exception, match="permission denied|must be owner"), app_db.engine.begin() as conn:
        conn.execute(text("ALTER TABLE inventory DROP CONSTRAINT ck_inventory_quantity_not_negative"))
    app_db.dispose()


def test_app_role_cannot_create_the_schema(shared_database: tuple[str, str]) -> None:
    """Upgrading is the owner's job; the app role gets a sentence, not a traceback."""
    _owner_url, app_url = shared_database
    app_db = Database(app_url)
    with pytest.raises(PermissionDenied, match="may not do this .*permission denied"):
        upgrade(app_db)
    app_db.dispose()
