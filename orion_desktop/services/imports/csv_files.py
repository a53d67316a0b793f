"""Reading CSV files for the imports: the columns a kind of file may have, the file's lines in
chunks, and the bad lines collected so that the user sees them at once.

Whatever is wrong with the file as a whole (missing, not UTF-8, unknown or missing columns) is
one InvalidInput sentence; a line with the wrong number of values is a shape problem reported
with its line number, like every other bad line.

Files are read a chunk of lines at a time (issue 9, item 16): an import holds one chunk, never
the whole file, so a file of millions of lines is imported in bounded memory. The bad lines
kept for the report are capped too (:class:`Problems`).
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from orion_desktop.domain.errors import ImportRejected, InvalidInput, OrionError
from orion_desktop.domain.import_job import ImportCancelled, ImportWatch

if TYPE_CHECKING:
    from _csv import Reader  # what csv.reader() returns; typeshed's name for it

CHUNK_LINES = 20_000
"""Data lines per chunk: big enough that per-chunk queries stay few, small enough that a chunk's
rows, lookups and statements take a few tens of MB at most."""


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
class CsvChunk:
    """Up to a chunk's worth of data lines, and the lines of this stretch whose shape is wrong."""

    lines: list[CsvLine]
    shape_problems: list[tuple[int, str]]


_FORMULA_STARTS = frozenset("=+-@\t\r")


def unescape_cell(value: str) -> str:
    """A cell as an export wrote it, back to its text: ``'=SUM(A1)`` is read as ``=SUM(A1)``.

    Exports put a ``'`` before a cell that starts with ``= + - @``, a tab or a carriage return,
    so that a spreadsheet shows it as text instead of running it as a formula (issue 9, item 3).
    Any other cell, ``'plain`` included, is read as it is.
    """
    if len(value) > 1 and value[0] == "'" and value[1] in _FORMULA_STARTS:
        return value[1:]
    return value


class CsvTable:
    """An open CSV file whose first line (the column names) was checked; data lines come in chunks.

    Only the current chunk is held in memory. Problems of the file as a whole that show only
    further on (bytes that are not UTF-8, a NUL, broken quoting) are InvalidInput sentences
    raised while reading the chunk they are in; the import's transaction then rolls back, so
    nothing is imported. Use it as a context manager (it holds the file open).
    """

    def __init__(self, path: Path, fmt: CsvFormat, watch: ImportWatch | None = None) -> None:
        self.path = path
        self.file_name = path.name
        self._watch = watch
        self.rows = 0  # data lines handed out so far (blank lines and lines of the wrong shape not counted)
        self._reader: Reader | None = None
        try:
            self._handle = io.TextIOWrapper(path.open("rb"), encoding="utf-8-sig", newline="")
        except FileNotFoundError:
            raise InvalidInput(f"There is no file {path}.") from None
        except IsADirectoryError:
            raise InvalidInput(f"{path} is a folder, not a CSV file.") from None
        except OSError as error:
            raise InvalidInput(f"{self.file_name} cannot be read: {error.strerror or error}.") from None
        try:
            self._start(fmt)
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> CsvTable:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._handle.close()

    def has(self, column: str) -> bool:
        return column in self.columns

    def _start(self, fmt: CsvFormat) -> None:
        """Read up to the first line with values, which must name the columns."""
        skipped: list[str] = []
        first_line = ""
        with self._reading():
            for text in self._handle:
                skipped.append(text)
                if text.strip("\r\n"):
                    first_line = text
                    break
        # The lines read so far go through the reader too, so its line numbers stay physical.
        self._reader = reader = csv.reader(
            self._checked(itertools.chain(skipped, self._handle)), delimiter=_delimiter(first_line)
        )
        header: list[str] | None = None
        with self._reading():
            for row in reader:
                if "".join(row).strip():
                    header = row
                    break
        if header is None:
            raise InvalidInput(
                f"{self.file_name} is empty. The first line must name the columns, for example {fmt.example!r}."
            )
        columns = _check_header(self.file_name, fmt, header)
        self._width = len(columns)
        self._used = [(i, column) for i, column in enumerate(columns) if column and column not in fmt.ignored]
        self._unnamed = [i for i, column in enumerate(columns) if not column]
        self.columns = frozenset(column for _, column in self._used)
        self._previous_end = reader.line_num

    def _checked(self, texts: Iterator[str]) -> Iterator[str]:
        for text in texts:
            if "\x00" in text:
                raise InvalidInput(f"{self.file_name} is not a CSV text file.")
            yield text

    @contextmanager
    def _reading(self) -> Iterator[None]:
        """The reader's errors as one sentence about the file."""
        try:
            yield
        except UnicodeDecodeError:
            raise InvalidInput(
                f"{self.file_name} is not UTF-8 text (first odd byte on line {_first_odd_line(self.path)}). "
                "Save it as \"CSV UTF-8\" in your spreadsheet program and import it again."
            ) from None
        except csv.Error as error:
            where = f"line {self._reader.line_num}: " if self._reader is not None else ""
            raise InvalidInput(f"{self.file_name} is not a readable CSV file ({where}{error}).") from None

    def chunks(self, size: int | None = None) -> Iterator[CsvChunk]:
        """The data lines, ``size`` (default :data:`CHUNK_LINES`) at a time; lines of the wrong
        shape count towards a chunk too.

        A file with only its column names is InvalidInput, raised instead of a first chunk.
        """
        size = size or CHUNK_LINES  # read when called, so tests can make chunks small
        reader = self._reader
        assert reader is not None
        width, used, unnamed = self._width, self._used, self._unnamed
        lines: list[CsvLine] = []
        shape: list[tuple[int, str]] = []
        handed_out = False
        with self._reading():
            for row in reader:
                number = self._previous_end + 1
                self._previous_end = reader.line_num
                text = "".join(row)
                if not text.strip():
                    continue  # blank lines (and lines of empty cells) are skipped
                count = len(row)
                if count > width and "".join(row[width:]).strip():
                    shape.append((number, f"has {count} values but the first line names only {width} columns."))
                elif unnamed and "".join(row[i] for i in unnamed if i < count).strip():
                    shape.append((number, "has a value in a column without a name in the first line."))
                else:
                    cells = {column: row[i].strip() for i, column in used if i < count}
                    if "'" in text:  # rare: only then look for cells an export protected from spreadsheets
                        cells = {column: unescape_cell(value) for column, value in cells.items()}
                    lines.append(CsvLine(number, cells))
                if len(lines) + len(shape) >= size:
                    self.rows += len(lines)
                    handed_out = True
                    self._between_chunks()
                    yield CsvChunk(lines, shape)
                    lines, shape = [], []
        if lines or shape:
            self.rows += len(lines)
            self._between_chunks()
            yield CsvChunk(lines, shape)
            self._between_chunks()  # the last chunk was written: a cancel now still rolls it back
        elif handed_out:
            self._between_chunks()
        else:
            raise InvalidInput(
                f"{self.file_name} has only the column names and no data lines; there is nothing to import."
            )


    def _between_chunks(self) -> None:
        """Report progress and stop if the user cancelled (the caller's transaction then rolls back)."""
        watch = self._watch
        if watch is None:
            return
        if watch.should_stop():
            raise ImportCancelled(f"The import of {self.file_name} was cancelled; nothing was imported.")
        if watch.progress is not None:
            try:
                done, size = self._handle.buffer.tell(), self.path.stat().st_size
            except OSError:
                return  # progress is a nicety; the import goes on
            watch.progress(min(done, size), size)


