"""Help ▸ Keyboard shortcuts (F1) and Help ▸ Manual: one dialog with two tabs.

The shortcut table is read from the window's own actions at the time it opens (menus, pages and
the current page's actions), so it can never disagree with what the keys do. The manual is the
README, rendered by Qt's Markdown support; where the README is not installed (a wheel), the tab
says where to find it instead of showing nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

SHORTCUTS_TAB = 0
MANUAL_TAB = 1

# Keys that are not QAction shortcuts but that people need to know (pack station, tables, dialogs).
EXTRA_KEYS = (
    ("Enter (in a search box)", "Search at once; a scanner sends Enter after each code"),
    ("3*GTIN at the pack station", "Scan three units of that product at once"),
    ("Esc", "Close a dialog without changing anything; at the pack station, forget the box (asks first)"),
    ("Ctrl+C (in the import errors)", "Copy the selected refused lines"),
)


def readme_path() -> Path | None:
    """README.md beside the package in a source checkout; None where it is not installed."""
    candidate = Path(__file__).resolve().parents[2] / "README.md"
    return candidate if candidate.is_file() else None


def shortcut_rows(actions: Iterable[QAction]) -> list[tuple[str, str]]:
    """(keys, what they do) for every action with a shortcut, once each (a key may do one thing per page)."""
    rows: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for action in actions:
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        what = action.text().replace("&&", "\x00").replace("&", "").replace("\x00", "&").rstrip("…")
        if not keys or (keys, what) in seen:
            continue
        seen.add((keys, what))
        tip = action.statusTip()
        rows.append((keys, f"{what}: {tip}" if tip and tip != what else what))
    return rows


class HelpDialog(QDialog):
    """The keyboard shortcuts and the manual."""

    def __init__(self, actions: Iterable[QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("helpDialog")
        self.setWindowTitle("Orion Desktop help")
        self.tabs = QTabWidget(self)
        self.shortcuts = self._shortcut_table(shortcut_rows(actions))
        self.tabs.addTab(self.shortcuts, "&Keyboard shortcuts")
        self.manual = QTextBrowser(self)
        self.manual.setObjectName("helpManual")
        self.manual.setOpenExternalLinks(True)
        self._load_manual()
        self.tabs.addTab(self.manual, "&Manual")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(buttons)
        self.resize(820, 600)

    def _shortcut_table(self, rows: list[tuple[str, str]]) -> QTableWidget:
        everything = rows + list(EXTRA_KEYS)
        table = QTableWidget(len(everything), 2, self)
        table.setObjectName("helpShortcuts")
        table.setHorizontalHeaderLabels(["Keys", "What they do"])
        table.verticalHeader().hide()
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setWordWrap(True)
        for row, (keys, what) in enumerate(everything):
            table.setItem(row, 0, QTableWidgetItem(keys))
            table.setItem(row, 1, QTableWidgetItem(what))
        header = table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        return table

    def _load_manual(self) -> None:
        path = readme_path()
        if path is None:
            self.manual.setPlainText(
                "The manual is the README of Orion Desktop. It is not installed on this PC; "
                "ask whoever installed Orion Desktop for README.md, or run `orion-desktop --help`."
            )
            return
        try:
            self.manual.setMarkdown(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as error:
            self.manual.setPlainText(f"The manual {path} cannot be read ({error}).")

    def show_tab(self, index: int) -> None:
        self.tabs.setCurrentIndex(index)
        self.open()
