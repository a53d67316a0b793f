"""Icons shipped in resources/icons."""

from __future__ import annotations

import logging

from PySide6.QtGui import QGuiApplication, QIcon, QPalette

from orion_desktop.paths import resources_dir

log = logging.getLogger(__name__)


def app_icon() -> QIcon:
    """The Orion window icon; an empty icon (and a log line) if the file is missing."""
    path = resources_dir() / "icons" / "orion.svg"
    if not path.is_file():
        log.warning("Window icon %s is missing", path)
        return QIcon()
    return QIcon(str(path))


# One icon set for the whole window: Material Design Icons (``mdi6``) from qtawesome, a font,
# so the icons are sharp at any size. Every icon is drawn in the palette's own text colour (and
# its disabled colour), so it reads on a light and on a dark palette alike.
_PAGE_ICONS = {
    "inventory": "mdi6.warehouse",
    "orders": "mdi6.clipboard-list-outline",
    "pack_station": "mdi6.barcode-scan",
    "shipment_status": "mdi6.truck-delivery-outline",
    "low_stock": "mdi6.alert-outline",
    "dashboard": "mdi6.view-dashboard-outline",
    "ledger": "mdi6.book-open-variant",
    "locations": "mdi6.map-marker-outline",
}
_ACTION_ICONS = {
    "import": "mdi6.file-import-outline",
    "export": "mdi6.file-export-outline",
    "database": "mdi6.database-outline",
    "quit": "mdi6.exit-to-app",
    "refresh": "mdi6.refresh",
    "find": "mdi6.magnify",
    "help": "mdi6.help-circle-outline",
    "about": "mdi6.information-outline",
    "print": "mdi6.printer-outline",
    "pdf": "mdi6.file-pdf-box",
    "documents": "mdi6.file-document-outline",
}


def _themed(name: str) -> QIcon:
    import qtawesome  # type: ignore[import-untyped]  # loaded on first use (fonts take ~0.1 s)

    palette = QGuiApplication.palette()
    icon: QIcon = qtawesome.icon(
        name,
        color=palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.WindowText),
        color_disabled=palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText),
        color_selected=palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.HighlightedText),
    )
    return icon


def page_icon(key: str) -> QIcon:
    """The navigation icon of a page (``key`` as in ``_PAGE_ICONS``: a page's title in snake case);
    an empty icon for a page without one."""
    name = _PAGE_ICONS.get(key)
    return _themed(name) if name else QIcon()


def action_icon(key: str) -> QIcon:
    """The icon of a menu action (import, export, help, print …); an empty icon if there is none."""
    name = _ACTION_ICONS.get(key)
    return _themed(name) if name else QIcon()
