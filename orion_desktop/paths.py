"""Where migrations and resources live: inside the package in a wheel, beside it in a checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def _find(installed_name: str, checkout_name: str) -> Path:
    installed = _PACKAGE_DIR / installed_name
    if installed.is_dir():
        return installed
    return _PACKAGE_DIR.parent / checkout_name


def migrations_dir() -> Path:
    return _find("_migrations", "migrations")


def resources_dir() -> Path:
    return _find("_resources", "resources")
