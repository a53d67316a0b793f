"""Lookups the imports share: stores per line, products by SKU or GTIN in batches, GTIN cells.

Lookups are set-based: up to ``LOOKUP_CHUNK`` values per query, sent as one parameter (see
:func:`db.dialect.matches_any`), never one round trip per line, so 100k lines stay quick.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.orm import Session

from orion_desktop.db.dialect import matches_any, not_a_join_key, values_table
from orion_desktop.db.models import Product
from orion_desktop.db.typing_aliases import AnyRow
from orion_desktop.domain import gtin as gtin_rules
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.enums import ProductType
from orion_desktop.domain.errors import InvalidInput, NotFound, OrionError
from orion_desktop.domain.results import StoreInfo
from orion_desktop.services.imports.csv_files import CsvLine, CsvTable
from orion_desktop.services.lookup import ProductRef, resolve_store, sku_matches
from orion_desktop.services.stock.level_changes import require_stock_tracked

IN_LIST_CHUNK = 500
"""Most values in one plain ``IN (...)`` list, where each value is a bound parameter."""
LOOKUP_CHUNK = 10_000
"""Most values in one :func:`matches_any` lookup (all values travel as a single parameter)."""

_products = Product.__table__
_T = TypeVar("_T")


def chunks(values: Iterable[_T], size: int = IN_LIST_CHUNK) -> Iterator[list[_T]]:
    """``values`` in lists of at most ``size``, in their order."""
    batch: list[_T] = []
    for value in values:
        batch.append(value)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


_SPREADSHEET_NUMBER = re.compile(r"\d+([.,]\d+)?[eE]\+?\d+")


def refuse_spreadsheet_number(raw: str) -> None:
    """Explain the usual spreadsheet accident (a barcode shown as 4.00638E+12) in plain words."""
    if _SPREADSHEET_NUMBER.fullmatch(raw):
        raise InvalidInput(
            f"{raw!r} looks like a barcode a spreadsheet turned into a number; format the GTIN column as text."
        )


def gtin_cell(raw: str) -> str:
    """A GTIN cell in canonical form, or InvalidInput with a sentence."""
    refuse_spreadsheet_number(raw)
    return gtin_rules.normalize_gtin(raw)


class StoreResolver:
    """Store codes of a file's lines, resolved once per distinct code (services.lookup.resolve_store)."""

    def __init__(self, session: Session, actor: Actor, table: CsvTable, default: str | None) -> None:
        self._session = session
        self._actor = actor
        self._default = default
        self._cache: dict[str, StoreInfo | OrionError] = {}
        self._has_column = table.has("store")
        if not self._has_column and default is None:
            # Every line would need "the only store": decide it once for the whole file.
            try:
                resolve_store(session, None)
            except InvalidInput:
                raise InvalidInput(
                    f"This database has more than one store; add a store column to {table.file_name} "
                    "saying which store each line belongs to."
                ) from None

    def for_line(self, line: CsvLine) -> StoreInfo:
        code = line.get("store") if self._has_column else ""
        if code not in self._cache:
            self._cache[code] = self._resolve(code)
        found = self._cache[code]
        if isinstance(found, OrionError):
            raise found
        return found

    def _resolve(self, code: str) -> StoreInfo | OrionError:
        try:
            if code:
                store = resolve_store(self._session, code)
            elif self._default is not None:
                store = resolve_store(self._session, self._default)
            else:
                try:
                    store = resolve_store(self._session, None)
                except InvalidInput:
                    return InvalidInput("The store is missing; this database has more than one store.")
            self._actor.require_store(store.code)
            return store
        except OrionError as error:
            return error


_PRODUCT_ROW = (
    _products.c.id,
    _products.c.sku,
    _products.c.gtin,
    _products.c.title,
    _products.c.product_type,
    _products.c.is_placeholder,
)


def product_rows(
    session: Session, store: StoreInfo, column: ColumnElement[Any], values: Iterable[str]
) -> dict[str, AnyRow]:
    """Products of one store whose ``column`` (SKU or GTIN) is in ``values``, keyed by that value.

    SKUs match whatever their case (:func:`sku_rows`), keyed by the spelling asked for. The rows
    (id, sku, gtin, title, product_type, is_placeholder) are kept as they come: at 100k lines,
    building an object per product costs more than the query.
    """
    if column is _products.c.sku:
        return sku_rows(session, store.id, _PRODUCT_ROW, values)
    found: dict[str, AnyRow] = {}
    for batch in chunks(sorted(set(values)), LOOKUP_CHUNK):
        rows = session.execute(
            select(*_PRODUCT_ROW).where(_products.c.store_id == store.id, matches_any(session, column, batch))
        ).all()
        found.update((row.gtin, row) for row in rows)
    return found


