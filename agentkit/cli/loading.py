"""Finding the tools a run file names.

A name is a module path (``tools.home``) looked up in the run file's ``tool_paths``, or a
``.py`` file relative to the run file. A module may offer ``toolset()`` (called) or define
``Tool`` objects (collected). A module that resolves from anywhere else (an installed
package, say) is still loaded, but the loader says so on stderr: a run file never pulls in
code from outside the paths it names without saying so.

``tools.home``, ``tools.clock`` and ``tools.calc`` are agentkit's own toolsets: found in the
paths when a checkout has them there, and otherwise taken from the installed package
(``agentkit.toolsets``), so they work from any directory after a plain install.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import sys
import traceback
from collections.abc import Callable, Iterable, Iterator
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
        bundled = module.__name__.startswith(f"{BUNDLED}.")
        if not bundled and not any(location.is_relative_to(p) for p in paths):
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
                with _import_errors(name, [candidate.parent]):
                    spec.loader.exec_module(module)
                return module
        raise ToolLoadError(f"tool file {name!r} not found in {', '.join(map(str, paths))}")
    added = [str(p) for p in paths if str(p) not in sys.path]
    sys.path[:0] = added
    try:
        with _import_errors(name, paths):
            try:
                return importlib.import_module(name)
            except ModuleNotFoundError as error:
                bundled = _bundled_name(name)
                if bundled is None or not _is_missing(error, name):
                    raise
                try:
                    return importlib.import_module(bundled)
                except ModuleNotFoundError as absent:
                    if _is_missing(absent, bundled):  # not one of agentkit's either
                        raise ToolLoadError(
                            f"cannot import tools {name!r}: no module named {name!r} (looked in "
                            f"{', '.join(map(str, paths))}; agentkit's own are "
                            f"{', '.join(_bundled_toolsets())})"
                        ) from None
                    raise
    finally:
        for entry in added:
            sys.path.remove(entry)


BUNDLED = "agentkit.toolsets"


def _bundled_name(name: str) -> str | None:
    """``tools.home`` → ``agentkit.toolsets.home``: the installed copy of a ready toolset."""
    if name.startswith("tools."):
        return f"{BUNDLED}.{name.removeprefix('tools.')}"
    return None


def _bundled_toolsets() -> list[str]:
    import pkgutil

    package = importlib.import_module(BUNDLED)
    return sorted(f"tools.{info.name}" for info in pkgutil.iter_modules(package.__path__))


def _is_missing(error: ModuleNotFoundError, name: str) -> bool:
    """The module asked for (or a package above it) is absent — not a module it imports."""
    return error.name is not None and (name == error.name or name.startswith(f"{error.name}."))


@contextlib.contextmanager
def _import_errors(name: str, paths: list[Path] | None = None) -> Iterator[None]:
    """Whatever a tools module raises while it is imported (a missing dependency, a typo, a
    tool it cannot define, even ``sys.exit()``) is one line naming the module."""
    try:
        yield
    except ToolLoadError:
        raise  # already says what is wrong
    except ModuleNotFoundError as error:
        missing = f"no module named {error.name!r}" if error.name else str(error)
        if paths and _is_missing(error, name):
            missing += f" (looked in {', '.join(map(str, paths))} and installed packages)"
        raise ToolLoadError(f"cannot import tools {name!r}: {missing}") from None
    except (Exception, SystemExit) as error:
        where = _where_in(error, paths or [])
        raise ToolLoadError(
            f"cannot import tools {name!r}: {type(error).__name__}: {error}{where}"
        ) from None


def _where_in(error: BaseException, paths: list[Path]) -> str:
    """`` (file.py, line 3)``: the innermost frame in the person's own tool files (not in a
    library it called), so the line points at what they wrote."""
    if isinstance(error, SyntaxError) and error.filename:
        return ""  # its message already says where
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        location = Path(frame.filename).resolve()
        if any(location.is_relative_to(path) for path in paths):
            return f" ({location.name}, line {frame.lineno})"
    return ""


def _tools_of(module: ModuleType, name: str) -> Toolset:
    factory: Any = getattr(module, "toolset", None)
    if callable(factory):
        try:
            produced = factory()
        except Exception as error:
            raise ToolLoadError(
                f"{name}.toolset() raised {type(error).__name__}: {error}"
            ) from None
        if not isinstance(produced, ToolsetBase):
            raise ToolLoadError(
                f"{name}.toolset() returned {type(produced).__name__}, not a Toolset"
            )
        return Toolset(produced.tools())
    found = [value for value in vars(module).values() if isinstance(value, Tool)]
    if not found:
        raise ToolLoadError(f"{name} defines no tools (no toolset() and no @tool functions)")
    return Toolset(found)
