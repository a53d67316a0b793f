"""SQL that differs between SQLite and PostgreSQL, behind one call each.

Lists of values travel as a single bound parameter (a PostgreSQL array, a SQLite JSON list):
an IN list of N values is N parameters that SQLAlchemy renders and the driver parses, which
at 100k lines costs more than the queries themselves.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, String, TableValuedAlias, any_, bindparam, func, literal_column, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import QueryableAttribute, Session


def dialect_insert(session: Session) -> Callable[..., postgresql.Insert | sqlite.Insert]:
    """INSERT with ON CONFLICT support for the session's dialect."""
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def matches_any(
    session: Session, column: ColumnElement[Any] | QueryableAttribute[Any], values: Sequence[object]
) -> ColumnElement[bool]:
    """``column IN (values)`` with all values in one bound parameter.

    An IN list of N values is N parameters that SQLAlchemy renders and the driver parses; at
    100k lines that costs more than the queries themselves. PostgreSQL gets an array
    (``= ANY(:values)``), SQLite a JSON list (``IN (SELECT value FROM json_each(:values))``).
    """
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=ARRAY(column.expression.type)))
    listed = func.json_each(bindparam(None, json.dumps(list(values)))).table_valued("value")
    return column.in_(select(listed.c.value))


def not_a_join_key(session: Session, column: ColumnElement[int]) -> ColumnElement[int]:
    """``column`` as a plain filter that cannot pick a join's order: ``column + 0`` on SQLite.

    SQLite without statistics (a fresh file, or a table grown inside one import) may start a
    join against :func:`values_table` from an index on a filter column such as ``store_id``, and
    then read the whole value list once per row of the store: 20k products x 10k SKUs took 26 s
    instead of 3 ms. No SQLite index serves ``column + 0``, so the values drive the join.
    PostgreSQL plans from its statistics and gets the column unchanged.
    """
    if session.get_bind().dialect.name == "postgresql":
        return column
    return column + literal_column("0")


def values_table(session: Session, values: Sequence[str], name: str = "wanted") -> TableValuedAlias:
    """``values`` as a one-column table (column ``value``) to join against, in one bound parameter.

    PostgreSQL unnests an array, SQLite reads a JSON list (see :func:`matches_any`).
    """
    if session.get_bind().dialect.name == "postgresql":
        unnested = func.unnest(bindparam(None, list(values), type_=ARRAY(String())))
        return unnested.table_valued("value").render_derived(name)  # unnest(...) AS wanted(value)
    return func.json_each(bindparam(None, json.dumps(list(values)))).table_valued("value").alias(name)
