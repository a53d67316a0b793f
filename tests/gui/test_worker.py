"""The background helper: work runs off the GUI thread, results and errors come back on it."""

from __future__ import annotations

import gc
import random
import threading
import time
import weakref
from typing import ClassVar

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QWidget
from pytestqt.qtbot import QtBot

from orion_desktop.domain.errors import NotFound
from orion_desktop.ui.data_events import DataEvents, Topic
from orion_desktop.ui.worker import pending_jobs, run_in_background


def test_result_arrives_on_the_gui_thread(qtbot: QtBot) -> None:
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


def test_errors_arrive_as_exceptions(qtbot: QtBot) -> None:
    owner = QWidget()
    qtbot.addWidget(owner)
    errors: list[BaseException] = []

    def work() -> None:
        raise NotFound("There is no order ORD-X.")

    run_in_background(owner, work, on_done=lambda _: None, on_error=errors.append)
    qtbot.waitUntil(lambda: bool(errors), timeout=5000)
    assert isinstance(errors[0], NotFound) and str(errors[0]) == "There is no order ORD-X."


def test_data_events_carry_topics(qtbot: QtBot) -> None:
    events = DataEvents()
    with qtbot.waitSignal(events.changed) as blocker:
        events.announce(Topic.STOCK, Topic.ORDERS)
    assert blocker.args == [frozenset({Topic.STOCK, Topic.ORDERS})]


def test_jobs_leave_nothing_behind(qtbot: QtBot) -> None:
    """No QObject is made per job (one owned by the owner could die while a worker emits on it)."""
    owner = QWidget()
    qtbot.addWidget(owner)
    results: list[object] = []
    for number in range(5):
        run_in_background(
            owner,
            lambda n=number: n,  # type: ignore[misc]  # mypy cannot infer a lambda with a default
            on_done=results.append,
            on_error=results.append,
        )
        qtbot.waitUntil(lambda n=number: len(results) == n + 1, timeout=5000)  # type: ignore[misc]  # mypy cannot infer a lambda with a default
    assert results == [0, 1, 2, 3, 4]
    assert owner.children() == [] and pending_jobs() == 0


class _Dialog(QDialog):
    def __init__(self) -> None:
        super().__init__()
        self.value: object = None

    def done_with(self, value: object) -> None:
        self.value = value


def test_an_owner_that_only_its_callback_keeps_alive_goes_away_cleanly(qtbot: QtBot) -> None:
    """A parentless dialog whose last reference is the bound method it passed as ``on_done``."""
    destroyed: list[bool] = []
    dialog = _Dialog()
    qtbot.addWidget(dialog)
    dialog.destroyed.connect(lambda: destroyed.append(True))
    run_in_background(dialog, lambda: 42, on_done=dialog.done_with, on_error=print)
    owner = weakref.ref(dialog)  # the wait must not keep the dialog alive after ``del``
    qtbot.waitUntil(lambda: getattr(owner(), "value", None) == 42, timeout=5000)
    del dialog
    qtbot.waitUntil(lambda: bool(destroyed), timeout=5000)


# --- stress: many jobs, owners going away while they run -------------------------------------------
STRESS_JOBS = 200
WAIT_MS = 20_000


def _nap() -> None:
    time.sleep(random.random() / 500)  # up to 2 ms: answers interleave with the GUI's deletions


def _settle(qtbot: QtBot) -> None:
    qtbot.waitUntil(lambda: pending_jobs() == 0, timeout=WAIT_MS)


class _Owner(QWidget):
    """Remembers on which thread its Python side went away (Qt objects must die on the GUI thread)."""

    died_on: ClassVar[list[str]] = []

    def __del__(self) -> None:
        _Owner.died_on.append(threading.current_thread().name)


def test_owners_that_only_their_work_keeps_alive_die_on_the_gui_thread(qtbot: QtBot) -> None:
    """A work closure capturing a widget must not let the pool thread delete it (segfaulted before)."""
    _Owner.died_on.clear()
    answers: list[object] = []
    for _ in range(STRESS_JOBS):
        owner = _Owner()
        qtbot.addWidget(owner)  # weakly: it must die here, with its job
        run_in_background(
            owner,
            # nap first, then read the owner's name: the owner may have died meanwhile
            lambda o=owner: (_nap(), o.objectName())[1],  # type: ignore[func-returns-value, misc]  # as above
            on_done=answers.append,
            on_error=answers.append,
        )
        del owner
        if random.random() < 0.3:
            qtbot.wait(1)
    _settle(qtbot)
    gc.collect()
    assert len(answers) == STRESS_JOBS
    assert _Owner.died_on and set(_Owner.died_on) == {threading.main_thread().name}


