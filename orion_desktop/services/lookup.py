"""Resolve what users type (store codes, SKUs, GTINs, location codes) into rows, inside a session."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, bindparam, func, select
from sqlalchemy.orm import QueryableAttribute, Session, aliased

from orion_desktop.db.change_recording import record_locations, record_stock
from orion_desktop.db.dialect import dialect_insert
from orion_desktop.db.models import Inventory, Location, Product, Store
from orion_desktop.db.prepared import Prepared
from orion_desktop.db.types import utcnow
from orion_desktop.db.typing_aliases import AnyRow
from orion_desktop.domain import gtin as gtin_rules
from orion_desktop.domain.enums import ProductType
from orion_desktop.domain.errors import InvalidInput, NotFound
from orion_desktop.domain.results import ProductInfo, StoreInfo
from orion_desktop.domain.validation import (
    normalize_location_code,
    normalize_store_code,
)


@dataclass(frozen=True, slots=True)
class ProductRef:
    """The columns of a product that stock operations need."""

    id: int
    store_id: int
    store_code: str
    sku: str
    title: str
    product_type: ProductType
    is_placeholder: bool


@dataclass(frozen=True, slots=True)
class Slot:
    """One inventory row: a product at a location."""

    product: ProductRef
    location_id: int
    location_code: str
    inventory_id: int




def resolve_store(session: Session, store_code: str | None, stores: frozenset[str] | None = None) -> StoreInfo:
    """A store by code; with no code, the only store (a clear error when there are several or none).

    ``stores`` (the reads' scope, services/read_scope.py) hides every other store: it is not found,
    and with no code the only store of the scope is meant.
    """
    if store_code is None or not str(store_code).strip():
        query = select(Store.id, Store.code, Store.name).order_by(Store.code).limit(2)
        if stores is not None:
            query = query.where(Store.code.in_(sorted(stores)))
        stores_found = session.execute(query).all()
        if not stores_found:
            raise NotFound("There are no stores yet. Create one first with `orion-desktop store add`.")
        if len(stores_found) > 1:
            raise InvalidInput("There is more than one store; say which one with --store CODE.")
        row = stores_found[0]
        return StoreInfo(id=row.id, code=row.code, name=row.name)
    code = normalize_store_code(store_code)
    found = session.execute(select(Store.id, Store.code, Store.name).where(Store.code == code)).first()
    if found is None or (stores is not None and code not in stores):  # another store's: as if absent
        raise NotFound(f"There is no store with code {code}.")
    return StoreInfo(id=found.id, code=found.code, name=found.name)


def _product_columns() -> tuple[ColumnElement[Any] | QueryableAttribute[Any], ...]:
    return (
        Product.id,
        Product.store_id,
        Store.code.label("store_code"),
        Product.sku,
        Product.title,
        Product.product_type,
        Product.is_placeholder,
    )


def sku_matches(sku: str | ColumnElement[str]) -> ColumnElement[bool]:
    """SKUs ignore case: ``lower(sku) = lower(:sku)``, the expression of uq_products_lower_sku_store_id.

    Both sides are lowered by the database, so SQLite (ASCII only) and PostgreSQL (Unicode) each
    agree with their own unique index. The stored spelling is never changed.
    """
    return func.lower(Product.sku) == func.lower(sku)


def resolve_product(session: Session, store: StoreInfo, identifier: str) -> ProductRef:
    """A product by SKU (any case), or by any valid form of its GTIN (EAN-8, UPC-A, EAN-13, GTIN-14)."""
    text = str(identifier).strip() if identifier is not None else ""
    if not text:
        raise InvalidInput("Say which product: give its SKU or scan its GTIN.")
    base = select(*_product_columns()).join(Store, Store.id == Product.store_id).where(Product.store_id == store.id)
    row = session.execute(base.where(sku_matches(text))).first()
    if row is None and gtin_rules.looks_like_gtin(text):
        if gtin_rules.is_placeholder(text):
            raise InvalidInput(
                "0000000000000 is the placeholder code for unmatched items; it does not name one product."
            )
        canonical = gtin_rules.normalize_gtin(text)  # raises on a bad check digit
        row = session.execute(base.where(Product.gtin == canonical)).first()
    if row is None:
        raise NotFound(f"No product with SKU or GTIN {text!r} in store {store.code}.")
    return _ref(row)


def _ref(row: AnyRow) -> ProductRef:
    return ProductRef(
        id=row.id,
        store_id=row.store_id,
        store_code=row.store_code,
        sku=row.sku,
        title=row.title,
        product_type=ProductType(row.product_type),
        is_placeholder=row.is_placeholder,
    )


_LOCATION_ID = Prepared(select(Location.id).where(Location.code == bindparam("code")))
_INVENTORY_ID = Prepared(select(Inventory.id).where(Inventory.product_id == bindparam("product_id"),
                                                     Inventory.location_id == bindparam("location_id")))


def location_id(session: Session, code: str, *, create: bool) -> int | None:
    """The id of a location (None if missing), created on first use when ``create``.

    The spec treats locations as text, so a stock operation may name a new one.
    """
    normalized = normalize_location_code(code)
    row = _LOCATION_ID.first(session, {"code": normalized})
    if row is not None or not create:
        return None if row is None else int(row.id)
    insert = dialect_insert(session)
    record_locations(session)
    session.execute(
        insert(Location.__table__)
        .values(code=normalized, name=None, sort_key=0, is_active=True, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["code"])
    )
    return int(_LOCATION_ID.run(session, {"code": normalized})[0].id)


def inventory_id(session: Session, product: ProductRef, location: int, *, create: bool) -> int | None:
    """The inventory row of (product, location); created empty when ``create`` and missing."""
    row = _INVENTORY_ID.first(session, {"product_id": product.id, "location_id": location})
    if row is not None or not create:
        return None if row is None else int(row.id)
    insert = dialect_insert(session)
    record_stock(session, (product.id,))  # a new stock row is a change of the product's stock
    # On PostgreSQL the row the insert ran into may be deleted by another PC before we read it
    # (`stock delete`): then insert again. None only if that keeps happening (NotFound upstream).
    for _attempt in range(3):
        session.execute(
            insert(Inventory.__table__)
            .values(
                store_id=product.store_id,
                product_id=product.id,
                location_id=location,
                quantity=0,
                reserved_quantity=0,
                created_at=utcnow(),
                updated_at=utcnow(),
            )
            .on_conflict_do_nothing(index_elements=["product_id", "location_id"])
        )
        row = _INVENTORY_ID.first(session, {"product_id": product.id, "location_id": location})
        if row is not None:
            return int(row.id)
    return None


def product_info(row: Product, store_code: str) -> ProductInfo:
    return ProductInfo(
        id=row.id,
        store_code=store_code,
        sku=row.sku,
        gtin=gtin_rules.PLACEHOLDER_GTIN if row.is_placeholder else gtin_rules.display_gtin(row.gtin),
        title=row.title,
        product_type=ProductType(row.product_type),
        low_stock_threshold=row.low_stock_threshold,
        reorder_point=row.reorder_point,
        is_placeholder=row.is_placeholder,
    )


def _slot_query(location_matches: ColumnElement[bool], rows: int) -> Any:
    """Product, location and stock row joined, for one product by SKU or GTIN at the locations given."""
    return (
        select(
            *_product_columns(),
            Location.id.label("location_id"),
            Location.code.label("location_code"),
            Inventory.id.label("inventory_id"),
        )
        .join(Store, Store.id == Product.store_id)
        .join(Location, location_matches)
        .join(Inventory, (Inventory.product_id == Product.id) & (Inventory.location_id == Location.id))
        .where(Store.code == bindparam("store"), sku_matches(bindparam("sku")) | _gtin_match_without_sku())
        .limit(rows)
    )


def _gtin_match_without_sku() -> ColumnElement[bool]:
    """The product with GTIN ``:gtin``, unless another product has SKU ``:sku``: a SKU match always
    wins, as in :func:`resolve_product`, also when that product has no row at the location asked."""
    other = aliased(Product)
    sku_taken = select(other.id).where(other.store_id == Product.store_id,
                                       func.lower(other.sku) == func.lower(bindparam("sku"))).exists()
    return (Product.gtin == bindparam("gtin")) & ~sku_taken


_SLOT_QUERY = Prepared(_slot_query(Location.code == bindparam("location"), 1))
_SLOT_PAIR_QUERY = Prepared(_slot_query(Location.code.in_([bindparam("first"), bindparam("second")]), 2))
# FOR NO KEY UPDATE OF inventory on PostgreSQL (the lock an UPDATE takes); SQLite has no such clause
# and needs none: its writer holds the whole file.
_LOCKED_SLOT_QUERY = Prepared(
    _slot_query(Location.code == bindparam("location"), 1).with_for_update(of=Inventory, key_share=True)
)


def find_slot(session: Session, store_code: str, identifier: str, location_code: str) -> Slot | None:
    """The existing stock row of (store, SKU or GTIN, location) in one query, or None.

    None means "take the careful path": something is missing, misspelled or invalid, and that
    path creates it or says exactly what is wrong.
    """
    found = _find_slots(session, _SLOT_QUERY, store_code, identifier, {"location": location_code})
    return None if found is None else found.get(location_code)


def find_locked_slot(session: Session, store_code: str, identifier: str, location_code: str) -> Slot | None:
    """:func:`find_slot` with the stock row locked until the commit by the same statement: one round
    trip for the look-up and the lock. Under READ COMMITTED a statement that waited for the lock
    reads the row as the other PC left it; the next statement sees everything it committed."""
    found = _find_slots(session, _LOCKED_SLOT_QUERY, store_code, identifier, {"location": location_code})
    return None if found is None else found.get(location_code)


def find_slot_pair(
    session: Session, store_code: str, identifier: str, first: str, second: str
) -> tuple[Slot, Slot] | None:
    """The existing stock rows of one product at two locations in one query (a transfer), or None
    when either is missing (then the careful path, as for :func:`find_slot`)."""
    found = _find_slots(session, _SLOT_PAIR_QUERY, store_code, identifier, {"first": first, "second": second})
    if found is None or first not in found or second not in found:
        return None
    return found[first], found[second]


def slot_gtin(identifier: str) -> str | None | bool:
    """The canonical GTIN a slot look-up matches ``identifier`` (stripped) against: None when it does
    not look like a GTIN (a SKU only), False when it is a GTIN with a wrong check digit (no quick
    look-up: the careful path says what is wrong)."""
    if not gtin_rules.looks_like_gtin(identifier) or gtin_rules.is_placeholder(identifier):
        return None
    try:
        return gtin_rules.normalize_gtin(identifier)
    except InvalidInput:
        return False


def _find_slots(
    session: Session, query: Prepared, store_code: str, identifier: str, locations: dict[str, str]
) -> dict[str, Slot] | None:
    """Location code -> slot of the best-matching product (a SKU match before a GTIN match)."""
    text = identifier.strip()
    canonical = slot_gtin(text)
    if canonical is False:
        return None
    # On the Session's connection: a Core query needs none of the ORM's per-statement work (about
    # 15 us a statement on SQLite, a tenth of a reserve's own time; docs/performance.md).
    rows = query.run(session, {"store": store_code.strip().upper(), "sku": text, "gtin": canonical, **locations})
    if not rows:
        return None
    best = rows[0].id  # one product matches (see _gtin_match_without_sku); this guards the invariant
    return {
        row.location_code: Slot(product=_ref(row), location_id=row.location_id, location_code=row.location_code,
                                inventory_id=row.inventory_id)
        for row in rows
        if row.id == best
    }
