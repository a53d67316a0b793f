"""A look at a CSV file before importing it: the first lines and what the import does with each column.

Nothing is written and the file is read only as far as the lines shown. The column names are
normalised exactly as the import does (``csv_files``), and the file-level problem is the very
sentence the import would refuse the file with, so the preview never promises what the import refuses.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from orion_desktop.domain.errors import InvalidInput
from orion_desktop.domain.import_job import ColumnMapping, ColumnUse, CsvPreview
from orion_desktop.services.imports.csv_files import CsvFormat, _column_name, _delimiter, open_csv
from orion_desktop.services.imports.orders import ORDER_FORMAT
from orion_desktop.services.imports.products import PRODUCT_FORMAT
from orion_desktop.services.imports.stock import STOCK_FORMAT

FORMATS: dict[str, CsvFormat] = {"products": PRODUCT_FORMAT, "stock": STOCK_FORMAT, "orders": ORDER_FORMAT}
PREVIEW_LINES = 10


def format_for(kind: str) -> CsvFormat:
    try:
        return FORMATS[kind]
    except KeyError:
        raise InvalidInput(f"There is no {kind} import; choose products, stock or orders.") from None


def _use(column: str, fmt: CsvFormat) -> ColumnUse:
    if not column:
        return ColumnUse.UNNAMED
    if column in fmt.required:
        return ColumnUse.REQUIRED
    if column in fmt.one_of:
        return ColumnUse.PRODUCT
    if column in fmt.optional:
        return ColumnUse.IMPORTED
    if column in fmt.ignored:
        return ColumnUse.SHOWN_ONLY
    return ColumnUse.UNKNOWN


def preview_csv(path: Path, kind: str, lines: int = PREVIEW_LINES) -> CsvPreview:
    """The first ``lines`` data lines of ``path`` and its column mapping for a ``kind`` import.

    A file that cannot be opened at all is InvalidInput (the same sentence the import gives).
    """
    fmt = format_for(kind)
    path = Path(path)
    problem: str | None = None
    try:
        open_csv(path, fmt).close()  # the import's own check of the file and its first line
    except InvalidInput as error:
        problem = str(error)
    try:
        size = path.stat().st_size
        with path.open("rb") as raw:
            head = raw.read(256 * 1024)  # enough for the lines shown; the rest is never read here
    except OSError:
        raise InvalidInput(problem or f"{path.name} cannot be read.") from None
    text = head.decode("utf-8-sig", errors="replace")
    rows: list[list[str]] = []
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(_first_line(text))):
            if "".join(row).strip():
                rows.append(row)
            if len(rows) > lines:
                break
    except csv.Error:
        pass  # the problem sentence above says what is wrong; show what could be read
    header = rows[0] if rows else []
    columns = tuple(
        ColumnMapping(name.strip(), _column_name(name), _use(_column_name(name), fmt)) for name in header
    )
    return CsvPreview(
        kind=fmt.kind,
        file_name=path.name,
        columns=columns,
        rows=tuple(tuple(row) for row in rows[1 : lines + 1]),
        problem=problem,
        file_size=size,
    )


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line
    return ""
