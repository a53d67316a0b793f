"""Issue 11, item 11: figures in the user's locale with thousands separators, readable captions,
and a Dashboard that uses its space. On the demo warehouse (80,000-odd units on hand)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from helpers import ADMIN
from PySide6.QtCore import QLocale, QSettings
from PySide6.QtGui import QColor, QPalette
from pytestqt.qtbot import QtBot

from orion_desktop.app import ensure_application
from orion_desktop.bootstrap import Services
from orion_desktop.demo import fill_demo
from orion_desktop.domain.actor import Actor
from orion_desktop.ui.main_window import MainWindow
from orion_desktop.ui.pages.dashboard_page import DashboardPage

from .overview_helpers import wait_idle
from .window_support import go_to, open_window

pytestmark = pytest.mark.usefixtures("background_work_done")


@pytest.fixture
def app_locale() -> Iterator[None]:
    """The locale as the app sets it when it starts; the test's default is restored afterwards."""
    previous = QLocale()
    ensure_application()
    yield
    QLocale.setDefault(previous)


@pytest.fixture
def demo(services: Services) -> Services:
    fill_demo(services.database, ADMIN)
    return services


def _dashboard(qtbot: QtBot, services: Services, actor: Actor, settings: QSettings) -> tuple[MainWindow, DashboardPage]:
    window = open_window(qtbot, services, actor, settings)
    window.resize(1280, 800)
    page = window.dashboard_page
    go_to(qtbot, window, page)
    wait_idle(qtbot, page)
    qtbot.waitUntil(lambda: page.figures is not None)
    return window, page


def _luminance(color: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(color.redF()) + 0.7152 * channel(color.greenF()) + 0.0722 * channel(color.blueF())


def _contrast(a: QColor, b: QColor) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.usefixtures("app_locale")
def test_11_the_dashboard_groups_thousands_as_the_app_starts(
    qtbot: QtBot, demo: Services, manager: Actor, window_settings: QSettings
) -> None:
    _window, page = _dashboard(qtbot, demo, manager, window_settings)
    units = demo.stock.stats().total_quantity
    assert units >= 1000
    shown = page.stock_tiles["total_quantity"].value_text
    assert shown == QLocale().toString(units)
    assert QLocale().groupSeparator() in shown  # 80,138 rather than 80138


def test_11_figures_follow_the_users_locale(
    qtbot: QtBot, demo: Services, manager: Actor, window_settings: QSettings
) -> None:
    previous = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.German, QLocale.Country.Germany))
    try:
        _window, page = _dashboard(qtbot, demo, manager, window_settings)
        units = demo.stock.stats().total_quantity
        assert page.stock_tiles["total_quantity"].value_text == f"{units:,}".replace(",", ".")
    finally:
        QLocale.setDefault(previous)


def test_11_tile_captions_are_readable(
    qtbot: QtBot, demo: Services, manager: Actor, window_settings: QSettings
) -> None:
    _window, page = _dashboard(qtbot, demo, manager, window_settings)
    for tile in page.stock_tiles.values():
        detail = tile.detail_label
        assert detail.isEnabled()  # a disabled label is drawn faint
        text = detail.palette().color(QPalette.ColorGroup.Active, QPalette.ColorRole.WindowText)
        background = tile.palette().color(QPalette.ColorGroup.Active, QPalette.ColorRole.Window)
        assert _contrast(text, background) >= 4.5, tile.caption_label.text()  # WCAG AA for body text


def test_11_the_dashboard_uses_its_space(
    qtbot: QtBot, demo: Services, manager: Actor, window_settings: QSettings
) -> None:
    window, page = _dashboard(qtbot, demo, manager, window_settings)
    chart = page.chart
    plain = chart.fontMetrics().height() + 10
    assert chart.row_height > plain  # the bars take the room the page has
    last = page.backorder_products_tile
    bottom = last.mapTo(page, last.rect().bottomLeft()).y()
    assert page.height() - bottom < page.height() * 0.12  # no empty half page below the figures
    window.resize(1280, 1000)
    qtbot.waitUntil(lambda: chart.row_height > plain + 4)
