"""Lookups the imports share: stores per line, products by SKU or GTIN in batches, GTIN cells.

Lookups are set-based: up to ``LOOKUP_CHUNK`` values per query, sent as one parameter (see
:func:`services.lookup.matches_any`), never one round trip per line, so 100k lines stay quick.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from orion_desktop.db.models import Product
from orion_desktop.domain import gtin as gtin_rules
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.enums import ProductType
from orion_desktop.domain.errors import InvalidInput, OrionError
from orion_desktop.domain.results import StoreInfo
from orion_desktop.services.csv_files import CsvLine, CsvTable
from orion_desktop.services.lookup import ProductRef, matches_any, resolve_store
from orion_desktop.services.stock_ops import require_stock_tracked

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


def product_rows(session: Session, store: StoreInfo, column, values: Iterable[str]) -> dict[str, Row[Any]]:  # type: ignore[no-untyped-def]
    """Products of one store whose ``column`` (SKU or GTIN) is in ``values``, keyed by that value.

    The rows (id, sku, gtin, title, product_type, is_placeholder) are kept as they come: at
    100k lines, building an object per product costs more than the query.
    """
    key = 1 if column is _products.c.sku else 2
    found: dict[str, Row[Any]] = {}
    for batch in chunks(sorted(set(values)), LOOKUP_CHUNK):
        rows = session.execute(
            select(
                _products.c.id,
                _products.c.sku,
                _products.c.gtin,
                _products.c.title,
                _products.c.product_type,
                _products.c.is_placeholder,
            ).where(_products.c.store_id == store.id, matches_any(session, column, batch))
        ).all()
        found.update((row[key], row) for row in rows)
    return found


def require_stock_tracked_row(row: Row[Any], store: StoreInfo) -> None:
    """InvalidInput (as services.stock_ops says it) unless a product_rows row has stock to change."""
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
