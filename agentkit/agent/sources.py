"""Opening an agent's live tool sources (MCP servers) for as long as anyone needs them.

An agent's runs, streams and chats, and the user's own ``async with agent:`` blocks, all
need the servers open while they work. They overlap freely — two runs at once, a run inside
a block, a stream closed by the garbage collector from another task — so the servers are
counted rather than owned: the first holder opens what is closed, the last one to let go
closes what was opened. Servers the user opened themselves are never closed here.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import anyio

from agentkit.tools.toolset import Toolset


class HeldSources:
    def __init__(self, toolset: Toolset) -> None:
        self._toolset = toolset
        self._holders = 0
        self._opened: contextlib.AsyncExitStack | None = None
        self._lock: anyio.Lock | None = None  # made on first use, inside an event loop

    @property
    def holders(self) -> int:
        return self._holders

    @contextlib.asynccontextmanager
    async def held(self) -> AsyncIterator[None]:
        await self.acquire()
        try:
            yield
        finally:
            await self.release()

    async def acquire(self) -> None:
        if self._lock is None:
            self._lock = anyio.Lock()
        async with self._lock:
            if self._holders == 0:
                stack = contextlib.AsyncExitStack()
                try:
                    for source in self._toolset.closed_sources():
                        await stack.enter_async_context(source)
                except BaseException:
                    with anyio.CancelScope(shield=True):
                        await stack.aclose()
                    raise
                self._opened = stack
            self._holders += 1

    async def release(self) -> None:
        assert self._lock is not None, "release without acquire"
        # Shielded: a holder that is being cancelled must still close what it opened, or
        # a server process outlives the run.
        with anyio.CancelScope(shield=True):
            async with self._lock:
                self._holders -= 1
                if self._holders == 0 and self._opened is not None:
                    opened, self._opened = self._opened, None
                    await opened.aclose()
