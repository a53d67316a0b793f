"""The frame the list pages share, in one place.

``ListPage``: a banner on top, rows of filters (or actions), then the body (a table, or a table over
a detail pane); ``page_action``; ``clear_banner``; ``open_dialog``, one action dialog open at a time. Every
list page (Inventory, Orders, Ledger, Low stock, Locations, Shipment status) is one.

``FilteredListPage``: a ``ListPage`` whose table re-queries for what its filter widgets show
(Inventory, Orders, Ledger): the search boxes and their debounce timer (typing waits
``SEARCH_DELAY_MS``; Enter, which scanners send, searches at once), ``apply_filter`` (stop the
timer, clear the banner, hand ``current_filter()`` to the model), ``search_now``, ``focus_search``.

Each page still builds its own filter widgets, table and detail pane.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Generic, Protocol, TypeVar

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLayout, QLineEdit, QTableView, QVBoxLayout, QWidget

from orion_desktop.ui.data_events import DataEvents
from orion_desktop.ui.dialogs.action_dialog import ActionDialog
from orion_desktop.ui.pages.dialog_opening import open_action_dialog
from orion_desktop.ui.pages.live_page import LivePage

SEARCH_DELAY_MS = 250
"""Typing pauses this long before the list is searched; Enter (what scanners send) searches at once."""


class FilteredModel(Protocol):
    """A table model that re-queries for a filter (each model takes its own filter type)."""

    def set_filter(self, new_filter: Any, /) -> object: ...


M = TypeVar("M", bound=FilteredModel)


class ListPage(LivePage):
    """A ``LivePage`` whose ``banner`` sits over its filter rows and its body."""

    def __init__(self, events: DataEvents, parent: QWidget | None = None) -> None:
        super().__init__(events, parent)
        self.dialog: ActionDialog | None = None  # the action dialog open now (window-modal), if any
        self._detail_error_shown = False  # the banner shows a detail pane's error (cleared when it works again)

    def page_action(
        self, text: str, tip: str, slot: Callable[[], object], *, name: str = "", shortcut: str = "",
        tip_suffix: str = "",
    ) -> QAction:
        """An action of this page (for its toolbar or buttons and the window's Edit menu): ``tip`` in the
        status bar; the tooltip adds ``tip_suffix`` and the shortcut, which works only while the page is shown."""
        action = QAction(text, self)
        action.setObjectName(name)
        action.setStatusTip(tip)
        tooltip = tip + tip_suffix
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            tooltip += f" ({action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})"
        action.setToolTip(tooltip)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def lay_out(self, filter_rows: Iterable[QLayout], body: QWidget, *, header: QWidget | None = None) -> None:
        """The page from top to bottom: ``header`` (a toolbar), the banner, the filter rows, the body."""
        layout = QVBoxLayout(self)
        if header is not None:
            layout.addWidget(header)
        layout.addWidget(self.banner)
        for row in filter_rows:
            layout.addLayout(row)
        layout.addWidget(body, 1)

    def clear_banner(self) -> None:
        self.banner.clear()
        self._detail_error_shown = False

    def open_dialog(self, dialog: ActionDialog, on_accepted: Callable[[Any], str]) -> None:
        """Open ``dialog`` as every page does (``open_action_dialog``), one at a time: a dialog still
        open is closed first, and ``self.dialog`` is the one open now."""
        if self.dialog is not None:
            self.dialog.close()
        self.dialog = dialog

        def closed() -> None:
            if self.dialog is dialog:
                self.dialog = None

        open_action_dialog(self, dialog, on_accepted, closed)


class FilteredListPage(ListPage, Generic[M]):
    """A ``ListPage`` listing ``model`` in ``table``; subclasses set both and say ``current_filter``."""

    model: M
    table: QTableView
    select_first_hit = True
    """Enter in a search box selects the first row found (a scanned code shows its row's detail)."""

    def __init__(self, events: DataEvents, parent: QWidget | None = None) -> None:
        super().__init__(events, parent)
        self.search_timer = QTimer(self)
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(SEARCH_DELAY_MS)
        self.search_timer.timeout.connect(self.apply_filter)
        self._search_edits: list[QLineEdit] = []

    def search_edit_for(self, name: str, placeholder: str, accessible: str, widest: str) -> QLineEdit:
        """A search box wide enough for ``widest``: typing (re)starts the pause, Enter searches at once."""
        edit = QLineEdit(self)
        edit.setObjectName(name)
        edit.setPlaceholderText(placeholder)
        edit.setClearButtonEnabled(True)
        edit.setAccessibleName(accessible)
        edit.setMinimumWidth(self.fontMetrics().horizontalAdvance(widest) + 40)  # + the clear button
        edit.textChanged.connect(lambda _text: self.search_timer.start())
        edit.returnPressed.connect(self.search_now)
        self._search_edits.append(edit)
        return edit

    def current_filter(self) -> object:
        """The filter the widgets show, as the model takes it."""
        raise NotImplementedError

    def apply_filter(self, *_args: object, clear_banner: bool = True) -> None:
        """Re-query the table for the filter the widgets show."""
        self.search_timer.stop()
        if clear_banner:
            self.clear_banner()
        self.model.set_filter(self.current_filter())

    def search_now(self) -> None:
        """Enter in a search box (a scanner ends every code with it): search at once, show the first hit."""
        self.apply_filter()
        sender = self.sender()
        edit = sender if isinstance(sender, QLineEdit) else self._search_edits[0]
        edit.selectAll()  # the next scan replaces this one
        rows = self.table.model()
        if self.select_first_hit and rows.rowCount() > 0:
            self.table.setCurrentIndex(rows.index(0, 0))

    def focus_search(self) -> None:
        edit = self._search_edits[0]
        edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        edit.selectAll()
