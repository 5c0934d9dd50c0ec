"""Building an agent from a run file (shared by run, batch and chat)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agentkit.agent import Agent
from agentkit.agent.confirmation import ConfirmCallback
from agentkit.cli.loading import load_tools
from agentkit.cli.mcp_config import mcp_toolsets
from agentkit.cli.otel_export import Exporting
from agentkit.cli.runfile import RunFile, RunFileError
from agentkit.errors import ConfigurationError, ModelSettingError
from agentkit.models import Model
from agentkit.tools import Toolset


def tools_for(runfile: RunFile, warn: Callable[[str], None]) -> Toolset:
    return load_tools(runfile.tools, runfile.tool_paths, warn)


def agent_for(
    runfile: RunFile,
    model: Model,
    toolset: Toolset,
    confirm: ConfirmCallback | None,
    mcp: list[Any] | None = None,
    telemetry: Exporting | None = None,
    conversation: bool = False,
) -> Agent[Any]:
    """The run file's agent; a setting the agent refuses is a run-file mistake, named with
    the file and the key it came from. ``mcp``: the run file's MCP toolsets, when the caller
    built (and opens) them itself. ``telemetry``: where ``--otel`` exports to.
    ``conversation``: the runs carry one conversation (run, chat), so the context policy is
    on unless the run file turns it off."""
    context = runfile.context if runfile.context is not None else conversation
    try:
        return Agent(
            model,
            tools=[toolset, *(mcp if mcp is not None else mcp_toolsets(runfile.mcp, confirm))],
            instructions=runfile.instructions,
            tool_mode=runfile.tool_mode,  # type: ignore[arg-type]
            any_mode=runfile.any_mode,  # type: ignore[arg-type]
            allowed_tools=list(runfile.allowed_tools)
            if runfile.allowed_tools is not None
            else None,
            generation_config=runfile.generation or None,
            thinking=runfile.thinking,
            limits=runfile.limits,
            confirm=confirm,
            name=runfile.path.stem,
            context=context,
            tracer_provider=telemetry.tracer_provider if telemetry else None,
            meter_provider=telemetry.meter_provider if telemetry else None,
        )
    except ConfigurationError as error:
        if not runfile.path.is_file():  # a chat set up from options, not from a file
            raise
        key = _RUN_FILE_KEYS.get(error.setting) if isinstance(error, ModelSettingError) else None
        raise RunFileError(f"{runfile.path}: {key + ': ' if key else ''}{error}") from None


# Where a generation setting sits in a run file.
_RUN_FILE_KEYS = {
    "temperature": "temperature",
    "max_output_tokens": "max_output_tokens",
    "thinking": "[thinking]",
    "thinking_budget": "[thinking] thinking_budget",
    "thinking_level": "[thinking] thinking_level",
    "include_thoughts": "[thinking] include_thoughts",
}
