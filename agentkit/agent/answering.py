"""Answering a turn's calls: plan them, ask for confirmations, run them, and append the one
user turn that answers them all.

Part of the loop (``Loop`` takes it in): the loop decides when a turn's calls are answered,
this does the answering — progress reports while calls run, the pause when a confirmation
has no one to ask, the final-answer tool, and the stop a deadline or the tool-call limit
calls for, left for the loop to raise once the events are out.
"""

from __future__ import annotations

import math
from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import Any

from agentkit.agent.confirmation import Decision, pending_calls, settle_confirmations
from agentkit.agent.events import Event
from agentkit.agent.executor import PlannedCall, plan_calls, refuse_over_limit, run_planned
from agentkit.agent.history import responses_turn
from agentkit.agent.progress import ProgressChannel
from agentkit.agent.records import record_answers
from agentkit.agent.result import RunResult, StopReason
from agentkit.agent.settings import RunSettings
from agentkit.agent.state import LoopState, dump_state
from agentkit.models.capabilities import takes_media_in_function_responses
from agentkit.tools import ToolContext
from agentkit.tools.results import ToolError, ToolResult
from agentkit.types import FunctionCall


class CallAnswering:
    """The loop's answering of calls; ``Loop`` provides the state and the ending."""

    settings: RunSettings
    state: LoopState
    _finished: RunResult | None
    _stop_after_answer: StopReason | None
    _progress: ProgressChannel | None

    def _finish(self, reason: StopReason, text: str | None, output: Any = None) -> None:
        raise NotImplementedError  # the loop's

    def _time_left(self) -> float | None:
        raise NotImplementedError  # the loop's

    def _reports_progress(self, calls: list[FunctionCall]) -> bool:
        """Whether a call of this turn could report progress someone will read: a streamed
        run, and a tool that takes a context (which an MCP tool does)."""
        if not self.settings.stream:
            return False
        tools = self.settings.plan.tools
        return any(
            (tool := tools.get(call.name)) is not None and tool.takes_context for call in calls
        )

    async def _answering(
        self, calls: list[FunctionCall], decisions: dict[str, Decision] | None = None
    ) -> AsyncGenerator[Event, None]:
        """``_answer``, yielding the calls' progress while they run (see ``progress``)."""
        if not self.settings.stream:
            for event in await self._answer(calls, decisions):
                yield event
            return
        channel = ProgressChannel()
        self._progress = channel
        outcome: list[list[Event]] = []
        try:
            work = channel.while_running(self._answer(calls, decisions), outcome)
            async with aclosing(work) as reports:
                async for report in reports:
                    yield report
        finally:
            self._progress = None
        for event in outcome[0]:
            yield event

    async def _answer(
        self, calls: list[FunctionCall], decisions: dict[str, Decision] | None = None
    ) -> list[Event]:
        """Run and answer a turn's calls; return their events. A stop it decides (deadline,
        tool-call limit) is left in ``_stop_after_answer`` for the caller to raise once the
        events are out: a plain coroutine costs less per step than one more generator."""
        settings, state = self.settings, self.state
        planned = plan_calls(calls, settings.plan)
        remaining = (
            math.inf
            if settings.limits.tool_calls is None
            else settings.limits.tool_calls - state.tool_calls
        )
        over_limit = refuse_over_limit(planned, remaining)
        final_value: Any = None
        final_called = False
        for item in planned:
            if item.is_final_answer and settings.plan.final_answer is not None:
                parsed = settings.plan.final_answer.parse(item.call.arguments)
                if isinstance(parsed, ToolError):
                    item.result = ToolResult.failure(parsed)
                else:
                    final_value, final_called = parsed, True
                    item.result = ToolResult({"output": "accepted: the run ends with this answer"})
        awaiting = [i for i in planned if i.result is None and i.needs_confirmation]
        if awaiting:
            if decisions is None and settings.confirm is None:
                self._pause(planned)
                return []
            await settle_confirmations(
                awaiting, decisions, settings.confirm, self.state.run_id, self.state.step
            )
            if settings.telemetry is not None:
                for item in awaiting:  # a denied call has its answer already
                    settings.telemetry.run_event(
                        "agentkit.confirmation",
                        {
                            "gen_ai.tool.name": item.call.name,
                            "agentkit.approved": item.result is None,
                        },
                    )
        finished_in_time = await run_planned(
            planned,
            self._context_for,
            limiter=settings.limiter,
            multimodal=settings.multimodal,
            time_left=self._time_left(),
            traced=None if settings.telemetry is None else self._traced,
            recorder=settings.recorder,
            step=state.step,
        )
        if settings.telemetry is not None:
            self._record_refusals(planned)
        results, events = record_answers(planned, state, settings.limits.tool_result_chars)
        media_inside = takes_media_in_function_responses(settings.model.name)
        state.append(responses_turn(calls, results, media_inside=media_inside))
        if final_called:
            text = final_value if isinstance(final_value, str) else None
            self._finish(StopReason.FINAL_ANSWER, text, final_value)
        elif not finished_in_time:
            self._stop_after_answer = StopReason.DEADLINE
        elif over_limit:
            self._stop_after_answer = StopReason.TOOL_CALL_LIMIT
        return events

    def _traced(self, item: PlannedCall) -> Any:
        """A call's span (made current while it runs), for ``run_planned``."""
        assert self.settings.telemetry is not None and item.tool is not None
        return self.settings.telemetry.tool_call(
            item.call.name, item.call.id, item.tool.tool_type, item.call.arguments
        )

    def _record_refusals(self, planned: list[PlannedCall]) -> None:
        """Calls answered without running (unknown tool, invalid arguments, denied, over
        the limit) have no span of their own: the run's span says what became of them."""
        assert self.settings.telemetry is not None
        for item in planned:
            error = item.result.error if item.result is not None else None
            if item.fate is None and error is not None:
                self.settings.telemetry.run_event(
                    "agentkit.call_refused",
                    {"gen_ai.tool.name": item.call.name, "error.type": error.kind},
                )

    def _pause(self, planned: list[PlannedCall]) -> None:
        telemetry = self.settings.telemetry
        link = None
        if telemetry is not None:
            telemetry.run_event("agentkit.paused", {"agentkit.pending_calls": len(planned)})
            link = telemetry.paused_link()
        state = dump_state(self.state, pending_calls(planned), self.settings.state_key, link)
        self._finished = self.state.result(StopReason.PAUSED, state=state)

    def _context_for(self, item: PlannedCall) -> ToolContext[Any]:
        return ToolContext(
            run_id=self.state.run_id,
            step=self.state.step,
            deps=self.settings.deps,
            usage=self.state.usage,
            tool_name=item.call.name,
            call_id=item.call.id,
            idempotency_key=idempotency_key(self.state.run_id, self.state.step, item),
            agent=self.settings.agent,
            _progress=(
                None
                if self._progress is None
                else self._progress.reporter(self.state.step, item.call.name, item.call.id)
            ),
        )


def idempotency_key(run_id: str, step: int, item: PlannedCall) -> str:
    """The key a tool call keeps however often it is executed: a durable run's call run
    again after a crash has the same run id, step and call id (or position, when the model
    gave the call no id), so a tool can tell a repeat from a new call."""
    call = item.call.id if item.call.id else f"#{item.position}"
    return f"{run_id}:{step}:{call}"
