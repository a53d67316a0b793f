"""Writing the user's files safely, for every export and document.

Three rules hold for every file Orion Desktop writes:
- never onto the open SQLite database or its ``-wal``/``-shm``/``-journal`` files, however the
  path is spelled (symlinks, ``..``, relative paths, letter case);
- an existing file is replaced only when the caller says the user agreed (``overwrite``);
- the file is written beside the target, flushed to disk and renamed into place, so a failed
  write leaves the old file whole and no half file.

CSV cells go through :func:`spreadsheet_safe` so a spreadsheet never runs them as formulas.
"""

from __future__ import annotations

import csv
import os
import re
import stat
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from orion_desktop.domain.errors import InvalidInput

DATABASE_SUFFIXES = ("", "-wal", "-shm", "-journal")
"""The database file and the working files SQLite keeps beside it."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""A cell starting with one of these may run as a formula in a spreadsheet."""

_NEGATIVE_NUMBER = re.compile(r"-[0-9]+(?:\.[0-9]+)?")


def _read_umask() -> int:
    # os.umask can only be read by setting it; done once, at import, before any worker thread runs.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _read_umask()


class FileExistsRefused(InvalidInput):
    """The target exists and the user did not agree to replace it. ``path`` is the target as given."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"{path} already exists; it was left as it is.")
        self.path = path


def spreadsheet_safe(cell: object) -> object:
    """A CSV cell that spreadsheets show as text: a leading ``'`` before a formula start.

    Plain negative numbers such as ``-3`` or ``-2.5`` stay as they are; non-text values
    (counts) are returned unchanged. The CSV reader drops the ``'`` again on import.
    """
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS) and not _NEGATIVE_NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def _protected_paths(database_file: Path) -> list[Path]:
    """The database and its working files, under the name given and under its real name."""
    given = Path(os.path.abspath(os.path.expanduser(database_file)))
    real = Path(os.path.realpath(given))
    bases = [given] if real == given else [given, real]
    return [base.with_name(base.name + suffix) for base in bases for suffix in DATABASE_SUFFIXES]


def _same_folder(first: Path, second: Path) -> bool:
    try:
        return os.path.samefile(first, second)
    except OSError:  # a folder that does not exist holds no database
        return os.path.normcase(os.path.realpath(first)) == os.path.normcase(os.path.realpath(second))


def is_database_path(target: Path | str, database_file: Path | str | None) -> bool:
    """True when writing ``target`` would write the database or one of its working files."""
    if database_file is None:  # PostgreSQL: no file of ours to protect
        return False
    target = Path(os.path.expanduser(target))
    real_target = Path(os.path.realpath(target))
    for protected in _protected_paths(Path(database_file)):
        try:
            if os.path.samefile(target, protected):  # any spelling, hard links included
                return True
        except OSError:
            pass  # one of the two does not exist: compare names below
        # Not there yet (a -journal between transactions): same folder and the same name, letter
        # case ignored: on a case-insensitive disk ORION.DB-WAL is the database's WAL.
        same_name = os.path.normcase(real_target.name).casefold() == os.path.normcase(protected.name).casefold()
        if same_name and _same_folder(real_target.parent, protected.parent):
            return True
    return False


def refuse_database_paths(target: Path | str, database_file: Path | str | None) -> None:
    """Raise InvalidInput when ``target`` is the open database or one of its working files."""
    if is_database_path(target, database_file):
        raise InvalidInput(
            f"{target} is the database Orion Desktop is using (or one of its working files); "
            "writing there would destroy it. Choose another file name."
        )


def check_target(target: Path | str, *, database_file: Path | str | None, overwrite: bool) -> Path:
    """Refuse the database, a folder, or an existing file without ``overwrite``; return the path to write.

    The returned path has symbolic links resolved, so a link to a file stays a link and the
    file it points to is replaced.
    """
    given = Path(target)
    refuse_database_paths(given, database_file)
    path = Path(os.path.realpath(os.path.expanduser(given)))
    if path.is_dir():
        raise InvalidInput(f"{given} is a folder; give a file name.")
    if not overwrite and os.path.lexists(path):
        raise FileExistsRefused(given)
    return path


def _cannot_write(target: Path, error: OSError) -> InvalidInput:
    return InvalidInput(f"Cannot write {target}: {error.strerror or error}.")


def _flush_to_disk(path: Path) -> None:
    with path.open("r+b") as handle:  # Windows only syncs a handle opened for writing
        os.fsync(handle.fileno())


def _give_mode(temporary: Path, path: Path) -> None:
    """mkstemp makes 0600 files: give the file the mode the old one had, or the usual one."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        mode = 0o666 & ~_UMASK
    os.chmod(temporary, mode)


def _move_into_place(temporary: Path, path: Path, given: Path, overwrite: bool) -> None:
    if overwrite:
        os.replace(temporary, path)
        return
    try:
        # A hard link never replaces: a file that appeared since the check stays untouched.
        os.link(temporary, path)
    except FileExistsError:
        raise FileExistsRefused(given) from None
    except OSError:
        # No hard links on this disk (FAT, some network shares): the check just before must do.
        if os.path.lexists(path):
            raise FileExistsRefused(given) from None
        os.replace(temporary, path)
    else:
        temporary.unlink()


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); Windows cannot open folders, and need not."""
    if os.name != "posix":
        return
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


@contextmanager
def replacing(target: Path | str, *, database_file: Path | str | None, overwrite: bool) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; write the file there.

    When the block ends without error the file is flushed to disk and moved onto the target;
    on any error it is removed and the target is left as it was. OSErrors become one sentence.
    """
    given = Path(target)
    path = check_target(given, database_file=database_file, overwrite=overwrite)
    try:
        descriptor, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
        os.close(descriptor)
    except OSError as error:
        raise _cannot_write(given, error) from None
    temporary = Path(name)
    try:
        yield temporary
        _flush_to_disk(temporary)
        _give_mode(temporary, path)
        _move_into_place(temporary, path, given, overwrite)
        _sync_folder(path.parent)
    except OSError as error:
        raise _cannot_write(given, error) from None
    finally:
        temporary.unlink(missing_ok=True)


def atomic_write_bytes(
    target: Path | str, data: bytes, *, database_file: Path | str | None, overwrite: bool
) -> Path:
    """Write ``data`` to ``target`` under the rules above; returns the path written."""
    with replacing(target, database_file=database_file, overwrite=overwrite) as temporary:
        temporary.write_bytes(data)
    return Path(target)


def write_csv(
    target: Path | str,
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    database_file: Path | str | None,
    overwrite: bool,
) -> int:
    """Write a CSV file that spreadsheets open safely; returns the number of data rows.

    UTF-8 with a BOM so spreadsheet programs show accented text right; every cell goes through
    :func:`spreadsheet_safe`.
    """
    count = 0
    with replacing(target, database_file=database_file, overwrite=overwrite) as temporary:
        with temporary.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow([spreadsheet_safe(cell) for cell in header])
            for row in rows:
                writer.writerow([spreadsheet_safe(cell) for cell in row])
                count += 1
    return count