def open_csv(path: Path, fmt: CsvFormat, watch: ImportWatch | None = None) -> CsvTable:
    """Open a CSV file and check its first line, or raise one InvalidInput sentence about the file.

    ``watch`` (from the window) is told the progress and asked whether to stop between chunks.
    """
    return CsvTable(Path(path), fmt, watch)


def _first_odd_line(path: Path) -> int:
    """The number of the first line that is not UTF-8 (a line break never splits a UTF-8 character)."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return 1


def _column_name(raw: str) -> str:
    return re.sub(r"[\s\-]+", "_", raw.strip().lower())


def _delimiter(header_line: str) -> str:
    """``;`` (spreadsheets in many European locales), tab, or ``,``: whichever the header uses most."""
    counts = {sep: header_line.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


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
    """Bad lines, collected so the user sees them at once.

    At most ``limit`` are kept (the first ones by line number); the others are only counted, so a
    file of a million bad lines does not fill the memory with sentences. The refusal lists the
    kept ones and says how many more there are.
    """

    LIMIT = 100

    def __init__(self, file_name: str, limit: int = LIMIT) -> None:
        self.file_name = file_name
        self._limit = limit
        self._items: list[tuple[int, int, str]] = []
        self._added = 0
        self._dropped = 0

    def add(self, line: int, message: str | OrionError) -> None:
        self._items.append((line, self._added, str(message)))
        self._added += 1
        if len(self._items) >= 2 * self._limit:
            self._trim()

    def _trim(self) -> None:
        self._items.sort()
        self._dropped += max(0, len(self._items) - self._limit)
        del self._items[self._limit :]

    def __bool__(self) -> bool:
        return bool(self._items)

    def __len__(self) -> int:
        """How many problems were found, kept or not."""
        return self._added

    def raise_if_any(self) -> None:
        if self._items:
            self._trim()
            problems = [f"line {line}: {message}" for line, _, message in self._items]
            raise ImportRejected(self.file_name, problems, more=self._dropped)
