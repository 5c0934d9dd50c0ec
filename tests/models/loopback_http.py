"""A tiny HTTP/1.1 server on loopback for the pool's tests, in the test's own event loop.

It answers ``GET /path`` with ``/path on N`` (N: which connection, counted from 1), keeps
connections alive, and lets a test hold an answer until released, close a connection right
after answering (a connection that dies while the client thinks it pooled), and wait for
any state it records (requests arrived, connections open or closed by the client).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable

import anyio


class LoopbackServer:
    def __init__(self) -> None:
        self.port = 0
        self.arrivals: list[tuple[str, int]] = []  # (path, connection number), in order
        self.connections = 0
        self.open = 0
        self.most_open = 0
        self.closed_by_client = 0
        self.holds: dict[str, anyio.Event] = {}  # path -> released when set
        self.die_after: set[str] = set()  # paths whose connection is closed once answered
        self.set_cookie: dict[str, str] = {}  # path -> the Set-Cookie header its answer has
        self.cookies_sent: list[str | None] = []  # each request's Cookie header, in order
        self._changed = anyio.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _note(self) -> None:
        self._changed.set()
        self._changed = anyio.Event()

    async def until(self, condition: Callable[[], bool]) -> None:
        """Wait (at most 10 s) for the server's records to satisfy ``condition``."""
        with anyio.fail_after(10):
            while not condition():
                await self._changed.wait()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        number = self.connections
        self.open += 1
        self.most_open = max(self.most_open, self.open)
        self._note()
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                path = head.split(b" ")[1].decode()
                headers = dict(
                    line.decode().lower().split(": ", 1)
                    for line in head.split(b"\r\n")[1:]
                    if b": " in line
                )
                self.cookies_sent.append(headers.get("cookie"))
                self.arrivals.append((path, number))
                self._note()
                if path in self.holds:
                    await self.holds[path].wait()
                body = f"{path} on {number}".encode()
                extra = (
                    f"set-cookie: {self.set_cookie[path]}\r\n" if path in self.set_cookie else ""
                )
                writer.write(
                    b"HTTP/1.1 200 OK\r\n%scontent-length: %d\r\n\r\n" % (extra.encode(), len(body))
                    + body
                )
                await writer.drain()
                if path in self.die_after:
                    writer.close()
                    await writer.wait_closed()
                    return
        except (asyncio.IncompleteReadError, ConnectionError):
            self.closed_by_client += 1
            writer.close()
        finally:
            self.open -= 1
            self._note()


@contextlib.asynccontextmanager
async def loopback_server() -> AsyncIterator[LoopbackServer]:
    """The server, serving in the running asyncio loop until the block ends. (asyncio's own
    server, not an anyio task group: pytest runs a fixture's setup and teardown in different
    tasks, and a task group must be left in the task that entered it.)"""
    server = LoopbackServer()
    listening = await asyncio.start_server(server.handle, "127.0.0.1", 0)
    server.port = listening.sockets[0].getsockname()[1]
    try:
        yield server
    finally:
        listening.close()
        for hold in server.holds.values():
            hold.set()  # handlers still holding an answer end, so the server can close
        await listening.wait_closed()
