"""Groups of tools, and the small wrappers that filter, prefix or rename them.

Each wrapper is its own tiny class over any ``ToolSource``; none is a flag on a big class. A
wrapper reads its source every time, so a toolset that changes is seen through its wrappers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Protocol, TypeAlias

from agentkit.errors import ToolDefinitionError
from agentkit.tools.builtin import BuiltinTool
from agentkit.tools.tool import SchemaDialect, Tool, tool
from agentkit.types import FunctionDeclaration

ToolLike: TypeAlias = "Tool | ToolSource | BuiltinTool | Callable[..., Any]"


class ToolSource(Protocol):
    def tools(self) -> list[Tool]: ...


class ToolsetBase:
    """Lookup, declarations and the wrapper constructors, over ``tools()``."""

    def tools(self) -> list[Tool]:
        raise NotImplementedError

    def by_name(self) -> dict[str, Tool]:
        mapping: dict[str, Tool] = {}
        for item in self.tools():
            if item.name in mapping:
                raise ToolDefinitionError(
                    item.name, "two tools have this name; rename or prefix one of them"
                )
            mapping[item.name] = item
        return mapping

    @property
    def names(self) -> list[str]:
        return [t.name for t in self.tools()]

    def get(self, name: str) -> Tool | None:
        return self.by_name().get(name)

    def __iter__(self) -> Iterator[Tool]:
        return iter(self.tools())

    def __len__(self) -> int:
        return len(self.tools())

    def __contains__(self, name: object) -> bool:
        return name in self.by_name()

    def declarations(self, dialect: SchemaDialect = "json_schema") -> list[FunctionDeclaration]:
        return [t.declaration_for(dialect) for t in self.tools()]

    def filter(self, keep: Callable[[Tool], bool]) -> FilteredToolset:
        return FilteredToolset(self, keep)

    def prefixed(self, prefix: str) -> PrefixedToolset:
        return PrefixedToolset(self, prefix)

    def renamed(self, names: Mapping[str, str]) -> RenamedToolset:
        return RenamedToolset(self, names)


class Toolset(ToolsetBase):
    """Tools by name. Functions are made tools; a duplicate name is refused when added.

    A source whose tools can change while it is in use (an MCP server's list, which the
    server may change; seen through any wrapper) is kept as a source and read each time;
    ``version`` tells when what it offers has changed, so an agent rebuilds its plan.
    """

    def __init__(self, items: Iterable[ToolLike] = ()) -> None:
        self._tools: dict[str, Tool] = {}
        self._live: list[ToolSource] = []
        self.builtins: list[BuiltinTool] = []  # Google's tools: declared, run by Google
        for item in items:
            self.add(item)

    def add(self, item: ToolLike) -> None:
        if isinstance(item, BuiltinTool):
            if any(b.field_name == item.field_name for b in self.builtins):
                raise ToolDefinitionError(item.name, "this built-in tool is already in the toolset")
            self.builtins.append(item)
            return
        if isinstance(item, Tool) or not hasattr(item, "tools"):
            additions = [as_tool(item)]
        else:
            if tools_version(item) is not None:
                # A server not yet open has no tools to check; its names are checked when
                # a run's plan is made.
                if is_open(item):
                    self._check_unique(item.tools(), live_too=True)
                self._live.append(item)
                return
            additions = item.tools()
        self._check_unique(additions, live_too=bool(self._live))
        for addition in additions:
            self._tools[addition.name] = addition

    def _check_unique(self, additions: list[Tool], *, live_too: bool) -> None:
        taken = set(self._tools)
        if live_too:
            taken |= {t.name for source in self._live if is_open(source) for t in source.tools()}
        for addition in additions:
            if addition.name in taken:
                raise ToolDefinitionError(
                    addition.name, "a tool with this name is already in the toolset"
                )
            taken.add(addition.name)

    def tools(self) -> list[Tool]:
        if not self._live:
            return list(self._tools.values())
        return list(self.by_name().values())

    def by_name(self) -> dict[str, Tool]:
        if not self._live:
            return dict(self._tools)
        mapping = dict(self._tools)
        for source in self._live:
            if not is_open(source):
                continue  # its tools join the plan once it is open
            for item in source.tools():
                if item.name in mapping:
                    raise ToolDefinitionError(
                        item.name, "two tools have this name; rename or prefix one of them"
                    )
                mapping[item.name] = item
        return mapping

    def tools_version(self) -> object | None:
        """A toolset holding live sources is itself live (None when it is not)."""
        return self.version() if self._live else None

    def version(self) -> tuple[object, ...]:
        """Changes whenever a live source's tools change (empty for a fixed toolset)."""
        return tuple(tools_version(source) for source in self._live)

    def closed_sources(self) -> list[Any]:
        """The live sources that must be opened (``async with``) before their tools exist,
        and are not open: the MCP servers of this toolset not yet connected."""
        return [
            opener
            for source in self._live
            if (opener := openable(source)) is not None and not opener.is_open
        ]


def openable(source: object) -> Any:
    """The object under a source (through its wrappers) that is opened with ``async with``,
    or None for a source that needs no opening."""
    while source is not None:
        if hasattr(source, "is_open") and hasattr(source, "__aenter__"):
            return source
        source = getattr(source, "source", None)
    return None


def is_open(source: object) -> bool:
    opener = openable(source)
    return opener is None or bool(opener.is_open)


def tools_version(source: object) -> object | None:
    """A live source's version of its tool list (None for a fixed source); a wrapper has its
    source's."""
    while source is not None:
        version = getattr(source, "tools_version", None)
        if version is not None:
            found: object = version() if callable(version) else version
            return found
        source = getattr(source, "source", None)
    return None


class FilteredToolset(ToolsetBase):
    def __init__(self, source: ToolSource, keep: Callable[[Tool], bool]) -> None:
        self.source, self.keep = source, keep

    def tools(self) -> list[Tool]:
        return [t for t in self.source.tools() if self.keep(t)]


class PrefixedToolset(ToolsetBase):
    def __init__(self, source: ToolSource, prefix: str) -> None:
        self.source, self.prefix = source, prefix
        self._cache: dict[int, Tool] = {}

    def tools(self) -> list[Tool]:
        result = []
        for item in self.source.tools():
            renamed = self._cache.get(id(item))
            if renamed is None or renamed.fn is not item.fn:
                renamed = self._cache[id(item)] = item.renamed(self.prefix + item.name)
            result.append(renamed)
        return result


class RenamedToolset(ToolsetBase):
    def __init__(self, source: ToolSource, names: Mapping[str, str]) -> None:
        self.source, self.names_map = source, dict(names)
        available = {t.name for t in source.tools()}
        missing = sorted(set(self.names_map) - available)
        if missing:
            raise ToolDefinitionError(
                missing[0],
                f"cannot rename: no such tool (available: {', '.join(sorted(available))})",
            )

    def tools(self) -> list[Tool]:
        return [
            t.renamed(self.names_map[t.name]) if t.name in self.names_map else t
            for t in self.source.tools()
        ]


def as_tool(item: Tool | Callable[..., Any]) -> Tool:
    return item if isinstance(item, Tool) else tool(item)
