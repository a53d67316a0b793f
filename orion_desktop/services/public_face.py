"""An area package's public face, imported when first used.

The modules inside an area import each other's internals across areas (an order's stock hook
uses the stock area's conditional update, stock that arrives fills order backorders). If a
package's ``__init__`` imported its services at once, importing any internal module would first
run that ``__init__`` and could loop back into a module still half loaded. So a face names its
exports and loads each on first access (PEP 562); type checkers see the real imports.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module


def lazy_exports(package: str, exports: dict[str, str]) -> Callable[[str], object]:
    """A module ``__getattr__`` that loads ``name`` from ``package.<exports[name]>`` when asked."""

    def load(name: str) -> object:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(import_module(f"{package}.{module}"), name)

    return load
