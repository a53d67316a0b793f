"""Operation keys: a retried action (same key) returns its first result and changes nothing again.

The key is stored with a digest of the call (its kind and parameters): the same key with other
parameters is a different request, and is refused rather than answered with the first result.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import types
import typing
from collections.abc import Callable, Mapping, Set
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar, cast

from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from orion_desktop.db.models import Operation
from orion_desktop.db.prepared import Prepared, session_connection
from orion_desktop.db.types import utcnow
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.errors import Conflict
from orion_desktop.domain.text_rules import clean_operation_key

T = TypeVar("T")
_PENDING = "null"
_operations = Operation.__table__
# Built once (every keyed write runs both): the key row claimed first, the result stored last.
_CLAIM = {
    dialect: Prepared(
        insert(_operations)
        .values(key=bindparam("key"), kind=bindparam("kind"), result_json=bindparam("pending"),
                params_digest=bindparam("digest"), created_by=bindparam("actor"), created_at=bindparam("now"))
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(_operations.c.key)
    )
    for dialect, insert in (("postgresql", postgresql.insert), ("sqlite", sqlite.insert))
}
_STORE_RESULT = Prepared(
    update(_operations).where(_operations.c.key == bindparam("key")).values(result_json=bindparam("result"))
)


@dataclasses.dataclass(frozen=True, slots=True)
class FileContent:
    """A parameter that is a file: the request is what the file holds, wherever it lies.

    Its digest is read only when the call has an operation key.
    """

    path: Path

    def digest(self) -> str:
        with open(self.path, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()


def run_once(
    session: Session,
    key: str | None,
    kind: str,
    actor: Actor,
    result_type: type[T],
    action: Callable[[], T],
    *,
    params: Mapping[str, object],
) -> T:
    """Run ``action`` unless ``key`` was used before; then return the stored result.

    ``params`` are the call's parameters (not the actor, not the key): a key used before for
    another kind of call or other parameters is refused with Conflict.

    The key row is inserted *first*: on PostgreSQL a second PC using the same key waits on the
    unique index until the first commits, then sees the key and replays. If the action fails,
    the key row rolls back with everything else, so the retry really runs.
    """
    if key is None:
        return action()
    key = clean_operation_key(key)
    digest = params_digest(kind, params)
    claim = _CLAIM[session_connection(session).dialect.name]
    claimed = claim.first(session, {
        "key": key, "kind": kind, "pending": _PENDING, "digest": digest, "actor": actor.name, "now": utcnow(),
    })
    if claimed is None:
        found = session.execute(
            select(Operation.kind, Operation.params_digest, Operation.result_json).where(Operation.key == key)
        ).one_or_none()
        # None: another user's key, which a per-user PostgreSQL login may not read (migration 0008).
        # A key stored before digests existed (NULL) can only be checked by its kind.
        if found is None or found.kind != kind or (found.params_digest is not None and found.params_digest != digest):
            raise Conflict(f"Operation key {key} was already used for a different request; use a new key.")
        stored = found.result_json
        return cast(T, decode(result_type, json.loads(stored)))  # decode() builds a result_type
    result = action()
    _STORE_RESULT.run(session, {"key": key, "result": json.dumps(encode(result))})
    return result


def params_digest(kind: str, params: Mapping[str, object]) -> str:
    """SHA-256 (hex) of a canonical JSON of the call: sorted keys, no spaces, values as :func:`canonical`."""
    text = json.dumps(
        {"kind": kind, "params": canonical(params)}, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# Values JSON takes as they are (exactly these types: an IntEnum or a StrEnum is encoded by its value).
# Checked first, so a keyed write's digest and result cost a few microseconds, not tens (issue 12).
_PLAIN_TYPES: frozenset[type] = frozenset({str, int, float, bool, type(None)})


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _dataclass_fields(value: Any) -> tuple[str, ...] | None:
    """The field names of a dataclass instance (kept per class); None for anything else, a class too."""
    cls = type(value)
    names = _FIELD_NAMES.get(cls)
    if names is None:
        if not hasattr(cls, "__dataclass_fields__"):
            return None
        names = _FIELD_NAMES[cls] = tuple(field.name for field in dataclasses.fields(value))
    return names


def canonical(value: Any) -> Any:
    """A parameter as plain JSON: files by content, mappings with text keys, sets sorted."""
    if type(value) in _PLAIN_TYPES:
        return value
    if isinstance(value, FileContent):
        return {"file_sha256": value.digest()}
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, Mapping):
        return {str(name): canonical(item) for name, item in value.items()}
    if isinstance(value, Set):
        return sorted((canonical(item) for item in value), key=repr)
    if isinstance(value, list | tuple):
        return [canonical(item) for item in value]
    names = _dataclass_fields(value)
    if names is not None:
        return {name: canonical(getattr(value, name)) for name in names}
    return encode(value)


def encode(value: Any) -> Any:
    """Frozen dataclasses (and enums, tuples, datetimes, dates, decimals) to JSON-ready values."""
    if type(value) in _PLAIN_TYPES:
        return value
    names = _dataclass_fields(value)
    if names is not None:
        return {name: encode(getattr(value, name)) for name in names}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [encode(item) for item in value]
    if isinstance(value, date):  # datetime too: ISO 8601, with its UTC offset when it has one
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)  # exact, unlike a float
    return value


def decode(cls: Any, data: Any) -> Any:
    """The inverse of :func:`encode`, guided by type hints."""
    if data is None:
        return None
    origin = typing.get_origin(cls)
    if origin in (typing.Union, types.UnionType):
        options = [arg for arg in typing.get_args(cls) if arg is not type(None)]
        return decode(options[0], data)
    if origin is tuple:
        args = typing.get_args(cls)
        if len(args) == 2 and args[1] is Ellipsis:  # tuple[X, ...]
            return tuple(decode(args[0], item) for item in data)
        return tuple(decode(item_type, item) for item_type, item in zip(args, data, strict=True))
    if isinstance(cls, type) and dataclasses.is_dataclass(cls):
        hints = typing.get_type_hints(cls)
        fields = dataclasses.fields(cls)
        if isinstance(data, list):  # stored while the result was still a plain tuple: its fields in order
            pairs = zip(fields[: len(data)], data, strict=True)
            return cls(*(decode(hints[field.name], item) for field, item in pairs))
        return cls(**{field.name: decode(hints[field.name], data[field.name]) for field in fields})
    if isinstance(cls, type) and issubclass(cls, Enum):
        return cls(data)
    if cls is datetime:
        return datetime.fromisoformat(data)
    if cls is date:
        return date.fromisoformat(data)
    if cls is Decimal:
        return Decimal(data)
    return data
