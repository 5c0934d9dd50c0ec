"""Human approval of calls, and the JSON state of a run paused to wait for it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeAlias

from agentkit.errors import ConfigurationError
from agentkit.tools.results import ToolError


@dataclass(frozen=True)
class ConfirmationRequest:
    """What a person is asked to approve: one call, with arguments already validated."""

    run_id: str
    step: int
    tool_name: str
    args: dict[str, Any]
    call_id: str | None
    key: str  # the call's id, or its position in the turn: the key for ``resume`` decisions


@dataclass(frozen=True)
class Decision:
    approved: bool
    reason: str | None = None


ConfirmCallback: TypeAlias = Callable[
    [ConfirmationRequest], "bool | Decision | Awaitable[bool | Decision]"
]


def as_decision(value: bool | Decision) -> Decision:
    if isinstance(value, Decision):
        return value
    if isinstance(value, bool):
        return Decision(value)
    raise ConfigurationError(
        f"a confirmation must be a bool or a Decision, got {type(value).__name__}"
    )


def denied(tool: str, decision: Decision) -> ToolError:
    reason = f": {decision.reason}" if decision.reason else ""
    return ToolError(
        "denied", f"a person declined this call to {tool}{reason}; it was not executed"
    )


def call_key(call_id: str | None, position: int) -> str:
    return call_id if call_id is not None else str(position)
