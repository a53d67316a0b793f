"""The change feed's face for the interfaces (ARCHITECTURE.md: the change feed between PCs).

The feed itself lives with the database code (``db/change_feed.py``: psycopg's LISTEN, SQLite's
``data_version``); the window and the CLI get one through ``Services.change_feed()``.
"""

from __future__ import annotations

from orion_desktop.db.change_feed import ChangeFeed, NoticeHandler, StatusHandler
from orion_desktop.domain.change_notice import ChangeNotice, FeedStatus

__all__ = ["ChangeFeed", "ChangeNotice", "FeedStatus", "NoticeHandler", "StatusHandler"]
