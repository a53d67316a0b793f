"""Driver errors about a lost or unusable database, told as one plain sentence.

psycopg and sqlite3 describe a lost server in their own words ("connection failed: connection to
server at "127.0.0.1", port 5432 failed: Connection refused", "FATAL:  the database system is
starting up", "consuming input failed: server closed the connection unexpectedly"). A warehouse
worker needs to know what happened and what to do, in a sentence that ends like one; the driver's
words stay in the log (the exception's cause). The sentence keeps its first words, "The database
cannot be reached:", which the window and its tests know.
"""

from __future__ import annotations

from orion_desktop.domain.errors import DatabaseUnavailable

# (words in the driver's message, lower case) -> what happened, in the worker's words
_REASONS = (
    (("starting up", "shutting down", "administrator command", "in recovery", "not yet accepting"),
     "the database server is restarting"),
    (("connection refused", "no such file or directory", "could not connect"),
     "the database server is not answering"),
    (("timeout expired", "timed out"), "the connection timed out"),
    (("server closed the connection", "consuming input failed", "connection is closed", "connection is lost",
      "terminating connection", "eof detected", "ssl syscall"), "the connection to the database server was lost"),
    (("could not translate host name", "name or service not known", "nodename nor servname"),
     "the database server's name is not known on this network"),
    (("password authentication failed", "no pg_hba.conf entry", "authentication"),
     "the database refused this PC's login"),
    (("unable to open database file", "disk i/o error", "readonly database", "read-only"),
     "the database file cannot be opened or written"),
)
ADVICE = "Try again in a moment; if it keeps happening, check the network or ask whoever runs the database."


def unreachable(driver_message: str) -> DatabaseUnavailable:
    """The sentence for a connection that failed or was lost."""
    text = driver_message.lower()
    for words, reason in _REASONS:
        if any(word in text for word in words):
            return DatabaseUnavailable(f"The database cannot be reached: {reason}. {ADVICE}", details=driver_message)
    return DatabaseUnavailable(
        f"The database cannot be reached: {_short(driver_message)}. {ADVICE}", details=driver_message
    )


def reported_problem(driver_message: str) -> DatabaseUnavailable:
    """The sentence for any other driver error that is not the user's doing."""
    return DatabaseUnavailable(
        f"The database reported a problem: {_short(driver_message)}. {ADVICE}", details=driver_message
    )


def _short(message: str) -> str:
    """The driver's first line without its address prefix, severity or trailing punctuation, so the
    sentence ends once: 'database "x" does not exist', not 'connection failed: connection to server
    at "127.0.0.1", port 5432 failed: FATAL:  database "x" does not exist'."""
    lines = message.strip().splitlines()
    first = " ".join(lines[0].split()) if lines else ""
    first = first.rsplit(" failed: ", 1)[-1]
    for severity in ("FATAL: ", "ERROR: "):
        first = first.removeprefix(severity)
    return first.strip().rstrip(" .:;") or "no details"
