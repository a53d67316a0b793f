"""File ▸ Import products / stock / orders: choose a file, look at it, import it with a progress
dialog that can be cancelled, and read (and copy) the lines that were refused.

The import itself is the services' (``ImportService``): one transaction, all lines or none. The
dialog runs it through ``ui/worker.py`` and hands it an ``ImportWatch`` whose two callables only
touch plain Python state (a ``threading.Event`` and two integers), because they are called on the
pool thread; a timer on the GUI thread turns that state into the progress bar. Cancel sets the
event; the import stops at its next chunk and rolls back, so a cancelled import imported nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QProgressDialog,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from orion_desktop.domain.errors import ImportRejected, OrionError
from orion_desktop.domain.import_job import ColumnUse, CsvPreview, ImportCancelled, ImportWatch
from orion_desktop.ui.errors import user_message
from orion_desktop.ui.formatting import number, plural
from orion_desktop.ui.worker import run_in_background

if TYPE_CHECKING:
    from orion_desktop.domain.actor import Actor
    from orion_desktop.domain.results import ImportResult
    from orion_desktop.services.registry import Services
    from orion_desktop.ui.data_events import DataEvents

KINDS = ("products", "stock", "orders")
PROGRESS_STEPS = 1000
POLL_MS = 100
_EXAMPLES = {
    "products": "sku,title (and store, gtin, product_type, low_stock_threshold, reorder_point)",
    "stock": "product (or sku, gtin), location, quantity (and store)",
    "orders": "order_number, product (or sku, gtin), quantity (and store, customer, email, channel, status)",
}


class _Watch:
    """The import's progress and the user's cancel, shared with the pool thread as plain values."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self.done = 0
        self.size = 0

    def progress(self, done: int, size: int) -> None:
        self.done, self.size = done, size  # two int stores; the GUI thread only reads them

    def as_import_watch(self) -> ImportWatch:
        return ImportWatch(should_stop=self.stop.is_set, progress=self.progress)


