"""Log to a file in the user data directory; tracebacks go there, never to the user."""

from __future__ import annotations

import logging
from logging.handlers import RotatingFileHandler
from pathlib import Path

from orion_desktop.config import data_dir


def log_file() -> Path:
    return data_dir() / "orion.log"


def setup_logging(verbose: bool = False) -> None:
    root = logging.getLogger()
    if any(getattr(handler, "_orion", False) for handler in root.handlers):
        return
    try:
        path = log_file()
        path.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = RotatingFileHandler(path, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    except OSError:
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    # A mark on our own handler, so a second call sees it is installed (Handler has no such field).
    handler._orion = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
