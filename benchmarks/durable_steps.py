"""What one durable step costs: a run of many turns, plain and durable, in this process.

The run has ``turns`` turns, each a model call answered with a tool call (``calc``), then a
text answer, against the in-process emulator. Timed from the end of the first step to the end
of the run (the queue's dispatch and the result's polling are left out: only steps). The
plain run is the floor; the durable run records every model call and tool call as a DBOS
step, on SQLite (a file) or Postgres. Plain and durable runs alternate, ``repeats`` times
each; the median per step and the spread are reported.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any

from agentkit import Agent
from agentkit.agent import RunFinished, StepFinished


def _agent(turns: int) -> Agent[Any]:
    from agentkit.testing.emulator import InProcessEmulator
    from agentkit.toolsets import calc

    emulator = InProcessEmulator(model="gemini-2.5-flash")
    calls = [
        [{"functionCall": {"name": "calculate", "args": {"expression": f"{i}+1"}, "id": f"c{i}"}}]
        for i in range(turns)
    ]
    emulator.script([*calls, "done"], per_conversation=True)
    return Agent(emulator, tools=[calc.calculate])


async def _plain_seconds(agent: Agent[Any]) -> float:
    marks: list[float] = []
    events = agent._events(lambda: agent._loop("go", None, None, None, stream=False))
    async for event in events:
        if isinstance(event, StepFinished | RunFinished):
            marks.append(time.perf_counter())
    return marks[-1] - marks[0]


async def step_overhead(turns: int, repeats: int, database: str) -> dict[str, Any]:
    """Per-step milliseconds, plain and durable on ``database``, and their ratio."""
    from agentkit.scale.durable import DurableRuns

    marks: dict[str, list[float]] = {}

    def observe(run_id: str, event: Any) -> None:
        if isinstance(event, StepFinished | RunFinished):
            marks.setdefault(run_id, []).append(time.perf_counter())

    steps = 2 * (turns - 1) + 1  # after the first: a tool call and a model call each
    plain_agent = _agent(turns)
    plain: list[float] = []
    durable: list[float] = []
    async with DurableRuns(_agent(turns), database, on_event=observe) as runs:
        await runs.run("go", run_id="warm")
        await _plain_seconds(plain_agent)
        for number in range(repeats):
            plain.append(await _plain_seconds(plain_agent) / steps)
            await runs.run("go", run_id=f"run-{number}")
            times = marks[f"run-{number}"]
            durable.append((times[-1] - times[0]) / steps)
    plain_ms, durable_ms = statistics.median(plain) * 1000, statistics.median(durable) * 1000
    return {
        "database": database.partition(":")[0],
        "steps": steps,
        "plain_ms_per_step": plain_ms,
        "durable_ms_per_step": durable_ms,
        "durable_spread_ms": (max(durable) - min(durable)) * 1000,
        "overhead_ms_per_step": durable_ms - plain_ms,
        "ratio": durable_ms / plain_ms,
    }


def sqlite_url(folder: Path) -> str:
    return f"sqlite:///{folder / 'steps.sqlite'}"
