"""One live connection to an MCP server, held by a task of its own.

The SDK's client is an async context manager full of task groups: it must be entered and
left by the same task, and a failure inside it (the server process dying) surfaces where it
was entered. So one *holder* task, started in the toolset's own task group, enters it, lists
the tools and then waits to be told to close; calls are sent from whichever task runs them
(the session is safe to share within its event loop). When the holder sees the connection
fail, or a call finds it closed, the connection is marked broken; the next call opens a new
one (a fresh holder) and refreshes the tool list. A call that was in flight when the server
went away is reported to the model as such and never sent again: it may have run.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import anyio
import mcp_types as types
from anyio.abc import TaskGroup, TaskStatus
from mcp import Client, MCPError

from agentkit.errors import MCPServerError
from agentkit.logs import get_logger

log = get_logger()


@dataclass
class Endpoint:
    """Where a server is and how to open it: ``open`` yields a ``Client`` not yet entered."""

    label: str  # how errors name the server: its name, or its command or URL
    client: Callable[[Callable[..., Any]], contextlib.AbstractAsyncContextManager[Client]]
    connect_timeout: float
    call_timeout: float | None
    stderr_tail: Callable[[], str] = lambda: ""  # a stdio server's last words, if kept


@dataclass
class Held:
    client: Client
    tools: list[types.Tool]
    closing: anyio.Event = field(default_factory=anyio.Event)
    closed: anyio.Event = field(default_factory=anyio.Event)
    broken: BaseException | None = None


class Connection:
    """Opens, holds, reopens and closes one server's client."""

    def __init__(self, endpoint: Endpoint, on_message: Callable[[Any], Any]) -> None:
        self.endpoint = endpoint
        self._on_message = on_message
        self._group: TaskGroup | None = None
        self._held: Held | None = None
        self._lock = anyio.Lock()  # one reconnect at a time
        self.generation = 0  # counts connections: the tool list is refreshed with each

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[Connection]:
        async with anyio.create_task_group() as group:
            self._group = group
            try:
                await self.reconnect()
                yield self
            finally:
                await self._close_held()
                self._group = None
                group.cancel_scope.cancel()

    @property
    def tools(self) -> list[types.Tool]:
        return self._held.tools if self._held is not None else []

    async def client(self) -> Client:
        """The live client, reconnecting first when the last one broke."""
        held = self._held
        if held is not None and held.broken is None:
            if not connection_ended(held.client):
                return held.client
            # The server went while nobody was calling it (a stdio server that exited):
            # nothing was sent to it, so the call may go to a fresh connection.
            self.mark_broken(ConnectionError("the server had closed the connection"))
        async with self._lock:
            if self._held is None or self._held.broken is not None:
                await self.reconnect()
            assert self._held is not None
            return self._held.client

    def mark_broken(self, why: BaseException) -> None:
        if self._held is not None and self._held.broken is None:
            self._held.broken = why
            log.warning("mcp.disconnected", server=self.endpoint.label, reason=str(why))

    async def reconnect(self) -> None:
        if self._group is None:
            raise MCPServerError(self.endpoint.label, "the toolset is not open")
        await self._close_held()
        try:
            with anyio.fail_after(self.endpoint.connect_timeout):
                held: Held = await self._group.start(self._hold)
        except TimeoutError:
            raise MCPServerError(
                self.endpoint.label,
                f"did not finish connecting within {self.endpoint.connect_timeout:g} s",
            ) from None
        self._held = held
        self.generation += 1

    async def refresh_tools(self) -> None:
        """Fetch the tool list again (after ``notifications/tools/list_changed``)."""
        held = self._held
        if held is not None and held.broken is None:
            held.tools = await _all_tools(held.client)

    async def _hold(self, *, task_status: TaskStatus[Held]) -> None:
        started = False
        held: Held | None = None
        try:
            async with self.endpoint.client(self._on_message) as client:
                held = Held(client, await _all_tools(client))
                task_status.started(held)
                started = True
                await held.closing.wait()
        except Exception as error:
            if not started:
                raise MCPServerError(
                    self.endpoint.label, self._with_stderr(describe_failure(error))
                ) from error
            if held is not None:
                held.broken = held.broken or error
                log.warning(
                    "mcp.disconnected", server=self.endpoint.label, reason=describe_failure(error)
                )
        finally:
            if held is not None:
                held.closed.set()

    def _with_stderr(self, reason: str) -> str:
        said = self.endpoint.stderr_tail()
        return f"{reason}; it said on stderr: {said}" if said else reason

    async def _close_held(self) -> None:
        held, self._held = self._held, None
        if held is None:
            return
        held.closing.set()
        # A server that does not go when asked is not waited for past a few seconds: the
        # SDK ends the process itself when its context is left.
        with anyio.move_on_after(10):
            await held.closed.wait()


async def _all_tools(client: Client) -> list[types.Tool]:
    tools: list[types.Tool] = []
    cursor: str | None = None
    while True:
        page = await client.list_tools(cursor=cursor)
        tools.extend(page.tools)
        cursor = page.next_cursor
        if not cursor:
            return tools


def connection_ended(client: Client) -> bool:
    """Whether the SDK has already seen the server's side close (end of a stdio pipe).

    The SDK marks its JSON-RPC dispatcher closed on that end but tells nobody until the next
    request fails, and a failed request reads the same whether it was sent or not. Asked
    before sending, it separates a server that is gone (reconnect, then send) from one that
    went during the call (which may have run). The SDK keeps this private, so it is read
    defensively, and ``tests/mcp/test_lifecycle.py`` fails if the SDK stops keeping it.
    """
    session = getattr(client, "_session", None)
    dispatcher = getattr(session, "_dispatcher", None)
    return getattr(dispatcher, "_closed", False) is True


def describe_failure(error: BaseException) -> str:
    """One line for what went wrong, from inside the task groups that wrap it."""
    while isinstance(error, BaseExceptionGroup) and error.exceptions:
        error = error.exceptions[0]
    if isinstance(error, MCPServerError):
        return error.reason
    if isinstance(error, MCPError):
        return f"{error.message} (code {error.code})"
    if isinstance(error, FileNotFoundError):
        return f"cannot start it: no such command {error.filename or ''}".rstrip()
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
