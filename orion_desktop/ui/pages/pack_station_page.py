"""The pack station: scan an order, scan each item into the box, ship the box with one key.

Flow (keyboard only; a wedge scanner types digits + Enter):

1. Scan or type an order number + Enter: the order's open lines fill the table
   (``PackingService.open_order``, one indexed query, run at once so the scans that follow
   cannot overtake it).
2. Scan each item. ``PackSession.scan`` (domain, in memory) counts it on its line, or refuses it
   with a reason: wrong item, unknown code, bad check digit, one too many, the placeholder code.
   A refused scan changes nothing; it turns the feedback panel red, flashes the scan field,
   beeps and says why. The scan path is synchronous: a right item costs no database call; a
   code that is not on the order costs one indexed catalog lookup (to tell "wrong item" from
   "unknown code").
3. F12 (or Ctrl+Enter) completes: with lines still open a confirmation names them (Enter ships
   the partial parcel, Esc keeps packing). The packed quantities ship as one shipment
   (``PackingService.complete``) in the background with one operation key per completion, so a
   retry after a lost connection cannot ship twice. The page announces ``ORDERS`` and ``STOCK``.
4. Ctrl+P saves the packing slip of the parcel just shipped as a PDF. Ctrl+Shift+P saves a pick
   list for the orders typed in the pick-list field (or for the order being packed).

Ctrl+Z takes back the last counted scan; Esc puts the order aside (nothing ships).
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings, QStandardPaths, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QFont, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from orion_desktop.domain.errors import InvalidInput
from orion_desktop.domain.packing import OrderToPack, PackLine, PackSession, ScanResult
from orion_desktop.printing.layout import packing_slip_html, pick_list_html
from orion_desktop.printing.pdf import write_pdf
from orion_desktop.ui.data_events import DataEvents, Topic
from orion_desktop.ui.errors import user_message
from orion_desktop.ui.models.pack_model import PackColumn, PackModel
from orion_desktop.ui.order_format import STATUS_TEXT
from orion_desktop.ui.pages.base import Page
from orion_desktop.ui.save_paths import refuse_unconfirmed
from orion_desktop.ui.widgets.filling_table_view import FillingTableView
from orion_desktop.ui.widgets.message_banner import MessageBanner
from orion_desktop.ui.widgets.scan_input import ScanInput
from orion_desktop.ui.widgets.tables import make_table
from orion_desktop.ui.worker import run_in_background

if TYPE_CHECKING:
    from orion_desktop.bootstrap import Services
    from orion_desktop.domain.actor import Actor
    from orion_desktop.domain.order_results import ShipItemResult, ShipmentStatusReport
    from orion_desktop.domain.orders import OrderStatus
    from orion_desktop.domain.print_results import PackingSlip, PickList

log = logging.getLogger(__name__)

UNDO_SHORTCUT = "Ctrl+Z"
COMPLETE_SHORTCUTS = ("F12", "Ctrl+Return", "Ctrl+Enter")
PUT_ASIDE_SHORTCUT = "Esc"
PACKING_SLIP_SHORTCUT = "Ctrl+P"
PICK_LIST_SHORTCUT = "Ctrl+Shift+P"

FLASH_MS = 700
"""How long the scan field stays red after a refused scan (the panel stays red until the next scan)."""

ORDER_NUMBER = re.compile(r"^ORD-\S+$", re.IGNORECASE)
"""What an order number scanned while items are expected looks like (``ORD-{store}-{date}-{tail}``)."""
_SEPARATORS = re.compile(r"[\s,;]+")

CUSTOMER_SHOWN_CHARS = 40
"""A longer customer name is cut short beside the order number, so it cannot widen the window."""


def _shortened(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


ORDER_PROMPT = "Scan or type an order number, then Enter"
ITEM_PROMPT = "Scan the next item (5* before a scan counts five)"


class Tone(Enum):
    """The feedback panel's look: (background, text, border)."""

    IDLE = ("#f2f4f7", "#1f2933", "#d5dae1")
    COUNTED = ("#e3f4e4", "#14532d", "#8fcf95")
    REFUSED = ("#c62828", "#ffffff", "#8e1b1b")
    INFO = ("#e8f1fb", "#17395c", "#b3cdea")
    DONE = ("#d9f0ff", "#0b3954", "#7fb8da")


