"""File ▸ Print documents…: a pick list or a packing slip, on a printer (Qt's print dialog) or as a PDF.

Both carry the order number as a barcode (``printing.barcode``). The documents are loaded in the
background; printing happens on the GUI thread, as Qt's printing requires.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from orion_desktop.domain.errors import InvalidInput
from orion_desktop.printing.layout import packing_slip_html, pick_list_html
from orion_desktop.printing.pdf import print_html, write_pdf
from orion_desktop.ui.errors import user_message
from orion_desktop.ui.pack_station.documents import documents_folder, order_numbers_from
from orion_desktop.ui.save_paths import refuse_unconfirmed
from orion_desktop.ui.worker import run_in_background

if TYPE_CHECKING:
    from orion_desktop.services.registry import Services


class DocumentsDialog(QDialog):
    """Choose orders and a document; print it or save it as a PDF."""

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("documentsDialog")
        self.setWindowTitle("Print documents")
        self._services = services
        self.printer: QPrinter | None = None
        self.print_dialog: QPrintDialog | None = None
        self.orders_edit = QLineEdit(self)
        self.orders_edit.setObjectName("documentsOrders")
        self.orders_edit.setPlaceholderText("Order numbers (scan or type; several for a pick list)")
        self.pick_radio = QRadioButton("&Pick list (every order named)", self)
        self.slip_radio = QRadioButton("Packing &slip (the first order's latest parcel)", self)
        self.pick_radio.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.pick_radio)
        group.addButton(self.slip_radio)
        self.message = QLabel(self)
        self.message.setObjectName("documentsMessage")
        self.message.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.print_button = buttons.addButton("P&rint…", QDialogButtonBox.ButtonRole.ActionRole)
        self.pdf_button = buttons.addButton("Save as P&DF…", QDialogButtonBox.ButtonRole.ActionRole)
        self.print_button.clicked.connect(lambda: self.load(self._print))
        self.pdf_button.clicked.connect(lambda: self.load(self._save_pdf))
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("&Orders:", self.orders_edit)
        kinds = QHBoxLayout()
        kinds.addWidget(self.pick_radio)
        kinds.addWidget(self.slip_radio)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(kinds)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.resize(560, 180)
        self.orders_edit.setFocus()

    def load(self, then: Callable[[str, str, str], None]) -> None:
        """Read the document in the background, then hand (html, title, name) to ``then``."""
        numbers = order_numbers_from(self.orders_edit.text())
        if not numbers:
            self.message.setText("Scan or type an order number first.")
            return
        packing, pick = self._services.packing, self.pick_radio.isChecked()

        def work() -> tuple[str, str, str]:
            if pick:
                return pick_list_html(packing.pick_list(numbers)), "Pick list", f"pick-list-{numbers[0]}.pdf"
            slip = packing.packing_slip(numbers[0])
            return packing_slip_html(slip), f"Packing slip {slip.order_number}", f"packing-slip-{numbers[0]}.pdf"

        self.message.setText("Loading…")
        run_in_background(self, work, on_done=lambda done: then(*done),
                          on_error=lambda error: self.message.setText(user_message(error)))

    def _print(self, html: str, title: str, _name: str) -> None:
        self.printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(self.printer, self)
        self.print_dialog = dialog
        dialog.accepted.connect(lambda: self.print_now(html, title))
        self.message.setText("")
        QDialog.open(dialog)  # window-modal, never a blocking exec()

    def print_now(self, html: str, title: str) -> None:
        assert self.printer is not None
        try:
            print_html(html, self.printer, title)
        except Exception as error:  # noqa: BLE001 - a sentence, never a traceback
            self.message.setText(user_message(error))
            return
        self.message.setText(f"{title} sent to the printer.")

    def _save_pdf(self, html: str, title: str, name: str) -> None:
        chosen, _filter = QFileDialog.getSaveFileName(self, "Save as PDF", str(documents_folder() / name),
                                                      "PDF files (*.pdf)")
        if not chosen:
            self.message.setText("")
            return
        path = Path(chosen)
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        try:
            refuse_unconfirmed(chosen, path)
            # The save dialog asked before replacing a file.
            write_pdf(html, path, title, database_file=self._services.database_file, overwrite=True)
        except InvalidInput as error:
            self.message.setText(str(error))
            return
        except Exception as error:  # noqa: BLE001 - a sentence, never a traceback
            self.message.setText(user_message(error))
            return
        self.message.setText(f"{title} saved to {path}.")
