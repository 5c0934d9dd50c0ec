"""Python functions as Gemini tools: ``@tool``, ``Tool``, ``Toolset``, ``ToolContext``."""

from agentkit.tools.builtin import BuiltinTool, CodeExecution, GoogleSearch, UrlContext
from agentkit.tools.context import ToolContext
from agentkit.tools.results import ToolError, ToolResult
from agentkit.tools.tool import SchemaDialect, Tool, tool
from agentkit.tools.toolset import (
    FilteredToolset,
    PrefixedToolset,
    RenamedToolset,
    Toolset,
    ToolSource,
    as_tool,
)

__all__ = [
    "BuiltinTool",
    "CodeExecution",
    "FilteredToolset",
    "GoogleSearch",
    "PrefixedToolset",
    "RenamedToolset",
    "SchemaDialect",
    "Tool",
    "ToolContext",
    "ToolError",
    "ToolResult",
    "ToolSource",
    "Toolset",
    "UrlContext",
    "as_tool",
    "tool",
]
