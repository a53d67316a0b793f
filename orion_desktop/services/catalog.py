"""Stores, locations and products."""

from __future__ import annotations

from sqlalchemy import ColumnElement, SQLColumnExpression, and_, bindparam, false, func, or_, select
from sqlalchemy import text as sql_text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from orion_desktop.db.change_recording import record_actor, record_catalog, record_locations
from orion_desktop.db.engine import Database
from orion_desktop.db.models import Inventory, Location, Product, Store
from orion_desktop.domain import gtin as gtin_rules
from orion_desktop.domain.actor import Actor, Permission
from orion_desktop.domain.enums import ProductType
from orion_desktop.domain.errors import Conflict, InvalidInput, NotFound
from orion_desktop.domain.results import LocationInfo, LocationSummary, ProductInfo, StoreInfo
from orion_desktop.domain.validation import (
    check_count,
    check_optional_level,
    clean_sku,
    clean_text,
    normalize_location_code,
    normalize_store_code,
)
from orion_desktop.services.lookup import product_info, resolve_product, resolve_store, sku_matches
from orion_desktop.services.read_scope import in_stores, scope_of


def parse_product_type(raw: str | ProductType | None) -> ProductType:
    if raw is None or raw == "":
        return ProductType.PHYSICAL
    try:
        return ProductType(str(raw).strip().lower())
    except ValueError:
        options = ", ".join(t.value for t in ProductType)
        raise InvalidInput(f"{raw!r} is not a product type; use one of {options}.") from None


def _location_info(row: Location) -> LocationInfo:
    return LocationInfo(id=row.id, code=row.code, name=row.name, sort_key=row.sort_key, is_active=row.is_active)


