"""What the change feed tells an app about a commit, maybe made on another PC (ARCHITECTURE.md: the
change feed between PCs).

A write transaction announces its ``Changes`` with who made it, when, and the id of the ``Database``
object that made it (its *origin*), so an app can tell its own announcements from other PCs'. The
announcement travels as one small JSON text (``notice_payload``); PostgreSQL's NOTIFY refuses
payloads of 8000 bytes or more, so the payload is coarsened until it fits.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from orion_desktop.domain.changes import Changes

CHANNEL = "orion_changes"
"""The PostgreSQL NOTIFY channel every Orion Desktop writes to and listens on."""

MAX_PAYLOAD_BYTES = 7999
"""NOTIFY's payload must be shorter than 8000 bytes."""

MAX_USER_CHARS = 80
"""A longer user name is cut in the announcement (the ledger keeps the whole name)."""

UNKNOWN_ORIGIN = ""
"""The origin of a notice no announcement came with (SQLite's data_version, a reconnection)."""


@dataclass(frozen=True)
class ChangeNotice:
    """One (possibly coalesced) announcement of committed changes.

    ``user`` is None when unknown (SQLite tells no details; a reconnection). ``remote`` is False only
    for an announcement this app's own ``Database`` made: a window ignores those, it already knows.
    ``reconnected``: the feed was cut and came back; anything may have changed meanwhile.
    """

    changes: Changes
    user: str | None
    time: datetime
    origin: str = UNKNOWN_ORIGIN
    remote: bool = True
    reconnected: bool = False

    def __or__(self, other: ChangeNotice) -> ChangeNotice:
        """Both notices as one (coalescing): the changes merged, the later time, every user named."""
        users = [u for u in dict.fromkeys((self.user, other.user)) if u]
        return ChangeNotice(
            changes=self.changes | other.changes,
            user=", ".join(users) if users else None,
            time=max(self.time, other.time),
            origin=self.origin if self.origin == other.origin else UNKNOWN_ORIGIN,
            remote=self.remote or other.remote,
            reconnected=self.reconnected or other.reconnected,
        )

    @classmethod
    def anything(cls, *, reconnected: bool = False) -> ChangeNotice:
        """Anything may have changed, by someone unknown, now (SQLite's polling, a reconnection)."""
        return cls(Changes.everything(), None, datetime.now(UTC), reconnected=reconnected)


@dataclass(frozen=True)
class FeedStatus:
    """The feed's connection was lost (``connected=False``) or is back, at ``time``; ``detail`` is
    a sentence for people (the driver's reason when lost)."""

    connected: bool
    time: datetime
    detail: str


def notice_payload(changes: Changes, user: str | None, time: datetime, origin: str) -> str:
    """The announcement's text: a JSON object under ``MAX_PAYLOAD_BYTES`` (coarser changes if need be).

    Every write transaction on PostgreSQL makes one, so the common case is serialised once."""
    short_user = user[:MAX_USER_CHARS] if user else None
    stamp = time.astimezone(UTC).isoformat(timespec="milliseconds")
    for candidate in _finer_to_coarser(changes):
        data = {"changes": candidate.as_data(), "user": short_user, "time": stamp, "origin": origin}
        text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
        if len(text.encode()) <= MAX_PAYLOAD_BYTES:
            return text
    raise AssertionError("an announcement without id lists always fits")  # pragma: no cover


def _finer_to_coarser(changes: Changes) -> Iterator[Changes]:
    """The changes, then without their product ids, then without their order ids too (made only if asked)."""
    yield changes
    yield changes | Changes(all_stock=True)
    yield changes | Changes(all_stock=True, all_orders=True)


def parse_notice(payload: str, *, own_origin: str) -> ChangeNotice:
    """The notice an announcement's text carries; ValueError for text that is not one."""
    try:
        data = json.loads(payload)
    except json.JSONDecodeError as error:
        raise ValueError(f"not an announcement: {payload[:80]!r}") from error
    if not isinstance(data, dict):
        raise ValueError(f"not an announcement: {payload[:80]!r}")
    user, origin, when = data.get("user"), data.get("origin"), data.get("time")
    if not (user is None or isinstance(user, str)) or not isinstance(origin, str) or not isinstance(when, str):
        raise ValueError(f"not an announcement: {payload[:80]!r}")
    changes = Changes.from_json(json.dumps(data.get("changes")))
    time = datetime.fromisoformat(when)
    if time.tzinfo is None:
        time = time.replace(tzinfo=UTC)
    return ChangeNotice(changes, user, time, origin, remote=origin != own_origin)
