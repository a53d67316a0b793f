"""Screenshots of every page and dialog on a fresh demo warehouse.

    python -m orion_desktop.tools.screenshots OUTDIR [--size 1024x768 --size 1600x1000] [--columns FILE]

For each size (by default 1024×768, the smallest screen the window is made for, and 1600×1000) fills
a new demo database in a temporary folder (``orion_desktop.demo``), opens the main window exactly as the app does
(``GuiSession``) and saves into ``OUTDIR/WIDTHxHEIGHT/``, as a person would see them:

- ``<page>.png`` for every page in ``MainWindow.pages``, each with something telling selected:
  a product stored at several locations on the Inventory, a partially shipped order on Orders
  and on Shipment status, a parcel half packed with one refused scan on the Pack station, a
  product with backorders on Low stock, a location's contents on Locations;
- ``dialog-*.png`` for the dialogs, filled in the way a user would fill them (nothing is sent,
  except the status change whose result ``dialog-change-status-result.png`` shows), the quit
  question over a half-packed box, and the Database dialog's failed test with its Details;
- ``low-stock-menu.png``: the Low stock list's right-click menu;
- ``database-unavailable.png``: the banner while the demo file is moved away for a moment.

``--columns FILE`` writes, as JSON, each page's tables and their number columns, marked
"(hidden)" when one is not wholly in sight (``screenshot_columns.py``; the test reads it).

PNGs are written with a palette of the 256 colours that matter most (the screenshots have few
colours), which keeps a 1280×800 window at roughly 50–120 KB without visible loss. Works without
a display: Qt's offscreen platform is used when there is none. Your own settings and databases
are never touched.

This module is the command line; the tour of the window is ``screenshot_tour.py``, the rows it
selects ``screenshot_picks.py``, and the palette PNG writer ``small_png.py``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
import tempfile
from pathlib import Path

from orion_desktop.tools.screenshot_tour import Screenshots

DEFAULT_SIZES = ((1024, 768), (1600, 1000))


def _use_offscreen_without_display() -> None:
    if os.environ.get("QT_QPA_PLATFORM"):
        return
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"


def _parse_size(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{3,5})x(\d{3,5})", text.strip())
    if not match:
        raise argparse.ArgumentTypeError("use WIDTHxHEIGHT, for example 1024x768")
    return int(match.group(1)), int(match.group(2))


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m orion_desktop.tools.screenshots", description=__doc__.split("\n")[0]
    )
    parser.add_argument("outdir", type=Path, help="folder for the PNG files (created if missing)")
    parser.add_argument(
        "--size", type=_parse_size, action="append", dest="sizes",
        help="window size as WIDTHxHEIGHT, repeatable; default 1024x768 and 1600x1000",
    )
    parser.add_argument("--columns", type=Path, help="write each page's number columns (and which are hidden) as JSON")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    _use_offscreen_without_display()
    logging.basicConfig(level=logging.ERROR)  # the demo's backorder notes are not news here
    with tempfile.TemporaryDirectory(prefix="orion-screenshots-") as temporary:
        work = Path(temporary)
        # Settings and data of this run stay in the temporary folder.
        os.environ["ORION_CONFIG_DIR"] = str(work / "config")
        os.environ["ORION_DATA_DIR"] = str(work / "data")
        os.environ.pop("ORION_DATABASE_URL", None)
        written: list[Path] = []
        columns: dict[str, object] = {}
        for width, height in args.sizes or DEFAULT_SIZES:
            label = f"{width}x{height}"
            tour = Screenshots(work / label, args.outdir / label, (width, height))
            written += tour.run()
            columns[label] = tour.columns
    if args.columns is not None:
        args.columns.write_text(json.dumps(columns, indent=1), encoding="utf-8")
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
