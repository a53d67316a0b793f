"""Open an action dialog from a page the way every page does it: window-modal without blocking,
and after OK announce what the dialog changed and say one sentence about it (on the page's banner,
or where the page says)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from orion_desktop.ui.dialogs.action_dialog import ActionDialog
from orion_desktop.ui.pages.live_page import LivePage
from orion_desktop.ui.widgets.message_banner import BannerKind


def open_action_dialog(
    page: LivePage,
    dialog: ActionDialog,
    on_accepted: Callable[[Any], str],
    on_closed: Callable[[], object] | None = None,
    *,
    say: Callable[[str], object] | None = None,
) -> None:
    """Show ``dialog``; on OK say ``on_accepted(outcome)`` with ``say`` (default: the page's banner).

    ``on_closed`` runs however the dialog ends (a page forgets the dialog it had open)."""
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # a packer opens hundreds a day
    # The dialog shows its refusals itself; the window must still hear of a lost database.
    dialog.failed.connect(page.report_error)

    def finished(result: int) -> None:
        if on_closed is not None:
            on_closed()
        if result == QDialog.DialogCode.Accepted and dialog.outcome is not None:
            message = on_accepted(dialog.outcome)
            dialog.announce_changes()  # reloading clears the banner: the message comes after
            if say is not None:
                say(message)
            else:
                page.banner.show_message(message, BannerKind.INFO)

    dialog.finished.connect(finished)
    dialog.open()
