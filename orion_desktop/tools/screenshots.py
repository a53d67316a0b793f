"""Screenshots of every page and dialog on a fresh demo warehouse.

    python -m orion_desktop.tools.screenshots OUTDIR [--size 1440x900]

Fills a new demo database in a temporary folder (``services.fill_demo``; a small warehouse built
through the services when that is not available), opens the main window exactly as the app does
(``GuiSession``), and saves ``<page>.png`` for every page in ``MainWindow.pages``, ``dialog-*.png``
for every dialog that opens without input (the current page's Edit-menu actions ending in "…",
File > Database…, Help > About) and ``database-unavailable.png`` (the demo file moved away for a
moment). Works without a display: Qt's offscreen platform is used when there is none. Your own
settings and databases are never touched.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

APP_USER = "maria"
DEFAULT_SIZE = (1440, 900)


def _use_offscreen_without_display() -> None:
    if os.environ.get("QT_QPA_PLATFORM"):
        return
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.replace("&", "").replace("…", "").lower()).strip("-")


def _parse_size(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{3,5})x(\d{3,5})", text.strip())
    if not match:
        raise argparse.ArgumentTypeError("use WIDTHxHEIGHT, for example 1440x900")
    return int(match.group(1)), int(match.group(2))


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m orion_desktop.tools.screenshots", description=__doc__.split("\n")[0])
    parser.add_argument("outdir", type=Path, help="folder for the PNG files (created if missing)")
    parser.add_argument("--size", type=_parse_size, default=DEFAULT_SIZE, help="window size, default 1440x900")
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


class Screenshots:
    def __init__(self, work: Path, outdir: Path, size: tuple[int, int]) -> None:
        self.work = work
        self.outdir = outdir
        self.size = size
        self.written: list[Path] = []

    # --- setup ----------------------------------------------------------------------------
    def run(self) -> list[Path]:
        from PySide6.QtCore import QSettings

        from orion_desktop.app import GuiSession, ensure_application
        from orion_desktop.bootstrap import open_services
        from orion_desktop.domain.actor import Actor
        from orion_desktop.domain.enums import Role

        self.outdir.mkdir(parents=True, exist_ok=True)
        _quiet_offscreen_warning()
        self.database_path = self.work / "demo.db"
        url = f"sqlite:///{self.database_path}"
        services = open_services(url)
        try:
            self.note = self._fill(services)
            self.app = ensure_application([])
            self.app.setStyle("Fusion")  # the same look on every platform and offscreen
            settings = QSettings(str(self.work / "gui.ini"), QSettings.Format.IniFormat)
            session = GuiSession(services, Actor(name=APP_USER, role=Role.MANAGER), database_url=url, settings=settings)
            try:
                self._shoot(session.window)
            finally:
                session.window.connection_monitor.stop()
                self._settle()
                session.window.close()
                session.window.deleteLater()
                self._settle()
                session.close()
        finally:
            services.close()
        print(self.note, file=sys.stderr)
        return self.written

    def _fill(self, services) -> str:  # type: ignore[no-untyped-def]
        from orion_desktop.domain.actor import SYSTEM

        try:
            summary = services.fill_demo(SYSTEM)
        except (ImportError, AttributeError) as error:  # the demo module is not there (yet)
            _seed_small_warehouse(services)
            return f"fill_demo is not available ({error}); used a small warehouse built through the services."
        return (
            f"Demo warehouse: {summary.stores} stores, {summary.locations} locations, {summary.products} products, "
            f"{summary.stock_rows} stock rows, {summary.orders} orders."
        )

    # --- shooting -------------------------------------------------------------------------
    def _shoot(self, window) -> None:  # type: ignore[no-untyped-def]
        window.resize(*self.size)
        window.show()
        self._settle()
        for row, page in enumerate(list(window.pages)):
            window.navigation.setCurrentRow(row)
            self._settle()
            self._prepare(page)
            self._save(window, _slug(page.title))
            for action in page.edit_actions():
                if action.text().endswith("…") and action.isEnabled():
                    self._dialog(action.trigger, f"dialog-{_slug(action.text())}")
        window.navigation.setCurrentRow(0)
        self._settle()
        self._dialog(window.database_action.trigger, "dialog-database")
        self._dialog(window.about_action.trigger, "dialog-about")
        self._database_unavailable(window)

    def _prepare(self, page) -> None:  # type: ignore[no-untyped-def]
        """Select a telling row: on the Inventory a product with reserved stock, elsewhere the first."""
        table = getattr(page, "table", None)
        model = table.model() if table is not None else None
        if model is None or model.rowCount() == 0:
            return
        row = 0
        rows = getattr(model, "rows", None)
        if callable(rows):
            for index, item in enumerate(rows()):
                if getattr(item, "reserved_quantity", 0) > 0 and getattr(item, "quantity", 0) > 20:
                    row = index
                    break
        table.setCurrentIndex(model.index(row, 0))
        table.scrollTo(model.index(row, 0))
        table.setFocus()
        self._settle()

    def _dialog(self, trigger: Callable[[], object], name: str) -> None:
        """Open a dialog (modal with exec() or window-modal with open()), save it, close it."""
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication

        done: list[bool] = []

        def grab() -> None:
            dialog = QApplication.activeModalWidget()
            if dialog is None:
                done.append(False)
                return
            self._settle(blocking=False)
            self._save(dialog, name)
            dialog.close()
            done.append(True)

        QTimer.singleShot(400, grab)
        trigger()  # returns at once for open(), after grab() for exec()
        deadline = time.monotonic() + 10
        while not done and time.monotonic() < deadline:
            self.app.processEvents()
            time.sleep(0.01)
        self._settle()

    def _database_unavailable(self, window) -> None:  # type: ignore[no-untyped-def]
        """Move the demo file away for a moment: the real banner, then recovery."""
        moved = self.database_path.with_name("moved-away.db")
        self.database_path.rename(moved)
        try:
            window.connection_monitor.check_now()
            self._wait(lambda: window.banner.text != "")
            self._save(window, "database-unavailable")
        finally:
            moved.rename(self.database_path)
        window.connection_monitor.check_now()
        self._wait(lambda: window.banner.text == "")

    def _save(self, widget, name: str) -> None:  # type: ignore[no-untyped-def]
        path = self.outdir / f"{name}.png"
        if not widget.grab().save(str(path)):
            raise OSError(f"Could not write {path}")
        self.written.append(path)

    # --- waiting --------------------------------------------------------------------------
    def _settle(self, *, blocking: bool = True) -> None:
        """Let background loads finish and the window repaint."""
        from PySide6.QtCore import QThreadPool

        pool = QThreadPool.globalInstance()
        quiet = 0
        deadline = time.monotonic() + 15
        while quiet < 3 and time.monotonic() < deadline:
            self.app.processEvents()
            if blocking:
                pool.waitForDone(25)
            time.sleep(0.02)
            quiet = quiet + 1 if pool.activeThreadCount() == 0 else 0
        self.app.processEvents()

    def _wait(self, condition: Callable[[], bool], timeout: float = 15) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError("The window did not reach the state to photograph")
            self.app.processEvents()
            time.sleep(0.02)
        self._settle()


def _quiet_offscreen_warning() -> None:
    """Qt's offscreen platform warns whenever a window is resized; real platforms do not."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    def handler(kind: QtMsgType, _context: object, message: str) -> None:
        if "does not support propagateSizeHints" not in message:
            print(message, file=sys.stderr)

    qInstallMessageHandler(handler)