def sku_rows(session: Session, store_id: int, columns: Sequence[Any], skus: Iterable[str]) -> dict[str, AnyRow]:
    """``columns`` of the products of one store named by ``skus`` in any case, keyed by each SKU as asked.

    The SKUs are joined as a table against ``lower(sku)`` (one probe each of
    uq_products_lower_sku_store_id), so ``hp-1`` and ``HP-1`` both find the product ``HP-1``, and
    the database lowers both sides exactly as its unique index does. The store is only a filter
    (:func:`not_a_join_key`): joined from the store's products instead, SQLite read the whole list
    once per product of the store, and a 100k-line import of new products never finished.
    """
    found: dict[str, AnyRow] = {}
    in_store = not_a_join_key(session, _products.c.store_id) == store_id
    for batch in chunks(sorted(set(skus)), LOOKUP_CHUNK):
        wanted = values_table(session, batch)
        rows = session.execute(
            select(*columns, wanted.c.value.label("wanted"))
            .select_from(wanted)
            .join(_products, and_(sku_matches(wanted.c.value), in_store))
        ).all()
        found.update((row.wanted, row) for row in rows)
    return found


def require_stock_tracked_row(row: AnyRow, store: StoreInfo) -> None:
    """InvalidInput (as services.stock.level_changes says it) unless a product_rows row has stock to change."""
    if row.is_placeholder or row.product_type != ProductType.PHYSICAL.value:
        require_stock_tracked(
            ProductRef(
                id=row.id,
                store_id=store.id,
                store_code=store.code,
                sku=row.sku,
                title=row.title,
                product_type=ProductType(row.product_type),
                is_placeholder=row.is_placeholder,
            )
        )


class ProductResolver:
    """Products named by SKU or GTIN, found as :func:`services.lookup.resolve_product` finds them,
    but with a few queries per store instead of one or two per line.

    :meth:`load` a store's identifiers first; :meth:`find` then answers each line from memory
    with resolve_product's result or its sentence.
    """

    def __init__(self, session: Session) -> None:
        self._session = session
        self._by_sku: dict[int, dict[str, AnyRow]] = {}
        self._by_gtin: dict[int, dict[str, AnyRow]] = {}
        self._canonical: dict[str, str | InvalidInput | None] = {}

    def load(self, store: StoreInfo, identifiers: Iterable[str]) -> None:
        """Look up every product these identifiers may name in one store (SKUs first, then GTINs)."""
        texts = {text.strip() for text in identifiers} - {""}
        by_sku = product_rows(self._session, store, _products.c.sku, texts)
        gtins = {self._gtin(text) for text in texts if text not in by_sku}
        by_gtin = product_rows(self._session, store, _products.c.gtin, {g for g in gtins if isinstance(g, str)})
        self._by_sku.setdefault(store.id, {}).update(by_sku)
        self._by_gtin.setdefault(store.id, {}).update(by_gtin)

    def find(self, store: StoreInfo, identifier: str) -> AnyRow:
        """The product (a product_rows row) by SKU, or by any valid form of its GTIN; or an OrionError."""
        text = identifier.strip()
        if not text:
            raise InvalidInput("Say which product: give its SKU or scan its GTIN.")
        row = self._by_sku.get(store.id, {}).get(text)
        if row is None:
            canonical = self._gtin(text)
            if isinstance(canonical, InvalidInput):
                raise canonical
            if canonical is not None:
                row = self._by_gtin.get(store.id, {}).get(canonical)
        if row is None:
            raise NotFound(f"No product with SKU or GTIN {text!r} in store {store.code}.")
        return row

    def _gtin(self, text: str) -> str | InvalidInput | None:
        """The canonical GTIN of a text that looks like one, its refusal, or None for other texts."""
        if text not in self._canonical:
            self._canonical[text] = _canonical_gtin(text)
        return self._canonical[text]


def _canonical_gtin(text: str) -> str | InvalidInput | None:
    if not gtin_rules.looks_like_gtin(text):
        return None
    if gtin_rules.is_placeholder(text):
        return InvalidInput("0000000000000 is the placeholder code for unmatched items; it does not name one product.")
    try:
        return gtin_rules.normalize_gtin(text)  # a wrong check digit is a sentence
    except InvalidInput as error:
        return error
