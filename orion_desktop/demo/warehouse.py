"""Demo data: a realistic small warehouse in an empty database, the same for the same seed.

Three stores, eight locations along a picking path, about 300 products with valid EAN-13
codes, and stock on one to three locations per product. Every stock level is built from
ledger rows (``import``, ``adjust``, ``reserve``) and every reserved unit is an open manual
hold, so ``stock verify`` (invariants L and R) is clean afterwards. Everything is written with
a few bulk inserts in one transaction: it takes well under a second on SQLite.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session
from stdnum import ean

from orion_desktop.db.engine import Database
from orion_desktop.db.models import (
    Inventory,
    InventoryReservation,
    InventoryTransaction,
    Location,
    Product,
    Store,
)
from orion_desktop.db.types import utcnow
from orion_desktop.demo.orders import add_demo_orders
from orion_desktop.domain.actor import Actor, Permission
from orion_desktop.domain.enums import ProductType, TransactionType
from orion_desktop.domain.errors import InvalidInput

_stores = Store.__table__
_locations = Location.__table__
_products = Product.__table__
_inventory = Inventory.__table__
_ledger = InventoryTransaction.__table__
_reservations = InventoryReservation.__table__

STORES: tuple[tuple[str, str, int], ...] = (
    # code, name, number of physical products
    ("MAIN", "Orion Main Store", 150),
    ("WEB", "Orion Web Shop", 90),
    ("OUTLET", "Orion Outlet", 52),
)

LOCATIONS: tuple[tuple[str, str, int], ...] = (
    # code, name, sort key (order along the picking path)
    ("WAREHOUSE_MAIN.A-01", "Main warehouse, aisle A, bay 1", 10),
    ("WAREHOUSE_MAIN.A-02", "Main warehouse, aisle A, bay 2", 20),
    ("WAREHOUSE_MAIN.B-01", "Main warehouse, aisle B, bay 1", 30),
    ("WAREHOUSE_MAIN.B-02", "Main warehouse, aisle B, bay 2", 40),
    ("WAREHOUSE_MAIN.C-01", "Main warehouse, aisle C (bulky goods)", 50),
    ("WAREHOUSE_WEST", "West warehouse (overflow)", 60),
    ("STORE_FRONT", "Shop floor", 70),
    ("RETURNS", "Returns shelf, inspect before resale", 80),
)
# Most stock sits in the main aisles; the shop floor and returns hold a little.
_LOCATION_WEIGHTS = (16, 16, 14, 14, 10, 12, 6, 2)

BRANDS: tuple[str, ...] = ("Nordvik", "Kestrel", "Brightline", "Orion Basics", "Solano", "Tessera")

CATALOG: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    # SKU prefix, product, variants
    ("CBL", "USB-C Cable", ("0.5 m", "1 m", "2 m", "3 m")),
    ("CBL", "HDMI Cable", ("1 m", "2 m", "5 m")),
    ("CBL", "Ethernet Cable Cat 6", ("1 m", "3 m", "10 m")),
    ("CBL", "DisplayPort Cable", ("1 m", "2 m")),
    ("CBL", "Lightning to USB-C Cable", ("1 m", "2 m")),
    ("AUD", "Wireless Headphones", ("Black", "White", "Midnight Blue")),
    ("AUD", "In-Ear Earbuds", ("Black", "White")),
    ("AUD", "Bluetooth Speaker", ("Mini", "Portable", "Outdoor")),
    ("AUD", "USB Microphone", ("Black", "Silver")),
    ("PWR", "USB-C Charger", ("20 W", "30 W", "65 W", "100 W")),
    ("PWR", "Power Bank", ("10000 mAh", "20000 mAh")),
    ("PWR", "Wireless Charging Pad", ("10 W", "15 W")),
    ("PWR", "Power Strip", ("4-Way", "6-Way")),
    ("PWR", "AA Batteries", ("4-Pack", "8-Pack", "24-Pack")),
    ("PWR", "AAA Batteries", ("4-Pack", "12-Pack")),
    ("CMP", "Wireless Mouse", ("Black", "Grey", "White")),
    ("CMP", "Mechanical Keyboard", ("US Layout", "UK Layout", "DE Layout")),
    ("CMP", "Laptop Stand", ("Aluminium", "Adjustable")),
    ("CMP", "USB-C Hub", ("4-Port", "7-Port")),
    ("CMP", "Webcam", ("720p", "1080p", "4K")),
    ("CMP", "Monitor Arm", ("Single", "Dual")),
    ("CMP", "Mouse Pad", ("Standard", "XL")),
    ("STO", "USB Flash Drive", ("32 GB", "64 GB", "128 GB", "256 GB")),
    ("STO", "microSD Card", ("64 GB", "128 GB", "256 GB")),
    ("STO", "External SSD", ("500 GB", "1 TB", "2 TB")),
    ("STO", "Portable Hard Drive", ("1 TB", "2 TB", "4 TB")),
    ("PHN", "Phone Case", ("iPhone 15", "iPhone 15 Pro", "Galaxy S24", "Pixel 8")),
    ("PHN", "Screen Protector", ("iPhone 15", "Galaxy S24", "Pixel 8")),
    ("PHN", "Phone Stand", ("Black", "White")),
    ("PHN", "Car Phone Mount", ("Vent", "Dashboard")),
    ("OFC", "LED Desk Lamp", ("Black", "White")),
    ("OFC", "Label Printer", ("Standard", "Wireless")),
    ("OFC", "Shipping Labels", ("100 x 150 mm", "62 mm Roll")),
    ("OFC", "Packing Tape", ("Brown", "Clear")),
    ("OFC", "Cardboard Box", ("Size S", "Size M", "Size L", "Size XL")),
    ("HOM", "Smart Plug", ("1-Pack", "4-Pack")),
    ("HOM", "LED Bulb E27", ("Warm White", "Cool White")),
    ("HOM", "Extension Cord", ("3 m", "5 m")),
)

UNLIMITED_PRODUCTS: dict[str, tuple[tuple[str, str, ProductType, bool], ...]] = {
    # store -> (SKU, title, type, has a GTIN)
    "MAIN": (
        ("SRV-WARRANTY-2Y", "Extended Warranty 2 Years", ProductType.SERVICE, False),
        ("DIG-SETUP-GUIDE", "Setup Guide (PDF)", ProductType.DIGITAL, False),
        ("SUB-CLOUD-1Y", "Cloud Backup Subscription 1 Year", ProductType.SUBSCRIPTION, False),
    ),
    "WEB": (
        ("DIG-GIFTCARD-25", "Gift Card 25 EUR (e-mail)", ProductType.DIGITAL, True),
        ("SRV-GIFTWRAP", "Gift Wrapping", ProductType.SERVICE, False),
        ("DIG-OFFICE-LIC", "Office Suite Licence Key", ProductType.DIGITAL, True),
    ),
    "OUTLET": (("SRV-INSTALL", "Installation Service", ProductType.SERVICE, False),),
}

PLACEHOLDER = ("MAIN", "UNMATCHED", "Unmatched marketplace item")

_ADJUST_REASONS = ("damaged in storage", "stock count correction", "packaging damaged, written off")


@dataclass(frozen=True, slots=True)
class DemoSummary:
    """What ``fill_demo`` created."""

    stores: int
    locations: int
    products: int
    stock_rows: int
    ledger_rows: int
    units_on_hand: int
    units_reserved: int
    orders: int


@dataclass(frozen=True, slots=True)
class _StockPlan:
    """One inventory row and the ledger story that leads to it."""

    store_id: int
    product_id: int
    location_id: int
    received: int  # the opening ``import``
    written_off: int  # a later ``adjust`` down (0 for none)
    reserved: int

    @property
    def quantity(self) -> int:
        return self.received - self.written_off


def fill_demo(database: Database, actor: Actor, *, seed: int = 7) -> DemoSummary:
    """Fill an empty database with demo stores, locations, products and stock. Deterministic per seed."""
    for permission in (
        Permission.MANAGE_STORES,
        Permission.MANAGE_LOCATIONS,
        Permission.MANAGE_CATALOG,
        Permission.CHANGE_STOCK,
        Permission.MANAGE_ORDERS,
    ):
        actor.require(permission)
    rng = random.Random(seed)
    now = utcnow()
    with database.write() as session:
        _refuse_unless_empty(session)
        store_ids = _add_stores(session, now)
        location_ids = _add_locations(session, now)
        product_ids = _add_products(session, rng, store_ids, now)
        plans = _plan_stock(rng, product_ids, location_ids)
        _add_stock(session, rng, actor, plans, now)
        _reserve_stock(session, rng, actor, plans, now)
    # Orders go through the order service, after the stock is committed.
    orders = add_demo_orders(database, rng, actor)
    with database.read() as session:
        on_hand, reserved, stock_rows = session.execute(
            select(func.coalesce(func.sum(_inventory.c.quantity), 0),
                   func.coalesce(func.sum(_inventory.c.reserved_quantity), 0), func.count())
        ).one()
        return DemoSummary(
            stores=len(store_ids),
            locations=len(location_ids),
            products=session.execute(select(func.count()).select_from(_products)).scalar_one(),
            stock_rows=stock_rows,
            ledger_rows=session.execute(select(func.count()).select_from(_ledger)).scalar_one(),
            units_on_hand=int(on_hand),
            units_reserved=int(reserved),
            orders=orders,
        )


def _refuse_unless_empty(session: Session) -> None:
    for table in (_stores, _locations, _products, _inventory, _ledger, _reservations):
        if session.execute(select(func.count()).select_from(table)).scalar_one():
            raise InvalidInput("This database already has data; the demo fills only an empty database.")


def _add_stores(session: Session, now: datetime) -> dict[str, int]:
    session.execute(insert(_stores), [{"code": code, "name": name, "created_at": now} for code, name, _ in STORES])
    return dict(session.execute(select(_stores.c.code, _stores.c.id).order_by(_stores.c.id)).all())


def _add_locations(session: Session, now: datetime) -> dict[str, int]:
    session.execute(
        insert(_locations),
        [
            {"code": code, "name": name, "sort_key": key, "is_active": True, "created_at": now}
            for code, name, key in LOCATIONS
        ],
    )
    return dict(session.execute(select(_locations.c.code, _locations.c.id).order_by(_locations.c.id)).all())


def _gtin_maker(rng: random.Random) -> Callable[[str], str]:
    """Unique, valid EAN-13 codes: a German GS1 prefix (400-440), a company and an item number."""
    used: set[str] = set()
    companies = {brand: f"{rng.randint(400, 440)}{rng.randint(1000, 9999)}" for brand in BRANDS}

    def make(brand: str) -> str:
        while True:
            body = companies[brand] + f"{rng.randint(0, 99999):05d}"
            code = body + ean.calc_check_digit(body)
            if code not in used:
                used.add(code)
                return code

    return make


def _add_products(
    session: Session, rng: random.Random, store_ids: dict[str, int], now: datetime
) -> dict[int, list[int]]:
    """Insert the catalog; return the ids of the stock-tracked products per store."""
    make_gtin = _gtin_maker(rng)
    created = now - timedelta(days=60)
    choices = [(prefix, name, variant) for prefix, name, variants in CATALOG for variant in variants]
    rows: list[dict[str, object]] = []
    for code, _name, count in STORES:
        picked = rng.sample([(brand, item) for brand in BRANDS for item in choices], count)
        numbers: dict[str, int] = {}
        for brand, (prefix, name, variant) in sorted(picked, key=lambda p: (p[1][0], p[1][1], p[1][2], p[0])):
            numbers[prefix] = numbers.get(prefix, 1000 + rng.randint(0, 50)) + rng.randint(1, 7)
            threshold = rng.choice((3, 5, 15, 20, 25)) if rng.random() < 0.25 else None
            reorder = (threshold or 10) * 2 if rng.random() < 0.3 else None
            rows.append(
                {
                    "store_id": store_ids[code],
                    "sku": f"{prefix}-{numbers[prefix]}",
                    "gtin": make_gtin(brand).rjust(14, "0"),
                    "title": f"{brand} {name} {variant}",
                    "product_type": ProductType.PHYSICAL.value,
                    "is_placeholder": False,
                    "low_stock_threshold": threshold,
                    "reorder_point": reorder,
                    "created_at": created,
                }
            )
        for sku, title, kind, has_gtin in UNLIMITED_PRODUCTS.get(code, ()):
            rows.append(
                {
                    "store_id": store_ids[code],
                    "sku": sku,
                    "gtin": make_gtin("Orion Basics").rjust(14, "0") if has_gtin else None,
                    "title": title,
                    "product_type": kind.value,
                    "is_placeholder": False,
                    "low_stock_threshold": None,
                    "reorder_point": None,
                    "created_at": created,
                }
            )
    store, sku, title = PLACEHOLDER
    rows.append(
        {
            "store_id": store_ids[store],
            "sku": sku,
            "gtin": None,  # the placeholder code 0000000000000 is stored as NULL + is_placeholder
            "title": title,
            "product_type": ProductType.PHYSICAL.value,
            "is_placeholder": True,
            "low_stock_threshold": None,
            "reorder_point": None,
            "created_at": created,
        }
    )
    session.execute(insert(_products), rows)
    # In store order (the order of STORES), so the random stock plan is the same on every backend.
    tracked: dict[int, list[int]] = {store_ids[code]: [] for code, _name, _count in STORES}
    for product_id, store_id in session.execute(
        select(_products.c.id, _products.c.store_id)
        .where(_products.c.product_type == ProductType.PHYSICAL.value, _products.c.is_placeholder.is_(False))
        .order_by(_products.c.id)
    ).all():
        tracked[store_id].append(product_id)
    return tracked


def _plan_stock(
    rng: random.Random, product_ids: dict[int, list[int]], location_ids: dict[str, int]
) -> list[_StockPlan]:
    """Stock for each product on one to three locations: mostly normal, some low, a few sold out."""
    codes = [code for code, _name, _key in LOCATIONS]
    plans: list[_StockPlan] = []
    for store_id, ids in product_ids.items():
        for product_id in ids:
            if rng.random() < 0.05:
                continue  # ordered, not received yet: no stock rows
            count = rng.choices((1, 2, 3), weights=(50, 35, 15))[0]
            places: list[str] = []
            while len(places) < count:
                place = rng.choices(codes, weights=_LOCATION_WEIGHTS)[0]
                if place not in places:
                    places.append(place)
            for place in places:
                roll = rng.random()
                if roll < 0.06:
                    received = rng.randint(1, 12)
                    written_off = received  # sold out, counted down to zero
                else:
                    if roll < 0.22:
                        received = rng.randint(1, 9)  # low stock
                    elif roll < 0.93:
                        received = rng.randint(12, 240)
                    else:
                        received = rng.randint(300, 1500)  # bulk goods
                    written_off = rng.randint(1, max(1, received // 4)) if rng.random() < 0.08 else 0
                quantity = received - written_off
                reserved = 0
                if quantity and rng.random() < 0.2:
                    # A few rows are fully reserved (nothing available), the rest partly.
                    reserved = quantity if quantity <= 4 and rng.random() < 0.3 else rng.randint(1, min(quantity, 6))
                plans.append(
                    _StockPlan(
                        store_id=store_id,
                        product_id=product_id,
                        location_id=location_ids[place],
                        received=received,
                        written_off=written_off,
                        reserved=reserved,
                    )
                )
    return plans


def _ledger_row(
    plan: _StockPlan,
    kind: TransactionType,
    quantity_change: int,
    reserved_change: int,
    quantity_after: int,
    reserved_after: int,
    reason: str,
    actor: Actor,
    at: datetime,
) -> dict[str, object]:
    return {
        "store_id": plan.store_id,
        "product_id": plan.product_id,
        "location_id": plan.location_id,
        "transaction_type": kind.value,
        "quantity_change": quantity_change,
        "reserved_change": reserved_change,
        "quantity_after": quantity_after,
        "reserved_after": reserved_after,
        "order_id": None,
        "order_number": None,
        "reason": reason,
        "created_by": actor.name,
        "created_at": at,
        "operation_key": None,
    }


def _add_stock(session: Session, rng: random.Random, actor: Actor, plans: list[_StockPlan], now: datetime) -> int:
    """Inventory rows at their final levels, and the ``import`` and ``adjust`` rows that explain them."""
    session.execute(
        insert(_inventory),
        [
            {
                "store_id": plan.store_id,
                "product_id": plan.product_id,
                "location_id": plan.location_id,
                "quantity": plan.quantity,
                "reserved_quantity": plan.reserved,
                "created_at": now - timedelta(days=30),
                "updated_at": now,
            }
            for plan in plans
        ],
    )
    received = now - timedelta(days=30)
    imports = [
        _ledger_row(
            plan, TransactionType.IMPORT, plan.received, 0, plan.received, 0, "demo data: opening stock", actor,
            received,
        )
        for plan in plans
    ]
    # Reasons and times drawn in the same order as always (the same seed gives the same warehouse),
    # then the times handed out oldest first: the ledger's ids ascend with its timestamps.
    drawn = [
        (
            plan,
            "sold out at stock count" if plan.quantity == 0 else rng.choice(_ADJUST_REASONS),
            now - timedelta(days=rng.randint(3, 20), minutes=rng.randint(0, 600)),
        )
        for plan in plans
        if plan.written_off
    ]
    adjusted_at = sorted(at for _plan, _reason, at in drawn)
    adjusts = [
        _ledger_row(plan, TransactionType.ADJUST, -plan.written_off, 0, plan.quantity, 0, reason, actor, at)
        for (plan, reason, _drawn_at), at in zip(drawn, adjusted_at, strict=True)
    ]
    # Separate inserts keep each row's ledger in order: import, then adjust (then reserve).
    for rows in (imports, adjusts):
        if rows:
            session.execute(insert(_ledger), rows)
    return len(imports) + len(adjusts)


def _reserve_stock(
    session: Session, rng: random.Random, actor: Actor, plans: list[_StockPlan], now: datetime
) -> int:
    """Reserved units as manual holds: a ``reserve`` ledger row and an open reservation each.

    Invariant R holds because every reserved unit belongs to one open reservation. Demo
    orders (``demo.orders.add_demo_orders``) should take over these reservations through real orders;
    until then they are holds, which ``stock release`` can free.
    """
    held = [plan for plan in plans if plan.reserved]
    if not held:
        return 0
    reason = "demo data: held for a customer"
    times = sorted(now - timedelta(hours=rng.randint(1, 48)) for _ in held)  # ids ascend with time
    session.execute(
        insert(_ledger),
        [
            _ledger_row(
                plan, TransactionType.RESERVE, 0, plan.reserved, plan.quantity, plan.reserved, reason, actor, at
            )
            for plan, at in zip(held, times, strict=True)
        ],
    )
    inventory_ids = {
        (product_id, location_id): inventory_id
        for inventory_id, product_id, location_id in session.execute(
            select(_inventory.c.id, _inventory.c.product_id, _inventory.c.location_id).where(
                _inventory.c.reserved_quantity > 0
            )
        ).all()
    }
    session.execute(
        insert(_reservations),
        [
            {
                "inventory_id": inventory_ids[(plan.product_id, plan.location_id)],
                "location_id": plan.location_id,
                "order_id": None,
                "order_item_id": None,  # a manual hold
                "quantity_reserved": plan.reserved,
                "quantity_fulfilled": 0,
                "quantity_released": 0,
                "status": "active",
                "expires_at": None,
                "notes": reason,
                "created_by": actor.name,
                "reserved_at": at,
                "updated_at": at,
            }
            for plan, at in zip(held, times, strict=True)
        ],
    )
    return len(held)


__all__ = ["DemoSummary", "fill_demo"]
