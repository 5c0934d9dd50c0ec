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
from agentkit.agent.stops import Stops
from agentkit.agent.thread_batch import ThreadBatch
from agentkit.tools import Tool, ToolContext
from agentkit.tools.class_engine import ValidatedInstance
from agentkit.tools.invocation import CallFate
from agentkit.tools.results import ToolError, ToolResult, deadline_error
from agentkit.tools.threads import asyncio_loop
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
    expects them independent (that is what parallel calling means). Three ways, by what a
    call needs: a non-blocking sync tool runs right here on the loop; a plain sync tool
    goes to a worker thread from here (``ThreadBatch``), with no task of its own; anything
    else (async tools, timeouts, a span, a recorder) runs as a task of a task group, so a
    bug in one cancels the rest instead of leaking tasks. Sync tools share one thread
    limiter so a burst of calls cannot spawn unbounded threads. ``traced`` gives a call its
    span (a context manager, current while the call runs) when the run is traced;
    ``recorder`` makes each call of turn ``step`` a recorded unit (a durable run's step).

    A call that stops the run (see ``stops``) is raised after the calls before it settle,
    the first in call order, whichever finished first.
    """
    pending = [item for item in planned if item.result is None and item.tool is not None]
    if not pending:
        return True
    recorded = None if recorder is None else recorder.for_turn(step, pending)
    stops = Stops()
    # Each task's own scope, by position, for a stop to cancel the calls after it.
    scopes: dict[int, anyio.CancelScope] = {}

    def cut_tasks(position: int) -> None:
        for at, scope in scopes.items():
            if at > position:
                scope.cancel()

    stops.on_stop(cut_tasks)

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

    async def guarded(item: PlannedCall, task: bool = True) -> None:
        """``run_one``, its stop kept rather than raised (cancellation passes); a task gets
        a scope of its own, for a stop before it to cancel it."""
        if stops.cuts(item.position):
            return
        try:
            if not task:
                return await run_one(item)
            with anyio.CancelScope() as scope:
                scopes[item.position] = scope
                await run_one(item)
        except anyio.get_cancelled_exc_class():
            raise
        except BaseException as error:
            stops.record(item.position, error)
        finally:
            scopes.pop(item.position, None)

    async def run_inline() -> None:
        for item in inline:
            await guarded(item, task=False)

    # The loop's own thread hands plain sync calls to worker threads, when it is asyncio's.
    direct = traced is None and recorded is None and asyncio_loop() is not None
    inline, threaded, tasked = [], [], []
    for item in pending:
        assert item.tool is not None
        if item.tool.runs_inline:
            inline.append(item)
        elif direct and _hands_off(item.tool, item.validated):
            threaded.append(item)
        else:
            tasked.append(item)

    async def run_here() -> None:
        if not threaded:
            return await run_inline()
        batch = ThreadBatch(
            threaded,
            make_context,
            limiter=limiter,
            multimodal=multimodal,
            deadline=None if time_left is None else time.monotonic() + time_left,
            stops=stops,
        )
        await batch.run(run_inline)

    async def run_all() -> None:
        if len(tasked) > 1 or (tasked and threaded):
            async with anyio.create_task_group() as group:
                for item in tasked:
                    group.start_soon(guarded, item)
                await run_here()
        else:
            await run_here()  # nothing else runs beside a single task: no group needed
            for item in tasked:
                await guarded(item)

    try:
        if time_left is None:
            await run_all()
            stops.raise_first()
            return True
        with anyio.move_on_after(time_left) as scope:
            await run_all()
        stops.raise_first()  # a stop that came before the deadline still stops the run
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


def _hands_off(tool: Tool, validated: dict[str, Any] | None) -> bool:
    """A plain sync tool's call that ``ThreadBatch`` can run as ``Tool.run`` would: no
    timeout to keep, not a class tool (validating built its result), not a subclass that
    runs its calls its own way (an MCP tool)."""
    return (
        tool.in_thread
        and tool.timeout is None
        and type(tool).run is Tool.run
        and not isinstance(validated, ValidatedInstance)
    )
