"""File ▸ Import and File ▸ Export: the menu entries, the import dialog they open, and the exports.

Exports ask where to save (the platform's save dialog, which asks before replacing a file), then
write in the background through ``ImportService`` (the same functions as ``orion-desktop export``,
so the same ``safe_files`` rules: never onto the database, cells safe from spreadsheet formulas).
A list is exported as its page currently filters it, as far as the export can filter: the
stock by the Inventory page's store, the orders by the Orders page's status, the ledger by every
filter of the Ledger page. The window hands those filters in as ``filters(kind)``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QStandardPaths
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QWidget

from orion_desktop.domain.errors import InvalidInput
from orion_desktop.ui.dialogs.import_dialog import KINDS, ImportDialog
from orion_desktop.ui.errors import user_message
from orion_desktop.ui.formatting import plural
from orion_desktop.ui.icons import action_icon
from orion_desktop.ui.save_paths import refuse_unconfirmed
from orion_desktop.ui.worker import run_in_background

if TYPE_CHECKING:
    from orion_desktop.domain.actor import Actor
    from orion_desktop.services.registry import Services
    from orion_desktop.ui.data_events import DataEvents

EXPORT_KINDS = ("products", "stock", "orders", "ledger")
_ROW_WORDS = {"products": "product", "stock": "stock row", "orders": "order line", "ledger": "ledger row"}


def _folder() -> Path:
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    folder = Path(location) if location else Path.home()
    return folder if folder.is_dir() else Path.home()


class FileTransfers(QObject):
    """The import and export actions of the File menu, for the window ``parent``."""

    def __init__(
        self,
        services: Services,
        actor: Actor,
        events: DataEvents,
        parent: QWidget,
        *,
        filters: Callable[[str], dict[str, Any]],
        say: Callable[[str], None],
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._actor = actor
        self._events = events
        self._view = parent
        self._filters = filters
        self._say = say
        self.folder: Path | None = None
        self.import_dialog: ImportDialog | None = None
        self.error_box: QMessageBox | None = None
        self.import_actions: dict[str, QAction] = {}
        self.export_actions: dict[str, QAction] = {}
        for kind in KINDS:
            action = QAction(f"Import {kind}…", self)
            action.setObjectName(f"import_{kind}")
            action.setIcon(action_icon("import"))
            action.setStatusTip(f"Read {kind} from a CSV file: see the first lines, then import all of it or nothing")
            action.triggered.connect(lambda _checked=False, k=kind: self.open_import(k))
            self.import_actions[kind] = action
        for kind in EXPORT_KINDS:
            action = QAction(f"Export {kind}…", self)
            action.setObjectName(f"export_{kind}")
            action.setIcon(action_icon("export"))
            shown = "as the page filters it" if kind in ("stock", "orders", "ledger") else "every product"
            action.setStatusTip(f"Write {kind} to a CSV file ({shown}) that spreadsheets and the import read")
            action.triggered.connect(lambda _checked=False, k=kind: self.export(k))
            self.export_actions[kind] = action

    def add_to(self, menu: QMenu) -> None:
        """Two submenus, Import and Export, in ``menu`` (the File menu)."""
        imports = menu.addMenu("&Import")
        imports.setObjectName("importMenu")
        imports.addActions(list(self.import_actions.values()))
        exports = menu.addMenu("&Export")
        exports.setObjectName("exportMenu")
        exports.addActions(list(self.export_actions.values()))

    # --- import ---------------------------------------------------------------------------
    def open_import(self, kind: str, path: Path | None = None) -> ImportDialog:
        """Open the import dialog for ``kind`` (one at a time; window-modal, never a blocking exec())."""
        dialog = self.import_dialog
        if dialog is not None and dialog.isVisible() and dialog.kind == kind:
            dialog.raise_()
            return dialog
        if dialog is not None:
            if dialog.running:
                dialog.raise_()
                return dialog
            dialog.close()
            dialog.deleteLater()
        dialog = ImportDialog(self._services, self._actor, self._events, kind, self._view)
        self.import_dialog = dialog
        dialog.open()
        if path is not None:
            dialog.set_path(path)
        return dialog

    # --- export ---------------------------------------------------------------------------
    def choose_path(self, kind: str) -> Path | None:
        """The file to write, from the save dialog; None when the user did not choose one."""
        folder = self.folder or _folder()
        chosen, _filter = QFileDialog.getSaveFileName(
            self._view, f"Export {kind}", str(folder / f"{kind}.csv"), "CSV files (*.csv)"
        )
        if not chosen:
            return None
        path = Path(chosen)
        if path.suffix.lower() != ".csv":
            path = path.with_name(path.name + ".csv")
        self.folder = path.parent
        refuse_unconfirmed(chosen, path)
        return path

    def export(self, kind: str) -> None:
        try:
            path = self.choose_path(kind)
        except InvalidInput as error:
            self._show_error(error)
            return
        if path is None:
            return
        importing, filters = self._services.importing, self._filters(kind)

        # The save dialog asked before replacing a file: overwrite is the user's answer.
        def work() -> int:
            if kind == "products":
                return importing.export_products(path, filters.get("store"), overwrite=True)
            if kind == "stock":
                return importing.export_stock(path, filters.get("store"), overwrite=True)
            if kind == "orders":
                return importing.export_orders(path, filters.get("store"), filters.get("status"), overwrite=True)
            return importing.export_ledger(path, overwrite=True, **filters)

        filtered = " (as filtered)" if any(value not in (None, "") for value in filters.values()) else ""
        run_in_background(
            self,
            work,
            on_done=lambda rows: self._say(f"Exported {plural(rows, _ROW_WORDS[kind])}{filtered} to {path}."),
            on_error=self._show_error,
        )

    def _show_error(self, error: BaseException) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, "Export", user_message(error), QMessageBox.StandardButton.Ok,
                          self._view)
        box.setObjectName("exportError")
        self.error_box = box
        box.open()