class CatalogService:
    def __init__(self, database: Database) -> None:
        self._db = database

    # --- stores -------------------------------------------------------------------------
    def add_store(self, actor: Actor, code: str, name: str) -> StoreInfo:
        actor.require(Permission.MANAGE_STORES)
        code = normalize_store_code(code)
        clean_name = clean_text(name, "store name")
        assert clean_name is not None
        with self._db.write() as session:
            if session.execute(select(Store.id).where(Store.code == code)).first():
                raise Conflict(f"A store with code {code} already exists.")
            store = Store(code=code, name=clean_name)
            record_catalog(session)
            record_actor(session, actor.name)
            session.add(store)
            session.flush()
            return StoreInfo(id=store.id, code=store.code, name=store.name)

    def list_stores(self) -> tuple[StoreInfo, ...]:
        with self._db.read() as session:
            query = select(Store.id, Store.code, Store.name).order_by(Store.code)
            if (scope := scope_of(self._db)) is not None:  # the signed-in user's stores only
                query = query.where(Store.code.in_(scope))
            rows = session.execute(query).all()
            return tuple(StoreInfo(id=r.id, code=r.code, name=r.name) for r in rows)

    # --- locations ----------------------------------------------------------------------
    def add_location(
        self, actor: Actor, code: str, name: str | None = None, sort_key: int | str | None = None
    ) -> LocationInfo:
        """Create a location, or name and place one that stock operations created on the fly."""
        actor.require(Permission.MANAGE_LOCATIONS)
        code = normalize_location_code(code)
        clean_name = clean_text(name, "location name", required=False)
        key = check_optional_level(sort_key, "sort key")
        with self._db.write() as session:
            record_locations(session)
            record_actor(session, actor.name)
            location = session.execute(select(Location).where(Location.code == code)).scalar_one_or_none()
            if location is None:
                location = Location(code=code, name=clean_name, sort_key=key or 0, is_active=True)
                session.add(location)
            else:
                if clean_name is not None:
                    location.name = clean_name
                if key is not None:
                    location.sort_key = key
                location.is_active = True
            session.flush()
            return _location_info(location)

    def update_location(
        self,
        actor: Actor,
        code: str,
        *,
        name: str | None = None,
        sort_key: int | str | None = None,
        is_active: bool | None = None,
    ) -> LocationInfo:
        actor.require(Permission.MANAGE_LOCATIONS)
        code = normalize_location_code(code)
        clean_name = clean_text(name, "location name", required=False)
        key = check_optional_level(sort_key, "sort key")
        with self._db.write() as session:
            record_locations(session)
            record_actor(session, actor.name)
            location = session.execute(select(Location).where(Location.code == code)).scalar_one_or_none()
            if location is None:
                raise NotFound(f"There is no location {code}.")
            if clean_name is not None:
                location.name = clean_name
            if key is not None:
                location.sort_key = key
            if is_active is not None:
                location.is_active = is_active
            session.flush()
            return _location_info(location)

    def list_locations(self) -> tuple[LocationSummary, ...]:
        """Every location with how many stock rows and units it holds, in picking-path order.

        Locations are shared by every store; their totals count the signed-in user's stores only.
        The totals are one pass over ``ix_inventory_location_id``, which holds every column they
        need (index-only), grouped before the few locations are joined.
        """
        with self._db.read() as session:
            totals_query = select(
                Inventory.location_id,
                func.count().label("stock_rows"),
                func.sum(Inventory.quantity).label("quantity"),
                func.sum(Inventory.reserved_quantity).label("reserved"),
            ).group_by(Inventory.location_id)
            if (scope := scope_of(self._db)) is not None:
                totals_query = totals_query.where(in_stores(Inventory.store_id, scope))
            totals = totals_query.subquery()
            rows = session.execute(
                select(
                    Location.code,
                    Location.name,
                    Location.sort_key,
                    Location.is_active,
                    func.coalesce(totals.c.stock_rows, 0).label("stock_rows"),
                    func.coalesce(totals.c.quantity, 0).label("quantity"),
                    func.coalesce(totals.c.reserved, 0).label("reserved"),
                )
                .outerjoin(totals, totals.c.location_id == Location.id)
                .order_by(Location.sort_key, Location.code)
            ).all()
            return tuple(
                LocationSummary(
                    code=r.code,
                    name=r.name,
                    sort_key=r.sort_key,
                    is_active=r.is_active,
                    stock_rows=int(r.stock_rows),
                    quantity=int(r.quantity),
                    reserved_quantity=int(r.reserved),
                )
                for r in rows
            )

    def location_choices(self) -> tuple[LocationInfo, ...]:
        """Every location in picking-path order, without totals: for pick lists and filters."""
        with self._db.read() as session:
            return tuple(
                LocationInfo(r.id, r.code, r.name, r.sort_key, r.is_active)
                for r in session.execute(
                    select(Location.id, Location.code, Location.name, Location.sort_key, Location.is_active).order_by(
                        Location.sort_key, Location.code
                    )
                ).all()
            )

    # --- products -----------------------------------------------------------------------
    def add_product(
        self,
        actor: Actor,
        *,
        store: str | None,
        sku: str,
        title: str,
        gtin: str | None = None,
        product_type: str | ProductType | None = None,
        low_stock_threshold: int | str | None = None,
        reorder_point: int | str | None = None,
    ) -> ProductInfo:
        actor.require(Permission.MANAGE_CATALOG)
        clean = _clean_product(sku, title, gtin, product_type, low_stock_threshold, reorder_point)
        with self._db.write() as session:
            store_info = resolve_store(session, store)
            actor.require_store(store_info.code)
            _refuse_duplicates(session, store_info, clean.sku, clean.gtin)
            product = Product(store_id=store_info.id, **clean.columns())
            record_catalog(session)
            record_actor(session, actor.name)
            session.add(product)
            try:
                session.flush()
            except IntegrityError:
                raise Conflict(f"Product {clean.sku} was just added by another workstation.") from None
            return product_info(product, store_info.code)

    def get_product(self, store: str | None, identifier: str) -> ProductInfo:
        with self._db.read() as session:
            store_info = resolve_store(session, store, scope_of(self._db))  # another store's: not found
            ref = resolve_product(session, store_info, identifier)
            return product_info(session.get_one(Product, ref.id), store_info.code)

    def list_products(
        self, store: str | None = None, search: str | None = None, limit: int | None = None
    ) -> tuple[ProductInfo, ...]:
        with self._db.read() as session:
            query = select(Product, Store.code).join(Store, Store.id == Product.store_id)
            if (scope := scope_of(self._db)) is not None:
                query = query.where(Store.code.in_(scope))
            if store:
                query = query.where(Product.store_id == resolve_store(session, store, scope).id)
            if search and search.strip():
                query = query.where(product_search_clause(search))
            query = query.order_by(Store.code, Product.sku)
            if limit is not None:
                query = query.limit(check_count(limit, "limit"))
            return tuple(product_info(product, code) for product, code in session.execute(query).all())


