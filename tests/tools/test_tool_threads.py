"""Sync tools' worker threads: concurrent, never on the loop, the caller's context variables
seen, a cancelled call's result dropped, idle threads gone when the loop ends."""

from __future__ import annotations

import asyncio
import contextvars
import threading
from typing import Any

import anyio
import pytest

from agentkit import Agent, Gemini, ToolContext, tool
from agentkit.agent.executor import PlannedCall, run_planned
from agentkit.testing.emulator import Emulator, call
from agentkit.tools import threads
from agentkit.types import FunctionCall

from ..conftest import FAST_RETRY

REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="unset")


def _agent(emulator: Emulator, *tools: Any) -> Agent[None]:
    return Agent(Gemini(base_url=emulator.url, retry=FAST_RETRY), tools=list(tools))


async def test_four_sync_calls_of_one_turn_run_at_the_same_time(emulator: Emulator) -> None:
    barrier = threading.Barrier(4, timeout=10)

    @tool
    def meet(n: int) -> int:
        """Returns only once all four calls are running at once."""
        barrier.wait()
        return n

    emulator.script([[call("meet", n=n) for n in range(4)], "met"])
    result = await _agent(emulator, meet).run("Meet")
    assert [c.result for c in result.tool_calls] == [0, 1, 2, 3]
    assert result.text == "met"


async def test_a_blocked_sync_tool_leaves_the_loop_free(emulator: Emulator) -> None:
    """The sync call waits for something only the loop can do (an async call of the same
    turn); were it run on the loop, the turn would never end."""
    freed = threading.Event()

    @tool
    def wait_for_loop() -> str:
        """Block until the async call has run."""
        return "freed" if freed.wait(10) else "stuck"

    @tool
    async def free() -> str:
        """Runs on the loop."""
        await anyio.sleep(0)
        freed.set()
        return "done"

    emulator.script([[call("wait_for_loop"), call("free")], "ok"])
    result = await _agent(emulator, wait_for_loop, free).run("Go")
    assert [c.result for c in result.tool_calls] == ["freed", "done"]


@pytest.mark.parametrize("blocking", [True, False], ids=["thread", "inline"])
async def test_a_sync_tool_sees_the_callers_context_variables(
    emulator: Emulator, blocking: bool
) -> None:
    @tool(blocking=blocking)
    def whose(n: int) -> str:
        """The request this call belongs to."""
        return f"{REQUEST_ID.get()}/{n}"

    emulator.script([[call("whose", n=1), call("whose", n=2)], "ok"])
    token = REQUEST_ID.set("req-42")
    try:
        result = await _agent(emulator, whose).run("Who?")
    finally:
        REQUEST_ID.reset(token)
    assert [c.result for c in result.tool_calls] == ["req-42/1", "req-42/2"]
    # and through Tool.invoke, the hop of a single call
    REQUEST_ID.set("req-43")
    assert (await whose.invoke({"n": 3})).response == {"output": "req-43/3"}


async def test_a_cancelled_run_drops_the_running_sync_call_and_tells_its_context(
    emulator: Emulator,
) -> None:
    started, release, finished = threading.Event(), threading.Event(), threading.Event()
    seen: list[bool] = []

    @tool
    def slow(context: ToolContext) -> str:
        """Runs until released."""
        started.set()
        release.wait(10)
        seen.append(context.cancelled)
        finished.set()
        return "late"

    emulator.script([[call("slow")], "never"])
    agent = _agent(emulator, slow)
    with anyio.CancelScope() as scope:
        async with anyio.create_task_group() as group:
            group.start_soon(agent.run, "Go")
            assert await anyio.to_thread.run_sync(started.wait, 10)
            scope.cancel()
    assert scope.cancelled_caught
    release.set()
    assert await anyio.to_thread.run_sync(finished.wait, 10)
    assert seen[0] is True  # the call was told nobody waits for it any more
    assert len(emulator.requests) == 1  # the run ended; no result was sent


async def test_the_thread_limiter_bounds_a_turns_sync_calls() -> None:
    running, peak = 0, 0
    lock = threading.Lock()
    pairs = threading.Barrier(2, timeout=10)  # two must run at once, in turns

    @tool
    def work(n: int) -> int:
        """Counts how many run at once."""
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        pairs.wait()
        with lock:
            running -= 1
        return n

    planned = [
        PlannedCall(n, FunctionCall(name="work", args={"n": n}), work, {"n": n}) for n in range(6)
    ]
    limiter = anyio.CapacityLimiter(2)
    assert await run_planned(
        planned, lambda item: ToolContext(), limiter=limiter, multimodal=True, time_left=None
    )
    assert [item.result.response for item in planned if item.result] == [
        {"output": n} for n in range(6)
    ]
    assert peak == 2 and limiter.borrowed_tokens == 0


def _use_a_sync_tool() -> set[threading.Thread]:
    @tool
    def ping() -> str:
        """Answer."""
        return "pong"

    loops: list[asyncio.AbstractEventLoop] = []

    async def main() -> set[threading.Thread]:
        assert (await ping.invoke({})).response == {"output": "pong"}
        loops.append(asyncio.get_running_loop())
        return set(threads.threads_for(loops[0]).threads)

    started = asyncio.run(main())
    assert loops[0] not in threads._pools  # an ended loop is not kept alive by its pool
    return started


def test_idle_threads_end_as_soon_as_asyncio_run_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    """Relies on asyncio closing async generators at shutdown; if a release stops doing so,
    this fails (idle threads would linger until their poll, the fallback)."""
    monkeypatch.setattr(threads, "POLL_S", 60.0)
    monkeypatch.setattr(threads, "IDLE_S", 60.0)
    started = _use_a_sync_tool()
    assert started
    for thread in started:
        thread.join(10)
    assert not any(thread.is_alive() for thread in started)


def test_idle_threads_end_when_a_loop_stops_without_shutting_down(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(threads, "POLL_S", 0.01)

    @tool
    def ping() -> str:
        """Answer."""
        return "pong"

    async def main() -> set[threading.Thread]:
        assert (await ping.invoke({})).response == {"output": "pong"}
        return set(threads.threads_for(asyncio.get_running_loop()).threads)

    loop = asyncio.new_event_loop()
    try:
        started = loop.run_until_complete(main())  # no shutdown_asyncgens: the poll notices
        for thread in started:
            thread.join(10)
        assert started and not any(thread.is_alive() for thread in started)
        assert loop not in threads._pools
    finally:
        loop.close()