class ImportDialog(QDialog):
    """Import one kind of CSV file (``kind``: products, stock or orders) from a file the user picks."""

    def __init__(
        self, services: Services, actor: Actor, events: DataEvents, kind: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        if kind not in KINDS:
            raise ValueError(kind)
        self.setObjectName(f"import{kind.title()}Dialog")
        self.setWindowTitle(f"Import {kind}")
        self._services = services
        self._actor = actor
        self._events = events
        self.kind = kind
        self.preview: CsvPreview | None = None
        self.result_value: ImportResult | None = None
        self.running = False
        self._watch: _Watch | None = None
        self.progress: QProgressDialog | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._show_progress)
        self._init_file_row()
        self._init_preview()
        self._init_errors()
        self._init_buttons()
        self._lay_out()
        self.resize(760, 560)
        self.path_edit.setFocus()

    # --- construction ---------------------------------------------------------------------
    def _init_file_row(self) -> None:
        self.path_edit = QLineEdit(self)
        self.path_edit.setObjectName("importPath")
        self.path_edit.setPlaceholderText(f"The {self.kind} CSV file to import")
        self.path_edit.editingFinished.connect(self._path_edited)
        self.choose_button = QPushButton("&Choose…", self)
        self.choose_button.setObjectName("importChoose")
        self.choose_button.clicked.connect(self.choose_file)
        self.columns_hint = QLabel(f"Columns: {_EXAMPLES[self.kind]}. Nothing is imported until you press Import.",
                                   self)
        self.columns_hint.setWordWrap(True)

    def _init_preview(self) -> None:
        self.mapping_table = _table(self, "importMapping", ["Column in the file", "Read as", "Use"])
        self.rows_table = _table(self, "importRows", [])
        self.message = QLabel(self)
        self.message.setObjectName("importMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

    def _init_errors(self) -> None:
        self.error_list = QListWidget(self)
        self.error_list.setObjectName("importErrors")
        self.error_list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.error_list.hide()
        self.copy_button = QPushButton("Cop&y the errors", self)
        self.copy_button.setObjectName("importCopyErrors")
        self.copy_button.setToolTip("Copy every refused line to the clipboard, to fix the file in a spreadsheet")
        self.copy_button.clicked.connect(self.copy_errors)
        self.copy_button.hide()

    def _init_buttons(self) -> None:
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.import_button = self.buttons.addButton("&Import", QDialogButtonBox.ButtonRole.ActionRole)
        self.import_button.setObjectName("importRun")
        self.import_button.setEnabled(False)
        self.import_button.clicked.connect(self.start_import)
        self.buttons.rejected.connect(self.reject)
        # Enter in the file field previews the file; it must not import or close the dialog.
        for button in (*self.buttons.buttons(), self.choose_button):
            if not isinstance(button, QPushButton):
                continue
            button.setAutoDefault(False)
            button.setDefault(False)

    def _lay_out(self) -> None:
        file_row = QHBoxLayout()
        file_label = QLabel("&File:", self)
        file_label.setBuddy(self.path_edit)
        file_row.addWidget(file_label)
        file_row.addWidget(self.path_edit, 1)
        file_row.addWidget(self.choose_button)
        layout = QVBoxLayout(self)
        layout.addLayout(file_row)
        layout.addWidget(self.columns_hint)
        layout.addWidget(QLabel("How the columns are read:", self))
        layout.addWidget(self.mapping_table, 1)
        layout.addWidget(QLabel("The first lines of the file:", self))
        layout.addWidget(self.rows_table, 2)
        layout.addWidget(self.message)
        layout.addWidget(self.error_list, 2)
        copy_row = QHBoxLayout()
        copy_row.addStretch(1)
        copy_row.addWidget(self.copy_button)
        layout.addLayout(copy_row)
        layout.addWidget(self.buttons)

    # --- choosing and previewing ----------------------------------------------------------
    def choose_file(self) -> None:
        chosen, _filter = QFileDialog.getOpenFileName(
            self, f"Import {self.kind}", self.path_edit.text(), "CSV files (*.csv *.txt);;All files (*)"
        )
        if chosen:
            self.set_path(Path(chosen))

    def _path_edited(self) -> None:
        text = self.path_edit.text().strip()
        if text and (self.preview is None or text != str(self._current_path())):
            self.set_path(Path(text))

    def _current_path(self) -> Path | None:
        text = self.path_edit.text().strip()
        return Path(text).expanduser() if text else None

    def set_path(self, path: Path) -> None:
        """Show ``path``'s first lines and column mapping; Import is enabled when its columns are fine."""
        self.path_edit.setText(str(path))
        self._clear_errors()
        try:
            preview = self._services.importing.preview(self.kind, path.expanduser())
        except OrionError as error:
            self.preview = None
            self._fill_preview(None)
            self._say(str(error), error=True)
            self.import_button.setEnabled(False)
            return
        self.preview = preview
        self._fill_preview(preview)
        if preview.problem is not None:
            self._say(preview.problem, error=True)
        else:
            self._say(f"{preview.file_name} ({_size(preview.file_size)}) is ready to import. "
                      "All lines are imported, or none if a line is wrong.")
        self.import_button.setEnabled(preview.problem is None and not self.running)

    def _fill_preview(self, preview: CsvPreview | None) -> None:
        columns = preview.columns if preview is not None else ()
        self.mapping_table.setRowCount(len(columns))
        for row, mapping in enumerate(columns):
            for col, text in enumerate((mapping.header, mapping.column, mapping.use.value)):
                item = QTableWidgetItem(text)
                if mapping.use is ColumnUse.UNKNOWN:
                    item.setForeground(Qt.GlobalColor.red)
                self.mapping_table.setItem(row, col, item)
        rows = preview.rows if preview is not None else ()
        self.rows_table.setColumnCount(len(columns))
        self.rows_table.setHorizontalHeaderLabels([mapping.header for mapping in columns])
        self.rows_table.setRowCount(len(rows))
        for row, values in enumerate(rows):
            for col, value in enumerate(values[: len(columns)]):
                self.rows_table.setItem(row, col, QTableWidgetItem(value))
        # The file's line numbers (the header is line 1), as the errors name them.
        self.rows_table.setVerticalHeaderLabels([str(number) for number in range(2, 2 + len(rows))])

    # --- importing ------------------------------------------------------------------------
    def start_import(self) -> None:
        path = self._current_path()
        if path is None or self.running or self.preview is None:
            return
        self._clear_errors()
        self.running = True
        self.import_button.setEnabled(False)
        self.choose_button.setEnabled(False)
        self.path_edit.setEnabled(False)
        watch = self._watch = _Watch()
        self.progress = QProgressDialog(f"Importing {path.name}…", "Cancel", 0, PROGRESS_STEPS, self)
        self.progress.setObjectName("importProgress")
        self.progress.setWindowTitle(f"Import {self.kind}")
        self.progress.setWindowModality(Qt.WindowModality.WindowModal)
        self.progress.setAutoClose(False)
        self.progress.setAutoReset(False)
        self.progress.setMinimumDuration(0)
        self.progress.setValue(0)
        self.progress.canceled.connect(self.cancel_import)
        self.progress.show()
        self._timer.start()
        run_in_background(
            self,
            self._import_call(path, watch.as_import_watch()),
            on_done=self._imported,
            on_error=self._failed,
            on_changes=self._events.announce_changes,
        )

    def _import_call(self, path: Path, watch: ImportWatch) -> Callable[[], ImportResult]:
        importing, actor = self._services.importing, self._actor
        if self.kind == "products":
            return lambda: importing.import_products(actor, path, watch=watch)
        if self.kind == "stock":
            return lambda: importing.import_stock(actor, path, watch=watch)
        return lambda: importing.import_orders(actor, path, watch=watch)

    def cancel_import(self) -> None:
        """Ask the import to stop at its next chunk; it then rolls back everything it wrote."""
        if self._watch is not None and self.running:
            self._watch.stop.set()
            if self.progress is not None:
                self.progress.setLabelText("Cancelling… nothing will be imported.")
                self.progress.show()  # QProgressDialog hides itself on cancel; keep it until the rollback is done

    def _show_progress(self) -> None:
        watch, progress = self._watch, self.progress
        if watch is None or progress is None or not watch.size:
            return
        progress.setValue(min(PROGRESS_STEPS - 1, watch.done * PROGRESS_STEPS // watch.size))

    def _finish(self) -> None:
        self.running = False
        self._timer.stop()
        if self.progress is not None:
            self.progress.canceled.disconnect(self.cancel_import)
            self.progress.close()
            self.progress.deleteLater()
            self.progress = None
        self._watch = None
        self.choose_button.setEnabled(True)
        self.path_edit.setEnabled(True)
        self.import_button.setEnabled(self.preview is not None and self.preview.problem is None)

    def _imported(self, result: ImportResult) -> None:
        self._finish()
        self.result_value = result
        self._say(import_summary(self.preview.file_name if self.preview else "The file", result))

    def _failed(self, error: BaseException) -> None:
        self._finish()
        if isinstance(error, ImportCancelled):
            self._say(str(error))
            return
        if isinstance(error, ImportRejected):
            self._show_errors(error)
            return
        self._say(user_message(error), error=True)

    def _show_errors(self, error: ImportRejected) -> None:
        hidden = error.total - len(error.problems)
        name = self.preview.file_name if self.preview else "The file"
        bad = "this line" if error.total == 1 else f"these {plural(error.total, 'line')}"
        self._say(f"{name} was not imported; nothing was changed. Fix {bad} "
                  "and import it again" + (f" (the first {len(error.problems)} are listed)." if hidden else "."),
                  error=True)
        self.error_list.clear()
        self.error_list.addItems(list(error.problems))
        if hidden:
            self.error_list.addItem(f"… and {hidden} more")
        self.error_list.show()
        self.copy_button.show()

    def _clear_errors(self) -> None:
        self.error_list.clear()
        self.error_list.hide()
        self.copy_button.hide()

    def errors(self) -> list[str]:
        return [self.error_list.item(row).text() for row in range(self.error_list.count())]

    def copy_errors(self) -> None:
        clipboard = QGuiApplication.clipboard()
        clipboard.setText("\n".join(self.errors()))

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        # Red from the palette's own idea of a warning would be nicer; a fixed red reads on light and dark.
        self.message.setStyleSheet("color: #d32f2f;" if error else "")

    def reject(self) -> None:
        if self.running:
            self.cancel_import()  # closing while importing means: stop, import nothing
            return
        super().reject()


def import_summary(file_name: str, result: ImportResult) -> str:
    """One sentence about a finished import."""
    if result.kind == "orders":
        return f"Imported {file_name}: {plural(result.rows, 'line')}, {plural(result.created, 'new order')}."
    return (f"Imported {file_name}: {plural(result.rows, 'line')}, {number(result.created)} new, "
            f"{number(result.updated)} changed.")


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def _table(parent: QWidget, name: str, labels: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(labels), parent)
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(labels)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table
