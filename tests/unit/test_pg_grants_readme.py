"""The README's table of what each PostgreSQL group may do is the one migration 0007 grants."""

from __future__ import annotations

from pathlib import Path

from orion_desktop.db.pg_security import GRANTS, GROUP_ROLES, POLICIES

WORDS = {"read": "SELECT", "read own": "SELECT", "add": "INSERT", "change": "UPDATE", "delete": "DELETE"}


def _readme_grants() -> dict[str, tuple[frozenset[str], ...]]:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    header = "| table | " + " | ".join(GROUP_ROLES) + " |"
    lines = readme[readme.index(header):].splitlines()[2:]
    table: dict[str, tuple[frozenset[str], ...]] = {}
    for line in lines:
        if not line.startswith("|"):
            break
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        rights = tuple(frozenset(WORDS[word.strip()] for word in cell.split(",")) for cell in cells[1:])
        for name in cells[0].split(","):
            table[name.split()[0]] = rights
    return table


def test_the_readme_grant_table_is_what_the_migration_grants() -> None:
    granted = {
        name: tuple(frozenset(p.strip() for p in column.split(",")) for column in columns)
        for name, columns in GRANTS.items()
    }
    assert _readme_grants() == granted


def test_every_table_with_store_rows_has_a_policy() -> None:
    from orion_desktop.db.models import Base

    with_store = {t.name for t in Base.metadata.sorted_tables if "store_id" in t.c and t.name != "user_stores"}
    assert with_store <= set(POLICIES)
    assert set(POLICIES) <= set(GRANTS)
    assert set(GRANTS) >= {t.name for t in Base.metadata.sorted_tables}
