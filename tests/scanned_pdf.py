"""Reading a PDF's barcodes back the way a scanner reads a printout (for the printing tests)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import zxingcpp


def decoded(pdf: Path) -> list[str]:
    """Every barcode on the PDF's first page, as a scanner at 150 dpi would read the printout."""
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm is not None, "poppler-utils is missing (.ci/run installs it)"
    subprocess.run([pdftoppm, "-r", "150", "-gray", "-f", "1", "-l", "1", str(pdf), str(pdf.with_suffix(""))],
                   check=True)
    page = next(pdf.parent.glob(f"{pdf.stem}*.pgm"))
    data = page.read_bytes()
    # Binary PGM: "P5\n<width> <height>\n<max>\n" then one byte per pixel.
    magic, size, _maximum, pixels = data.split(b"\n", 3)
    assert magic == b"P5"
    width, height = (int(value) for value in size.split())
    image = memoryview(pixels[: width * height]).cast("B", (height, width))
    return [result.text for result in zxingcpp.read_barcodes(image)]