class CleanProduct:
    """Validated product fields, ready for the table."""

    def __init__(
        self,
        sku: str,
        title: str,
        gtin: str | None,
        is_placeholder: bool,
        product_type: ProductType,
        low: int | None,
        reorder: int | None,
    ) -> None:
        self.sku, self.title, self.gtin, self.is_placeholder = sku, title, gtin, is_placeholder
        self.product_type, self.low, self.reorder = product_type, low, reorder

    def columns(self) -> dict[str, object]:
        return {
            "sku": self.sku,
            "title": self.title,
            "gtin": self.gtin,
            "is_placeholder": self.is_placeholder,
            "product_type": self.product_type.value,
            "low_stock_threshold": self.low,
            "reorder_point": self.reorder,
        }


def _clean_product(
    sku: object,
    title: object,
    gtin: str | None,
    product_type: str | ProductType | None,
    low_stock_threshold: object,
    reorder_point: object,
) -> CleanProduct:
    clean_title = clean_text(title, "product title")
    assert clean_title is not None
    canonical: str | None = None
    placeholder = False
    if gtin is not None and str(gtin).strip():
        if gtin_rules.is_placeholder(str(gtin)):
            placeholder = True  # stored as NULL: many placeholders share the one code
        else:
            canonical = gtin_rules.normalize_gtin(str(gtin))
    return CleanProduct(
        sku=clean_sku(sku),
        title=clean_title,
        gtin=canonical,
        is_placeholder=placeholder,
        product_type=parse_product_type(product_type),
        low=check_optional_level(low_stock_threshold, "low-stock threshold"),
        reorder=check_optional_level(reorder_point, "reorder point"),
    )


def _refuse_duplicates(session: Session, store: StoreInfo, sku: str, gtin: str | None) -> None:
    # SKUs ignore case: HP-1 exists, so hp-1 would be the same product (uq_products_lower_sku_store_id).
    existing = session.execute(
        select(Product.sku).where(Product.store_id == store.id, sku_matches(sku))
    ).scalar_one_or_none()
    if existing == sku:
        raise Conflict(f"Store {store.code} already has a product with SKU {sku}.")
    if existing is not None:
        raise Conflict(
            f"Store {store.code} already has a product with SKU {existing}; SKUs ignore upper and lower case, "
            f"so {sku} would be the same product."
        )
    if gtin is not None:
        other = session.execute(
            select(Product.sku).where(Product.store_id == store.id, Product.gtin == gtin)
        ).scalar_one_or_none()
        if other is not None:
            raise Conflict(f"GTIN {gtin_rules.display_gtin(gtin)} already belongs to {other} in store {store.code}.")


