"""Small PNGs: screenshots saved as 8-bit palette images.

Screenshots have few colours, so a palette of the 256 that matter most keeps a 1280×800 window at
roughly 50–120 KB without visible loss.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Qt is loaded only once the tool has set up its environment
    from PySide6.QtGui import QImage

PALETTE_SIZE = 256


def _distance(a: int, b: int) -> int:
    return (((a >> 16) & 255) - ((b >> 16) & 255)) ** 2 + (((a >> 8) & 255) - ((b >> 8) & 255)) ** 2 + (
        (a & 255) - (b & 255)
    ) ** 2


def palette_for(counts: Counter[int], size: int = PALETTE_SIZE, frequent: int = 160) -> list[int]:
    """``size`` colours (0xRRGGBB) for an image with these colour counts.

    The most frequent colours (backgrounds, text, selection) are kept exactly; the rest of the
    palette goes, one by one, to the colour whose pixels are worst served so far (count times
    squared distance to the nearest colour chosen), so no hue disappears from a screenshot.
    """
    colours = [colour for colour, _ in counts.most_common()]
    if len(colours) <= size:
        return colours
    chosen = colours[:frequent]
    worst = {c: min(_distance(c, p) for p in chosen) for c in colours[frequent:]}
    while len(chosen) < size and worst:
        pick = max(worst, key=lambda c: worst[c] * counts[c])
        chosen.append(pick)
        del worst[pick]
        for colour, distance in worst.items():
            nearer = _distance(colour, pick)
            if nearer < distance:
                worst[colour] = nearer
    return chosen


def save_png(image: QImage, path: Path) -> bool:
    """Save ``image`` as an 8-bit palette PNG at the strongest compression."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage

    rgb = image.convertToFormat(QImage.Format.Format_RGB32)
    counts: Counter[int] = Counter(pixel & 0xFFFFFF for pixel in memoryview(rgb.constBits()).cast("I"))
    table = [0xFF000000 | colour for colour in palette_for(counts)]
    indexed = rgb.convertToFormat(QImage.Format.Format_Indexed8, table, Qt.ImageConversionFlag.ThresholdDither)
    # quality 0: zlib's best compression. The stubs ask for bytes, but PySide takes the format as str only.
    return bool(indexed.save(str(path), "PNG", 0))  # type: ignore[call-overload]  # PySide: str, not bytes
