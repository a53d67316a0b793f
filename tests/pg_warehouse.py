"""A PostgreSQL warehouse with per-user logins, for the tests of PostgreSQL as the authority.

Stores A and B with a product, stock and an order each; an admin ``boss`` without a login; a
packer of store A, a packer of store B and a manager (every store), each with their own login.
Migrated by the test server's superuser, who is also the owner. Logins belong to the whole server,
so every name is unique and every login is dropped again at the end.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import URL, make_url

from orion_desktop.bootstrap import Services
from orion_desktop.db.engine import Database
from orion_desktop.db.migrate import upgrade
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.enums import Role
from orion_desktop.domain.order_results import OrderLine
from orion_desktop.services.pg_logins import PgLogins, manages_logins

BOSS = Actor("boss", Role.ADMIN)
PACKER_PASSWORD = "packer-secret-7731"
OTHER_PASSWORD = "other-secret-2219"
MANAGER_PASSWORD = "manager-secret-4406"


@dataclass
class Warehouse:
    url: str
    owner: Database
    packer: str  # Orion user name of the packer of store A
    other: str  # another Orion user (store B)
    order_a: str
    order_b: str
    manager: str  # a manager of every store, with a login too

    @property
    def url_without_login(self) -> str:
        """What each PC saves with per-user logins: server and database, no user, no password."""
        made = make_url(self.url)
        # URL.set(username=None) keeps the old user name, so the URL is built anew.
        bare = URL.create(made.drivername, host=made.host, port=made.port, database=made.database)
        assert bare.username is None and bare.password is None
        return bare.render_as_string(hide_password=False)


@contextmanager
def pg_warehouse(pg_database_factory: Callable[..., str]) -> Iterator[Warehouse]:
    """The warehouse described above, on a new database of the test server."""
    url = pg_database_factory("orion_rls")
    owner = Database(url)
    upgrade(owner)
    services = Services.on(owner)
    suffix = uuid.uuid4().hex[:6]
    packer, other, manager = f"pa{suffix}", f"pb{suffix}", f"ma{suffix}"
    orders: dict[str, str] = {}
    for store in ("A", "B"):
        services.catalog.add_store(BOSS, store, f"Store {store}")
        services.catalog.add_product(BOSS, store=store, sku=f"SKU-{store}", title=f"Thing {store}")
        services.inventory.set_quantity(BOSS, store=store, product=f"SKU-{store}", location="L-1", quantity=10)
        orders[store] = services.orders.create_order(BOSS, store=store, lines=[OrderLine(f"SKU-{store}", 2)])
    services.users.create(BOSS, username="boss", password="boss-secret-55", role="admin")
    services.users.create(BOSS, username=packer, password=PACKER_PASSWORD, role="packer", stores=["A"])
    services.users.create(BOSS, username=other, password=OTHER_PASSWORD, role="packer", stores=["B"])
    services.users.create(BOSS, username=manager, password=MANAGER_PASSWORD, role="manager")
    assert manages_logins(owner)
    logins = PgLogins(owner)
    made: list[str] = []
    try:
        for name, password, role in ((packer, PACKER_PASSWORD, Role.PACKER), (other, OTHER_PASSWORD, Role.PACKER),
                                     (manager, MANAGER_PASSWORD, Role.MANAGER)):
            logins.create(name, password, role)
            made.append(name)
        yield Warehouse(url, owner, packer, other, orders["A"], orders["B"], manager)
    finally:
        # The database goes with the factory; the logins are the server's and must go here.
        for name in made:
            logins.drop(name)
        owner.dispose()


def verifier_matches(stored: str, password: str) -> bool:
    """Check a SCRAM-SHA-256 verifier against a password the way the server does (RFC 5802/7677).

    The test server trusts 127.0.0.1 and never asks for a password, so the stored verifier is
    checked here instead."""
    head, keys = stored.split("$", 1)[1].split("$")
    iterations, salt = head.split(":")
    stored_key = keys.split(":")[0]
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), base64.b64decode(salt), int(iterations))
    client_key = hmac.new(salted, b"Client Key", "sha256").digest()
    return hashlib.sha256(client_key).digest() == base64.b64decode(stored_key)


def stored_password(warehouse: Warehouse, username: str) -> str:
    """The verifier the server keeps for the login of ``username`` (read as the owner, a superuser)."""
    login = PgLogins(warehouse.owner).login(username)
    with warehouse.owner.engine.connect() as conn:
        stored = conn.execute(text("SELECT rolpassword FROM pg_authid WHERE rolname = :n"), {"n": login})
        return str(stored.scalar_one())
