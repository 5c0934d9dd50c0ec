"""Parallel calls that each stop the run: the first in call order is reported, whatever order
they finished in. The calls here finish in reverse order on purpose: the first waits for
an event the second sets just before it stops."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import Any

import anyio
import pytest

from agentkit import Agent, Gemini, tool
from agentkit.errors import ToolExitError
from agentkit.testing.emulator import Emulator, call
from agentkit.tools import Tool

from ..conftest import FAST_RETRY


class Halt(BaseException):
    """A run-stopping outcome of another kind than an exit (not an ``Exception``)."""


def _stop(how: str, code: int) -> None:
    if how == "exit":
        sys.exit(code)
    if how == "interrupt":
        raise KeyboardInterrupt(code)
    raise Halt(code)


def _stopper(kind: str, second_done: threading.Event, anyio_done: list[anyio.Event]) -> Tool:
    """``stop(order, how)``: the call with order 0 waits for order 1 to be on its way out."""
    if kind == "async":

        async def stop(order: int, how: str) -> str:
            """Stop the run."""
            if order == 0:
                await anyio_done[0].wait()
            else:
                anyio_done[0].set()
            _stop(how, 3 + order)
            return "never"

        return tool(stop)

    def stop_sync(order: int, how: str) -> str:
        """Stop the run."""
        if order == 0:
            assert second_done.wait(10)
        else:
            second_done.set()
        _stop(how, 3 + order)
        return "never"

    # "thread": the default hop; "timeout": a sync tool with a timeout runs as a task.
    return tool(name="stop", timeout=30 if kind == "timeout" else None)(stop_sync)


def _expected(how: str) -> tuple[type[BaseException], Callable[[BaseException], Any]]:
    if how == "exit":
        return ToolExitError, lambda error: error.code  # type: ignore[attr-defined]
    return (KeyboardInterrupt if how == "interrupt" else Halt), lambda error: error.args[0]


@pytest.mark.parametrize("how", ["exit", "interrupt", "halt"])
@pytest.mark.parametrize("kind", ["thread", "async", "timeout"])
async def test_the_first_stop_in_call_order_is_reported_when_it_finished_last(
    emulator: Emulator, kind: str, how: str
) -> None:
    second_done = threading.Event()
    stopper = _stopper(kind, second_done, [anyio.Event()])
    emulator.script([[call("stop", order=0, how=how), call("stop", order=1, how=how)], "never"])
    agent = Agent(Gemini(base_url=emulator.url, retry=FAST_RETRY), tools=[stopper])
    error_type, code_of = _expected(how)
    with pytest.raises(error_type) as caught:
        await agent.run("Stop")
    assert second_done.is_set() or kind == "async"
    assert code_of(caught.value) == 3  # the first call's, though the second stopped first
    assert len(emulator.requests) == 1


async def test_mixed_kinds_of_stop_report_the_first_call_s(emulator: Emulator) -> None:
    """A thread call that is interrupted after an inline call exited: the interrupt wins."""
    exited = threading.Event()

    @tool
    def interrupt() -> str:
        """Wait for the other call to exit, then be interrupted."""
        assert exited.wait(10)
        raise KeyboardInterrupt("first")

    @tool(blocking=False)
    def leave() -> str:
        """Exit at once."""
        exited.set()
        sys.exit(9)

    emulator.script([[call("interrupt"), call("leave")], "never"])
    agent = Agent(Gemini(base_url=emulator.url, retry=FAST_RETRY), tools=[interrupt, leave])
    with pytest.raises(KeyboardInterrupt, match="first"):
        await agent.run("Go")


async def test_calls_after_a_stop_are_cancelled_and_not_waited_for(emulator: Emulator) -> None:
    cancelled: list[bool] = []

    @tool
    async def wait_forever() -> str:
        """Never returns by itself."""
        try:
            await anyio.sleep_forever()
        except anyio.get_cancelled_exc_class():
            cancelled.append(True)
            raise
        return "never"

    @tool
    def leave(code: int) -> str:
        """Exit."""
        sys.exit(code)

    emulator.script([[call("leave", code=2), call("wait_forever"), call("leave", code=5)], "x"])
    agent = Agent(Gemini(base_url=emulator.url, retry=FAST_RETRY), tools=[wait_forever, leave])
    with pytest.raises(ToolExitError) as caught:
        await agent.run("Go")
    assert caught.value.code == 2 and cancelled == [True]


async def test_an_exit_after_the_first_of_two_exits_in_one_turn_is_deterministic(
    emulator: Emulator,
) -> None:
    """The case that was flaky: both calls exit at once, in two threads."""

    @tool
    def shut_down(code: int) -> str:
        """Exit."""
        sys.exit(code)

    for _ in range(20):
        emulator.script([[call("shut_down", code=3), call("shut_down", code=4)], "never"])
        with pytest.raises(ToolExitError) as caught:
            await Agent(Gemini(base_url=emulator.url, retry=FAST_RETRY), tools=[shut_down]).run(
                "Go"
            )
        assert caught.value.code == 3
