"""Names a package exports but imports only when first used.

A package that keeps its import cheap lists each public name with the module that defines
it; its module ``__getattr__`` calls ``lazy_name``, which imports that module once and keeps
the value in the package's namespace, so later lookups never come back here.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import import_module
from typing import Any


def lazy_name(package: str, homes: Mapping[str, str], namespace: dict[str, Any], name: str) -> Any:
    home = homes.get(name)
    if home is None:
        raise AttributeError(f"module {package!r} has no attribute {name!r}")
    value = getattr(import_module(home), name)
    namespace[name] = value
    return value
