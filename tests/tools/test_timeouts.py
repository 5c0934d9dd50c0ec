"""Tool timeouts are honest: what overran is said to be still running when it is (item 8)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

import anyio
import pytest

from agentkit import Agent, Gemini, Limits, ToolContext, tool
from agentkit.errors import ToolDefinitionError
from agentkit.testing.emulator import Emulator, call


class _SeesEvent(logging.Handler):
    """Sets ``seen`` when agentkit logs ``event``: a test waits for that, not for a while."""

    def __init__(self, event: str) -> None:
        super().__init__()
        self.event, self.seen, self.fields = event, threading.Event(), {}

    def emit(self, record: logging.LogRecord) -> None:
        fields = getattr(record, "agentkit", {})
        if fields.get("event") == self.event:
            self.fields = fields
            self.seen.set()


async def test_a_sync_tool_that_overruns_keeps_running_and_the_model_is_told(
    agentkit_logs: Callable[[], list[dict[str, Any]]],
) -> None:
    release = threading.Event()
    effects: list[str] = []
    late = _SeesEvent("tool.finished_late")
    logging.getLogger("agentkit").addHandler(late)

    @tool(timeout=0.05)
    def slow_write(path: str) -> str:
        """Write a file slowly (a blocking call that cannot be interrupted)."""
        release.wait(10)
        effects.append(path)
        return "written"

    try:
        result = await slow_write.invoke({"path": "/tmp/x"})
        assert result.response == {
            "error": {
                "type": "timeout",
                "message": "slow_write did not finish within 0.05 s. It could not be stopped "
                "and may still complete (its effects may still happen); its result will not be "
                "reported.",
                "still_running": True,
            }
        }
        assert effects == []
        release.set()
        assert await anyio.to_thread.run_sync(late.seen.wait, 5)
    finally:
        release.set()
        logging.getLogger("agentkit").removeHandler(late)
    assert effects == ["/tmp/x"]  # it did complete: that is why the model was told it might
    assert [e["event"] for e in agentkit_logs()].count("tool.timeout") == 1
    assert late.fields["tool"] == "slow_write" and late.fields["after_s"] >= 0.05


async def test_a_cancellable_sync_tool_stops_when_abandoned() -> None:
    stopped = threading.Event()
    progress: list[int] = []

    @tool(timeout=0.1)
    def long_scan(rooms: int, context: ToolContext) -> str:
        """Scan rooms one by one; stops when nobody waits for the result any more."""
        for room in range(rooms):
            if context.sleep(0.02):  # returns True as soon as the call is abandoned
                stopped.set()
                return "stopped"
            progress.append(room)
        return "done"

    result = await long_scan.invoke({"rooms": 10_000})
    assert result.error is not None and result.error.kind == "timeout"
    assert await anyio.to_thread.run_sync(stopped.wait, 5)
    assert 0 < len(progress) < 10_000


async def test_an_async_tool_is_cancelled_and_says_so() -> None:
    cleaned = []

    @tool(timeout=0.05)
    async def poll(device: str, context: ToolContext) -> str:
        """Poll a device."""
        try:
            await anyio.sleep(10)
        finally:
            cleaned.append(context.cancelled)
        return "never"

    result = await poll.invoke({"device": "hub"})
    assert (
        result.response["error"]["message"]
        == "poll did not finish within 0.05 s. It was cancelled."
    )
    assert result.response["error"]["still_running"] is False
    assert cleaned == [False]  # at the moment of cancellation; abandon() follows at once


def test_a_timeout_that_could_never_fire_is_refused() -> None:
    def quick(x: int) -> int:
        return x

    with pytest.raises(ToolDefinitionError) as caught:
        tool(timeout=1.0, blocking=False)(quick)
    assert str(caught.value) == (
        "tool 'quick': a timeout cannot stop a non-blocking sync tool (it runs on the event loop "
        "until it returns); drop timeout= or blocking=False"
    )


async def test_the_runs_deadline_says_a_thread_may_still_be_running(emulator: Emulator) -> None:
    release = threading.Event()

    @tool
    def backup(target: str) -> str:
        """Back up the home's settings."""
        release.wait(10)
        return "ok"

    emulator.script([[call("backup", target="nas")], "never asked"])
    model = Gemini(base_url=emulator.url)
    agent = Agent(model, tools=[backup], limits=Limits(deadline=0.2))
    try:
        result = await agent.run("Back up")
    finally:
        release.set()
        await model.aclose()
    assert result.tool_calls[0].error == {
        "type": "timeout",
        "message": "backup did not finish before the run's deadline. It could not be stopped "
        "and may still complete (its effects may still happen); its result will not be reported.",
        "still_running": True,
    }


async def test_a_tool_exceptions_traceback_is_in_the_debug_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="agentkit")

    @tool
    def parse_schedule(text: str) -> int:
        """Parse a schedule."""
        return int(text)

    result = await parse_schedule.invoke({"text": "soon"})
    assert result.error is not None and result.error.kind == "exception"
    record = next(
        r for r in caplog.records if getattr(r, "agentkit", {}).get("event") == "tool.exception"
    )
    assert record.exc_info is not None and record.exc_info[0] is ValueError
    assert "in parse_schedule" in caplog.text and "return int(text)" in caplog.text
    assert "traceback" not in str(result.response).lower()  # the model never gets it


async def test_calls_still_waiting_for_a_thread_are_said_not_to_have_run() -> None:
    """One worker thread, three calls of a tool that blocks: the first is running when the
    timeout passes; a call that had not started says so, and never starts later."""
    release = threading.Event()
    began: list[int] = []

    @tool(timeout=0.2)
    def press(button: int) -> int:
        """Press a button (a blocking device call)."""
        began.append(button)
        release.wait(10)
        return button

    limiter = anyio.CapacityLimiter(1)
    results: dict[int, Any] = {}

    async def call(button: int) -> None:
        results[button] = await press.invoke({"button": button}, limiter=limiter)

    try:
        async with anyio.create_task_group() as group:
            for button in (1, 2, 3):
                group.start_soon(call, button)
    finally:
        release.set()
    # Call 1 holds the one thread when the timeout passes. Calls 2 and 3 usually never get
    # one. But when call 1 is given up on, its slot is free again, and a call whose own
    # timeout has not quite passed may still start. Whatever the timing, each call tells
    # the model the truth about itself.
    assert began[0] == 1
    assert results[1].response["error"]["still_running"] is True
    for button in (2, 3):
        if button in began:
            assert results[button].response["error"]["still_running"] is True
            continue
        assert results[button].response == {
            "error": {
                "type": "timeout",
                "message": "press did not finish within 0.2 s. It had not started (it was "
                "waiting for a free worker thread) and was not run.",
                "still_running": False,
            }
        }
    started = list(began)
    # The worker thread is free again: nothing that was given up on is still queued for it.
    await anyio.to_thread.run_sync(lambda: None, limiter=limiter)
    assert began == started
