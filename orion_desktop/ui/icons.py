"""Icons shipped in resources/icons."""

from __future__ import annotations

import logging

from PySide6.QtGui import QIcon

from orion_desktop.paths import resources_dir

log = logging.getLogger(__name__)


def app_icon() -> QIcon:
    """The Orion window icon; an empty icon (and a log line) if the file is missing."""
    path = resources_dir() / "icons" / "orion.svg"
    if not path.is_file():
        log.warning("Window icon %s is missing", path)
        return QIcon()
    return QIcon(str(path))
