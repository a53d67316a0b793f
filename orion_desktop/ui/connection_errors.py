"""A database that cannot be opened, said as a sentence; the driver's own words kept for Details.

The services say "The database cannot be reached: <the driver's first line>", which is exact but
reads like this to a warehouse worker: ``connection failed: … FATAL: database "x" does not exist``.
``explain`` turns the common driver messages into one plain sentence and returns the driver's text
separately, for a Details button (whoever sets up the server needs it).
"""

from __future__ import annotations

from orion_desktop.domain.errors import DatabaseUnavailable
from orion_desktop.ui.errors import user_message

_PREFIXES = ("The database cannot be reached: ", "The database reported a problem: ")

# (what the driver says, lower case) -> what it means; the first that matches is used.
_MEANINGS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("password authentication failed", "no password supplied", "authentication failed"),
     "The server refused the user name or password in the address."),
    (("role ",), "The server does not know the user name in the address."),
    (("database", "does not exist"),
     "The server was reached, but it has no database with the name at the end of the address."),
    (("could not translate host name",), "No server with that name was found. Check the server name in the address."),
    (("name or service not known",), "No server with that name was found. Check the server name in the address."),
    (("connection refused",),
     "The server did not accept the connection: PostgreSQL may not be running there, or the port is wrong."),
    (("timeout",), "The server did not answer in time. Check the network connection and the server name."),
    (("timed out",), "The server did not answer in time. Check the network connection and the server name."),
    (("no route to host", "network is unreachable"), "The server cannot be reached from this PC over the network."),
)

GENERAL = "The database could not be opened with this address."


def explain(error: BaseException) -> tuple[str, str | None]:
    """``(sentence, details)``: the driver's text goes to ``details`` (None when there is none)."""
    message = user_message(error)
    if isinstance(error, DatabaseUnavailable) and error.details:
        # The driver's own words came with the error: the sentence for a person who set up the address.
        driver = error.details.strip()
        sentence = meaning(driver)
        return (message if sentence == GENERAL else sentence), driver
    for prefix in _PREFIXES:
        if message.startswith(prefix):
            driver = message[len(prefix):].strip()
            return meaning(driver), driver or None
    return message, None


def meaning(driver_text: str) -> str:
    """One plain sentence for a driver's message."""
    text = driver_text.lower()
    for needles, sentence in _MEANINGS:
        if all(needle in text for needle in needles):
            return sentence
    return GENERAL
