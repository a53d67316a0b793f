"""The tour's further stops: the dialogs reached from a menu, the quit question, context menus and
the Database dialog's failed test, kept apart from ``screenshot_tour.py`` so each stays short.

``MENU_DIALOGS`` lists the dialogs the main window opens from one of its own actions: to add a new
one to the screenshots, add one line ``("dialog-file-name", "window_action_attribute")`` (with an
optional ``fill(dialog)`` as third item). An action the window does not have is skipped with a note.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the tool loads Qt only once it has set up its environment
    from PySide6.QtWidgets import QMenu, QWidget

    from orion_desktop.tools.screenshot_tour import Screenshots
    from orion_desktop.ui.dialogs.database_dialog import DatabaseDialog
    from orion_desktop.ui.dialogs.location_dialogs import LocationDialog
    from orion_desktop.ui.main_window import MainWindow
    from orion_desktop.ui.pages.locations_page import LocationsPage
    from orion_desktop.ui.pages.low_stock_page import LowStockPage
    from orion_desktop.ui.pages.shipment_status_page import ShipmentStatusPage

MenuDialog = tuple[str, str] | tuple[str, str, Callable[[Any], object]]

def _sample(kind: str) -> Callable[[Any], object]:
    """Fill an import dialog with the sample file of its kind, so the picture shows a preview."""
    from orion_desktop.paths import resources_dir

    return lambda dialog: dialog.set_path(resources_dir() / "samples" / f"{kind}.csv")


MENU_DIALOGS: Sequence[MenuDialog] = (
    ("dialog-about", "about_action"),
    ("dialog-shortcuts", "shortcuts_action"),
    ("dialog-manual", "manual_action"),
    ("dialog-print-documents", "documents_action"),
    ("dialog-import-products", "import_products", _sample("products")),
    ("dialog-import-stock", "import_stock", _sample("stock")),
    ("dialog-import-orders", "import_orders", _sample("orders")),
)
"""An attribute of the window, or the object name of one of its actions (File ▸ Import's are named so)."""

BAD_SERVER = "postgresql://orion@127.0.0.1:1/warehouse"
"""A PostgreSQL address nothing listens on: the test connection fails at once, without the network."""


def menu_dialogs(tour: Screenshots, window: MainWindow) -> None:
    """Every dialog of ``MENU_DIALOGS`` the window has."""
    from PySide6.QtGui import QAction

    for name, attribute, *fill in MENU_DIALOGS:
        action = getattr(window, attribute, None) or window.findChild(QAction, attribute)
        if action is None:
            print(f"{name}: the window has no {attribute}", file=sys.stderr)
            continue
        tour.dialog(action.trigger, name, fill[0] if fill else None)


def database_dialogs(tour: Screenshots, window: MainWindow) -> None:
    """The Database dialog testing the file in use, then a server that cannot be reached (with Details open)."""

    def test(dialog: DatabaseDialog) -> None:
        if dialog.test_button.isEnabled():
            dialog.test_button.click()
            tour.wait(lambda: dialog.result_banner.text != "")

    def failed(dialog: DatabaseDialog) -> None:
        dialog.postgres_radio.click()
        tour.type_text(dialog.url_edit, BAD_SERVER)
        if dialog.test_button.isEnabled():
            dialog.test_button.click()
            tour.wait(lambda: dialog.result_banner.text != "")
            details = dialog.result_banner.details_button
            if details.isVisible():
                details.click()
        tour.settle(blocking=False)

    tour.dialog(window.database_action.trigger, "dialog-database", test)
    tour.dialog(window.database_action.trigger, "dialog-database-failed-test", failed)


def quit_question(tour: Screenshots, window: MainWindow) -> None:
    """Quit with a half-packed box: the question that keeps it (answered "Keep packing")."""
    tour.dialog(window.quit_action.trigger, "dialog-quit-half-packed")


def low_stock_menu(tour: Screenshots, window: MainWindow, page: LowStockPage) -> None:
    """The Low stock list's right-click menu over the selected row, and its Adjust and Transfer dialogs."""
    from PySide6.QtWidgets import QMenu

    table = page.table
    index = table.currentIndex()
    if not index.isValid():
        return
    menu = QMenu(table)
    menu.addActions(table.actions())
    spot = table.visualRect(index).center()
    menu.popup(table.viewport().mapToGlobal(spot))
    tour.settle(blocking=False)
    try:
        tour.save_with_popup(window, menu, "low-stock-menu")
    finally:
        menu.close()
        menu.deleteLater()
    tour.settle()
    actions = getattr(page, "row_actions", None) or getattr(page, "actions_for_rows", None)
    adjust = getattr(actions, "adjust_action", None)
    transfer = getattr(actions, "transfer_action", None)
    for action, name in ((adjust, "dialog-low-stock-adjust"), (transfer, "dialog-low-stock-transfer")):
        if action is not None and action.isEnabled():
            tour.dialog(action.trigger, name)


def location_dialogs(tour: Screenshots, page: LocationsPage) -> None:
    """Rename, sort key and deactivate for the selected location (as an admin: the manager may not)."""
    from orion_desktop.domain.actor import Actor
    from orion_desktop.domain.enums import Role
    from orion_desktop.ui.dialogs.location_dialogs import LocationActiveDialog, RenameLocationDialog, SortKeyDialog

    location = page.selected_location()
    if location is None:
        return
    admin = Actor(name="admin", role=Role.ADMIN)
    makers: tuple[tuple[str, Callable[[], LocationDialog]], ...] = (
        ("dialog-rename-location", lambda: RenameLocationDialog(tour.services, admin, location, page)),
        ("dialog-location-sort-key", lambda: SortKeyDialog(tour.services, admin, location, page)),
        ("dialog-deactivate-location", lambda: LocationActiveDialog(tour.services, admin, location, page)))
    for name, make in makers:
        tour.dialog(tour.modal(make), name)


def parcel_dialogs(tour: Screenshots, page: ShipmentStatusPage) -> None:
    """Prepare a parcel for the order shown, then advance, assign and cancel its first parcel."""
    tour.dialog(page.prepare_action.trigger, "dialog-prepare-parcel")
    table = page.shipments_table
    if table.model() is None or table.model().rowCount() == 0:
        print("parcel dialogs: the order shown has no parcel", file=sys.stderr)
        return
    tour.select(table, 0)
    for action, name in ((page.advance_action, "dialog-advance-parcel"), (page.assign_action, "dialog-assign-parcel"),
                         (page.cancel_parcel_action, "dialog-cancel-parcel")):
        if action.isEnabled():
            tour.dialog(action.trigger, name)


def popup_over(window: QWidget, menu: QMenu) -> Any:
    """The window's picture with ``menu`` painted where it pops up (a popup is a window of its own)."""
    from PySide6.QtGui import QPainter

    picture = window.grab()
    painter = QPainter(picture)
    painter.drawPixmap(window.mapFromGlobal(menu.pos()), menu.grab())
    painter.end()
    return picture.toImage()


def users_dialog(tour: Screenshots, window: MainWindow) -> None:
    """Tools ▸ Users… as an admin, with a few users added to the demo database first.

    The last stop of the tour: once a database has users, everything else would need a sign-in."""
    from orion_desktop.domain.actor import SYSTEM, Actor
    from orion_desktop.domain.enums import Role
    from orion_desktop.ui.dialogs.users_dialog import UsersDialog

    users = tour.services.users
    stores = [store.code for store in tour.services.catalog.list_stores()]
    admin = Actor(name="olivia", role=Role.ADMIN)
    users.create(SYSTEM, username="olivia", password="tour-password-1", role=Role.ADMIN, display_name="Olivia Grant")
    for name, shown, role, kept_to in (("maria", "Maria Lopez", Role.MANAGER, stores[:2]),
                                       ("pat", "Pat Kowalski", Role.PACKER, stores[:1]),
                                       ("sam", "Sam Ortiz", Role.PACKER, stores[1:2])):
        users.create(admin, username=name, password="tour-password-1", role=role, display_name=shown, stores=kept_to)
    users.set_pin(admin, "pat", pin="4711", badge_code="BADGE-0042")
    users.set_active(admin, "sam", False)

    def loaded(dialog: UsersDialog) -> None:
        tour.wait(lambda: not dialog.loading and dialog.model.rowCount() > 0)
        tour.select(dialog.table, 2)

    tour.dialog(tour.modal(lambda: UsersDialog(tour.services, admin, window)), "dialog-users", loaded)
