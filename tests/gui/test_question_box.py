"""The one box that asks a pack-station Question (the station's put-aside and the quit guard's)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from orion_desktop.ui.pack_station.scan_controller import Question
from orion_desktop.ui.question_box import question_box

QUESTION = Question("Quit?", "Order <b>ORD-1</b> is half packed.", "Keep packing.", yes="Quit", no="Keep packing",
                    default_yes=False)


@pytest.fixture
def parent(qtbot: QtBot) -> QWidget:
    """The box's parent, alive for the whole test (the box dies with it)."""
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.show()
    return widget


def _open(qtbot: QtBot, parent: QWidget, question: Question, answers: list[str]) -> QMessageBox:
    box = question_box(parent, question, lambda: answers.append("yes"), name="someQuestion",
                       yes_role=QMessageBox.ButtonRole.DestructiveRole)
    box.open()
    qtbot.waitExposed(box)
    return box


@pytest.mark.parametrize(("key", "default_yes", "expected"), [
    (Qt.Key.Key_Escape, True, []),  # Esc is always no, even where yes is the default
    (Qt.Key.Key_Return, False, []),  # a scanner's Enter does not throw the packing away
    (Qt.Key.Key_Return, True, ["yes"]),
])
def test_keys_answer_as_the_question_says(
    qtbot: QtBot, parent: QWidget, key: Qt.Key, default_yes: bool, expected: list[str]
) -> None:
    answers: list[str] = []
    question = Question(QUESTION.title, QUESTION.text, QUESTION.details, QUESTION.yes, QUESTION.no, default_yes)
    box = _open(qtbot, parent, question, answers)
    closed: list[int] = []
    box.finished.connect(closed.append)  # the box deletes itself once closed
    qtbot.keyClick(box, key)
    qtbot.waitUntil(lambda: bool(closed))
    assert answers == expected


def test_the_yes_button_answers_once_and_the_text_stays_plain(qtbot: QtBot, parent: QWidget) -> None:
    answers: list[str] = []
    box = _open(qtbot, parent, QUESTION, answers)
    assert box.objectName() == "someQuestion" and box.textFormat() == Qt.TextFormat.PlainText
    assert box.informativeText() == "Keep packing."
    yes = next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.DestructiveRole)
    assert yes.text() == "Quit"
    closed: list[int] = []
    box.finished.connect(closed.append)
    qtbot.mouseClick(yes, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(closed))
    assert answers == ["yes"]