@dataclass(frozen=True, slots=True)
class Completion:
    """What the background completion hands back to the page."""

    order_number: str
    shipment_id: int
    results: tuple[ShipItemResult, ...]
    status: ShipmentStatusReport | None  # None when it could not be read back (the parcel shipped anyway)
    slip: PackingSlip | None  # None when it could not be read back; Ctrl+P loads it then


def order_numbers_from(text: str) -> list[str]:
    """``"ORD-1, ORD-2 ORD-3"`` -> the numbers, once each, in the order given."""
    return list(dict.fromkeys(part for part in _SEPARATORS.split(text.strip()) if part))


def documents_folder() -> Path:
    """Where PDFs are suggested by default: the user's documents folder (or home)."""
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    folder = Path(location) if location else Path.home()
    return folder if folder.is_dir() else Path.home()


class PackStationPage(Page):
    title = "Pack station"
    settings_group = "packStation"
    topics = frozenset({Topic.ORDERS})

    completed = Signal(int)  # the shipment id of a completed parcel
    pdfSaved = Signal(str)  # noqa: N815 - the path of a packing slip or pick list just written
    scanHandled = Signal(object)  # the ScanResult of every item scan (tests and measurements watch it)  # noqa: N815

    def __init__(self, services: Services, actor: Actor, events: DataEvents, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("packStationPage")
        self._services = services
        self._actor = actor
        self.events = events
        self._session: PackSession | None = None
        self._status: OrderStatus | None = None
        self._customer: str | None = None
        self._busy = False
        self._operation_key: str | None = None
        self._pdf_folder: Path | None = None
        self.last_slip: PackingSlip | None = None
        self._slip_order: str | None = None  # the order of the last parcel shipped here
        self.confirmation: QMessageBox | None = None  # the question open now, if any
        self.alert: Callable[[], None] = QApplication.beep  # the sound of a refused scan
        self.model = PackModel(self)
        self._init_actions()
        self._init_widgets()
        self._init_layout()
        self._connect()
        self._show_feedback("Scan an order number to start packing.", Tone.IDLE)
        self._update_state()

    # --- construction ---------------------------------------------------------------------
    def _init_actions(self) -> None:
        self.undo_action = self._action("&Undo last scan", "Undo last scan", (UNDO_SHORTCUT,),
                                        "Take back the last counted scan", self.undo_last_scan)
        self.complete_action = self._action("&Complete parcel", "Complete", COMPLETE_SHORTCUTS,
                                            "Ship the packed units as one parcel", self.complete)
        self.put_aside_action = self._action("Put order &aside", "Put aside", (PUT_ASIDE_SHORTCUT,),
                                             "Leave this order without shipping anything", self.put_aside)
        self.slip_action = self._action("Save packing &slip…", "Packing slip…", (PACKING_SLIP_SHORTCUT,),
                                        "Save the packing slip of the parcel just shipped as a PDF",
                                        self.save_packing_slip)
        self.pick_list_action = self._action("Save pick &list…", "Pick list…", (PICK_LIST_SHORTCUT,),
                                             "Save a pick list PDF for the orders in the pick-list field "
                                             "(or the order being packed)", self.save_pick_list)
        self.station_actions = (self.undo_action, self.complete_action, self.put_aside_action, self.slip_action,
                                self.pick_list_action)

    def _action(self, text: str, button_text: str, shortcuts: Sequence[str], tip: str,
                slot: Callable[[], object]) -> QAction:
        action = QAction(text, self)
        action.setShortcuts([QKeySequence(s) for s in shortcuts])
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)  # works while this page is shown
        native = QKeySequence(shortcuts[0]).toString(QKeySequence.SequenceFormat.NativeText)
        action.setIconText(f"{button_text}  {native}")  # buttons show their key: the station is run by keyboard
        action.setStatusTip(tip)
        action.setToolTip(f"{tip} ({native})")
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _init_widgets(self) -> None:
        self.banner = MessageBanner(self)

        self.heading = QLabel("Pack station", self)
        heading_font = QFont(self.heading.font())
        heading_font.setBold(True)
        heading_font.setPointSizeF(heading_font.pointSizeF() * 1.3)
        self.heading.setFont(heading_font)

        self.pick_orders_edit = QLineEdit(self)
        self.pick_orders_edit.setObjectName("pickListOrders")
        self.pick_orders_edit.setPlaceholderText("Orders for a pick list (spaces or commas)")
        self.pick_orders_edit.setAccessibleName("Orders for a pick list")
        self.pick_orders_edit.setToolTip("Leave empty for the order being packed. Enter saves the pick list.")
        self.pick_orders_edit.setClearButtonEnabled(True)
        self.pick_orders_edit.setMinimumWidth(self.fontMetrics().horizontalAdvance("ORD-1-20260101-XXXXXX") * 2)

        self.scan_input = ScanInput(self)
        self.scan_input.setObjectName("packScanInput")
        self.scan_input.setAccessibleName("Scan")
        self.scan_input.pass_shortcuts([UNDO_SHORTCUT, *COMPLETE_SHORTCUTS, PACKING_SLIP_SHORTCUT, PICK_LIST_SHORTCUT])
        scan_font = QFont(self.scan_input.font())
        scan_font.setPointSizeF(scan_font.pointSizeF() * 1.6)
        self.scan_input.setFont(scan_font)
        self.scan_input.setMinimumHeight(self.scan_input.fontMetrics().height() + 18)
        self._flash_timer = QTimer(self)
        self._flash_timer.setSingleShot(True)
        self._flash_timer.setInterval(FLASH_MS)
        self._flash_timer.timeout.connect(self._end_flash)

        self.feedback = QLabel(self)
        self.feedback.setObjectName("packFeedback")
        self.feedback.setWordWrap(True)
        self.feedback.setTextFormat(Qt.TextFormat.PlainText)  # messages quote scanned text: never rich text
        self.feedback.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.feedback.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        feedback_font = QFont(self.feedback.font())
        feedback_font.setPointSizeF(feedback_font.pointSizeF() * 1.35)
        feedback_font.setBold(True)
        self.feedback.setFont(feedback_font)
        self.feedback.setMinimumHeight(QLabel("", self).fontMetrics().height() * 2 + 36)
        self.feedback.setAccessibleName("Scan feedback")
        self.tone = Tone.IDLE

        self.order_label = QLabel(self)
        self.order_label.setObjectName("packOrder")
        self.order_label.setTextFormat(Qt.TextFormat.PlainText)
        order_font = QFont(self.order_label.font())
        order_font.setBold(True)
        self.order_label.setFont(order_font)
        self.progress_label = QLabel(self)
        self.progress_label.setObjectName("packProgress")
        self.progress_label.setTextFormat(Qt.TextFormat.PlainText)

        self.table = self._make_table()
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the scan field keeps the keyboard

        self.tracking_edit = QLineEdit(self)
        self.tracking_edit.setObjectName("trackingNumber")
        self.tracking_edit.setPlaceholderText("optional; scan the carrier label")
        self.tracking_edit.setAccessibleName("Tracking number")
        self.tracking_edit.setMaxLength(128)
        # Wide enough for a UPS-style number and for the whole hint (a clipped hint reads as garbage).
        widest = max(
            ("1Z999AA10123456784", self.tracking_edit.placeholderText()), key=self.fontMetrics().horizontalAdvance
        )
        self.tracking_edit.setMinimumWidth(self.fontMetrics().horizontalAdvance(widest) + 40)
        self.tracking_label = QLabel("&Tracking number:", self)
        self.tracking_label.setBuddy(self.tracking_edit)

        self.buttons: dict[QAction, QToolButton] = {}
        for action in self.station_actions:
            button = QToolButton(self)
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            self.buttons[action] = button
        complete_button = self.buttons[self.complete_action]
        complete_button.setObjectName("completeButton")
        bold = QFont(complete_button.font())
        bold.setBold(True)
        complete_button.setFont(bold)

    def _make_table(self) -> FillingTableView:
        """Read-only rows; the product column takes the spare width, the others fit their values."""
        return make_table(
            self,
            self.model,
            name="packTable",
            fill_column=PackColumn.PRODUCT,
            fill_chars=28,
            samples={PackColumn.SKU: "SKU-0000000", PackColumn.GTIN: "0000000000000", PackColumn.ORDERED: "0,000",
                     PackColumn.SHIPPED: "0,000", PackColumn.TO_PACK: "0,000", PackColumn.PACKED: "0,000 ✓"},
            selection=QAbstractItemView.SelectionMode.NoSelection,  # the scanned line is highlighted instead
            row_padding=10,
        )

    def _init_layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.heading)
        top.addStretch(1)
        top.addWidget(self.pick_orders_edit)
        top.addWidget(self.buttons[self.pick_list_action])

        self.feedback_frame = QFrame(self)
        self.feedback_frame.setObjectName("packFeedbackFrame")
        frame_layout = QHBoxLayout(self.feedback_frame)
        frame_layout.setContentsMargins(14, 10, 14, 10)
        frame_layout.addWidget(self.feedback)

        status = QHBoxLayout()
        status.addWidget(self.order_label)
        status.addStretch(1)
        status.addWidget(self.progress_label)

        bottom = QHBoxLayout()
        bottom.addWidget(self.tracking_label)
        bottom.addWidget(self.tracking_edit)
        bottom.addStretch(1)
        for action in (self.undo_action, self.put_aside_action, self.slip_action, self.complete_action):
            bottom.addWidget(self.buttons[action])

        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(top)
        layout.addWidget(self.scan_input)
        layout.addWidget(self.feedback_frame)
        layout.addLayout(status)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        self.setTabOrder(self.scan_input, self.tracking_edit)
        self.setTabOrder(self.tracking_edit, self.pick_orders_edit)
        self.setFocusProxy(self.scan_input)

    def _connect(self) -> None:
        self.scan_input.scanned.connect(self.handle_scan)
        self.tracking_edit.returnPressed.connect(self._back_to_scanning)
        self.pick_orders_edit.returnPressed.connect(self.save_pick_list)
        self.events.changed.connect(self._data_changed)

    # --- Page -----------------------------------------------------------------------------
    def refresh(self) -> None:
        """Reload the order's lines while nothing is packed (packed units are never thrown away)."""
        if self._session is not None and self._session.is_empty and not self._busy:
            self._reopen_quietly()

    def focus_search(self) -> None:
        self.scan_input.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.scan_input.selectAll()

    def edit_actions(self) -> Sequence[QAction]:
        return self.station_actions

    def save_state(self, settings: QSettings) -> None:
        settings.beginGroup(self.settings_group)
        settings.setValue("columns", self.table.horizontalHeader().saveState())
        if self._pdf_folder is not None:
            settings.setValue("pdfFolder", str(self._pdf_folder))
        settings.endGroup()

    def restore_state(self, settings: QSettings) -> None:
        settings.beginGroup(self.settings_group)
        columns, folder = settings.value("columns"), settings.value("pdfFolder")
        settings.endGroup()
        if isinstance(columns, QByteArray):
            self.table.horizontalHeader().restoreState(columns)
        if isinstance(folder, str) and Path(folder).is_dir():
            self._pdf_folder = Path(folder)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        self.scan_input.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- state ----------------------------------------------------------------------------
    @property
    def session(self) -> PackSession | None:
        """The order being packed (None while the station waits for an order number)."""
        return self._session

    @property
    def busy(self) -> bool:
        """True while a parcel is being shipped."""
        return self._busy

    # --- scanning -------------------------------------------------------------------------
    def handle_scan(self, text: str) -> None:
        """One entry of the scan field: an order number, or an item of the order being packed."""
        if self._busy:
            self._refuse("Wait a moment: the parcel is being shipped. Scan again when it is done.")
            return
        if self._session is None:
            self.open_order(text)
            return
        if ORDER_NUMBER.match(text) and text.upper() != self._session.order_number.upper():
            if self._session.is_empty:
                self.open_order(text)
            else:
                self._refuse(f"Order {self._session.order_number} is still on the station. Complete it "
                             f"({self._key_name(COMPLETE_SHORTCUTS[0])}) or put it aside "
                             f"({self._key_name(PUT_ASIDE_SHORTCUT)}) before scanning {text}.")
            return
        self._scan_item(text)

    def open_order(self, number: str) -> bool:
        """Load the open lines of order ``number``; on a refusal the station keeps what it had."""
        try:
            order = self._services.packing.open_order(number)
        except Exception as error:  # noqa: BLE001 - every refusal is a sentence on the panel
            self._refuse(self._sentence(error))
            return False
        self._start(order)
        lines = order.lines
        units = sum(line.to_pack for line in lines if line.physical)
        self._show_feedback(
            f"Order {order.order_number}: {self._plural(units, 'unit')} to pack on {self._plural(len(lines), 'line')}. "
            "Scan the items.",
            Tone.INFO,
        )
        return True

    def _start(self, order: OrderToPack) -> None:
        session = PackSession(order.order_number, order.lines)
        self._session = session
        self._status = order.status
        self._customer = order.customer_name
        self._operation_key = None
        self.model.set_session(session)
        self.tracking_edit.clear()
        self._update_state()

    def _scan_item(self, text: str) -> None:
        session = self._session
        assert session is not None
        try:
            result = session.scan(text, self._services.packing.product_name)
        except Exception as error:  # noqa: BLE001 - the lookup failed: nothing was counted
            self._refuse(self._sentence(error))
            return
        if result.accepted:
            self._counted(result)
        else:
            self._refuse(result.message)
        self.scanHandled.emit(result)

    def _counted(self, result: ScanResult) -> None:
        session = self._session
        assert session is not None and result.item_id is not None
        self._operation_key = None  # a different parcel now: a new completion
        self.model.highlight(result.item_id)
        self.model.line_changed(result.item_id)
        row = self.model.row_of_item(result.item_id)
        if row is not None:
            self.table.scrollTo(self.model.index(row, 0))
        message = f"✓ {result.message}"
        if session.is_complete:
            message += f" Everything is packed: press {self._key_name(COMPLETE_SHORTCUTS[0])} to ship."
        self._show_feedback(message, Tone.COUNTED)
        self._update_state()

    def undo_last_scan(self) -> None:
        if self._busy or self._session is None:
            return
        result = self._session.undo_last()
        if result is None:
            self._show_feedback("Nothing to undo: no scan has been counted on this order.", Tone.INFO)
            return
        assert result.item_id is not None
        self._operation_key = None
        self.model.highlight(result.item_id)
        self.model.line_changed(result.item_id)
        self._show_feedback(f"↶ {result.message}", Tone.INFO)
        self._update_state()
        self.scan_input.setFocus()

    def put_aside(self) -> None:
        """Leave the order without shipping; asks first when something is packed."""
        if self._busy or self._session is None or self.confirmation is not None:
            return
        session = self._session
        if session.is_empty:
            self._drop_order()
            return
        packed = sum(session.packed.values())
        box = self._question(
            "Put the order aside?",
            f"Put order {session.order_number} aside? The {self._plural(packed, 'unit')} scanned so far are "
            "forgotten and nothing ships.",
            "Take the items out of the box and put them back.",
            yes="Put aside",
            no="Keep packing",
            default_yes=False,  # a scanner's Enter must not throw the packing away
        )
        box.buttonClicked.connect(lambda button: self._drop_order() if box.buttonRole(button)
                                  == QMessageBox.ButtonRole.AcceptRole else None)
        box.open()

    def _drop_order(self) -> None:
        if self._session is None:
            return
        number = self._session.order_number
        self._reset()
        self._show_feedback(f"Order {number} was put aside; nothing was shipped. Scan the next order.", Tone.INFO)

    def _reset(self) -> None:
        self._session = None
        self._status = None
        self._customer = None
        self._operation_key = None
        self.model.set_session(None)
        self.tracking_edit.clear()
        self._update_state()

    # --- completing -----------------------------------------------------------------------
    def complete(self) -> None:
        """Ship what is packed; with lines still open, ask first (naming them)."""
        if self._busy or self.confirmation is not None:
            return
        session = self._session
        if session is None:
            self._refuse("Scan an order number first; then scan its items into the box.")
            return
        if session.is_empty:
            self._refuse("Nothing is packed yet; scan the items into the box first.")
            return
        left_open = session.left_open()
        if not left_open:
            self._ship()
            return
        packed = sum(session.packed.values())
        remaining = sum(units for _line, units in left_open)
        box = self._question(
            "Ship a partial parcel?",
            f"Ship {self._plural(packed, 'unit')} of order {session.order_number} now? "
            f"{self._plural(remaining, 'unit')} {'stays' if remaining == 1 else 'stay'} open:",
            "\n".join(self._open_line_text(line, units) for line, units in left_open)
            + "\n\nThey remain on the order for a later parcel.",
            yes="Ship partial parcel",
            no="Keep packing",
            default_yes=True,
        )
        box.buttonClicked.connect(lambda button: self._ship() if box.buttonRole(button)
                                  == QMessageBox.ButtonRole.AcceptRole else None)
        box.open()

    def _ship(self) -> None:
        session = self._session
        if session is None or session.is_empty or self._busy:
            return
        number = session.order_number
        packed = dict(session.packed)
        tracking = self.tracking_edit.text().strip() or None
        if self._operation_key is None:
            self._operation_key = str(uuid.uuid4())  # kept for a retry of this same parcel
        key = self._operation_key
        services, actor = self._services, self._actor

        def work() -> Completion:
            shipment_id, results = services.packing.complete(actor, number, packed, tracking=tracking,
                                                             operation_key=key)
            # The parcel has shipped; what follows only reads it back for the page and the slip.
            status: ShipmentStatusReport | None = None
            slip: PackingSlip | None = None
            try:
                status = services.order_queries.shipment_status(number)
                slip = services.packing.packing_slip(number)
            except Exception:  # noqa: BLE001 - Ctrl+P loads the slip again
                log.warning("Could not read back order %s after shipping it", number, exc_info=True)
            return Completion(number, shipment_id, results, status, slip)

        self._set_busy(True)
        self._show_feedback(f"Shipping {self._plural(sum(packed.values()), 'unit')} of order {number}…", Tone.INFO)
        run_in_background(self, work, on_done=self._completed, on_error=self._complete_failed)

    def _completed(self, completion: Completion) -> None:
        self._set_busy(False)
        session = self._session
        shipped = sum(r.fulfilled_quantity for r in completion.results)
        names = {line.item_id: line.title for line in session.lines} if session is not None else {}
        contents = ", ".join(f"{r.fulfilled_quantity} × {names.get(r.item_id, 'item')}" for r in completion.results)
        self.last_slip = completion.slip
        self._slip_order = completion.order_number
        self._reset()
        self.events.announce(Topic.ORDERS, Topic.STOCK)
        message = f"Shipped {self._plural(shipped, 'unit')} of order {completion.order_number}: {contents}."
        report = completion.status
        if report is not None:
            left = report.total_ordered_units - report.total_shipped_units
            if left > 0:
                stays = "stays" if left == 1 else "stay"
                status = STATUS_TEXT[report.order_status].lower()
                message += f" {self._plural(left, 'unit')} {stays} open; the order is {status}."
            else:
                message += " The order is complete."
        message += f" {self._key_name(PACKING_SLIP_SHORTCUT)} saves the packing slip. Scan the next order."
        self._show_feedback(message, Tone.DONE)
        self.completed.emit(completion.shipment_id)

    def _complete_failed(self, error: BaseException) -> None:
        self._set_busy(False)
        self._refuse(f"Not shipped: {self._sentence(error)}")

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._update_state()
        if not busy:
            self.scan_input.setFocus()

    # --- documents ------------------------------------------------------------------------
    def save_packing_slip(self) -> None:
        """Save the packing slip of the parcel just shipped here as a PDF."""
        if self._slip_order is None:
            self._show_feedback("No parcel has been shipped here yet: complete one first "
                                f"({self._key_name(COMPLETE_SHORTCUTS[0])}).", Tone.INFO)
            return
        number = self._slip_order
        path = self._choose_pdf_path("Save packing slip", f"packing-slip-{number}.pdf")
        if path is None:
            return
        if self.last_slip is not None and self.last_slip.order_number == number:
            self._write_slip(self.last_slip, path)
            return
        packing = self._services.packing
        run_in_background(self, lambda: packing.packing_slip(number),
                          on_done=lambda slip: self._write_slip(slip, path), on_error=self._document_failed)

    def _write_slip(self, slip: PackingSlip, path: Path) -> None:
        self.last_slip = slip
        if self._write(packing_slip_html(slip), path, f"Packing slip {slip.order_number}", landscape=False):
            self._show_feedback(f"Saved the packing slip of order {slip.order_number} "
                                f"(shipment {slip.shipment_number}) to {path}.", Tone.INFO)

    def save_pick_list(self) -> None:
        """Save a pick list PDF for the orders typed in the pick-list field, or the order being packed."""
        numbers = order_numbers_from(self.pick_orders_edit.text())
        if not numbers and self._session is not None:
            numbers = [self._session.order_number]
        if not numbers:
            self._show_feedback("Type or scan the order numbers for the pick list in the field at the top "
                                "(spaces or commas between them), or open an order first.", Tone.INFO)
            self.pick_orders_edit.setFocus()
            return
        suffix = f"-and-{len(numbers) - 1}-more" if len(numbers) > 1 else ""
        path = self._choose_pdf_path("Save pick list", f"pick-list-{numbers[0]}{suffix}.pdf")
        if path is None:
            return
        packing = self._services.packing
        run_in_background(self, lambda: packing.pick_list(numbers),
                          on_done=lambda pick: self._write_pick_list(pick, path), on_error=self._document_failed)

    def _write_pick_list(self, pick: PickList, path: Path) -> None:
        if self._write(pick_list_html(pick), path, "Pick list", landscape=True):
            units = sum(row.quantity for row in pick.rows)
            self._show_feedback(
                f"Saved the pick list for {self._plural(len(pick.order_numbers), 'order')} "
                f"({self._plural(len(pick.rows), 'line')}, {self._plural(units, 'unit')}) to {path}.",
                Tone.INFO,
            )

    def _write(self, html: str, path: Path, title: str, *, landscape: bool) -> bool:
        try:
            # The save dialog asked before replacing a file (see _choose_pdf_path).
            write_pdf(html, path, title, landscape=landscape,
                      database_file=self._services.database_file, overwrite=True)
        except Exception as error:  # noqa: BLE001 - a sentence, never a traceback
            self._document_failed(error)
            return False
        self.banner.clear()
        self.pdfSaved.emit(str(path))
        self.scan_input.setFocus()
        return True

    def _document_failed(self, error: BaseException) -> None:
        self._report(error)
        self.banner.show_error(error)
        self.scan_input.setFocus()

    def _choose_pdf_path(self, caption: str, file_name: str) -> Path | None:
        folder = self._pdf_folder or documents_folder()
        chosen, _filter = QFileDialog.getSaveFileName(self, caption, str(folder / file_name), "PDF files (*.pdf)")
        self.scan_input.setFocus()
        if not chosen:
            return None
        path = Path(chosen)
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        self._pdf_folder = path.parent
        try:
            refuse_unconfirmed(chosen, path)
        except InvalidInput as error:
            self._document_failed(error)
            return None
        return path

    # --- feedback -------------------------------------------------------------------------
    def _refuse(self, message: str) -> None:
        """Red panel, red flash on the scan field, a sound, and the reason; nothing changed."""
        self._show_feedback(f"✗ {message}", Tone.REFUSED)
        if not self._flash_timer.isActive():  # restyling costs milliseconds: only when it changes
            self.scan_input.setStyleSheet("QLineEdit { background: #fdecea; border: 2px solid #c62828; }")
        self._flash_timer.start()
        self.alert()

    def _end_flash(self) -> None:
        self.scan_input.setStyleSheet("")

    def _show_feedback(self, message: str, tone: Tone) -> None:
        if tone is not self.tone or not self.feedback_frame.styleSheet():
            background, text, border = tone.value
            self.feedback_frame.setStyleSheet(
                f"#packFeedbackFrame {{ background: {background}; border: 1px solid {border}; border-radius: 6px; }}"
                f"#packFeedback {{ color: {text}; }}"
            )
        self.tone = tone
        self.feedback.setText(message)

    def _update_state(self) -> None:
        session = self._session
        idle = not self._busy
        self.undo_action.setEnabled(idle and session is not None)  # with nothing to undo it says so
        self.complete_action.setEnabled(idle)
        self.put_aside_action.setEnabled(idle and session is not None)
        self.slip_action.setEnabled(idle)  # before the first parcel it says what to do
        self.tracking_edit.setEnabled(session is not None and idle)
        self.scan_input.setPlaceholderText(ORDER_PROMPT if session is None else ITEM_PROMPT)
        if session is None:
            self.order_label.setText("No order on the station")
            self.progress_label.clear()
            return
        status = f" · {STATUS_TEXT[self._status]}" if self._status is not None else ""
        customer = f" · for {_shortened(self._customer, CUSTOMER_SHOWN_CHARS)}" if self._customer else ""
        self.order_label.setText(f"Order {session.order_number}{status}{customer}")
        self.order_label.setToolTip(self._customer or "")  # the whole name, however long
        physical = [line for line in session.lines if line.physical]
        total = sum(line.to_pack for line in physical)
        packed = sum(session.packed.values())
        lines_done = sum(1 for line in physical if session.packed_for(line.item_id) >= line.to_pack)
        self.progress_label.setText(
            f"{packed} of {self._plural(total, 'unit')} packed · {total - packed} left · "
            f"{lines_done} of {self._plural(len(physical), 'line')} complete"
        )

    # --- helpers --------------------------------------------------------------------------
    def _question(self, title: str, text: str, details: str, *, yes: str, no: str, default_yes: bool) -> QMessageBox:
        box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, self)
        box.setObjectName("packQuestion")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setInformativeText(details)
        yes_button = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
        no_button = box.addButton(no, QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(yes_button if default_yes else no_button)
        box.setEscapeButton(no_button)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.confirmation = box

        def closed(_result: int) -> None:
            self.confirmation = None
            self.window().activateWindow()  # back from the question's window, ready for the next scan
            self.scan_input.setFocus()

        box.finished.connect(closed)
        return box

    def button_of(self, box: QMessageBox, role: QMessageBox.ButtonRole) -> QAbstractButton:
        """The question's button with ``role`` (for tests and accessibility tools)."""
        return next(b for b in box.buttons() if box.buttonRole(b) == role)

    @staticmethod
    def _open_line_text(line: PackLine, units: int) -> str:
        return f"• {units} × {line.title} ({line.sku})"

    def _reopen_quietly(self) -> None:
        assert self._session is not None
        try:
            order = self._services.packing.open_order(self._session.order_number)
        except Exception as error:  # noqa: BLE001 - e.g. shipped or cancelled meanwhile elsewhere
            number = self._session.order_number
            self._reset()
            self._report(error)
            self._show_feedback(f"Order {number} left the station: {self._sentence(error)}", Tone.INFO)
            return
        self._start(order)

    def _data_changed(self, topics: frozenset[Topic]) -> None:
        if self.topics & topics and self.isVisible():
            self.refresh()

    def _back_to_scanning(self) -> None:
        self.scan_input.setFocus(Qt.FocusReason.OtherFocusReason)

    def _sentence(self, error: BaseException) -> str:
        self._report(error)
        return user_message(error)

    def _report(self, error: BaseException) -> None:
        report = getattr(self.events, "report_error", None)  # DataEvents tells the window about a lost database
        if report is not None:
            report(error)

    @staticmethod
    def _key_name(shortcut: str) -> str:
        return QKeySequence(shortcut).toString(QKeySequence.SequenceFormat.NativeText)

    @staticmethod
    def _plural(count: int, noun: str) -> str:
        return f"{count} {noun}" if count == 1 else f"{count} {noun}s"

