"""An async context held open by a task of its own, so any task may close it.

The SDK's client lives inside task groups, and anyio insists that a task group is left by
the task that entered it. Users do not work that way: a pytest fixture opens a toolset in
its set-up task and closes it in another, a web app opens it in its lifespan handler, a
notebook opens it in one cell and closes it in the next. Holding the context in a task that
only waits to be told to close makes opening and closing two plain awaits that work from
anywhere on the same event loop.

The task is an asyncio task rather than a child of some task group: a group would have to
be entered by the opener and left by the closer, the very thing this avoids. agentkit runs
on asyncio (anyio's default backend); on another backend opening says so.
"""

from __future__ import annotations

import asyncio
from contextlib import AbstractAsyncContextManager
from typing import Generic, TypeVar

import anyio

T = TypeVar("T")


class NotOnAsyncio(RuntimeError):
    """Opening was attempted outside an asyncio event loop."""


class KeptOpen(Generic[T]):
    """``await kept.open()`` enters the context in its own task; ``await kept.close()``
    (from any task) leaves it there and waits until it is left."""

    def __init__(self, context: AbstractAsyncContextManager[T]) -> None:
        self._context = context
        self._entered = anyio.Event()
        self._release = anyio.Event()
        self._value: T | None = None
        self._failure: BaseException | None = None
        self._task: asyncio.Task[None] | None = None

    async def open(self) -> T:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            raise NotOnAsyncio("MCP toolsets need an asyncio event loop") from None
        self._task = loop.create_task(self._hold())
        try:
            await self._entered.wait()
        except BaseException:
            # The opener was cancelled (or interrupted) while the context was being
            # entered: nothing may be left running behind it.
            await self.close()
            raise
        if self._failure is not None:
            failure, self._failure = self._failure, None
            await self._finished()
            raise failure
        assert self._value is not None
        return self._value

    async def close(self) -> None:
        """Leave the context; a failure raised while leaving it is raised here."""
        self._release.set()
        await self._finished()
        if self._failure is not None:
            failure, self._failure = self._failure, None
            raise failure

    async def _finished(self) -> None:
        task = self._task
        if task is None:
            return
        # Shielded: a closer that is being cancelled must still see the server go, or the
        # server outlives it. Leaving is bounded by the context itself (it stops the server).
        with anyio.CancelScope(shield=True):
            await asyncio.wait([task])

    async def _hold(self) -> None:
        try:
            async with self._context as value:
                self._value = value
                self._entered.set()
                await self._release.wait()
        except BaseException as error:  # kept for the opener or closer, who raise it
            self._failure = error
            if not isinstance(error, Exception):
                raise
        finally:
            self._entered.set()
