"""Order numbers as Code 128 barcodes on the printed documents.

``python-barcode`` encodes the text into bars (it picks the Code 128 character sets and the check
symbol); Qt draws them as a black-and-white PNG, embedded in the document's HTML as a ``data:``
image, which QTextDocument prints. Every bar is a whole number of pixels wide, so the printed bars
keep their proportions, and a quiet zone of ten modules each side lets scanners find the code.
"""

from __future__ import annotations

import base64
from html import escape

from barcode import Code128  # type: ignore[import-untyped]
from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QColor, QImage, QPainter

MODULE_PX = 3  # pixels per narrowest bar in the image
HEIGHT_PX = 90
QUIET_MODULES = 10
SHOWN_HEIGHT_PX = 56  # 15 mm: an easy target for a hand scanner
SHOWN_MODULE_PT = 0.9  # the printed width of one module: 0.32 mm, within what hand scanners read


def code128_modules(text: str) -> str:
    """The bars of ``text`` as a string of 1 (bar) and 0 (space), one character per module."""
    modules: list[str] = Code128(text).build()
    return "".join(modules)


def code128_png(text: str) -> tuple[bytes, int]:
    """A PNG of ``text``'s Code 128 barcode with its quiet zones, and its width in modules."""
    bars = "0" * QUIET_MODULES + code128_modules(text) + "0" * QUIET_MODULES
    image = QImage(len(bars) * MODULE_PX, HEIGHT_PX, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    black = QColor("black")
    for at, module in enumerate(bars):
        if module == "1":
            painter.fillRect(at * MODULE_PX, 0, MODULE_PX, HEIGHT_PX, black)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[call-overload]  # the stubs want bytes; PySide6 6.11 wants str
    buffer.close()
    return bytes(data.data()), len(bars)


def barcode_html(text: str) -> str:
    """An ``<img>`` of ``text`` as Code 128, with the text under it for people."""
    png, modules = code128_png(text)
    source = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    width = round(modules * SHOWN_MODULE_PT * 96 / 72)  # the document lays out in 96-dpi pixels
    return (f"<img src='{source}' width='{width}' height='{SHOWN_HEIGHT_PX}' alt='{escape(text)}'/>"
            f"<br/><span style='font-family: DejaVu Sans Mono, monospace; font-size: 10pt'>{escape(text)}</span>")
