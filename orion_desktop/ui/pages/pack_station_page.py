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
   retry after a lost connection cannot ship twice. The worker announces what it changed.
4. Ctrl+P saves the packing slip of the parcel just shipped as a PDF. Ctrl+Shift+P saves a pick
   list for the orders typed in the pick-list field (or for the order being packed).

Ctrl+Z takes back the last counted scan; Esc puts the order aside (nothing ships).

This module is the view: widgets, keys and wiring. What each scan or key does to the box is decided
by ``ui/pack_station/scan_controller.py`` (no widgets), the PDFs are ``ui/pack_station/documents.py``
and the coloured sentence is ``ui/pack_station/feedback_panel.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QFont, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from orion_desktop.ui.data_events import DataEvents, Topic
from orion_desktop.ui.models.pack_model import PackModel
from orion_desktop.ui.pack_station.documents import PackDocuments, order_numbers_from
from orion_desktop.ui.pack_station.feedback_panel import FeedbackPanel
from orion_desktop.ui.pack_station.order_watch import OrderWatch
from orion_desktop.ui.pack_station.outage_note import OutageNote
from orion_desktop.ui.pack_station.pack_table import make_pack_table
from orion_desktop.ui.pack_station.scan_controller import (
    Completion,
    Outcome,
    Question,
    ScanController,
    Shipping,
    StationKeys,
    Tone,
)
from orion_desktop.ui.pages.base import Page
from orion_desktop.ui.question_box import question_box
from orion_desktop.ui.widgets.message_banner import MessageBanner
from orion_desktop.ui.widgets.scan_input import ScanInput
from orion_desktop.ui.worker import run_in_background

if TYPE_CHECKING:
    from orion_desktop.domain.actor import Actor
    from orion_desktop.domain.packing import PackSession
    from orion_desktop.services.registry import Services

__all__ = ["PackStationPage", "Tone", "order_numbers_from"]  # tests and tools import these from here

UNDO_SHORTCUT = "Ctrl+Z"
COMPLETE_SHORTCUTS = ("F12", "Ctrl+Return", "Ctrl+Enter")
PUT_ASIDE_SHORTCUT = "Esc"
PACKING_SLIP_SHORTCUT = "Ctrl+P"
PICK_LIST_SHORTCUT = "Ctrl+Shift+P"

ORDER_PROMPT = "Scan or type an order number, then Enter"
ITEM_PROMPT = "Scan the next item (5* before a scan counts five)"


