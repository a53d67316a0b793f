"""The pack station's PDFs: the packing slip of the parcel just shipped, and pick lists.

``PackDocuments`` asks where to save (the platform's save dialog, which asks before replacing a
file), refuses a file the dialog did not ask about (``save_paths.refuse_unconfirmed``), loads what
it needs in the background and writes the PDF (``printing.pdf.write_pdf`` refuses the database
file itself). It reports through signals: ``saved`` (the path), ``said`` (a sentence for the
feedback panel) and ``failed`` (an error for the banner).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QStandardPaths, Signal
from PySide6.QtWidgets import QFileDialog, QWidget

from orion_desktop.domain.errors import InvalidInput
from orion_desktop.printing.layout import packing_slip_html, pick_list_html
from orion_desktop.printing.pdf import write_pdf
from orion_desktop.ui.pack_station.scan_controller import plural
from orion_desktop.ui.save_paths import refuse_unconfirmed
from orion_desktop.ui.worker import run_in_background

if TYPE_CHECKING:
    from orion_desktop.domain.print_results import PackingSlip, PickList
    from orion_desktop.services.registry import Services

_SEPARATORS = re.compile(r"[\s,;]+")


def order_numbers_from(text: str) -> list[str]:
    """``"ORD-1, ORD-2 ORD-3"`` -> the numbers, once each, in the order given."""
    return list(dict.fromkeys(part for part in _SEPARATORS.split(text.strip()) if part))


def documents_folder() -> Path:
    """Where PDFs are suggested by default: the user's documents folder (or home)."""
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    folder = Path(location) if location else Path.home()
    return folder if folder.is_dir() else Path.home()


class PackDocuments(QObject):
    """Packing slips and pick lists as PDF files, for the pack station page ``view``."""

    saved = Signal(str)  # the path of a PDF just written
    said = Signal(str)  # a sentence for the feedback panel
    failed = Signal(object)  # the error that stopped a document (shown in the banner)

    def __init__(self, services: Services, view: QWidget) -> None:
        super().__init__(view)
        self._services = services
        self._view = view  # the save dialog's parent
        self.folder: Path | None = None  # where the last PDF went (remembered in the settings)
        self.last_slip: PackingSlip | None = None
        self._slip_order: str | None = None  # the order of the last parcel shipped here

    @property
    def has_parcel(self) -> bool:
        """True once a parcel has been shipped here (Ctrl+P has a slip to save)."""
        return self._slip_order is not None

    def parcel_shipped(self, order_number: str, slip: PackingSlip | None) -> None:
        """A parcel of ``order_number`` left; ``slip`` is None when it could not be read back."""
        self.last_slip = slip
        self._slip_order = order_number

    # --- packing slip ---------------------------------------------------------------------
    def save_packing_slip(self) -> None:
        """Save the packing slip of the parcel just shipped here as a PDF."""
        number = self._slip_order
        if number is None:
            return
        path = self._choose_pdf_path("Save packing slip", f"packing-slip-{number}.pdf")
        if path is None:
            return
        if self.last_slip is not None and self.last_slip.order_number == number:
            self._write_slip(self.last_slip, path)
            return
        packing = self._services.packing
        run_in_background(self, lambda: packing.packing_slip(number),
                          on_done=lambda slip: self._write_slip(slip, path), on_error=self.failed.emit)

    def _write_slip(self, slip: PackingSlip, path: Path) -> None:
        self.last_slip = slip
        if self._write(packing_slip_html(slip), path, f"Packing slip {slip.order_number}", landscape=False):
            self.said.emit(f"Saved the packing slip of order {slip.order_number} "
                           f"(shipment {slip.shipment_number}) to {path}.")

    # --- pick list ------------------------------------------------------------------------
    def save_pick_list(self, numbers: list[str]) -> None:
        """Save a pick list PDF for orders ``numbers`` (at least one)."""
        suffix = f"-and-{len(numbers) - 1}-more" if len(numbers) > 1 else ""
        path = self._choose_pdf_path("Save pick list", f"pick-list-{numbers[0]}{suffix}.pdf")
        if path is None:
            return
        packing = self._services.packing
        run_in_background(self, lambda: packing.pick_list(numbers),
                          on_done=lambda pick: self._write_pick_list(pick, path), on_error=self.failed.emit)

    def _write_pick_list(self, pick: PickList, path: Path) -> None:
        if self._write(pick_list_html(pick), path, "Pick list", landscape=False):  # portrait (issue 11, 13)
            units = sum(row.quantity for row in pick.rows)
            self.said.emit(f"Saved the pick list for {plural(len(pick.order_numbers), 'order')} "
                           f"({plural(len(pick.rows), 'line')}, {plural(units, 'unit')}) to {path}.")

    # --- files ----------------------------------------------------------------------------
    def _write(self, html: str, path: Path, title: str, *, landscape: bool) -> bool:
        try:
            # The save dialog asked before replacing a file (see _choose_pdf_path).
            write_pdf(html, path, title, landscape=landscape,
                      database_file=self._services.database_file, overwrite=True)
        except Exception as error:  # noqa: BLE001 - a sentence, never a traceback
            self.failed.emit(error)
            return False
        self.saved.emit(str(path))
        return True

    def _choose_pdf_path(self, caption: str, file_name: str) -> Path | None:
        folder = self.folder or documents_folder()
        chosen, _filter = QFileDialog.getSaveFileName(self._view, caption, str(folder / file_name), "PDF files (*.pdf)")
        self._view.setFocus()  # back to the scan field (the view's focus proxy)
        if not chosen:
            return None
        path = Path(chosen)
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        self.folder = path.parent
        try:
            refuse_unconfirmed(chosen, path)
        except InvalidInput as error:
            self.failed.emit(error)
            return None
        return path
