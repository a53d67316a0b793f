"""Printing results: JSON for scripts (--json), aligned tables for people."""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Iterable, Sequence
from datetime import datetime
from enum import Enum
from typing import Any, TextIO


def to_plain(value: Any) -> Any:
    """Dataclasses, enums, datetimes and tuples to JSON-ready values (properties not included)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: to_plain(getattr(value, field.name)) for field in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: to_plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_plain(item) for item in value]
    return value


def print_json(value: Any, stream: TextIO | None = None) -> None:
    out = stream or sys.stdout
    json.dump(to_plain(value), out, indent=2, ensure_ascii=False)
    out.write("\n")


def print_table(headers: Sequence[str], rows: Iterable[Sequence[Any]], stream: TextIO | None = None) -> None:
    """A plain aligned table; numbers right-aligned."""
    out = stream or sys.stdout
    body = [["" if cell is None else str(cell) for cell in row] for row in rows]
    if not body:
        out.write("(nothing to show)\n")
        return
    widths = [max(len(h), *(len(r[i]) for r in body)) for i, h in enumerate(headers)]
    numeric = [all(_is_number(r[i]) for r in body) for i in range(len(headers))]

    def line(cells: Sequence[str]) -> str:
        parts = [c.rjust(w) if num else c.ljust(w) for c, w, num in zip(cells, widths, numeric, strict=True)]
        return "  ".join(parts).rstrip()

    out.write(line(headers) + "\n")
    out.write("  ".join("-" * w for w in widths) + "\n")
    for row in body:
        out.write(line(row) + "\n")


def _is_number(text: str) -> bool:
    return text.lstrip("-+").isdigit() or text == ""
