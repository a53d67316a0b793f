"""Reading CSV files for the imports: the columns a kind of file may have, the file's lines, and
the bad lines collected so that the user sees all of them at once.

Whatever is wrong with the file as a whole (missing, not UTF-8, unknown or missing columns) is
one InvalidInput sentence; a line with the wrong number of values is a shape problem reported
with its line number, like every other bad line.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from orion_desktop.domain.errors import ImportRejected, InvalidInput, OrionError


@dataclass(frozen=True, slots=True)
class CsvFormat:
    """The columns one kind of file may have."""

    kind: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    ignored: tuple[str, ...] = ()
    one_of: tuple[str, ...] = ()  # at least one of these is required
    example: str = ""

    @property
    def known(self) -> tuple[str, ...]:
        return self.required + self.one_of + self.optional + self.ignored



@dataclass(frozen=True, slots=True)
class CsvLine:
    """One data line: its physical line number (the header is line 1) and its cells by column."""

    number: int
    cells: dict[str, str]

    def get(self, column: str) -> str:
        return self.cells.get(column, "")


@dataclass(frozen=True, slots=True)
class CsvTable:
    file_name: str
    columns: frozenset[str]
    lines: tuple[CsvLine, ...]
    shape_problems: tuple[tuple[int, str], ...]

    def has(self, column: str) -> bool:
        return column in self.columns


def _column_name(raw: str) -> str:
    return re.sub(r"[\s\-]+", "_", raw.strip().lower())


def _delimiter(header_line: str) -> str:
    """``;`` (spreadsheets in many European locales), tab, or ``,``: whichever the header uses most."""
    counts = {sep: header_line.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def read_csv(path: Path, fmt: CsvFormat) -> CsvTable:
    """Read and shape-check a CSV file, or raise one InvalidInput sentence about the file as a whole."""
    name = path.name
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InvalidInput(f"There is no file {path}.") from None
    except IsADirectoryError:
        raise InvalidInput(f"{path} is a folder, not a CSV file.") from None
    except OSError as error:
        raise InvalidInput(f"{name} cannot be read: {error.strerror or error}.") from None
    try:
        text = raw.decode("utf-8-sig")  # strips the BOM that Excel writes
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise InvalidInput(
            f"{name} is not UTF-8 text (first odd byte on line {line}). "
            "Save it as \"CSV UTF-8\" in your spreadsheet program and import it again."
        ) from None
    if not text.strip():
        raise InvalidInput(f"{name} is empty. The first line must name the columns, for example {fmt.example!r}.")
    if "\x00" in text:
        raise InvalidInput(f"{name} is not a CSV text file.")

    first_line = text.lstrip("\r\n").splitlines()[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line))
    try:
        header: list[str] | None = None
        header_end = 0
        for row in reader:
            if "".join(row).strip():
                header = row
                header_end = reader.line_num
                break
        assert header is not None  # the text is not blank
        columns = _check_header(name, fmt, header)
        width = len(columns)
        used = [(index, column) for index, column in enumerate(columns) if column and column not in fmt.ignored]
        unnamed = [index for index, column in enumerate(columns) if not column]
        lines: list[CsvLine] = []
        shape: list[tuple[int, str]] = []
        previous_end = header_end
        for row in reader:
            number = previous_end + 1
            previous_end = reader.line_num
            if not "".join(row).strip():
                continue  # blank lines (and lines of empty cells) are skipped
            count = len(row)
            if count > width and "".join(row[width:]).strip():
                shape.append((number, f"has {count} values but the first line names only {width} columns."))
                continue
            if unnamed and "".join(row[i] for i in unnamed if i < count).strip():
                shape.append((number, "has a value in a column without a name in the first line."))
                continue
            lines.append(CsvLine(number, {column: row[i].strip() for i, column in used if i < count}))
    except csv.Error as error:
        raise InvalidInput(f"{name} is not a readable CSV file (line {reader.line_num}: {error}).") from None
    if not lines and not shape:
        raise InvalidInput(f"{name} has only the column names and no data lines; there is nothing to import.")
    return CsvTable(
        file_name=name,
        columns=frozenset(column for _, column in used),
        lines=tuple(lines),
        shape_problems=tuple(shape),
    )


def _check_header(name: str, fmt: CsvFormat, header: list[str]) -> list[str]:
    columns = [_column_name(cell) for cell in header]
    seen: set[str] = set()
    for column in columns:
        if not column:
            continue  # an unnamed column (e.g. a trailing separator): its cells must stay empty
        if column in seen:
            raise InvalidInput(f"{name} has the column {column} twice in its first line.")
        seen.add(column)
    unknown = [c for c in columns if c and c not in fmt.known]
    if unknown:
        allowed = ", ".join(fmt.known)
        raise InvalidInput(
            f"{name} has a column this import does not know: {unknown[0]!r}. "
            f"A {fmt.kind} file may have these columns: {allowed}."
        )
    missing = [c for c in fmt.required if c not in seen]
    if fmt.one_of and not seen.intersection(fmt.one_of):
        missing.insert(0, " or ".join(fmt.one_of))
    if missing:
        raise InvalidInput(
            f"{name} has no {missing[0]} column. The first line must name the columns, for example {fmt.example!r}."
        )
    return columns


class Problems:
    """Bad lines, collected so the user sees all of them at once."""

    def __init__(self, file_name: str) -> None:
        self.file_name = file_name
        self._items: list[tuple[int, int, str]] = []

    def add(self, line: int, message: str | OrionError) -> None:
        self._items.append((line, len(self._items), str(message)))

    def __bool__(self) -> bool:
        return bool(self._items)

    def raise_if_any(self) -> None:
        if self._items:
            ordered = sorted(self._items)
            raise ImportRejected(self.file_name, [f"line {line}: {message}" for line, _, message in ordered])
