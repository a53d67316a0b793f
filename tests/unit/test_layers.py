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


def _import_cycles() -> list[list[str]]:
    """Groups of the product's modules that import each other at run time (strongly connected)."""
    import grimp  # import-linter's own graph builder

    graph = grimp.build_graph("orion_desktop", exclude_type_checking_imports=True)
    imports = {module: graph.find_modules_directly_imported_by(module) for module in graph.modules}
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(module: str) -> None:  # Tarjan's strongly connected components
        order[module] = low[module] = len(order)
        stack.append(module)
        for imported in imports[module]:
            if imported not in order:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in stack:
                low[module] = min(low[module], order[imported])
        if low[module] == order[module]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in order:
            visit(module)
    return cycles


def test_no_import_loops_between_the_products_modules() -> None:
    assert _import_cycles() == []


def test_no_file_of_the_product_is_over_500_lines() -> None:
    too_long = {
        str(path.relative_to(ROOT)): length
        for path in (ROOT / "orion_desktop").rglob("*.py")
        if (length := len(path.read_text(encoding="utf-8").splitlines())) > 500
    }
    assert too_long == {}
