"""Resident memory of the real window with 100k inventory rows loaded (run by tests/perf/test_gui_perf.py).

Run in a fresh interpreter, so pytest and the other tests' objects do not count::

    QT_QPA_PLATFORM=offscreen python tests/perf/gui_memory_probe.py <database URL> <rows>

It opens the services and the main window as ``orion-desktop`` does (``open_services``,
``orion_desktop.app.GuiSession``), waits until the Inventory page shows its first rows, then
fetches pages the way scrolling does (``fetchMore`` while ``canFetchMore``) until at least
``<rows>`` rows are in the model, scrolls the table to the end and lets it paint. It prints one
JSON object: VmRSS (kB) at each stage, the rows loaded and how long the fetching took.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
TIMEOUT_S = 240  # the caller's time limit is longer: a slow fetch still reports how far it got


def rss_kb() -> int:
    """VmRSS of this process from /proc (Linux), in kB."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


def main(url: str, wanted: int) -> dict[str, object]:
    started_kb = rss_kb()
    from PySide6.QtCore import QCoreApplication, QEventLoop, QSettings

    from orion_desktop.app import GuiSession, ensure_application
    from orion_desktop.bootstrap import open_services
    from orion_desktop.config import current_actor

    app = ensure_application()
    services = open_services(url)
    settings = QSettings(os.path.join(os.environ["ORION_CONFIG_DIR"], "probe.ini"), QSettings.Format.IniFormat)
    session = GuiSession(services, current_actor(), database_url=url, settings=settings)
    window = session.window
    window.show()
    page = window.inventory_page
    model, table = page.model, page.table
    deadline = time.monotonic() + TIMEOUT_S
    while model.rowCount() == 0 and time.monotonic() < deadline:  # in case the first page loads in a worker
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
    app.processEvents()
    window_kb = rss_kb()
    fetch_started = time.perf_counter()
    while model.rowCount() < wanted and model.has_more and time.monotonic() < deadline:
        if model.canFetchMore():
            model.fetchMore()  # what the view calls when it is scrolled near the end
        else:  # a page is on its way from a worker
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
    fetch_seconds = time.perf_counter() - fetch_started
    table.scrollToBottom()
    for _ in range(5):
        app.processEvents()
    QCoreApplication.sendPostedEvents()
    gc.collect()
    result: dict[str, object] = {
        "rows": model.rowCount(),
        "has_more": model.has_more,
        "fetch_seconds": round(fetch_seconds, 2),
        "rss_kb_before_qt": started_kb,
        "rss_kb_window": window_kb,
        "rss_kb_loaded": rss_kb(),
    }
    services.close()
    return result


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], int(sys.argv[2]))), flush=True)
    sys.stdout.flush()
    os._exit(0)  # skip Qt's and the interpreter's teardown: nothing is left to save
