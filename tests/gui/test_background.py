"""ui.background: work runs off the GUI thread, answers come back on it, and nothing it touches is
deleted under a worker (the crash that deleting a per-job relay caused)."""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import QObject, QThreadPool
from PySide6.QtWidgets import QWidget

from orion_desktop.domain.errors import NotFound
from orion_desktop.ui import background
from orion_desktop.ui.background import run_in_background


def test_the_answer_arrives_on_the_gui_thread(qtbot) -> None:  # type: ignore[no-untyped-def]
    owner = QWidget()
    qtbot.addWidget(owner)
    seen: dict[str, object] = {}

    def work() -> int:
        seen["worker_thread"] = threading.current_thread() is not threading.main_thread()
        return 42

    def done(value: int) -> None:
        seen["value"] = value
        seen["callback_on_main"] = threading.current_thread() is threading.main_thread()

    run_in_background(owner, work, on_done=done, on_error=lambda e: seen.setdefault("error", e))
    qtbot.waitUntil(lambda: "value" in seen, timeout=5000)
    assert seen == {"worker_thread": True, "value": 42, "callback_on_main": True}


def test_errors_arrive_as_exceptions(qtbot) -> None:  # type: ignore[no-untyped-def]
    owner = QWidget()
    qtbot.addWidget(owner)
    errors: list[BaseException] = []

    def work() -> None:
        raise NotFound("There is no order ORD-X.")

    run_in_background(owner, work, on_done=lambda _: None, on_error=errors.append)
    qtbot.waitUntil(lambda: bool(errors), timeout=5000)
    assert isinstance(errors[0], NotFound) and str(errors[0]) == "There is no order ORD-X."


def test_nobody_is_called_back_when_the_owner_is_gone(qtbot) -> None:  # type: ignore[no-untyped-def]
    owner = QObject()
    answers: list[object] = []
    started = threading.Event()

    def work() -> str:
        started.set()
        time.sleep(0.05)
        return "late"

    run_in_background(owner, work, on_done=answers.append, on_error=answers.append)
    assert started.wait(5)
    owner.deleteLater()
    del owner
    qtbot.waitUntil(lambda: background._the_dispatcher().pending == 0, timeout=5000)
    assert answers == []


def test_an_owner_kept_alive_only_by_its_callbacks_is_released_safely(qtbot) -> None:  # type: ignore[no-untyped-def]
    """The page of a closed tab whose only references are its pending callbacks: many times, with
    work that takes a moment, so answers and deletions interleave with the workers finishing."""
    answers: list[int] = []

    class Owner(QObject):
        def take(self, value: int) -> None:
            answers.append(value)

    def slow(value: int) -> int:
        time.sleep(0.001)
        return value

    for value in range(300):
        owner = Owner()
        run_in_background(owner, lambda v=value: slow(v), on_done=owner.take, on_error=lambda e: None)
        del owner  # the dispatcher's job entry holds the last reference
    qtbot.waitUntil(lambda: len(answers) == 300, timeout=20_000)
    assert sorted(answers) == list(range(300))
    QThreadPool.globalInstance().waitForDone(5000)
