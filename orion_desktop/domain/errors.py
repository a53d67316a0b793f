"""The one exception hierarchy. Every message is a sentence a warehouse worker understands."""

from __future__ import annotations


class OrionError(Exception):
    """Base of every error a user may see. ``str(error)`` is the user-facing sentence."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class NotFound(OrionError):
    """Something the user named does not exist."""


class InvalidInput(OrionError):
    """The input itself is wrong (format, range, sign)."""


class InsufficientStock(OrionError):
    """Not enough available (or reserved) stock for the requested quantity."""

    def __init__(self, message: str, *, available: int, requested: int) -> None:
        super().__init__(message)
        self.available = available
        self.requested = requested


class InvalidTransition(OrionError):
    """A status change that the status machine does not allow."""


class PermissionDenied(OrionError):
    """The acting user's role does not allow this action."""


class Conflict(OrionError):
    """Another workstation got there first, or the data changed underneath us."""


class DatabaseUnavailable(OrionError):
    """The database cannot be reached or is not usable (e.g. schema out of date).

    ``details`` keeps the driver's own words, for a Details button and the log, never for the sentence.
    """

    def __init__(self, message: str, *, details: str | None = None) -> None:
        super().__init__(message)
        self.details = details


class ImportRejected(InvalidInput):
    """A CSV file with bad lines. Nothing was imported; ``problems`` lists each bad line."""

    MAX_SHOWN = 20

    def __init__(self, file_name: str, problems: list[str], *, more: int = 0) -> None:
        """``problems``: the bad lines kept for the report; ``more``: how many others were only counted."""
        shown = problems[: self.MAX_SHOWN]
        hidden = len(problems) - len(shown) + more
        lines = "\n".join(f"  {problem}" for problem in shown)
        tail = f"\n  … and {hidden} more" if hidden > 0 else ""
        super().__init__(f"{file_name} was not imported; nothing was changed. Fix these lines:\n{lines}{tail}")
        self.problems = tuple(problems)
        self.total = len(problems) + more
