"""What a run keeps of the calls it answered: the records, the events, the counts.

Kept apart from the loop so the loop reads as its steps; every answered call passes through
here once, in call order.
"""

from __future__ import annotations

from agentkit.agent.events import Event, FunctionResultEvent
from agentkit.agent.executor import PlannedCall
from agentkit.agent.result import ToolCallRecord
from agentkit.agent.state import LoopState
from agentkit.logs import debug_enabled, get_logger
from agentkit.tools.results import ToolResult, capped

log = get_logger()


def record_answers(
    planned: list[PlannedCall], state: LoopState, result_chars: int | None
) -> tuple[list[ToolResult], list[Event]]:
    """The results to send (each capped at ``result_chars``) and their events; the run's
    records and tool-call count are updated as each is taken."""
    results: list[ToolResult] = []
    events: list[Event] = []
    for item in planned:
        assert item.result is not None
        result = capped(item.result, result_chars)
        results.append(result)
        if item.ran:
            state.tool_calls += 1
        record = ToolCallRecord(
            state.step,
            item.call.name,
            item.call.arguments,
            item.call.id,
            result.response,
            result.ok,
            result.duration,
        )
        state.records.append(record)
        if debug_enabled():
            log.debug(
                "tool.result",
                run_id=state.run_id,
                step=state.step,
                name=record.name,
                ok=record.ok,
                duration=round(record.duration, 4),
            )
        events.append(
            FunctionResultEvent(
                state.step,
                record.name,
                record.call_id,
                record.response,
                record.ok,
                record.duration,
                item.started_at,
            )
        )
    return results, events
