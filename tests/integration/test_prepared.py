"""``db.prepared.Prepared`` on SQLite and PostgreSQL: the hot paths' statements run on the bare
cursor must give what SQLAlchemy's own execute gives (the same converted values, the same
wrapped errors) and stay inside the caller's transaction."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import bindparam, event, exc, select, update

from orion_desktop.db.change_recording import recording
from orion_desktop.db.engine import Database
from orion_desktop.db.models import Location
from orion_desktop.db.prepared import Prepared
from orion_desktop.domain.errors import Conflict

_locations = Location.__table__
SELECT_BY_CODE = select(_locations).where(_locations.c.code == bindparam("code"))
_BY_CODE = Prepared(SELECT_BY_CODE)
_INSERT = Prepared(_locations.insert().inline(), ("code", "name", "sort_key", "is_active", "created_at"))
MOMENT = datetime(2026, 12, 4, 23, 30, 15, 123456, tzinfo=UTC)


def _add(database: Database, code: str, *, active: bool = True) -> None:
    with database.write() as session:
        _INSERT.run(session, {"code": code, "name": f"Shelf {code}", "sort_key": 7, "is_active": active,
                              "created_at": MOMENT})


def test_rows_come_back_as_sqlalchemy_gives_them(database: Database) -> None:
    _add(database, "PICK-1", active=False)
    with database.read() as session:
        mine = _BY_CODE.run(session, {"code": "PICK-1"})
        theirs = session.connection().execute(SELECT_BY_CODE, {"code": "PICK-1"}).all()
    assert [tuple(row) for row in mine] == [tuple(row) for row in theirs]
    (row,) = mine
    assert row.is_active is False  # a real bool on SQLite too, not 0
    assert row.created_at == MOMENT  # the UTC type's conversion, both ways
    assert (row.code, row.name, row.sort_key) == ("PICK-1", "Shelf PICK-1", 7)


def test_a_statement_without_a_result_returns_no_rows(database: Database) -> None:
    with database.write() as session:
        assert _INSERT.run(session, {"code": "A", "name": None, "sort_key": 0, "is_active": True,
                                     "created_at": MOMENT}) == []


def test_it_runs_inside_the_callers_transaction(database: Database) -> None:
    with pytest.raises(RuntimeError), database.write() as session:
        _INSERT.run(session, {"code": "GONE", "name": None, "sort_key": 0, "is_active": True, "created_at": MOMENT})
        assert len(_BY_CODE.run(session, {"code": "GONE"})) == 1  # visible to its own transaction
        raise RuntimeError("the caller fails after the insert")
    with database.read() as session:
        assert _BY_CODE.run(session, {"code": "GONE"}) == []  # rolled back with everything else


def test_a_driver_error_is_sqlalchemys_and_becomes_a_sentence(database: Database) -> None:
    _add(database, "DUP")
    with database.write() as session:
        with pytest.raises(exc.IntegrityError):
            _INSERT.run(session, {"code": "DUP", "name": None, "sort_key": 0, "is_active": True,
                                  "created_at": MOMENT})
        session.rollback()
    with pytest.raises(Conflict, match="would break a rule"):
        _add(database, "DUP")
    with database.read() as session:
        assert len(_BY_CODE.run(session, {"code": "DUP"})) == 1


def test_a_missing_parameter_is_refused_not_sent_as_null(database: Database) -> None:
    with database.read() as session, pytest.raises(exc.InvalidRequestError, match="code"):
        _BY_CODE.run(session, {})


def test_an_insert_must_give_every_column_with_a_python_default(database: Database) -> None:
    without_time = Prepared(_locations.insert().inline(), ("code",))  # created_at's default is computed in Python
    with database.write() as session, pytest.raises(ValueError, match="created_at"):
        without_time.run(session, {"code": "X"})


def test_a_write_is_noted_for_the_change_sets_like_any_other(database: Database) -> None:
    """The safety net of ``change_recording``: a table written is reported even when no chokepoint
    named it; a Prepared statement bypasses SQLAlchemy's events, so it must note the table itself."""
    with recording() as recorded:
        _add(database, "NEW")
    assert recorded.changes.locations
    with recording() as recorded, database.write() as session:
        _BY_CODE.run(session, {"code": "NEW"})
    assert recorded.changes.is_empty  # a read changes nothing


