"""Building an agent from a run file (shared by run, batch and chat)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agentkit.agent import Agent
from agentkit.agent.confirmation import ConfirmCallback
from agentkit.cli.loading import load_tools
from agentkit.cli.runfile import RunFile
from agentkit.models import Model
from agentkit.tools import Toolset


def tools_for(runfile: RunFile, warn: Callable[[str], None]) -> Toolset:
    return load_tools(runfile.tools, runfile.tool_paths, warn)


def agent_for(
    runfile: RunFile,
    model: Model,
    toolset: Toolset,
    confirm: ConfirmCallback | None,
) -> Agent[Any]:
    return Agent(
        model,
        tools=[toolset],
        instructions=runfile.instructions,
        tool_mode=runfile.tool_mode,  # type: ignore[arg-type]
        any_mode=runfile.any_mode,  # type: ignore[arg-type]
        allowed_tools=list(runfile.allowed_tools) if runfile.allowed_tools is not None else None,
        generation_config=runfile.generation or None,
        thinking=runfile.thinking,
        limits=runfile.limits,
        confirm=confirm,
    )