def key_name(shortcut: str) -> str:
    """``shortcut`` as the platform writes it (what the buttons and sentences show)."""
    return QKeySequence(shortcut).toString(QKeySequence.SequenceFormat.NativeText)


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
        self.events = events
        keys = StationKeys(complete=key_name(COMPLETE_SHORTCUTS[0]), put_aside=key_name(PUT_ASIDE_SHORTCUT),
                           packing_slip=key_name(PACKING_SLIP_SHORTCUT))
        self.controller = ScanController(services, actor, report=self._report, keys=keys)
        self.order_watch = OrderWatch(services, self.controller, events, self)  # its order changed elsewhere
        self.documents = PackDocuments(services, self)
        self._shown: PackSession | None = None  # the session the table shows
        self.confirmation: QMessageBox | None = None  # the question open now, if any
        self.alert: Callable[[], None] = QApplication.beep  # the sound of a refused scan
        self.model = PackModel(self)
        self._init_actions()
        self._init_widgets()
        self._init_layout()
        self._connect()
        self.outage_note = OutageNote(events, self.feedback_frame, self)  # no stale "cannot be reached"
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
        self.feedback_frame = FeedbackPanel(self.scan_input, self)
        self.feedback = self.feedback_frame.label

        self.order_label = QLabel(self)
        self.order_label.setObjectName("packOrder")
        self.order_label.setTextFormat(Qt.TextFormat.PlainText)
        order_font = QFont(self.order_label.font())
        order_font.setBold(True)
        self.order_label.setFont(order_font)
        self.progress_label = QLabel(self)
        self.progress_label.setObjectName("packProgress")
        self.progress_label.setTextFormat(Qt.TextFormat.PlainText)

        self.table = make_pack_table(self, self.model)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the scan field keeps the keyboard

        self.tracking_edit = QLineEdit(self)
        self.tracking_edit.setObjectName("trackingNumber")
        self.tracking_edit.setAccessibleName("Tracking number")
        self.tracking_edit.setMaxLength(128)
        # Wide enough for a UPS-style number and for the whole hint (a clipped hint reads as garbage).
        self.tracking_edit.setPlaceholderText("optional; scan the label")  # short: the row fits 1024 pixels
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

    def _init_layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.heading)
        top.addStretch(1)
        top.addWidget(self.pick_orders_edit)
        top.addWidget(self.buttons[self.pick_list_action])

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
        self.documents.saved.connect(self._document_saved)
        self.documents.said.connect(lambda message: self._show_feedback(message, Tone.INFO))
        self.documents.failed.connect(self._document_failed)

    # --- Page -----------------------------------------------------------------------------
    def refresh(self) -> None:
        """Reload the order's lines while nothing is packed (packed units are never thrown away)."""
        self._apply(self.controller.refresh())

    def focus_search(self) -> None:
        self.scan_input.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.scan_input.selectAll()

    def edit_actions(self) -> Sequence[QAction]:
        return self.station_actions

    def save_state(self, settings: QSettings) -> None:
        settings.beginGroup(self.settings_group)
        settings.setValue("columns", self.table.horizontalHeader().saveState())
        if self.documents.folder is not None:
            settings.setValue("pdfFolder", str(self.documents.folder))
        settings.endGroup()

    def restore_state(self, settings: QSettings) -> None:
        settings.beginGroup(self.settings_group)
        columns, folder = settings.value("columns"), settings.value("pdfFolder")
        settings.endGroup()
        if isinstance(columns, QByteArray):
            self.table.horizontalHeader().restoreState(columns)
        if isinstance(folder, str) and Path(folder).is_dir():
            self.documents.folder = Path(folder)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        self.scan_input.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- state ----------------------------------------------------------------------------
    @property
    def session(self) -> PackSession | None:
        """The order being packed (None while the station waits for an order number)."""
        return self.controller.session

    @property
    def busy(self) -> bool:
        """True while a parcel is being shipped."""
        return self.controller.busy

    # --- inputs -> controller -> what to show ----------------------------------------------
    def handle_scan(self, text: str) -> None:
        """One entry of the scan field: an order number, or an item of the order being packed."""
        self._apply(self.controller.handle_scan(text))

    def open_order(self, number: str) -> bool:
        """Load the open lines of order ``number``; on a refusal the station keeps what it had."""
        outcome = self.controller.open_order(number)
        self._apply(outcome)
        return not outcome.refused

    def undo_last_scan(self) -> None:
        outcome = self.controller.undo()
        if outcome.message is not None:
            self._apply(outcome)
            self.scan_input.setFocus()

    def put_aside(self) -> None:
        """Leave the order without shipping; asks first when something is packed."""
        if self.confirmation is None:
            self._ask_or_apply(self.controller.put_aside(), lambda: self._apply(self.controller.drop_order()))

    def complete(self) -> None:
        """Ship what is packed; with lines still open, ask first (naming them)."""
        if self.confirmation is None:
            self._ask_or_apply(self.controller.complete(self._tracking()), self._ship)

    def _ship(self) -> None:
        self._run(self.controller.ship(self._tracking()))

    def _tracking(self) -> str | None:
        return self.tracking_edit.text().strip() or None

    def _ask_or_apply(self, step: Outcome | Question | Shipping | None, on_yes: Callable[[], None]) -> None:
        """Ask ``step``'s question (``on_yes`` on yes), run its shipping, or show its outcome."""
        if isinstance(step, Question):
            self._question(step, on_yes).open()
        elif isinstance(step, Outcome):
            self._apply(step)
        else:
            self._run(step)

    def _run(self, shipping: Shipping | None) -> None:
        if shipping is None:
            return
        self._update_state()
        self._show_feedback(shipping.message, Tone.INFO)
        run_in_background(self, shipping.work, on_done=self._completed, on_error=self._complete_failed,
                          on_changes=self.events.announce_changes)  # what the completion changed

    def _completed(self, completion: Completion) -> None:
        outcome = self.controller.shipped(completion)
        self.documents.parcel_shipped(completion.order_number, completion.slip)
        self._apply(outcome)
        self.scan_input.setFocus()
        self.completed.emit(completion.shipment.shipment_id)

    def _complete_failed(self, error: BaseException) -> None:
        self._apply(self.controller.shipping_failed(error))
        self.scan_input.setFocus()

    def _apply(self, outcome: Outcome) -> None:
        """Show what an input did: the table follows the box, then the sentence, then the state."""
        session = self.controller.session
        if session is not self._shown:  # another order (or none) on the station
            self._shown = session
            self.model.set_session(session)
            self.tracking_edit.clear()
        if outcome.item_id is not None:
            self.model.highlight(outcome.item_id)
            self.model.line_changed(outcome.item_id)
            row = self.model.row_of_item(outcome.item_id)
            if row is not None and outcome.scan is not None:
                self.table.scrollTo(self.model.index(row, 0))
        if outcome.message is not None:
            if outcome.refused:
                self._refuse(outcome.message)
            else:
                self._show_feedback(outcome.message, outcome.tone)
        self._update_state()
        if outcome.scan is not None:
            self.scanHandled.emit(outcome.scan)

    # --- documents ------------------------------------------------------------------------
    def save_packing_slip(self) -> None:
        """Save the packing slip of the parcel just shipped here as a PDF."""
        if not self.documents.has_parcel:
            self._show_feedback("No parcel has been shipped here yet: complete one first "
                                f"({key_name(COMPLETE_SHORTCUTS[0])}).", Tone.INFO)
            return
        self.documents.save_packing_slip()

    def save_pick_list(self) -> None:
        """Save a pick list PDF for the orders typed in the pick-list field, or the order being packed."""
        numbers = order_numbers_from(self.pick_orders_edit.text())
        session = self.controller.session
        if not numbers and session is not None:
            numbers = [session.order_number]
        if not numbers:
            self._show_feedback("Type or scan the order numbers for the pick list in the field at the top "
                                "(spaces or commas between them), or open an order first.", Tone.INFO)
            self.pick_orders_edit.setFocus()
            return
        self.documents.save_pick_list(numbers)

    def _document_saved(self, path: str) -> None:
        self.banner.clear()
        self.pdfSaved.emit(path)
        self.scan_input.setFocus()

    def _document_failed(self, error: BaseException) -> None:
        self._report(error)
        self.banner.show_error(error)
        self.scan_input.setFocus()

    # --- feedback -------------------------------------------------------------------------
    @property
    def tone(self) -> Tone:
        """How the feedback panel looks now (refused, counted, ...)."""
        return self.feedback_frame.tone

    def _refuse(self, message: str) -> None:
        """Red panel, red flash on the scan field, a sound, and the reason; nothing changed."""
        self._show_feedback(message, Tone.REFUSED)
        self.feedback_frame.flash()
        self.alert()

    def _show_feedback(self, message: str, tone: Tone) -> None:
        self.feedback_frame.show_message(message, tone)

    def _update_state(self) -> None:
        controller = self.controller
        session = controller.session
        idle = not controller.busy
        self.undo_action.setEnabled(idle and session is not None)  # with nothing to undo it says so
        # With no order there is nothing to ship; an order changed elsewhere may not be completed.
        self.complete_action.setEnabled(idle and session is not None and not self.order_watch.blocks)
        self.put_aside_action.setEnabled(idle and session is not None)
        self.slip_action.setEnabled(idle and self.documents.has_parcel)  # only once a parcel has shipped here
        self.tracking_edit.setEnabled(session is not None and idle)
        self.scan_input.setPlaceholderText(ORDER_PROMPT if session is None else ITEM_PROMPT)
        self.order_label.setText(controller.order_text())
        self.progress_label.setText(controller.progress_text())
        if session is not None:
            self.order_label.setToolTip(controller.customer or "")  # the whole name, however long

    # --- helpers --------------------------------------------------------------------------
    def _question(self, question: Question, on_yes: Callable[[], None]) -> QMessageBox:
        box = question_box(self, question, on_yes, name="packQuestion")
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

    def _data_changed(self, topics: frozenset[Topic]) -> None:
        if self.topics & topics and self.isVisible():
            self.refresh()

    def _back_to_scanning(self) -> None:
        self.scan_input.setFocus(Qt.FocusReason.OtherFocusReason)

    def _report(self, error: BaseException) -> None:
        report = getattr(self.events, "report_error", None)  # DataEvents tells the window about a lost database
        if report is not None:
            report(error)
