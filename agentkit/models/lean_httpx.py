"""Import httpx without its command-line client.

``import httpx`` runs ``from ._main import main``: the ``httpx`` command, which imports
rich, click and pygments whenever they are installed — about a third of what importing
agentkit cost, for a command agentkit never runs. While httpx is first imported here, a
stand-in takes the place of ``httpx._main``; it is removed right after, so an explicit
``import httpx._main`` later loads the real module, and ``httpx.main`` loads and runs the
real command when it is called (or any attribute of it is read).

This leans on how httpx 0.2x imports its CLI (``httpx/__init__.py``). Should that change,
the stand-in is simply never used and httpx imports as it always did;
``tests/test_import_weight.py`` fails loudly if rich is imported again.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

_CLI = "httpx._main"


class _LazyMain:
    """Stands for the ``httpx.main`` command until it is used."""

    __module__ = "httpx"

    def _real(self) -> Any:
        return importlib.import_module(_CLI).main

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._real()(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real(), name)

    def __repr__(self) -> str:
        return "<httpx.main, loaded when first used>"


def _import() -> None:
    if "httpx" in sys.modules or _CLI in sys.modules:
        return  # already imported (or being imported) by someone else: leave it be
    stand_in = types.ModuleType(_CLI)
    stand_in.main = _LazyMain()  # type: ignore[attr-defined]
    sys.modules[_CLI] = stand_in
    try:
        import httpx  # noqa: F401
    finally:
        if sys.modules.get(_CLI) is stand_in:
            del sys.modules[_CLI]


_import()