def test_owners_destroyed_while_their_jobs_run_get_no_answer(qtbot: QtBot) -> None:
    answered: list[tuple[int, int]] = []
    before_deletion: dict[int, set[tuple[int, int]]] = {}  # a deleted round's answers when it was deleted
    kept: list[QWidget] = []
    rounds = STRESS_JOBS // 10
    for round_ in range(rounds):
        parent = QWidget()
        children = [QWidget(parent) for _ in range(5)]
        for number, child in enumerate(children):
            run_in_background(
                child,
                _nap,
                on_done=lambda _r, key=(round_, number): answered.append(key),  # type: ignore[misc]  # mypy cannot infer a lambda with a default
                on_error=lambda error: answered.append((-1, -1)),
            )
        if round_ % 2:
            qtbot.wait(random.randint(0, 2))
            before_deletion[round_] = {key for key in answered if key[0] == round_}
            shiboken6.delete(parent)  # at once, with its children, while their jobs may still run
        else:
            kept.append(parent)
    _settle(qtbot)
    for round_ in range(rounds):
        got = {key for key in answered if key[0] == round_}
        assert got == before_deletion.get(round_, {(round_, n) for n in range(5)})
    assert len(answered) == len(set(answered))  # nobody is told twice
    for parent in kept:
        shiboken6.delete(parent)


def test_answers_after_a_dialog_closed_and_deleted_itself_are_dropped(qtbot: QtBot) -> None:
    owner_alive_when_answered: list[bool] = []
    control = _Dialog()  # stays open: its answers must arrive, or the check below proves nothing
    qtbot.addWidget(control)
    control_answers: list[int] = []
    for _job in range(3):
        run_in_background(
            control,
            lambda: (_nap(), 7)[1],  # type: ignore[func-returns-value]  # nap, then answer 7
            on_done=control_answers.append,
            on_error=lambda error: control_answers.append(-1)
        )
    for _ in range(STRESS_JOBS // 4):
        dialog = _Dialog()
        qtbot.addWidget(dialog)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        for _job in range(2):
            run_in_background(
                dialog,
                lambda: (_nap(), 1)[1],  # type: ignore[func-returns-value]  # nap, then answer 1
                on_done=lambda _r, d=dialog: owner_alive_when_answered.append(shiboken6.isValid(d)),  # type: ignore[misc]  # mypy cannot infer a lambda with a default
                on_error=lambda error: owner_alive_when_answered.append(False),
            )
        dialog.close()  # deleted at the next turn of the event loop, while its jobs may still run
        del dialog
        if random.random() < 0.3:
            qtbot.wait(1)
    _settle(qtbot)
    assert control_answers == [7, 7, 7]
    assert all(owner_alive_when_answered)  # answers that came after the deletion were dropped


def test_many_jobs_each_answer_once_to_their_owner(qtbot: QtBot) -> None:
    owners = [QWidget() for _ in range(10)]
    for owner in owners:
        qtbot.addWidget(owner)
    seen: dict[int, list[object]] = {index: [] for index in range(len(owners))}

    def work(number: int) -> int:
        _nap()
        if number % 7 == 0:
            raise NotFound(f"no {number}")
        return number

    for number in range(STRESS_JOBS):
        index = number % len(owners)
        run_in_background(
            owners[index],
            lambda n=number: work(n),  # type: ignore[misc]  # mypy cannot infer a lambda with a default
            on_done=seen[index].append,
            on_error=lambda error, i=index: seen[i].append(str(error)),  # type: ignore[misc]  # mypy cannot infer a lambda with a default
        )
    _settle(qtbot)
    for index, answers in seen.items():
        expected = [n if n % 7 else f"no {n}" for n in range(index, STRESS_JOBS, len(owners))]
        assert sorted(answers, key=str) == sorted(expected, key=str)
