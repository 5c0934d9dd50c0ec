"""Model Context Protocol: any MCP server's tools in an agent (``MCPToolset``).

Needs the ``mcp`` extra (``pip install 'agentkit[mcp]'``), the official MCP SDK.
"""

from __future__ import annotations

try:
    import mcp as _sdk  # noqa: F401
except ImportError as error:  # pragma: no cover - depends on the environment
    raise ImportError(
        "agentkit.mcp needs the official MCP SDK: pip install 'agentkit[mcp]'"
    ) from error

from agentkit.mcp.toolset import MCPToolset

__all__ = ["MCPToolset"]
