"""A lost database is told as one plain sentence, whatever the driver said (db/unavailable.py)."""

from __future__ import annotations

import re

import pytest

from orion_desktop.db.unavailable import reported_problem, unreachable

SENTENCES = re.compile(r"The database (cannot be reached|reported a problem): [^\n]+\. Try again in a moment; [^\n]+\.")

# Driver messages seen when the stress test restarted its PostgreSQL server (tests/stress).
SEEN = {
    'connection failed: connection to server at "127.0.0.1", port 60321 failed: FATAL:  the database system is '
    "starting up": "restarting",
    "terminating connection due to administrator command": "restarting",
    'connection failed: connection to server at "127.0.0.1", port 60321 failed: Connection refused\n'
    "\tIs the server running on that host and accepting TCP/IP connections?": "not answering",
    "consuming input failed: server closed the connection unexpectedly\n\tThis probably means the server "
    "terminated abnormally": "was lost",
    "something new the driver says.": "something new the driver says",
    'connection failed: connection to server at "127.0.0.1", port 5432 failed: FATAL:  database "x" does not '
    "exist": 'database "x" does not exist',
}


@pytest.mark.parametrize(("driver", "reason"), SEEN.items())
def test_a_lost_server_is_one_plain_sentence(driver: str, reason: str) -> None:
    sentence = str(unreachable(driver))
    assert SENTENCES.fullmatch(sentence), sentence
    assert reason in sentence and "FATAL" not in sentence and "port" not in sentence


def test_another_driver_problem_ends_as_a_sentence_too() -> None:
    sentence = str(reported_problem("disk full\nDETAIL: more"))
    assert sentence.startswith("The database reported a problem: disk full. ") and SENTENCES.fullmatch(sentence)
