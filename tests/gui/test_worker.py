"""The background helper: work runs off the GUI thread, results and errors come back on it."""

from __future__ import annotations

import threading

from PySide6.QtWidgets import QDialog, QWidget

from orion_desktop.domain.errors import NotFound
from orion_desktop.ui.data_events import DataEvents, Topic
from orion_desktop.ui.worker import run_in_background


def test_result_arrives_on_the_gui_thread(qtbot) -> None:  # type: ignore[no-untyped-def]
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


def test_data_events_carry_topics(qtbot) -> None:  # type: ignore[no-untyped-def]
    events = DataEvents()
    with qtbot.waitSignal(events.changed) as blocker:
        events.announce(Topic.STOCK, Topic.ORDERS)
    assert blocker.args == [frozenset({Topic.STOCK, Topic.ORDERS})]


def test_answered_relays_are_deleted_at_the_next_job(qtbot) -> None:  # type: ignore[no-untyped-def]
    from orion_desktop.ui.worker import _Relay

    owner = QWidget()
    qtbot.addWidget(owner)
    results: list[object] = []
    for number in range(5):
        run_in_background(owner, lambda n=number: n, on_done=results.append, on_error=results.append)
        qtbot.waitUntil(lambda n=number: len(results) == n + 1, timeout=5000)
    qtbot.waitUntil(lambda: len(owner.findChildren(_Relay)) == 1, timeout=5000)  # only the last one's
    assert results == [0, 1, 2, 3, 4]


class _Dialog(QDialog):
    def __init__(self) -> None:
        super().__init__()
        self.value: object = None

    def done_with(self, value: object) -> None:
        self.value = value


def test_an_owner_that_only_its_callback_keeps_alive_goes_away_cleanly(qtbot) -> None:  # type: ignore[no-untyped-def]
    """A parentless dialog whose last reference is the bound method it passed as ``on_done``."""
    destroyed: list[bool] = []
    dialog = _Dialog()
    qtbot.addWidget(dialog)
    dialog.destroyed.connect(lambda: destroyed.append(True))
    run_in_background(dialog, lambda: 42, on_done=dialog.done_with, on_error=print)
    qtbot.waitUntil(lambda: dialog.value == 42, timeout=5000)
    del dialog
    qtbot.waitUntil(lambda: bool(destroyed), timeout=5000)
