"""What a tool may learn about the run that called it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from agentkit.usage import Usage

DepsT = TypeVar("DepsT")


@dataclass(frozen=True)
class ToolContext(Generic[DepsT]):
    """Injected into a tool parameter annotated ``ToolContext`` (never shown to the model).

    Attributes:
        run_id: identifies the agent run (also on every log line of it).
        step: the loop step whose calls are being executed (1 for the first model call).
        deps: the object given as ``Agent(deps=...)`` or ``run(..., deps=...)``: database
            handles, API clients, the user's identity.
        usage: tokens used by the run so far.
        tool_name: the name the model called.
        call_id: the call's ``id`` when the model gave one.
        agent: the agent running the tool.
    """

    run_id: str = ""
    step: int = 0
    deps: DepsT = None  # type: ignore[assignment]
    usage: Usage = field(default_factory=Usage)
    tool_name: str = ""
    call_id: str | None = None
    agent: Any = None
