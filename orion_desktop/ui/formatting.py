"""How the overview pages write numbers, changes, times and status names."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

from PySide6.QtCore import QDate, QDateTime, QLocale, QTime

from orion_desktop.ui.plurals import counted


def number(value: int) -> str:
    """With the locale's digit grouping: 12,345."""
    return QLocale().toString(value)


def signed(value: int) -> str:
    """A change: +5, −3 (a real minus sign), empty for no change."""
    if value == 0:
        return ""
    return ("+" if value > 0 else "−") + QLocale().toString(abs(value))


def plural(count: int, word: str, words: str | None = None) -> str:
    """``3 rows``, ``1 row``, with digit grouping: Qt's ``tr("%Ln row(s)", "", n)`` (ui/plurals.py).

    A noun whose plural is not ``word + "s"`` (``words``) is chosen here instead."""
    if words is not None and words != word + "s":
        return f"{number(count)} {word if count == 1 else words}"
    return counted(f"%Ln {word}(s)", count)


def when(moment: datetime | None) -> str:
    """Short and unambiguous in local time: the time today, day and month this year, else the date."""
    if moment is None:
        return ""
    local = moment.astimezone()
    today = datetime.now(local.tzinfo).date()
    if local.date() == today:
        return "today " + local.strftime("%H:%M")
    if local.year == today.year:
        shown = QDateTime(QDate(local.year, local.month, local.day), QTime(local.hour, local.minute, local.second))
        return QLocale().toString(shown, "d MMM HH:mm")
    return local.strftime("%Y-%m-%d")


def full_time(moment: datetime | None) -> str:
    """For tooltips: the exact local time with its zone."""
    if moment is None:
        return ""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")


def status_text(status: Enum | str) -> str:
    """``partially_shipped`` -> ``Partially shipped``."""
    value = status.value if isinstance(status, Enum) else status
    return str(value).replace("_", " ").capitalize()
