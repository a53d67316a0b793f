"""The ledger query: the one reading of the stock ledger that ``stock ledger``, the Ledger page and
the Inventory page's detail all use (through ``StockQueries.ledger``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from orion_desktop.db.models import InventoryTransaction, Location, Order, Product, Store
from orion_desktop.domain import gtin as gtin_rules
from orion_desktop.domain.enums import TransactionType
from orion_desktop.domain.errors import InvalidInput, NotFound
from orion_desktop.domain.results import LedgerEntry
from orion_desktop.domain.validation import check_count, clean_text, normalize_location_code
from orion_desktop.services.lookup import resolve_product, resolve_store, sku_matches
from orion_desktop.services.read_scope import in_stores


def parse_transaction_type(raw: str | TransactionType) -> TransactionType:
    try:
        return TransactionType(str(raw).strip().lower())
    except ValueError:
        options = ", ".join(t.value for t in TransactionType)
        raise InvalidInput(f"{raw!r} is not a kind of stock change; use one of {options}.") from None


def ledger_entry(t: InventoryTransaction, store_code: str, sku: str, location: str) -> LedgerEntry:
    """A ledger row as the lists show it, with its store, SKU and location codes."""
    return LedgerEntry(
        id=t.id,
        created_at=t.created_at,
        transaction_type=TransactionType(t.transaction_type),
        store_code=store_code,
        sku=sku,
        location=location,
        quantity_change=t.quantity_change,
        reserved_change=t.reserved_change,
        quantity_after=t.quantity_after,
        reserved_after=t.reserved_after,
        order_number=t.order_number,
        reason=t.reason,
        created_by=t.created_by,
    )


def read_ledger(
    session: Session,
    *,
    store: str | None = None,
    product: str | None = None,
    order_number: str | None = None,
    transaction_type: str | TransactionType | None = None,
    location: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int | str = 100,
    before_id: int | None = None,
    stores: frozenset[str] | None = None,
) -> tuple[LedgerEntry, ...]:
    """Ledger rows, newest first; ``before_id`` pages further back (keyset paging).

    ``product`` is a SKU or any form of a GTIN; without ``store`` it matches in every store.
    ``since`` is inclusive and ``until`` exclusive (aware datetimes; naive ones are taken as UTC).
    Empty filters do not filter.
    """
    count = check_count(limit, "limit")
    kind = None if transaction_type is None or transaction_type == "" else parse_transaction_type(transaction_type)
    if since is not None and until is not None and since >= until:
        raise InvalidInput("The date range is empty: it ends before it starts.")
    t = InventoryTransaction
    query = (
        select(t, Store.code.label("store_code"), Product.sku, Location.code.label("location"))
        .join(Store, Store.id == t.store_id)
        .join(Product, Product.id == t.product_id)
        .join(Location, Location.id == t.location_id)
    )
    store_text = store.strip() if store else ""
    if stores is not None:  # the signed-in user's stores only (services/read_scope.py)
        query = query.where(Store.code.in_(stores))
    if store_text:
        query = query.where(t.store_id == resolve_store(session, store_text, stores).id)
    if product and product.strip():
        query = query.where(t.product_id.in_(_product_ids(session, store_text or None, product.strip(), stores)))
    if order_number and order_number.strip():
        query = query.where(t.order_id == _order_id(session, order_number, stores))
    if kind is not None:
        query = query.where(t.transaction_type == kind.value)
    if location and location.strip():
        query = query.where(Location.code == normalize_location_code(location))
    if since is not None:
        query = query.where(t.created_at >= since)
    if until is not None:
        query = query.where(t.created_at < until)
    if before_id is not None:
        query = query.where(t.id < before_id)
    query = query.order_by(t.id.desc()).limit(count)
    return tuple(ledger_entry(*row) for row in session.execute(query).all())


def _product_ids(session: Session, store: str | None, identifier: str, stores: frozenset[str] | None) -> list[int]:
    """The products a SKU or GTIN names: in one store, or in every store (of ``stores``) that has it."""
    if store is not None:
        return [resolve_product(session, resolve_store(session, store, stores), identifier).id]
    clauses = [sku_matches(identifier)]
    if gtin_rules.looks_like_gtin(identifier):
        if gtin_rules.is_placeholder(identifier):
            raise InvalidInput(
                "0000000000000 is the placeholder code for unmatched items; it does not name one product."
            )
        clauses.append(Product.gtin == gtin_rules.normalize_gtin(identifier))  # a wrong check digit is a sentence
    query = select(Product.id).where(or_(*clauses))
    if stores is not None:  # another store's product: as if it did not exist
        query = query.where(in_stores(Product.store_id, stores))
    ids = list(session.scalars(query).all())
    if not ids:
        raise NotFound(f"No product has the SKU or GTIN {identifier!r}.")
    return ids


def _order_id(session: Session, order_number: str, stores: frozenset[str] | None) -> int:
    number = clean_text(order_number, "order number", max_length=64)
    assert number is not None
    query = select(Order.id).where(or_(Order.order_number == number, Order.order_number == number.upper()))
    if stores is not None:  # another store's order: as if it did not exist
        query = query.where(in_stores(Order.store_id, stores))
    found = session.execute(query).scalars().first()
    if found is None:
        raise NotFound(f"There is no order {number}.")
    return found


__all__ = ["ledger_entry", "parse_transaction_type", "read_ledger"]
