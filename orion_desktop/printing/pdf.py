"""HTML to PDF with QTextDocument onto QPdfWriter (QtGui/QtPrintSupport; works offscreen)."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QMarginsF
from PySide6.QtGui import QGuiApplication, QPagedPaintDevice, QPageLayout, QPageSize, QPdfWriter, QTextDocument
from PySide6.QtPrintSupport import QPrinter

from orion_desktop.domain.errors import InvalidInput
from orion_desktop.services.safe_files import replacing


def _ensure_gui_application() -> None:
    """Fonts need a QGuiApplication; from the command line we make an offscreen one."""
    if QGuiApplication.instance() is None:
        if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        QGuiApplication([])


def write_pdf(
    html: str,
    path: Path,
    title: str,
    *,
    database_file: Path | None,
    overwrite: bool,
    landscape: bool = False,
) -> Path:
    """Render ``html`` as an A4 PDF at ``path``; refuse unwritable places with a sentence.

    ``database_file`` (the open SQLite file, None on PostgreSQL) is never written; an existing
    ``path`` is replaced only with ``overwrite``. The PDF is rendered into a temporary file
    beside the target and moved into place, so a failed print leaves the old file whole.
    """
    _ensure_gui_application()
    target = path.expanduser()
    if target.is_dir():
        raise InvalidInput(f"{target} is a folder; give a file name such as picklist.pdf.")
    if not target.parent.exists():
        raise InvalidInput(f"The folder {target.parent} does not exist.")
    with replacing(target, database_file=database_file, overwrite=overwrite) as temporary:
        _render(html, temporary, title, landscape=landscape)
        if temporary.stat().st_size == 0:
            raise InvalidInput(f"Could not write {target}; check that the folder is writable.")
    return target


def _render(html: str, path: Path, title: str, *, landscape: bool) -> None:
    writer = QPdfWriter(str(path))
    writer.setTitle(title)
    writer.setCreator("Orion Desktop")
    writer.setResolution(300)
    orientation = QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4), orientation, QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter
        )
    )
    document = QTextDocument()
    document.setHtml(html)
    document.print_(writer)
    del writer  # finishes and closes the file


def print_html(html: str, printer: QPagedPaintDevice, title: str, *, landscape: bool = False) -> None:
    """Print ``html`` on ``printer`` (a QPrinter the print dialog set up, or any paged device), A4
    with the same margins as the PDFs, so paper and PDF look alike."""
    _ensure_gui_application()
    orientation = QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait
    printer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4), orientation, QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter
        )
    )
    document = QTextDocument()
    document.setMetaInformation(QTextDocument.MetaInformation.DocumentTitle, title)
    document.setHtml(html)
    document.print_(printer)
    if isinstance(printer, QPrinter) and printer.printerState() == QPrinter.PrinterState.Error:
        raise InvalidInput(f"The printer could not print the {title.lower()}. Check that it is switched on and "
                           "chosen in the print dialog, or save the document as a PDF instead.")
