"""HTML to PDF with QTextDocument onto QPdfWriter (QtGui/QtPrintSupport; works offscreen)."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QMarginsF
from PySide6.QtGui import QGuiApplication, QPageLayout, QPageSize, QPdfWriter, QTextDocument

from orion_desktop.domain.errors import InvalidInput


def _ensure_gui_application() -> None:
    """Fonts need a QGuiApplication; from the command line we make an offscreen one."""
    if QGuiApplication.instance() is None:
        if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        QGuiApplication([])


def write_pdf(html: str, path: Path, title: str, *, landscape: bool = False) -> Path:
    """Render ``html`` as an A4 PDF at ``path``; refuse unwritable places with a sentence."""
    _ensure_gui_application()
    target = path.expanduser()
    if target.is_dir():
        raise InvalidInput(f"{target} is a folder; give a file name such as picklist.pdf.")
    if not target.parent.exists():
        raise InvalidInput(f"The folder {target.parent} does not exist.")
    writer = QPdfWriter(str(target))
    writer.setTitle(title)
    writer.setCreator("Orion Desktop")
    writer.setResolution(300)
    writer.setPageLayout(
        QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait,
                    QMarginsF(15, 15, 15, 15),
                    QPageLayout.Unit.Millimeter)
    )
    document = QTextDocument()
    document.setHtml(html)
    document.print_(writer)
    del writer  # finishes and closes the file
    if not target.exists() or target.stat().st_size == 0:
        raise InvalidInput(f"Could not write {target}; check that the folder is writable.")
    return target
