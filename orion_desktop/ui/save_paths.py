"""The file a save dialog's answer really names, and when it may be replaced."""

from __future__ import annotations

from pathlib import Path

from orion_desktop.domain.errors import InvalidInput


def refuse_unconfirmed(chosen: str, path: Path) -> None:
    """Refuse ``path`` when it exists but the save dialog asked about another name.

    The platform's save dialog asks before it returns an existing file, so what it returned may
    be replaced. A page that adds a missing suffix (``report`` -> ``report.csv``) writes another
    file, which the user was never asked about.
    """
    if path != Path(chosen) and path.exists():
        raise InvalidInput(f"{path} already exists; it was not replaced. To replace it, choose {path.name} itself.")
