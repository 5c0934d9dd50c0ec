"""agentkit: function-calling agents on the Gemini API.

Names are imported lazily so that ``import agentkit`` stays cheap: a CLI start or a worker
process pays only for the parts it uses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from agentkit.lazy_names import lazy_name

__version__ = "0.1.0"

_EXPORTS = {
    "Agent": "agentkit.agent",
    "Chat": "agentkit.agent",
    "Limits": "agentkit.agent",
    "RunResult": "agentkit.agent",
    "StopReason": "agentkit.agent",
    "Decision": "agentkit.agent",
    "tool": "agentkit.tools",
    "Tool": "agentkit.tools",
    "Toolset": "agentkit.tools",
    "ToolContext": "agentkit.tools",
    "Gemini": "agentkit.models",
    "Vertex": "agentkit.models",
    "Model": "agentkit.models",
    "RetryPolicy": "agentkit.models",
    "RateLimit": "agentkit.models",
    "AgentkitError": "agentkit.errors",
    "APIError": "agentkit.errors",
    "APIConnectionError": "agentkit.errors",
    "IncompleteStreamError": "agentkit.errors",
    "ConfigurationError": "agentkit.errors",
}

if TYPE_CHECKING:
    from agentkit.agent import Agent, Chat, Decision, Limits, RunResult, StopReason
    from agentkit.errors import (
        AgentkitError,
        APIConnectionError,
        APIError,
        ConfigurationError,
        IncompleteStreamError,
    )
    from agentkit.models import Gemini, Model, RateLimit, RetryPolicy, Vertex
    from agentkit.tools import Tool, ToolContext, Toolset, tool


def __getattr__(name: str) -> Any:
    return lazy_name(__name__, _EXPORTS, globals(), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])


__all__ = [
    "Agent",
    "Chat",
    "Decision",
    "Limits",
    "RunResult",
    "StopReason",
    "Tool",
    "ToolContext",
    "Toolset",
    "tool",
    "APIConnectionError",
    "APIError",
    "AgentkitError",
    "ConfigurationError",
    "Gemini",
    "IncompleteStreamError",
    "Model",
    "RateLimit",
    "RetryPolicy",
    "Vertex",
    "__version__",
]
