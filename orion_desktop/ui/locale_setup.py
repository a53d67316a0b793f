"""The locale numbers are written in: the user's own, always with digit grouping.

Qt's "C" locale (what a PC without a language setting, a service account or a terminal with
``LANG=C.UTF-8`` reports) omits the group separator, so 80135 units read as a code, not a count.
Every figure in the window goes through ``QLocale()``; this makes that default the user's
locale with grouping switched on (80,135 in English, 80.135 in German).
"""

from __future__ import annotations

from PySide6.QtCore import QLocale


def use_grouped_numbers() -> QLocale:
    """Make the system locale, with digit grouping, the default for every ``QLocale()``; return it."""
    locale = QLocale.system()
    locale.setNumberOptions(locale.numberOptions() & ~QLocale.NumberOption.OmitGroupSeparator)
    QLocale.setDefault(locale)
    return locale
