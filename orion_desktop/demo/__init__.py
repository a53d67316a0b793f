"""The demo warehouse: realistic data for trying the app, for screenshots and for tests.

It writes in bulk straight to the database (well under a second on SQLite), so it sits beside
the use cases, not among them: the CLI's ``demo`` command, ``--demo`` and the screenshot tool
call :func:`fill_demo` with ``Services.database``.
"""

from orion_desktop.demo.warehouse import DemoSummary, fill_demo

__all__ = ["DemoSummary", "fill_demo"]
