"""The cycle collector runs on the GUI thread while the window is up, and nowhere else."""

from __future__ import annotations

import gc
import threading
import weakref
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QObject, QThreadPool
from pytestqt.qtbot import QtBot

from orion_desktop.ui.garbage_collection import GuiThreadCollector


class _Cycle:
    """Garbage only the cycle collector can free, which remembers the thread that freed it."""

    freed_on: list[int] = []

    def __init__(self) -> None:
        self.me = self

    def __del__(self) -> None:
        _Cycle.freed_on.append(threading.get_ident())


@pytest.fixture
def collector(qtbot: QtBot) -> Iterator[GuiThreadCollector]:
    gc.enable()  # as the app starts; the suite keeps it off in Qt tests (conftest), restored below
    owner = QObject()
    started = GuiThreadCollector(owner, interval_ms=20)
    started.start()
    yield started
    started.stop()
    gc.disable()
    owner.deleteLater()


def test_the_suite_keeps_automatic_collection_off_in_qt_tests_only(qtbot: QtBot) -> None:
    assert not gc.isenabled()  # the tests' own rule (tests/conftest.py), like the window's


def test_tests_without_qt_keep_automatic_collection() -> None:
    assert gc.isenabled()


def test_automatic_collection_is_off_while_started_and_back_after(collector: GuiThreadCollector) -> None:
    assert not gc.isenabled()
    collector.stop()
    assert gc.isenabled()


def test_cycles_made_in_a_worker_are_freed_on_the_gui_thread(qtbot: QtBot, collector: GuiThreadCollector) -> None:
    gui_thread = threading.get_ident()
    _Cycle.freed_on.clear()
    made: list[weakref.ref[_Cycle]] = []
    kept: list[list[object]] = []

    def work() -> None:
        for _ in range(200):
            made.append(weakref.ref(_Cycle()))
        # Allocations past the threshold (and kept): the automatic collector would run here, in the worker.
        kept.extend([object()] for _ in range(5 * gc.get_threshold()[0]))

    QThreadPool.globalInstance().start(work)
    assert QThreadPool.globalInstance().waitForDone(10_000)
    assert len(made) == 200 and _Cycle.freed_on == []  # nothing collected in the worker
    qtbot.waitUntil(lambda: all(ref() is None for ref in made), timeout=5_000)
    assert set(_Cycle.freed_on) == {gui_thread}