def like_pattern(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere, with %, _ and \\ taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


TRIGRAM_MIN_LENGTH = 3
"""Trigram indexes cannot find shorter substrings: such searches scan, in the listing's order, so a
page of a common short text still comes quickly."""

FTS_CANDIDATE_CAP = 1_000
"""From this many FTS matches on, a text is common enough that walking a listing in its own order
and testing each row finds a page about as soon as fetching and sorting every match."""

FTS_TAIL_LENGTH, FTS_TAIL_CAP = 5, 200
"""Codes (SKUs, order numbers) share their first characters ("SKU-00...") and differ in their last
ones, and the trigrams every row contains make an FTS5 phrase slow. So a longer text is first
looked up by its last five characters: if few rows contain those, they are the candidates."""


def search_candidates(session: Session, fts_table: str, *texts: str) -> str | None:
    """SQLite: the rowids of ``fts_table`` whose columns may contain one of ``texts``; None to scan.

    ``fts_table`` is one of the FTS5 trigram tables of migration 0003 (case-insensitive, every
    character indexed). A trigram phrase matches the rows containing it as a substring under
    Unicode case folding, so it finds every row that SQLite's ``lower(x) LIKE '%text%'`` or
    ``x LIKE '%text%'`` finds (ASCII folding only), and so does any part of ``text``. Callers keep
    their LIKE, so the result is exactly the LIKE's. Pass each spelling the LIKEs use (a text
    lower-cased and upper-cased may differ in more than case: "ß" and "SS"). The rowids come as a
    JSON array, for :func:`narrowed`.

    None on PostgreSQL (its pg_trgm indexes serve the LIKE itself), below three characters, and
    for texts in ``FTS_CANDIDATE_CAP`` rows or more.
    """
    # One phrase per spelling that differs in more than ASCII-like case (the FTS folds case itself).
    spellings = sorted({t.lower(): t for t in texts}.values())
    if session.get_bind().dialect.name != "sqlite" or min(len(t) for t in spellings) < TRIGRAM_MIN_LENGTH:
        return None
    if min(len(t) for t in spellings) > FTS_TAIL_LENGTH:
        found = _fts_rowids(session, fts_table, [t[-FTS_TAIL_LENGTH:] for t in spellings], FTS_TAIL_CAP)
        if found is not None:
            return found
    return _fts_rowids(session, fts_table, spellings, FTS_CANDIDATE_CAP)


def _fts_rowids(session: Session, fts_table: str, texts: list[str], cap: int) -> str | None:
    """The rowids of the rows containing one of ``texts``, as a JSON array; None if ``cap`` or more."""
    query = " OR ".join('"' + text.replace('"', '""') + '"' for text in texts)
    count, rowids = session.execute(
        sql_text(
            f"SELECT count(*), json_group_array(rowid) FROM "
            f"(SELECT rowid FROM {fts_table} WHERE {fts_table} MATCH :query LIMIT :cap)"
        ),
        {"query": query, "cap": cap},
    ).one()
    return None if count >= cap else rowids


def narrowed(
    column: SQLColumnExpression[int], candidates: str | None, test: ColumnElement[bool]
) -> ColumnElement[bool] | None:
    """``test`` on the rows whose ``column`` is among the ``candidates`` of :func:`search_candidates`.

    None when there are no candidates: the caller leaves the test out rather than adding
    ``OR 0 = 1``, which keeps SQLite from using an index for the rest of the condition.
    """
    if candidates is None:
        return test
    if candidates == "[]":
        return None
    listed = func.json_each(bindparam(None, candidates)).table_valued("value")
    return and_(column.in_(select(listed.c.value)), test)


def product_search_clause(search: str, session: Session | None = None) -> ColumnElement[bool]:
    """Match title or SKU by substring, or the GTIN exactly when the text is a valid barcode.

    Given the ``session`` on SQLite, the substring test first narrows the products through the
    ``products_search`` FTS5 trigram table (same result, without testing every title). On
    PostgreSQL the pg_trgm indexes on ``lower(title)`` and ``lower(sku)`` serve the LIKE itself.
    """
    text = search.strip()
    pattern = like_pattern(text.lower())
    contains = or_(
        func.lower(Product.title).like(pattern, escape="\\"),
        func.lower(Product.sku).like(pattern, escape="\\"),
    )
    candidates = None if session is None else search_candidates(session, "products_search", text.lower())
    clauses = [clause for clause in (narrowed(Product.id, candidates, contains),) if clause is not None]
    if gtin_rules.looks_like_gtin(text):
        try:
            clauses.append(Product.gtin == gtin_rules.normalize_gtin(text))
        except InvalidInput:
            pass  # a mistyped barcode still searches titles and SKUs
    return or_(*clauses) if clauses else false()
