"""The import rules of ARCHITECTURE.md: layers, enforced by import-linter's contracts in pyproject.toml."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_import_contracts_are_kept() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout
    assert "KEPT" in result.stdout


def test_cli_starts_without_importing_qt() -> None:
    code = (
        "import sys; import orion_desktop.__main__, orion_desktop.cli.main; "
        "bad = sorted(m for m in sys.modules if m.startswith(('PySide6', 'orion_desktop.ui'))); "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_schema_head_constant_matches_the_migrations() -> None:
    from orion_desktop.db.migrate import SCHEMA_HEAD, head_revision

    assert head_revision() == SCHEMA_HEAD
