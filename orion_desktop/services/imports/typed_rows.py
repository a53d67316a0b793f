"""Rows of integers and texts as a table in one statement, for the order import's set-based writes.

Like :func:`db.bulk_rows.integer_rows`, with a type per column: PostgreSQL gets one typed array
per column (``unnest``), SQLite one JSON array of arrays (``json_each``; ``json_extract`` gives
an integer, a text or NULL back as it went in).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import FromClause, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeEngine

Column = tuple[str, TypeEngine[Any]]


def rows_table(session: Session, columns: Sequence[Column], rows: Sequence[Sequence[object]]) -> FromClause:
    """A FROM clause with the named, typed columns and one row per tuple in ``rows``."""
    if session.get_bind().dialect.name == "postgresql":
        arrays = [
            bindparam(None, [row[index] for row in rows], type_=ARRAY(type_))
            for index, (_name, type_) in enumerate(columns)
        ]
        return func.unnest(*arrays).table_valued(*(name for name, _type in columns)).render_derived(name="listed")
    listed = func.json_each(bindparam(None, json.dumps(rows))).table_valued("value")
    picked = [
        func.json_extract(listed.c.value, f"$[{index}]", type_=type_).label(name)
        for index, (name, type_) in enumerate(columns)
    ]
    return select(*picked).subquery("listed")
