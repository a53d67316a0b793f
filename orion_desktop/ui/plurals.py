"""Counts and their nouns the Qt way: ``tr("%Ln unit(s)", "", n)``, ready for translation.

Qt chooses a plural form through the translator installed for the user's language; a source
text such as ``"%Ln unit(s)"`` is only the key. English needs a translator too (else the window
would say "1 unit(s)"): ``EnglishPlurals`` is that translator, written out rather than compiled
from a ``.ts`` file, and answers every ``(s)`` text by the count. A real translation installed
later for another language takes precedence (Qt asks the translators installed last first).
``%Ln`` writes the count in the user's locale, with its digit grouping.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QObject, QTranslator

CONTEXT = "Orion"
_MARK = "(s)"


class EnglishPlurals(QTranslator):
    """``"%Ln unit(s)"`` -> ``"%Ln unit"`` for one, ``"%Ln units"`` for any other count."""

    def translate(  # None is a null string in Qt: "not mine", the next translator is asked
        self, context: str, source_text: str, disambiguation: str | None = None, n: int = -1
    ) -> str | None:
        if context != CONTEXT or _MARK not in source_text or n < 0:
            return None  # a null string: Qt asks the next translator or keeps the source (never "")
        return source_text.replace(_MARK, "" if n == 1 else "s")

    def isEmpty(self) -> bool:  # noqa: N802 - Qt's name
        return False


_installed: list[EnglishPlurals] = []


def install_plurals(app: QObject | None = None) -> None:
    """Install ``EnglishPlurals`` once in the running application (harmless to call again)."""
    application = app or QCoreApplication.instance()
    if application is None or _installed:
        return
    translator = EnglishPlurals(application)
    if QCoreApplication.installTranslator(translator):
        _installed.append(translator)


def counted(source: str, count: int) -> str:
    """``counted("%Ln unit(s)", 3)`` -> ``3 units``: Qt's plural handling, English included."""
    install_plurals()
    return QCoreApplication.translate(CONTEXT, source, None, count)
