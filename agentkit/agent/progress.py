"""Progress from calls still running, delivered to a streamed run's consumer as it comes.

The loop is a generator: it can only hand an event out by yielding, and while a turn's calls
run it is waiting for them. To yield progress meanwhile, the calls must run somewhere that
outlives each yield. A task group cannot be that place: it would be held open across the
yields, and a consumer that stops reading leaves the generator to be closed later from some
other task, where leaving the group fails. So the calls run in an asyncio task of their own
(agentkit runs on asyncio, anyio's default backend), and their reports come back over a
memory stream the generator reads between yields. Only streamed runs whose calls can report
(tools that take a ``ToolContext``, MCP tools) pay for this; every other turn awaits its
calls directly.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import AsyncGenerator, Coroutine
from typing import Any, TypeVar

import anyio

from agentkit.agent.events import ToolProgress
from agentkit.tools.context import ProgressReporter
from agentkit.tools.progress import on_the_loop

T = TypeVar("T")


class ProgressChannel:
    """Carries ``ToolProgress`` from the calls of one turn to the generator reading it; a
    report that arrives after the turn is over (an abandoned thread still running) is
    dropped."""

    def __init__(self) -> None:
        self._send, self._receive = anyio.create_memory_object_stream[ToolProgress](math.inf)

    def reporter(self, step: int, name: str, call_id: str | None) -> ProgressReporter:
        def deliver(progress: float, total: float | None, message: str | None) -> None:
            self._put(ToolProgress(step, name, call_id, progress, total, message))

        return on_the_loop(deliver)

    def _put(self, event: ToolProgress) -> None:
        with contextlib.suppress(anyio.ClosedResourceError, anyio.BrokenResourceError):
            self._send.send_nowait(event)

    async def while_running(
        self, work: Coroutine[Any, Any, T], outcome: list[T]
    ) -> AsyncGenerator[ToolProgress, None]:
        """Run ``work`` in its own task, yielding its reports until it ends; its result is
        appended to ``outcome`` (its exception is raised). If the reader stops early or is
        cancelled, the work is cancelled and waited for before this returns."""
        task = asyncio.ensure_future(work)
        task.add_done_callback(lambda _: self._send.close())
        try:
            async with self._receive:
                async for event in self._receive:
                    yield event
        finally:
            if not task.done():
                task.cancel()
            # Shielded: a reader being cancelled still waits for the calls to wind down
            # (an abandoned sync tool is left to its thread; it does not hold this up).
            with anyio.CancelScope(shield=True):
                await asyncio.wait([task])
            if not task.cancelled():
                task.exception()  # seen here, so asyncio does not report it as lost
        outcome.append(task.result())
