"""Executing the calls of one model turn: look up, validate, confirm, run concurrently.

Results always come back in the calls' order, one per call, whatever happened to each: the
turn that answers them must pair every call with exactly one response.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol, TypeAlias

import anyio

from agentkit.agent.modes import ToolPlan
from agentkit.errors import ToolExitError
from agentkit.tools import Tool, ToolContext
from agentkit.tools.invocation import CallFate
from agentkit.tools.results import ToolError, ToolResult, deadline_error
from agentkit.types import FunctionCall


@dataclass
class PlannedCall:
    """One call on its way: ``result`` is set as soon as its fate is known."""

    position: int
    call: FunctionCall
    tool: Tool | None = None
    validated: dict[str, Any] | None = None
    needs_confirmation: bool = False
    is_final_answer: bool = False
    ran: bool = False  # the tool was actually called (counts against the tool-call limit)
    fate: CallFate | None = None  # set when the call is handed to its tool
    started_at: float | None = None  # wall-clock time it was handed over (for timelines)
    result: ToolResult | None = None


ToolInvocation: TypeAlias = Callable[[], Awaitable[ToolResult]]
RecordedCall: TypeAlias = Callable[["PlannedCall", ToolInvocation], Awaitable[ToolResult]]


class ToolCallRecorder(Protocol):
    """Makes each tool call of a turn a recorded unit: a durable run's step (``scale``).

    ``for_turn`` is called once per turn with the calls about to run, in call order, before
    any of them starts, so whatever it numbers is numbered the same way on every replay,
    whichever order the calls then finish in. The callable it returns runs one call: it
    either awaits ``invoke`` (and records the result) or gives back the result recorded by
    an earlier execution without running the tool again.
    """

    def for_turn(self, step: int, calls: Sequence[PlannedCall]) -> RecordedCall: ...


def plan_calls(calls: list[FunctionCall], plan: ToolPlan) -> list[PlannedCall]:
    """Find each call's tool and validate its arguments; errors are settled at once.

    Arguments are validated before anyone is asked to confirm, so nobody approves a call
    that could not run.
    """
    planned = []
    for position, call in enumerate(calls):
        item = PlannedCall(position, call)
        if plan.final_answer is not None and call.name == plan.final_answer.name:
            item.is_final_answer = True
        elif (tool := plan.tools.get(call.name)) is None:
            available = ", ".join(sorted(plan.tools)) or "(none)"
            item.result = ToolResult.failure(
                ToolError(
                    "unknown_tool",
                    f"there is no tool named {call.name!r}; the available tools are: {available}",
                )
            )
        else:
            item.tool = tool
            validated = tool.validate(call.args)
            if isinstance(validated, ToolError):
                item.result = ToolResult.failure(validated)
            else:
                item.validated = validated
                item.needs_confirmation = tool.needs_confirmation(validated)
        planned.append(item)
    return planned


def refuse_over_limit(planned: list[PlannedCall], remaining: float) -> bool:
    """Answer runnable calls beyond the tool-call budget with an error; True if any were."""
    refused = False
    budget = remaining
    for item in planned:
        if item.result is not None or item.is_final_answer:
            continue
        if budget <= 0:
            item.result = ToolResult.failure(
                ToolError(
                    "limit", "the run's tool-call limit was reached; this call was not executed"
                )
            )
            refused = True
        else:
            budget -= 1
    return refused


async def run_planned(
    planned: list[PlannedCall],
    make_context: Callable[[PlannedCall], ToolContext[Any]],
    *,
    limiter: anyio.CapacityLimiter,
    multimodal: bool,
    time_left: float | None,
    traced: Callable[[PlannedCall], AbstractContextManager[Any]] | None = None,
    recorder: ToolCallRecorder | None = None,
    step: int = 0,
) -> bool:
    """Run every call still unsettled, all at once; return False if the deadline cut them.

    All calls of a turn start together because the model asked for them together and
    expects them independent (that is what parallel calling means); a task group, not a
    gather, so a bug in one cancels the rest instead of leaking tasks. Sync tools share one
    thread limiter so a burst of calls cannot spawn unbounded threads. ``traced`` gives a
    call its span (a context manager, current while the call runs) when the run is traced;
    ``recorder`` makes each call of turn ``step`` a recorded unit (a durable run's step).
    """
    pending = [item for item in planned if item.result is None and item.tool is not None]
    if not pending:
        return True
    recorded = None if recorder is None else recorder.for_turn(step, pending)

    async def run_one(item: PlannedCall) -> None:
        tool = item.tool
        assert tool is not None and item.validated is not None
        item.fate = CallFate(tool.name)
        if time_left is not None:
            item.fate.deadline = time.monotonic() + time_left
        context = make_context(item) if tool.takes_context else None
        item.started_at = time.time()
        validated, fate = item.validated, item.fate

        def invoke() -> Awaitable[ToolResult]:
            return tool.run(validated, context, limiter=limiter, multimodal=multimodal, fate=fate)

        if traced is None:
            item.result = await (invoke() if recorded is None else recorded(item, invoke))
            return
        with traced(item) as span:
            item.result = result = await (invoke() if recorded is None else recorded(item, invoke))
            span.settled(result.response, result.error)

    # Non-blocking sync tools return at once: run them directly. Only calls that wait
    # (async tools, sync tools in threads) gain from running side by side in tasks.
    inline = [item for item in pending if item.tool is not None and item.tool.runs_inline]
    waiting = [item for item in pending if item.tool is not None and not item.tool.runs_inline]

    async def run_all() -> None:
        for item in inline:
            await run_one(item)
        if len(waiting) == 1:
            await run_one(waiting[0])  # nothing runs beside it: no task group needed
        elif waiting:
            try:
                async with anyio.create_task_group() as group:
                    for item in waiting:
                        group.start_soon(run_one, item)
            except BaseExceptionGroup as group_error:
                # A tool that exits stops the run as itself, not wrapped in a group.
                exits = group_error.subgroup(ToolExitError)
                if exits is None:
                    raise
                first: BaseException = exits
                while isinstance(first, BaseExceptionGroup):
                    first = first.exceptions[0]
                raise first from None

    try:
        if time_left is None:
            await run_all()
            return True
        with anyio.move_on_after(time_left) as scope:
            await run_all()
        if not scope.cancelled_caught:
            return True
        for item in pending:
            if item.result is None:
                fate = item.fate or CallFate(item.call.name)  # cut before it was even handed over
                item.result = ToolResult.failure(deadline_error(item.call.name, fate))
        return False
    finally:
        # Only a call that began counts against the tool-call limit.
        for item in pending:
            item.ran = item.fate is not None and item.fate.started
