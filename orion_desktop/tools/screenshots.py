"""Screenshots of every page and dialog on a fresh demo warehouse.

    python -m orion_desktop.tools.screenshots OUTDIR [--size 1280x800]

Fills a new demo database in a temporary folder (``orion_desktop.demo``), opens the main window exactly as the app does
(``GuiSession``) and saves, as a person would see them:

- ``<page>.png`` for every page in ``MainWindow.pages``, each with something telling selected:
  a product stored at several locations on the Inventory, a partially shipped order on Orders
  and on Shipment status, a parcel half packed with one refused scan on the Pack station, a
  product with backorders on Low stock, a location's contents on Locations;
- ``dialog-*.png`` for the dialogs, filled in the way a user would fill them (nothing is sent,
  except the status change whose result ``dialog-change-status-result.png`` shows);
- ``database-unavailable.png``: the banner while the demo file is moved away for a moment.

PNGs are written with a palette of the 256 colours that matter most (the screenshots have few
colours), which keeps a 1280×800 window at roughly 50–120 KB without visible loss. Works without
a display: Qt's offscreen platform is used when there is none. Your own settings and databases
are never touched.

This module is the command line; the tour of the window is ``screenshot_tour.py``, the rows it
selects ``screenshot_picks.py``, and the palette PNG writer ``small_png.py``.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
import tempfile
from pathlib import Path

from orion_desktop.tools.screenshot_tour import Screenshots

DEFAULT_SIZE = (1280, 800)


def _use_offscreen_without_display() -> None:
    if os.environ.get("QT_QPA_PLATFORM"):
        return
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"


def _parse_size(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{3,5})x(\d{3,5})", text.strip())
    if not match:
        raise argparse.ArgumentTypeError("use WIDTHxHEIGHT, for example 1280x800")
    return int(match.group(1)), int(match.group(2))


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m orion_desktop.tools.screenshots", description=__doc__.split("\n")[0]
    )
    parser.add_argument("outdir", type=Path, help="folder for the PNG files (created if missing)")
    parser.add_argument(
        "--size", type=_parse_size, default=DEFAULT_SIZE, help="window size, default %(default)s as WIDTHxHEIGHT"
    )
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
        written = Screenshots(work, args.outdir, args.size).run()
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
