"""Many rows as a table in one statement, for set-based writes: integers (`integer_rows`) or typed
columns (`typed_rows`, the order import).

``executemany`` of 100k rows costs SQLAlchemy a parameter dictionary, its type processing and a
driver call per row; on SQLite that was about as much time as the database's own work. Sent as
one parameter instead, the rows become a table the database joins in C: an
``UPDATE ... FROM``, an ``INSERT ... SELECT``. PostgreSQL gets one integer array per column
(``unnest``), SQLite one JSON array of arrays (``json_each``), like
:func:`db.dialect.matches_any` does for a list of values.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import FromClause, Integer, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeEngine


def integer_rows(session: Session, names: Sequence[str], rows: Sequence[Sequence[int]]) -> FromClause:
    """A FROM clause with one integer column per name and one row per tuple in ``rows``."""
    if session.get_bind().dialect.name == "postgresql":
        arrays = [bindparam(None, [row[index] for row in rows], type_=ARRAY(Integer)) for index in range(len(names))]
        return func.unnest(*arrays).table_valued(*names).render_derived(name="listed")
    listed = func.json_each(bindparam(None, json.dumps(rows))).table_valued("value")
    columns = [func.json_extract(listed.c.value, f"$[{i}]", type_=Integer).label(name) for i, name in enumerate(names)]
    return select(*columns).subquery("listed")


Column = tuple[str, TypeEngine[Any]]


def typed_rows(session: Session, columns: Sequence[Column], rows: Sequence[Sequence[object]]) -> FromClause:
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
