"""Type names for SQLAlchemy results and statements whose columns vary.

SQLAlchemy 2.1 types a row and a SELECT by the types of their columns (``Row[int, str]``); code
that handles rows or statements of any width (lookups with different column lists, page helpers
that add ORDER BY and LIMIT to any query) names them with these aliases.
"""

from __future__ import annotations

from typing import Any, TypeAlias

from sqlalchemy import Row, Select

AnyRow: TypeAlias = Row[*tuple[Any, ...]]
"""A result row of any width."""

AnySelect: TypeAlias = Select[*tuple[Any, ...]]
"""A SELECT of any columns."""
