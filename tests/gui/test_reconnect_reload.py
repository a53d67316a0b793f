"""After an outage each page reloads once, whichever watchers saw it (ui/outage_reload.py, both databases).

The window's connection monitor and the change feed both notice a lost database. Before, each
reloaded every page when it was back: the visible page loaded twice. The monitor runs its real
checks against ``Services.check_connection``, which answers DatabaseUnavailable while the test says
the database is away; the feed is a ``ThreadFeed`` that loses its connection and reconnects from its
own thread, with the statuses and the notice the real ``ChangeFeed`` sends.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QSettings, QThreadPool
from pytestqt.qtbot import QtBot

from orion_desktop.bootstrap import Services
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.errors import DatabaseUnavailable
from orion_desktop.ui.live_feed import LiveFeed
from orion_desktop.ui.main_window import MainWindow
from orion_desktop.ui.pages.live_page import LivePage

from .live_support import ThreadFeed
from .window_support import go_to, open_window

FAST_MS = 100
WAIT_MS = 10_000
pytestmark = pytest.mark.usefixtures("background_work_done")


class Outage:
    """The database as the monitor's checks see it: away while ``away`` is True."""

    def __init__(self, services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
        self.away = False
        real_check = services.check_connection

        def check() -> None:
            if self.away:
                raise DatabaseUnavailable("The database cannot be reached: the test took it away.")
            real_check()

        monkeypatch.setattr(services, "check_connection", check)


def _counted_loads(page: LivePage) -> list[int]:
    loads: list[int] = []
    original = page.load

    def counted() -> None:
        loads.append(1)
        original()

    page.load = counted  # type: ignore[method-assign]
    return loads


def _window(qtbot: QtBot, services: Services, actor: Actor, settings: QSettings) -> tuple[MainWindow, ThreadFeed]:
    window = open_window(qtbot, services, actor, settings)
    window.live_feed.stop()  # only the test's feed: the database's own could announce late
    feed = ThreadFeed()
    LiveFeed(feed, window.events, window, origin="this-pc", outage=window.outage_reload).start()
    monitor = window.connection_monitor
    monitor.healthy_interval_ms = 600_000  # no idle check: the test says when the monitor looks
    monitor.retry_interval_ms = FAST_MS
    monitor.start()
    return window, feed


def _monitor_loses(qtbot: QtBot, window: MainWindow, outage: Outage) -> None:
    outage.away = True
    window.connection_monitor.check_now()
    qtbot.waitUntil(lambda: window.banner.text != "", timeout=WAIT_MS)


def _monitor_back(qtbot: QtBot, window: MainWindow, outage: Outage) -> None:
    outage.away = False
    qtbot.waitUntil(lambda: window.connection_monitor.healthy and window.banner.text == "", timeout=WAIT_MS)


def _settle(qtbot: QtBot) -> None:
    qtbot.wait(300)  # a second reload, if any, would be announced by now
    QThreadPool.globalInstance().waitForDone(WAIT_MS)


Step = Callable[[QtBot, MainWindow, ThreadFeed, Outage], None]
SCENARIOS: dict[str, list[str]] = {
    "both saw it, the monitor is back first": ["feed lost", "monitor lost", "monitor back", "feed back"],
    "both saw it, the feed is back first": ["monitor lost", "feed lost", "feed back", "monitor back"],
    "only the feed saw it": ["feed lost", "feed back"],
    "only the monitor saw it": ["monitor lost", "monitor back"],
}
STEPS: dict[str, Step] = {
    "feed lost": lambda qtbot, window, feed, outage: feed.lose_connection(),
    "feed back": lambda qtbot, window, feed, outage: feed.reconnect(),
    "monitor lost": lambda qtbot, window, feed, outage: _monitor_loses(qtbot, window, outage),
    "monitor back": lambda qtbot, window, feed, outage: _monitor_back(qtbot, window, outage),
}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_an_outage_reloads_each_page_once(
    qtbot: QtBot, scenario: str, stocked: Services, manager: Actor, window_settings: QSettings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    outage = Outage(stocked, monkeypatch)
    window, feed = _window(qtbot, stocked, manager, window_settings)
    visible, hidden = window.inventory_page, window.orders_page
    go_to(qtbot, window, hidden)  # loaded once, so only the outage can make it stale
    qtbot.waitUntil(lambda: not hidden.is_loading, timeout=WAIT_MS)
    go_to(qtbot, window, visible)
    qtbot.waitUntil(lambda: not visible.is_loading, timeout=WAIT_MS)
    assert not hidden.is_stale
    visible_loads, hidden_loads = _counted_loads(visible), _counted_loads(hidden)
    steps = SCENARIOS[scenario]
    for step in steps[:-1]:
        STEPS[step](qtbot, window, feed, outage)
        qtbot.wait(50)  # the feed's status crosses to the GUI thread
        assert visible_loads == [], f"reloaded after {step!r}, before the last watcher was back"
    STEPS[steps[-1]](qtbot, window, feed, outage)
    qtbot.waitUntil(lambda: len(visible_loads) >= 1, timeout=WAIT_MS)
    _settle(qtbot)
    assert len(visible_loads) == 1  # the page on screen reloaded once
    assert window.outage_reload.reloads == 1
    assert hidden.is_stale and hidden_loads == []  # the others reload when shown ...
    go_to(qtbot, window, hidden)
    _settle(qtbot)
    assert len(hidden_loads) == 1  # ... once
    window.close()
