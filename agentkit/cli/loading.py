"""Finding the tools a run file names.

A name is a module path (``tools.home``) looked up in the run file's ``tool_paths``, or a
``.py`` file relative to the run file. A module may offer ``toolset()`` (called) or define
``Tool`` objects (collected). A module that resolves from anywhere else (an installed
package, say) is still loaded, but the loader says so on stderr: a run file never pulls in
code from outside the paths it names without saying so.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

from agentkit.cli.exits import UsageError
from agentkit.tools import Tool, Toolset
from agentkit.tools.toolset import ToolsetBase


class ToolLoadError(UsageError):
    pass


def load_tools(
    names: Iterable[str], search: Iterable[Path], warn: Callable[[str], None]
) -> Toolset:
    paths = [p.resolve() for p in search]
    toolset = Toolset()
    for name in names:
        module = _import(name, paths)
        location = Path(module.__file__ or "").resolve()
        if not any(location.is_relative_to(p) for p in paths):
            warn(f"note: tools {name!r} come from {location}, outside this run's tool_paths")
        toolset.add(_tools_of(module, name))
    return toolset


def _import(name: str, paths: list[Path]) -> ModuleType:
    if name.endswith(".py"):
        for base in paths:
            candidate = (base / name).resolve()
            if candidate.is_file():
                spec = importlib.util.spec_from_file_location(candidate.stem, candidate)
                if spec is None or spec.loader is None:
                    break
                module = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(module)
                return module
        raise ToolLoadError(f"tool file {name!r} not found in {', '.join(map(str, paths))}")
    added = [str(p) for p in paths if str(p) not in sys.path]
    sys.path[:0] = added
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        raise ToolLoadError(f"cannot import tools {name!r}: {error}") from None
    finally:
        for entry in added:
            sys.path.remove(entry)


def _tools_of(module: ModuleType, name: str) -> Toolset:
    factory: Any = getattr(module, "toolset", None)
    if callable(factory):
        produced = factory()
        if not isinstance(produced, ToolsetBase):
            raise ToolLoadError(
                f"{name}.toolset() returned {type(produced).__name__}, not a Toolset"
            )
        return Toolset(produced.tools())
    found = [value for value in vars(module).values() if isinstance(value, Tool)]
    if not found:
        raise ToolLoadError(f"{name} defines no tools (no toolset() and no @tool functions)")
    return Toolset(found)
