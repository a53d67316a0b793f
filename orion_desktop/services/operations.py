"""Operation keys: a retried action (same key) returns its first result and changes nothing again."""

from __future__ import annotations

import dataclasses
import json
import typing
from collections.abc import Callable
from enum import Enum
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from orion_desktop.db.models import Operation
from orion_desktop.db.types import utcnow
from orion_desktop.domain.actor import Actor
from orion_desktop.domain.errors import Conflict
from orion_desktop.domain.text_rules import clean_operation_key
from orion_desktop.services.lookup import dialect_insert

T = TypeVar("T")
_PENDING = "null"


def run_once(
    session: Session, key: str | None, kind: str, actor: Actor, result_type: type[T], action: Callable[[], T]
) -> T:
    """Run ``action`` unless ``key`` was used before; then return the stored result.

    The key row is inserted *first*: on PostgreSQL a second PC using the same key waits on the
    unique index until the first commits, then sees the key and replays. If the action fails,
    the key row rolls back with everything else, so the retry really runs.
    """
    if key is None:
        return action()
    key = clean_operation_key(key)
    insert = dialect_insert(session)
    claimed = session.execute(
        insert(Operation.__table__)
        .values(key=key, kind=kind, result_json=_PENDING, created_by=actor.name, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(Operation.__table__.c.key)
    ).first()
    if claimed is None:
        stored_kind, stored = session.execute(
            select(Operation.kind, Operation.result_json).where(Operation.key == key)
        ).one()
        if stored_kind != kind:
            raise Conflict(f"Operation key {key} was already used for a different action ({stored_kind}).")
        return decode(result_type, json.loads(stored))
    result = action()
    session.execute(
        Operation.__table__.update().where(Operation.key == key).values(result_json=json.dumps(encode(result)))
    )
    return result


def encode(value: Any) -> Any:
    """Frozen dataclasses (and enums, tuples) to JSON-ready values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: encode(getattr(value, field.name)) for field in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [encode(item) for item in value]
    return value


def decode(cls: Any, data: Any) -> Any:
    """The inverse of :func:`encode`, guided by type hints."""
    if data is None:
        return None
    origin = typing.get_origin(cls)
    if origin in (typing.Union, getattr(__import__("types"), "UnionType")):
        options = [arg for arg in typing.get_args(cls) if arg is not type(None)]
        return decode(options[0], data)
    if origin is tuple:
        args = typing.get_args(cls)
        if len(args) == 2 and args[1] is Ellipsis:  # tuple[X, ...]
            return tuple(decode(args[0], item) for item in data)
        return tuple(decode(item_type, item) for item_type, item in zip(args, data, strict=True))
    if isinstance(cls, type) and dataclasses.is_dataclass(cls):
        hints = typing.get_type_hints(cls)
        return cls(**{field.name: decode(hints[field.name], data[field.name]) for field in dataclasses.fields(cls)})
    if isinstance(cls, type) and issubclass(cls, Enum):
        return cls(data)
    return data
