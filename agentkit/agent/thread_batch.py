"""A turn's plain sync calls, handed to worker threads without a task for each.

A ``def`` tool is what most people write; it may block, so each call runs in a worker
thread, and the turn waits for them all. A task per call (and a task group around them)
would cost more CPU than the hop itself: here the calls are submitted from the turn's own
task, in call order, and the results are taken on the loop's thread as the threads hand
them back (``loop.call_soon_threadsafe``, once for results that arrive together); the turn
waits on one future for the last of them.

What ``Tool.run`` does around a call is kept: the call's fate (started, finished, given up
on), its ``ToolContext`` told when the run stops waiting, the thread limiter, the result
converted or the exception reported to the model, ``SystemExit`` typed. Only calls without
a timeout, span or recorder take this way (the executor decides); the others run as tasks.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

import anyio

from agentkit.agent.stops import Stops
from agentkit.tools import ToolContext, ToolResult
from agentkit.tools.invocation import CallFate
from agentkit.tools.results import to_result
from agentkit.tools.threads import Job, threads_for

if TYPE_CHECKING:
    from agentkit.agent.executor import PlannedCall


class _Running:
    """One call handed to a thread; also its token with the thread limiter."""

    __slots__ = ("context", "fate", "item", "settled", "started")

    def __init__(self, item: PlannedCall, fate: CallFate, context: ToolContext[Any] | None):
        self.item, self.fate, self.context = item, fate, context
        self.started = time.perf_counter()
        self.settled = False


class ThreadBatch:
    def __init__(
        self,
        items: Sequence[PlannedCall],
        make_context: Callable[[PlannedCall], ToolContext[Any]],
        *,
        limiter: anyio.CapacityLimiter,
        multimodal: bool,
        deadline: float | None,
        stops: Stops,
    ) -> None:
        self._items, self._make_context = items, make_context
        self._limiter, self._multimodal, self._deadline = limiter, multimodal, deadline
        self._stops = stops
        self._loop = asyncio.get_running_loop()
        self._running: list[_Running] = []
        self._left = 0  # handed over and not settled yet
        self._done: asyncio.Future[None] | None = None
        self._outbox: list[tuple[_Running, bool, Any]] = []
        self._outbox_lock = threading.Lock()
        stops.on_stop(self._cut)

    async def run(self, meanwhile: Callable[[], Awaitable[None]]) -> None:
        """Hand every call over (in call order, as the limiter allows), run ``meanwhile``
        while they run, then wait for the last. However this ends — a deadline, a
        cancelled run — no call is left waited for: those still running are abandoned."""
        try:
            await self._submit_all()
            await meanwhile()
            if self._left:
                self._done = self._loop.create_future()
                await self._done
        finally:
            for running in self._running:
                self._abandon(running)

    async def _submit_all(self) -> None:
        pool = threads_for(self._loop)
        for item in self._items:
            if self._stops.cuts(item.position):
                return  # the calls are in call order: every later one is cut too
            tool = item.tool
            assert tool is not None and item.validated is not None
            item.fate = fate = CallFate(tool.name)
            fate.deadline = self._deadline
            context = self._make_context(item) if tool.takes_context else None
            kwargs, context = tool.call_arguments(item.validated, context)
            running = _Running(item, fate, context)
            try:
                self._limiter.acquire_on_behalf_of_nowait(running)
            except anyio.WouldBlock:
                await self._limiter.acquire_on_behalf_of(running)
                running.started = time.perf_counter()
            item.started_at = time.time()
            self._running.append(running)
            self._left += 1
            work = functools.partial(fate.in_thread, tool.fn, kwargs)
            pool.submit(self._job(running, work))

    def _job(self, running: _Running, work: Callable[[], Any]) -> Job:
        """The call's job for a worker thread. Its outcome goes to the turn's outbox; the
        first outcome in an empty outbox wakes the loop, which takes every outcome there:
        calls that finish together cost the loop one wake-up, and none waits for another."""
        context = contextvars.copy_context()  # the tool sees the caller's context variables

        def job() -> Callable[[], None]:
            try:
                outcome: tuple[_Running, bool, Any] = (running, True, context.run(work))
            except BaseException as error:  # the loop decides what it means
                outcome = (running, False, error)

            def hand_back() -> None:
                with self._outbox_lock:
                    wake = not self._outbox
                    self._outbox.append(outcome)
                if wake:
                    try:
                        self._loop.call_soon_threadsafe(self._take_outcomes)
                    except RuntimeError:
                        pass  # the loop has closed: nobody waits for these results

            return hand_back

        return job

    def _take_outcomes(self) -> None:
        with self._outbox_lock:
            outcomes, self._outbox = self._outbox, []
        for running, returned, value in outcomes:
            self._settle(running, returned, value)

    def _settle(self, running: _Running, returned: bool, value: Any) -> None:
        """On the loop's thread: the call's thread is done with it."""
        if running.settled:
            return  # abandoned: its result is dropped
        item, tool = running.item, running.item.tool
        assert tool is not None
        self._release(running)
        duration = time.perf_counter() - running.started
        try:
            if returned:
                item.result = to_result(
                    tool.name, value, multimodal=self._multimodal, duration=duration
                )
            else:
                outcome = tool.failed(value, duration)
                if isinstance(outcome, ToolResult):
                    item.result = outcome
                else:
                    self._stops.record(item.position, outcome)
        except BaseException as error:  # a bug converting the result: it stops the run
            self._stops.record(item.position, error)
        self._count_down()

    def _cut(self, position: int) -> None:
        for running in self._running:
            if running.item.position > position:
                self._abandon(running)

    def _abandon(self, running: _Running) -> None:
        if running.settled:
            return
        self._release(running)
        running.fate.abandon()
        if running.context is not None:
            running.context.abandon()
        self._count_down()

    def _release(self, running: _Running) -> None:
        running.settled = True
        self._limiter.release_on_behalf_of(running)

    def _count_down(self) -> None:
        self._left -= 1
        if self._left == 0 and self._done is not None and not self._done.done():
            self._done.set_result(None)
