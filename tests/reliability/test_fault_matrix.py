"""Every fault × (generate, stream) × (first step, a later step after tools ran).

For each cell: the run completes or ends with the specific typed error or stop reason
expected; no tool ran twice because of a retry; the history is valid; and the session saved
after every step (as the CLI saves it) is intact on disk.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from agentkit import Agent, Gemini, Limits, tool
from agentkit.agent import RunFinished, StepFinished, StopReason
from agentkit.agent.history import check_history
from agentkit.errors import RateLimitError, ResponseBlockedError
from agentkit.models import RetryPolicy
from agentkit.sessions import JsonFileStore, Session
from agentkit.testing.emulator import (
    Emulator,
    Fault,
    blocked_prompt,
    call,
    empty_candidate,
    malformed_function_call,
    safety_block,
)
from agentkit.types import Content

CALLS = [call("lookup", key="a"), call("lookup", key="b")]
FINAL = "Both keys are looked up and everything is in order."

# fault name -> (builder given the answer the failed call should have carried, expected)
FAULTS: dict[str, tuple[Callable[[Any], Any], str]] = {
    "429 with RetryInfo": (lambda answer: Fault.rate_limited(retry_delay=0.01), "completed"),
    "429 per-day quota": (lambda answer: Fault.per_day_quota(), "RateLimitError"),
    "500": (lambda answer: Fault.server_error(500), "completed"),
    "503": (lambda answer: Fault.unavailable(), "completed"),
    "delay past the deadline": (lambda answer: Fault.delay(3.0, answer), "stopped: deadline"),
    "dropped connection": (lambda answer: Fault.drop_connection(), "completed"),
    "SSE cut mid-way": (lambda answer: Fault.cut_stream(after_chunks=1, answer=answer), "completed"),
    "error inside a stream": (lambda answer: Fault.error_in_stream(after_chunks=1, answer=answer), "completed"),
    "MALFORMED_FUNCTION_CALL": (lambda answer: malformed_function_call(), "completed"),
    "empty candidates": (lambda answer: empty_candidate(), "completed"),
    "SAFETY block": (lambda answer: safety_block("Partial"), "ResponseBlockedError"),
    "blocked prompt": (lambda answer: blocked_prompt(), "ResponseBlockedError"),
}
CELLS = [(fault, mode, step) for fault in FAULTS for mode in ("generate", "stream") for step in ("first", "later")]


def script_for(fault: str, step: str) -> list[Any]:
    build, _ = FAULTS[fault]
    if step == "first":
        return [build(CALLS), CALLS, FINAL]
    return [CALLS, build(FINAL), FINAL]


async def run_cell(emulator: Emulator, fault: str, mode: str, step: str, sessions: Path) -> tuple[str, Counter[str], Session | None]:
    executed: Counter[str] = Counter()

    @tool
    async def lookup(key: str) -> str:
        """Look a key up."""
        executed[key] += 1
        return f"value of {key}"

    store = JsonFileStore(sessions)
    model = Gemini(base_url=emulator.url, retry=RetryPolicy(max_attempts=3, initial_delay=0.01, jitter=0.0))
    agent = Agent(model, tools=[lookup], limits=Limits(deadline=0.8))
    emulator.script(script_for(fault, step))
    outcome = "no outcome"
    try:
        if mode == "stream":
            async for event in agent.stream("Look up a and b"):
                if isinstance(event, StepFinished):
                    store.save("cell", Session([c.to_wire() for c in event.history]))
                elif isinstance(event, RunFinished):
                    store.save("cell", Session(event.result.history))
                    outcome = _outcome(event.result.stop_reason)
        else:
            result = await agent.run("Look up a and b")
            store.save("cell", Session(result.history))
            outcome = _outcome(result.stop_reason)
    except (RateLimitError, ResponseBlockedError) as error:
        outcome = type(error).__name__
        partial = getattr(error, "partial", None)
        if partial is not None:
            check_history(partial.history_contents)
    finally:
        await model.aclose()
    return outcome, executed, store.load("cell")


def _outcome(reason: StopReason) -> str:
    return "completed" if reason is StopReason.COMPLETED else f"stopped: {reason}"


@pytest.mark.parametrize(("fault", "mode", "step"), CELLS, ids=[f"{f}-{m}-{s}" for f, m, s in CELLS])
async def test_fault_cell(emulator: Emulator, tmp_path: Path, matrix: dict[tuple[str, str, str], str], fault: str, mode: str, step: str) -> None:
    outcome, executed, session = await run_cell(emulator, fault, mode, step, tmp_path)
    expected = FAULTS[fault][1]
    matrix[(fault, mode, step)] = f"{'ok' if outcome == expected else 'FAIL'} {outcome}"
    assert outcome == expected
    # No tool ran twice: each key at most once, and exactly once when the run got past step 1.
    assert all(count == 1 for count in executed.values()), executed
    if step == "later" or outcome == "completed":
        assert executed == Counter({"a": 1, "b": 1})
    # The session on disk is a valid history (or absent when nothing completed).
    if session is not None:
        contents = [Content.model_validate(c) for c in session.history]
        check_history(contents)
        assert not (contents[-1].role == "model" and contents[-1].function_calls)
    if outcome == "completed" and session is not None:
        assert session.history[-1] == {"role": "model", "parts": [{"text": FINAL}]}
    assert emulator.rejections == []
