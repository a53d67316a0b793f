"""HTML to PDF with QTextDocument onto QPdfWriter (QtGui/QtPrintSupport; works offscreen)."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, Qt
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QColor,
    QFont,
    QFontMetricsF,
    QGuiApplication,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPalette,
    QPdfWriter,
    QTextDocument,
)
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
    writer.setPageLayout(_a4(landscape))
    _paint_pages(html, writer, title)
    del writer  # finishes and closes the file


def print_html(html: str, printer: QPagedPaintDevice, title: str, *, landscape: bool = False) -> None:
    """Print ``html`` on ``printer`` (a QPrinter the print dialog set up, or any paged device), A4
    with the same margins as the PDFs, so paper and PDF look alike."""
    _ensure_gui_application()
    printer.setPageLayout(_a4(landscape))
    printed = _paint_pages(html, printer, title)
    if not printed or (isinstance(printer, QPrinter) and printer.printerState() == QPrinter.PrinterState.Error):
        raise InvalidInput(f"The printer could not print the {title.lower()}. Check that it is switched on and "
                           "chosen in the print dialog, or save the document as a PDF instead.")


def _a4(landscape: bool) -> QPageLayout:
    orientation = QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait
    return QPageLayout(QPageSize(QPageSize.PageSizeId.A4), orientation, QMarginsF(15, 15, 15, 15),
                       QPageLayout.Unit.Millimeter)


def _paint_pages(html: str, device: QPagedPaintDevice, title: str) -> bool:
    """Lay ``html`` out in pages of ``device`` and paint them, each with "Page n of m" under it.

    We paint rather than call ``QTextDocument.print_`` for one reason: its painter lets Qt's PDF
    engine store images as JPEG, whose blur smears a barcode's narrow bars until a scanner misses
    about one order number in fifteen; our painter asks for lossless images. False when the device
    refuses to start (a printer that is not there)."""
    document = QTextDocument()
    document.setMetaInformation(QTextDocument.MetaInformation.DocumentTitle, title)
    layout = document.documentLayout()
    layout.setPaintDevice(device)  # fonts and images sized for the device's dots, as print_ does
    document.setHtml(html)
    footer_font = QFont(document.defaultFont())
    footer_font.setPointSizeF(8)
    footer_height = QFontMetricsF(footer_font, device).height() * 2
    frame = document.rootFrame().frameFormat()
    frame.setMargin(0)
    frame.setBottomMargin(footer_height)  # per page: the page number's strip stays clear of text
    document.rootFrame().setFrameFormat(frame)
    page = QRectF(0, 0, device.width(), device.height())
    document.setPageSize(page.size())
    painter = QPainter()
    if not painter.begin(device):
        return False
    painter.setRenderHint(QPainter.RenderHint.LosslessImageRendering)
    context = QAbstractTextDocumentLayout.PaintContext()
    context.palette.setColor(QPalette.ColorRole.Text, QColor("black"))  # paper, whatever the screen's theme
    pages = document.pageCount()
    for index in range(pages):
        if index:
            device.newPage()
        painter.save()
        painter.translate(0, -index * page.height())
        # Only the page's body: a line laid out on the next page can start a hair above its edge.
        context.clip = QRectF(0, index * page.height(), page.width(), page.height() - footer_height)
        painter.setClipRect(context.clip)
        layout.draw(painter, context)
        painter.restore()
        painter.setFont(footer_font)
        painter.setPen(QColor("black"))
        footer = page.adjusted(0, page.height() - footer_height / 2, 0, 0)
        bottom_right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom
        painter.drawText(footer, int(bottom_right), f"Page {index + 1} of {pages}")
    painter.end()
    return True
