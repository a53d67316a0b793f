"""Errors reach people as sentences: OrionError as written, anything else as one generic line."""

from __future__ import annotations

import logging

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from orion_desktop import app as app_module
from orion_desktop.domain.errors import InsufficientStock
from orion_desktop.ui.errors import GENERIC_MESSAGE, show_error_dialog, user_message
from orion_desktop.ui.icons import app_icon
from orion_desktop.ui.widgets.message_banner import MessageBanner

SHORT = "Only 3 of Widget A are available at WAREHOUSE_A; 5 were requested."


def _shortage() -> InsufficientStock:
    return InsufficientStock(SHORT, available=3, requested=5)


def test_user_message_keeps_orion_sentences_and_hides_everything_else(caplog: pytest.LogCaptureFixture) -> None:
    assert user_message(_shortage()) == SHORT
    with caplog.at_level(logging.ERROR):
        assert user_message(KeyError("internal_column")) == GENERIC_MESSAGE
    assert "internal_column" in caplog.text


def test_banner_shows_a_sentence_and_can_be_dismissed(qtbot: QtBot) -> None:
    banner = MessageBanner()
    qtbot.addWidget(banner)
    assert banner.text == ""
    assert banner.show_error(_shortage()) == SHORT
    assert banner.text == SHORT and not banner.isHidden()
    banner.close_button.click()
    assert banner.text == "" and banner.isHidden()


def test_error_dialog_shows_the_sentence(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    seen: list[str] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.append(box.text())
        box.accept()

    QTimer.singleShot(0, answer)
    assert show_error_dialog(parent, _shortage()) == SHORT
    assert seen == [SHORT]


def test_the_event_loop_hook_shows_escaped_errors_instead_of_crashing(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    shown: list[BaseException] = []
    monkeypatch.setattr(app_module, "show_error_dialog", lambda _parent, error: shown.append(error))
    hook = app_module._unexpected_error_hook(lambda: parent)
    error = _shortage()
    hook(type(error), error, None)
    assert shown == [error]


def test_the_window_icon_loads() -> None:
    icon = app_icon()
    assert not icon.isNull()
    assert not icon.pixmap(32, 32).isNull()