def test_count_is_the_rows_a_write_changed(database: Database) -> None:
    _add(database, "ONE")
    rename = Prepared(_locations.update().where(_locations.c.code == bindparam("old")).values(name=bindparam("new")))
    with database.write() as session:
        assert rename.count(session, {"old": "ONE", "new": "Shelf one"}) == 1
        assert rename.count(session, {"old": "NONE", "new": "x"}) == 0
        assert rename.first(session, {"old": "ONE", "new": "y"}) is None  # no RETURNING: no rows


def test_an_in_list_is_laid_out_per_call(database: Database) -> None:
    for code in ("IN-1", "IN-2", "IN-3"):
        _add(database, code)
    among = Prepared(select(_locations.c.code).where(_locations.c.code.in_(["IN-1", "IN-3", "NONE"]),
                                                     _locations.c.sort_key == bindparam("key"))
                     .order_by(_locations.c.code))
    chosen = Prepared(select(_locations.c.code).where(_locations.c.code.in_(bindparam("codes", expanding=True)))
                      .order_by(_locations.c.code))
    with database.read() as session:
        assert [row.code for row in among.run(session, {"key": 7})] == ["IN-1", "IN-3"]
        # A list fixed in the statement is laid out once; later calls bind from the kept plan.
        assert [row.code for row in among.run(session, {"key": 7})] == ["IN-1", "IN-3"]
        assert among.run(session, {"key": 8}) == []
        with pytest.raises(exc.InvalidRequestError, match="key"):
            among.run(session, {})
        assert [row.code for row in chosen.run(session, {"codes": ["IN-2", "IN-3"]})] == ["IN-2", "IN-3"]
        assert [row.code for row in chosen.run(session, {"codes": ["IN-1"]})] == ["IN-1"]


def test_run_many_writes_every_row_in_one_executemany_inside_the_transaction(database: Database) -> None:
    sent: list[bool] = []

    def watch(_conn: object, _cursor: object, _sql: str, _params: object, _context: object, many: bool) -> None:
        sent.append(many)

    rows = [{"code": f"M-{n}", "name": None, "sort_key": n, "is_active": True, "created_at": MOMENT} for n in range(3)]
    event.listen(database.engine, "before_cursor_execute", watch)
    try:
        with recording() as recorded, database.write() as session:
            _INSERT.run_many(session, rows)
            _INSERT.run_many(session, [])  # nothing to write: nothing sent
    finally:
        event.remove(database.engine, "before_cursor_execute", watch)
    assert sent.count(True) == 1 and recorded.changes.locations
    with database.read() as session:
        assert [(row.code, row.sort_key) for row in _BY_CODE.run(session, {"code": "M-2"})] == [("M-2", 2)]
    with pytest.raises(Conflict), database.write() as session:  # one bad row: none of them is kept
        _INSERT.run_many(session, [{**row, "code": f"N-{n}"} for n, row in enumerate(rows)] + [rows[0]])
    with database.read() as session:
        assert _BY_CODE.run(session, {"code": "N-0"}) == []


def test_run_many_refuses_calls_whose_sql_differs(database: Database) -> None:
    chosen = Prepared(_locations.update().where(_locations.c.code.in_(bindparam("codes", expanding=True)))
                      .values(name=bindparam("new")))
    with database.write() as session, pytest.raises(ValueError, match="same SQL"):
        chosen.run_many(session, [{"codes": ["A"], "new": "x"}, {"codes": ["A", "B"], "new": "y"}])


def test_each_timestamp_is_stored_as_given_when_statements_share_and_alternate_them(database: Database) -> None:
    """The timestamp conversion remembers its last value (db/prepared._LastTimestamp): moments bound
    again and again, alternating, by two statements, and a naive one (taken as UTC), all come back as given."""
    other = MOMENT.replace(microsecond=0, second=1)
    naive = datetime(2026, 12, 5, 8, 0, 0, 7)
    touch = Prepared(update(_locations).where(_locations.c.code == bindparam("code"))
                     .values(created_at=bindparam("moment")))
    moments = [MOMENT, MOMENT, other, MOMENT, naive, naive, other]
    with database.write() as session:
        for n, moment in enumerate(moments):
            _INSERT.run(session, {"code": f"T{n}", "name": None, "sort_key": n, "is_active": True,
                                  "created_at": moment})
        touch.run(session, {"code": "T1", "moment": other})
        touch.run(session, {"code": "T2", "moment": MOMENT})
    expected = [m.replace(tzinfo=UTC) for m in moments]
    expected[1], expected[2] = other, MOMENT
    with database.read() as session:
        stored = [_BY_CODE.first(session, {"code": f"T{n}"}).created_at for n in range(len(moments))]
    assert stored == expected
