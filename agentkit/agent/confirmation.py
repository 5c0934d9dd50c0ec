"""Human approval of calls, and the JSON state of a run paused to wait for it."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeAlias

from agentkit.agent.executor import PlannedCall
from agentkit.errors import ConfigurationError
from agentkit.tools.results import ToolError, ToolResult


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


async def settle_confirmations(
    awaiting: list[PlannedCall],
    decisions: dict[str, Decision] | None,
    confirm: ConfirmCallback | None,
    run_id: str,
    step: int,
) -> None:
    """Decide every call awaiting approval: from ``decisions`` (a resumed run) or by asking
    ``confirm``, one call at a time in call order (a person answers one question at a time).
    A denial becomes the call's result; an approved call stays to be run."""
    for item in awaiting:
        key = call_key(item.call.id, item.position)
        if decisions is not None:
            decision = decisions[key]
        else:
            assert confirm is not None
            request = ConfirmationRequest(
                run_id, step, item.call.name, item.call.arguments, item.call.id, key
            )
            answer = confirm(request)
            if inspect.isawaitable(answer):
                answer = await answer
            decision = as_decision(answer)
        if not decision.approved:
            item.result = ToolResult.failure(denied(item.call.name, decision))


def pending_calls(planned: list[PlannedCall]) -> list[dict[str, Any]]:
    """The calls a paused run waits on, as they are saved in its state."""
    return [
        {
            "key": call_key(item.call.id, item.position),
            "name": item.call.name,
            "args": item.call.arguments,
        }
        for item in planned
        if item.result is None and item.needs_confirmation
    ]
