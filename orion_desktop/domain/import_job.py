"""What the window needs around a CSV import: a look at the file first, progress, and a way to stop.

Plain values only (the services fill them, the window shows them): :class:`CsvPreview` is the
first lines of a file and what the import makes of each column; :class:`ImportWatch` is handed to
an import so it can report how far it is and ask, between chunks, whether the user cancelled.
A cancelled import raises :class:`ImportCancelled` inside its transaction, so nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from orion_desktop.domain.errors import OrionError


class ImportCancelled(OrionError):
    """The user stopped an import; its transaction rolled back, so nothing was imported."""


def _never() -> bool:
    return False


@dataclass(frozen=True, slots=True)
class ImportWatch:
    """Asked by an import between chunks of its file.

    ``should_stop`` answers True once the user cancelled (called from the import's thread, so it
    must be cheap and thread-safe: reading a flag). ``progress`` gets (bytes read, file size).
    """

    should_stop: Callable[[], bool] = _never
    progress: Callable[[int, int], None] | None = None


class ColumnUse(StrEnum):
    """What an import does with one column of a file."""

    REQUIRED = "required"
    PRODUCT = "names the product"
    IMPORTED = "imported"
    SHOWN_ONLY = "not imported (for people only)"
    UNKNOWN = "unknown: the file is refused"
    UNNAMED = "no name: must stay empty"


@dataclass(frozen=True, slots=True)
class ColumnMapping:
    """One column as the file names it, the name the import reads it as, and its use."""

    header: str
    column: str
    use: ColumnUse


@dataclass(frozen=True, slots=True)
class CsvPreview:
    """The first data lines of a file and its column mapping, before anything is imported.

    ``problem`` is the sentence the import would refuse the whole file with (missing or unknown
    columns, not UTF-8 …), or None when the columns are fine; bad data lines show only when importing.
    """

    kind: str
    file_name: str
    columns: tuple[ColumnMapping, ...]
    rows: tuple[tuple[str, ...], ...]
    problem: str | None
    file_size: int
