"""Help > About: version, database, user and the libraries' versions."""

from __future__ import annotations

import platform

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget

from orion_desktop import __version__

SCREEN_SHARE = 0.8
"""The widest the text may grow for a long database path: this share of the screen's width."""


def about_box(parent: QWidget, title: str, *, database: str, user: str) -> QMessageBox:
    """The About box (not yet open). The database line is as wide as it needs, so a path is not
    broken mid-word: a path is one long word, which a wrapping label breaks anywhere once the box
    is narrower than it."""
    box = QMessageBox(parent)
    box.setObjectName("aboutBox")
    box.setWindowTitle(f"About {title}")
    box.setIcon(QMessageBox.Icon.Information)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(f"{title} {__version__}")
    database_line = f"Database: {database}"
    box.setInformativeText(
        "Warehouse stock by location, orders, partial shipping and barcode packing.\n\n"
        f"{database_line}\n"
        f"User: {user}\n\n"
        f"Qt {qVersion()} · PySide6 {pyside_version} · Python {platform.python_version()}"
    )
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    label = box.findChild(QLabel, "qt_msgbox_informativelabel")
    if label is not None:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)  # the path can be copied
        screen = parent.screen()
        widest = int(screen.availableGeometry().width() * SCREEN_SHARE) if screen is not None else 800
        needed = label.fontMetrics().horizontalAdvance(database_line) + label.fontMetrics().horizontalAdvance("M")
        label.setMinimumWidth(min(needed, widest))
    return box
