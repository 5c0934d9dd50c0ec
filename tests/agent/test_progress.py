"""Progress a running call reports reaches a streamed run's consumer while the call runs.

Each tool here waits for the consumer to have seen its first report before it goes on, so a
report delivered only after the call ended would deadlock the run (the test's time limit
ends it): passing shows the report came while the call ran."""

from __future__ import annotations

import threading
from typing import Any

import anyio
import pytest

from agentkit import Agent, Gemini, ToolContext, tool
from agentkit.agent import FunctionResultEvent, ToolProgress
from agentkit.testing.emulator import Emulator, call

seen_first = threading.Event()


@tool
def download(ctx: ToolContext, parts: int) -> str:
    """Fetch a file in parts (a sync tool: it reports from its worker thread)."""
    ctx.report_progress(1, parts, "first part")
    if not seen_first.wait(10):
        return "nobody saw the first report"
    for part in range(2, parts + 1):
        ctx.report_progress(part, parts)
    return "downloaded"


async def trace(agent: Agent[Any], prompt: str, on_first: Any) -> list[tuple[Any, ...]]:
    shown: list[tuple[Any, ...]] = []
    with anyio.fail_after(20):
        async for event in agent.stream(prompt):
            if isinstance(event, ToolProgress):
                if not shown or shown[-1][0] != "progress":
                    on_first()
                shown.append(("progress", event.name, event.progress, event.total, event.message))
            elif isinstance(event, FunctionResultEvent):
                shown.append(("result", event.name, event.response))
    return shown


@pytest.fixture(autouse=True)
def fresh_event() -> None:
    seen_first.clear()


async def test_a_sync_tools_reports_arrive_while_it_runs_then_its_result(emulator: Emulator) -> None:
    emulator.script([[call("download", parts=3)], "Done."])
    agent = Agent(Gemini("gemini-2.5-flash", base_url=emulator.url), tools=[download])
    shown = await trace(agent, "get it", seen_first.set)
    assert shown == [
        ("progress", "download", 1.0, 3.0, "first part"),
        ("progress", "download", 2.0, 3.0, None),
        ("progress", "download", 3.0, 3.0, None),
        ("result", "download", {"output": "downloaded"}),
    ]


async def test_two_async_calls_report_side_by_side(emulator: Emulator) -> None:
    gate = anyio.Event()

    @tool
    async def index(ctx: ToolContext, name: str) -> str:
        """Index a folder."""
        ctx.report_progress(0.5, message=f"{name} halfway")
        await gate.wait()
        return f"{name} indexed"

    emulator.script([[call("index", name="a"), call("index", name="b")], "Both."])
    agent = Agent(Gemini("gemini-2.5-flash", base_url=emulator.url), tools=[index])
    reports: list[str | None] = []
    with anyio.fail_after(20):
        async for event in agent.stream("index both"):
            if isinstance(event, ToolProgress):
                reports.append(event.message)
                if len(reports) == 2:
                    gate.set()  # both calls are running at once, each has reported
    assert sorted(m or "" for m in reports) == ["a halfway", "b halfway"]


async def test_a_plain_run_drops_reports_and_its_tools_do_not_wait_for_anyone(
    emulator: Emulator,
) -> None:
    seen_first.set()  # nobody reads progress in a plain run
    emulator.script([[call("download", parts=2)], "Done."])
    agent = Agent(Gemini("gemini-2.5-flash", base_url=emulator.url), tools=[download])
    result = await agent.run("get it")
    assert result.text == "Done."
    assert [c.response for c in result.tool_calls] == [{"output": "downloaded"}]


async def test_a_consumer_that_stops_at_a_report_ends_the_running_call(emulator: Emulator) -> None:
    stopped = anyio.Event()

    @tool
    async def crawl(ctx: ToolContext) -> str:
        """Crawl for a long time."""
        try:
            ctx.report_progress(1)
            await anyio.sleep_forever()
        finally:
            stopped.set()
        return "never"

    emulator.script([[call("crawl")], "Done."])
    agent = Agent(Gemini("gemini-2.5-flash", base_url=emulator.url), tools=[crawl])
    with anyio.fail_after(20):
        events = agent.stream("crawl")
        async for event in events:
            if isinstance(event, ToolProgress):
                break
        await events.aclose()
        assert stopped.is_set()  # cancelled and waited for before aclose returned
