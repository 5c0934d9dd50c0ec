"""Worker threads for sync tools: the cheapest hand-off that never blocks the event loop.

A sync tool may block (I/O, sleeps), so it must not run on the event loop; but a plain
``def`` tool is what most people write, and most return at once, so the hop to a thread and
back is most of what such a call costs. ``anyio.to_thread.run_sync`` pays for generality
(a cancel scope, a checkpoint before and after, a shielded wait, a limiter taken with
checkpoints): about 55 µs of CPU a call here. This hop is a queue put, a thread that takes
the job, and ``loop.call_soon_threadsafe`` to hand the result back — about 20 µs.

Each event loop has its own threads (a thread reports to the loop that started its job, and
a thread inherits its daemon flag from the loop's thread, as anyio's workers do). Idle
threads end when the loop ends — at once under ``asyncio.run`` (its shutdown closes the
async generators, and the pool keeps one open to hear it), otherwise within ``POLL_S`` —
so a command never waits at exit for threads that do nothing. On any other event loop
than asyncio's, calls take anyio's thread hop: same behaviour, its cost.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import queue
import threading
import time
import weakref
from collections.abc import AsyncGenerator, Callable
from typing import Any, TypeVar

import anyio
import anyio.to_thread

T = TypeVar("T")

POLL_S = 0.1  # how often an idle thread checks that its loop still runs
IDLE_S = 10.0  # an idle thread ends after this long without work (as anyio's do)

# A job runs in the worker thread and returns what hands its outcome back to the loop: the
# worker counts itself idle before that, so a submit that follows the result at once finds
# it idle instead of starting one more thread.
Job = Callable[[], Callable[[], None]]


class ToolThreads:
    """The worker threads of one event loop. Threads are made on demand and never more
    than the calls waiting at once; how many calls may run at once is the caller's
    limiter's business, not the pool's."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self._jobs: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        # Waiting threads not yet promised a job: a submit takes one, or starts a thread.
        self._idle = 0
        self.threads: set[threading.Thread] = set()
        self._watch = self._until_loop_ends()
        _start_watching(self._watch)

    def submit(self, job: Job) -> None:
        """Run ``job`` in a worker thread; must be called on the loop's thread."""
        with self._lock:
            spawn = self._idle == 0
            if not spawn:
                self._idle -= 1
        self._jobs.put(job)
        if spawn:
            thread = threading.Thread(target=self._work, name="agentkit tool thread")
            self.threads.add(thread)
            thread.start()

    def stop_idle(self) -> None:
        """Tell every waiting thread to end (a busy one ends when its call returns)."""
        with self._lock:
            idle, self._idle = self._idle, 0
        for _ in range(idle):
            self._jobs.put(None)

    def _work(self) -> None:
        jobs, lock = self._jobs, self._lock
        idle_since = time.monotonic()
        try:
            while True:
                try:
                    job = jobs.get(timeout=POLL_S)
                except queue.Empty:
                    if self.loop.is_running() and time.monotonic() - idle_since < IDLE_S:
                        continue
                    with lock:
                        if self._idle == 0:
                            continue  # a job was promised to a waiting thread: wait for it
                        self._idle -= 1
                    if not self.loop.is_running():
                        self.forget()
                    return
                if job is None:
                    return
                hand_back = job()
                idle_since = time.monotonic()
                with lock:
                    self._idle += 1
                hand_back()
        finally:
            self.threads.discard(threading.current_thread())

    async def _until_loop_ends(self) -> AsyncGenerator[None, None]:
        """Open until the loop closes its async generators (``asyncio.run`` does on exit)."""
        try:
            yield
        finally:
            self.forget()
            self.stop_idle()

    def forget(self) -> None:
        """Drop this pool from the loops' pools: it refers to its loop, and would otherwise
        keep every ended loop alive (``run_sync`` makes one per call). Busy threads keep
        the pool they work for; a loop run again gets a new pool."""
        if _pools.get(self.loop) is self:
            del _pools[self.loop]


def _start_watching(watch: AsyncGenerator[None, None]) -> None:
    """Iterate ``watch`` once, here on the loop's thread: that registers it with the loop
    (its first-iteration hook), which closes it when it shuts down. The step is driven by
    hand, as it never waits for anything."""
    step = watch.__anext__()
    try:
        step.send(None)
    except StopIteration:
        pass  # it reached its ``yield``: it is open
    else:  # pragma: no cover - the generator above never awaits
        raise AssertionError("the watch generator awaited")


_pools: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, ToolThreads] = (
    weakref.WeakKeyDictionary()
)


def threads_for(loop: asyncio.AbstractEventLoop) -> ToolThreads:
    pool = _pools.get(loop)
    if pool is None:
        pool = _pools[loop] = ToolThreads(loop)
    return pool


async def run_in_thread(fn: Callable[[], T], limiter: anyio.CapacityLimiter | None) -> T:
    """Run ``fn`` in a worker thread and wait for it, ``limiter`` bounding how many run at
    once (anyio's default limiter when None).

    As with anyio's ``abandon_on_cancel``: a cancelled wait stops waiting at once and the
    thread is left to finish, its result dropped. The tool sees the caller's context
    variables (a copy, as in ``asyncio.to_thread``)."""
    loop = asyncio_loop()
    if loop is None:
        return await anyio.to_thread.run_sync(fn, limiter=limiter, abandon_on_cancel=True)
    if limiter is None:
        limiter = anyio.to_thread.current_default_thread_limiter()
    borrower = object()  # one token per call: several calls may wait from one task
    try:
        limiter.acquire_on_behalf_of_nowait(borrower)
    except anyio.WouldBlock:
        await limiter.acquire_on_behalf_of(borrower)
    try:
        future: asyncio.Future[T] = loop.create_future()
        job = thread_job(fn, loop, functools.partial(_settle, future))
        threads_for(loop).submit(job)
        return await future
    finally:
        limiter.release_on_behalf_of(borrower)


def asyncio_loop() -> asyncio.AbstractEventLoop | None:
    """The running asyncio loop, when asyncio is what runs this task (not trio)."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return None
    return loop if asyncio.current_task(loop) is not None else None


Delivery = Callable[[bool, Any], None]  # (returned normally, the value or the exception)


def thread_job(fn: Callable[[], Any], loop: asyncio.AbstractEventLoop, deliver: Delivery) -> Job:
    """A job that runs ``fn`` in a copy of the current context (so the tool sees the caller's
    context variables, as with ``asyncio.to_thread``) and calls ``deliver`` with its outcome
    on ``loop``'s thread. Made on the loop's thread, where the context is copied."""
    context = contextvars.copy_context()

    def job() -> Callable[[], None]:
        try:
            outcome: tuple[bool, Any] = (True, context.run(fn))
        except BaseException as error:  # handed to the loop, which decides what it means
            outcome = (False, error)

        def hand_back() -> None:
            try:
                loop.call_soon_threadsafe(deliver, *outcome)
            except RuntimeError:
                pass  # the loop has closed: nobody waits for this result any more

        return hand_back

    return job


def _settle(future: asyncio.Future[Any], returned: bool, value: Any) -> None:
    if future.done():  # a cancelled wait has stopped listening
        return
    if returned:
        future.set_result(value)
    else:
        future.set_exception(value)
