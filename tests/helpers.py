"""Test helpers: a small catalog to work on, and the invariant checks."""

from __future__ import annotations

from orion_desktop.bootstrap import Services
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.enums import Role

ADMIN = Actor(name="admin", role=Role.ADMIN)

# Real, valid EAN-13 codes (check digits verified by python-stdnum).
GTIN_A = "4006381333931"
GTIN_B = "5901234123457"
GTIN_C = "4012345678901"


def seed_catalog(services: Services) -> None:
    """Store MAIN with physical products A, B, C, a digital product and a placeholder."""
    services.catalog.add_store(ADMIN, "MAIN", "Main Store")
    services.catalog.add_product(ADMIN, store="MAIN", sku="A", title="Widget A", gtin=GTIN_A)
    services.catalog.add_product(ADMIN, store="MAIN", sku="B", title="Widget B", gtin=GTIN_B)
    services.catalog.add_product(ADMIN, store="MAIN", sku="C", title="Widget C", gtin=GTIN_C, low_stock_threshold=5)
    services.catalog.add_product(ADMIN, store="MAIN", sku="EBOOK", title="Manual (PDF)", product_type="digital")
    services.catalog.add_product(ADMIN, store="MAIN", sku="UNMATCHED", title="Unmatched item", gtin="0000000000000")


def assert_ledger_consistent(services: Services) -> None:
    """Invariants L and R hold: every stock row equals the sum of its ledger and of its open reservations."""
    report = services.stock.verify()
    assert report.ok, "\n".join(report.problems())
