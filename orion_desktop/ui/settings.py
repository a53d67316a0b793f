"""Where the GUI keeps its preferences (window geometry, column widths, splitter positions)."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from orion_desktop.config import config_dir

SETTINGS_FILE_NAME = "gui.ini"


def gui_settings() -> QSettings:
    """An INI file beside the CLI's settings.json, so ORION_CONFIG_DIR moves both together."""
    return QSettings(str(config_dir() / SETTINGS_FILE_NAME), QSettings.Format.IniFormat)
