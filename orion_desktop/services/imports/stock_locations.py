"""The locations a stock file names: found by code, and created on first use, as a single stock
change creates them."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from orion_desktop.db.dialect import dialect_insert, matches_any
from orion_desktop.db.models import Location
from orion_desktop.db.types import utcnow
from orion_desktop.services.imports.lookups import LOOKUP_CHUNK, chunks

_locations = Location.__table__


def find_location_ids(session: Session, codes: Iterable[str]) -> dict[str, int]:
    """The ids of the locations with these codes (the ones that exist)."""
    found: dict[str, int] = {}
    for batch in chunks(sorted(codes), LOOKUP_CHUNK):
        found.update(
            session.execute(
                select(_locations.c.code, _locations.c.id).where(matches_any(session, _locations.c.code, batch))
            ).all()
        )
    return found


def create_missing_locations(session: Session, codes: set[str], location_ids: dict[str, int]) -> None:
    """Like a single stock change, an import creates locations on first use."""
    missing = sorted(codes - set(location_ids))
    if not missing:
        return
    now = utcnow()
    session.execute(
        dialect_insert(session)(_locations).on_conflict_do_nothing(index_elements=["code"]),
        [{"code": code, "name": None, "sort_key": 0, "is_active": True, "created_at": now} for code in missing],
    )
    location_ids.update(find_location_ids(session, missing))