def _seed_small_warehouse(services) -> None:  # type: ignore[no-untyped-def]
    """A few products at a few locations, some reserved: enough to show every column."""
    from orion_desktop.domain.actor import SYSTEM

    catalog, stock = services.catalog, services.inventory
    catalog.add_store(SYSTEM, "MAIN", "Orion Main Store")
    products = (
        ("CHAIR-OAK", "Oak dining chair", "4006381333931", (("WAREHOUSE_A", 48, 6), ("STORE_FRONT", 4, 0))),
        ("LAMP-BRASS", "Brass desk lamp", "5901234123457", (("WAREHOUSE_A", 9, 2),)),
        ("RUG-WOOL", "Wool rug 160x230", "4012345678901", (("WAREHOUSE_B", 15, 0), ("RETURNS", 1, 0))),
    )
    for sku, title, gtin, places in products:
        catalog.add_product(SYSTEM, store="MAIN", sku=sku, title=title, gtin=gtin)
        for location, quantity, reserved in places:
            stock.set_quantity(SYSTEM, store="MAIN", product=sku, location=location, quantity=quantity, reason="count")
            if reserved:
                stock.reserve(SYSTEM, store="MAIN", product=sku, location=location, quantity=reserved)


if __name__ == "__main__":
    sys.exit(main())
