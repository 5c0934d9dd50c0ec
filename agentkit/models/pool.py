"""A connection pool whose every operation costs O(1) amortised, however many requests queue.

httpx sends through httpcore's ``AsyncConnectionPool``, which re-plans the whole pool every
time a request arrives or finishes: it walks every connection (asking each idle socket
whether the server closed it, a ``poll`` system call) and, for every queued request, every
connection again. With 100 runs in flight that bookkeeping was the client's main cost.
agentkit's first replacement polled less but still walked every connection and every queued
request on each event; with 1,000 runs in flight behind ``max_connections=512``, ~500 queue,
and the client spent 41.7 ms of CPU per step against 1 ms at 100 in flight.

This pool keeps httpcore's rules and changes only the data structures:

- Idle connections wait in a deque per origin, most recently used at the right. A request
  takes the newest one (the one least likely to have been closed by the server), tested for
  expiry right then, so a connection the server has closed is never handed out. Connections
  found expired are dropped as they are met, each once.
- Requests that find nothing wait in one FIFO queue and are served in arrival order: a
  connection that comes free goes to the head of the queue, with no scan of anything.
- A waiter that is cancelled (or times out) while queued is marked and skipped when it
  reaches the head; if a connection was handed to it in the same instant, it is given back.
- At most ``max_connections`` exist; idle ones beyond ``max_keepalive_connections`` are
  closed (the oldest first); every ``SWEEP_INTERVAL`` seconds the idle connections get the
  full expiry test (keep-alive timer and socket poll), so dead ones do not hold descriptors.

It relies on httpcore's public connection interface (``create_connection``, ``is_idle``,
``is_closed``, ``has_expired``, ``can_handle_request``, ``handle_async_request``) and on the
limits httpcore's pool stores in private attributes; ``install_linear_pool`` checks those
before swapping the class, and a client it cannot check keeps httpcore's own pool.
``tests/models/test_shortcut_contracts.py`` fails when a release changes what is relied on.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import AsyncIterable, AsyncIterator
from typing import Any

import anyio
import httpcore
import httpx

SWEEP_INTERVAL = 0.25  # seconds between expiry tests of connections nobody is asking for

# What the pool reads off the stock httpcore pool it replaces (set by its ``__init__``).
RELIED_ON = ("_max_connections", "_max_keepalive_connections", "_http1", "_http2")

Connection = httpcore.AsyncConnectionInterface
OriginKey = tuple[bytes, bytes, int]


def _key(origin: httpcore.Origin) -> OriginKey:
    # httpcore's Origin defines equality but no hash.
    return (origin.scheme, origin.host, origin.port)


class _Waiter:
    """A request queued for a connection. ``gone`` marks one that stopped waiting."""

    __slots__ = ("connection", "event", "gone", "origin")

    def __init__(self, origin: httpcore.Origin) -> None:
        self.origin = origin
        self.connection: Connection | None = None
        self.event = anyio.Event()
        self.gone = False


class LinearConnectionPool(httpcore.AsyncConnectionPool):
    """httpcore's pool with a FIFO of waiters and per-origin deques of idle connections."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.adopt()

    def adopt(self) -> None:
        """Set up this pool's own state; called by ``__init__`` and after a class swap
        (a pool swapped in place has been built by httpcore's ``__init__`` only)."""
        # Every open connection, in use or idle, and the origin it was made for.
        self._members: dict[Connection, OriginKey] = {}
        self._idle: dict[OriginKey, deque[Connection]] = {}
        self._idle_count = 0
        self._waiters: deque[_Waiter] = deque()
        self._queued = 0  # waiters not gone
        self._last_sweep = time.monotonic()

    # -- what httpx calls ------------------------------------------------------------

    async def handle_async_request(self, request: httpcore.Request) -> httpcore.Response:
        scheme = request.url.scheme.decode()
        if scheme not in ("http", "https", "ws", "wss"):
            shown = f"'{scheme}://'" if scheme else "no 'http://' or 'https://'"
            raise httpcore.UnsupportedProtocol(f"Request URL has {shown} protocol.")
        timeout = request.extensions.get("timeout", {}).get("pool")
        origin = request.url.origin
        while True:
            connection = await self._acquire(origin, timeout)
            try:
                response = await connection.handle_async_request(request)
            except httpcore.ConnectionNotAvailable:
                await self._give_back(connection)  # it closed under us: ask again
                continue
            except BaseException:
                await self._give_back(connection)
                raise
            break
        assert isinstance(response.stream, AsyncIterable)
        return httpcore.Response(
            status=response.status,
            headers=response.headers,
            content=_PooledStream(response.stream, self, connection),
            extensions=response.extensions,
        )

    @property
    def connections(self) -> list[Connection]:
        return list(self._members)

    async def aclose(self) -> None:
        closing = list(self._members)
        self._members.clear()
        self._idle.clear()
        self._idle_count = 0
        await _close(closing)

    def __repr__(self) -> str:
        active = len(self._members) - self._idle_count
        return (
            f"<{type(self).__name__} [Requests: {active} active, {self._queued} queued | "
            f"Connections: {active} active, {self._idle_count} idle]>"
        )

    # -- the rules ---------------------------------------------------------------------

    async def _acquire(self, origin: httpcore.Origin, timeout: float | None) -> Connection:
        closing: list[Connection] = []
        self._sweep(closing)
        # Nobody may overtake a request already queued (FIFO), so the fast path is taken
        # only when the queue is empty.
        connection = None if self._queued else self._connection_for(origin, closing)
        if connection is not None:
            if closing:
                await _close(closing)
            return connection
        waiter = _Waiter(origin)
        self._waiters.append(waiter)
        self._queued += 1
        try:
            if closing:
                await _close(closing)
            with anyio.move_on_after(float("inf") if timeout is None else timeout):
                await waiter.event.wait()
        except BaseException:
            await self._leave(waiter)
            raise
        if waiter.connection is None:  # the pool timeout
            await self._leave(waiter)
            raise httpcore.PoolTimeout("no connection came free within the pool timeout")
        return waiter.connection

    async def _leave(self, waiter: _Waiter) -> None:
        """A waiter stops waiting: it is skipped later, and a connection it was handed in
        the same instant goes to the next one."""
        if waiter.connection is None:
            if not waiter.gone:
                waiter.gone = True
                self._queued -= 1
        else:
            await self._give_back(waiter.connection)

    def _connection_for(
        self, origin: httpcore.Origin, closing: list[Connection]
    ) -> Connection | None:
        """An idle connection for ``origin``, else a new one if there is room (closing the
        oldest idle connection of another origin to make it), else None."""
        connection = self._take_idle(_key(origin), closing)
        if connection is not None:
            return connection
        if len(self._members) >= self._max_connections and not self._evict_oldest(closing):
            return None
        connection = self.create_connection(origin)
        self._members[connection] = _key(origin)
        return connection

    def _take_idle(self, key: OriginKey, closing: list[Connection]) -> Connection | None:
        idle = self._idle.get(key)
        while idle:
            connection = idle.pop()
            self._idle_count -= 1
            if connection.is_closed() or connection.has_expired():
                self._drop(connection, closing)
                continue
            return connection
        return None

    def _evict_oldest(self, closing: list[Connection]) -> bool:
        for idle in self._idle.values():  # one deque per origin: a handful at most
            if idle:
                self._idle_count -= 1
                self._drop(idle.popleft(), closing)
                return True
        return False

    def _drop(self, connection: Connection, closing: list[Connection]) -> None:
        """Out of the pool, and closed unless it is already (or the pool let it go before)."""
        if self._members.pop(connection, None) is not None and not connection.is_closed():
            closing.append(connection)

    async def _give_back(self, connection: Connection) -> None:
        """A connection's request is over (answered, failed or never sent): it serves the
        head of the queue, waits idle, or leaves the pool."""
        closing: list[Connection] = []
        if connection in self._members:
            # Closed (a failed connect also reads as idle), or never connected (handed to
            # a waiter that left): not reusable.
            if connection.is_idle() and not connection.is_closed():
                self._park(connection, closing)
            else:
                self._drop(connection, closing)
        self._serve_queue(closing)
        if closing:
            await _close(closing)

    def _park(self, connection: Connection, closing: list[Connection]) -> None:
        key = self._members[connection]
        idle = self._idle.get(key)
        if idle is None:
            idle = self._idle[key] = deque()
        idle.append(connection)
        self._idle_count += 1
        if self._idle_count > self._max_keepalive_connections:
            self._idle_count -= 1
            self._drop(idle.popleft(), closing)

    def _serve_queue(self, closing: list[Connection]) -> None:
        """Hand connections to queued requests, in order, while any can be had. Each turn
        either serves the head (or discards a gone one) or stops: O(1) amortised."""
        waiters = self._waiters
        while waiters:
            head = waiters[0]
            if head.gone:
                waiters.popleft()
                continue
            connection = self._connection_for(head.origin, closing)
            if connection is None:
                return
            waiters.popleft()
            self._queued -= 1
            head.connection = connection
            head.event.set()

    def _sweep(self, closing: list[Connection]) -> None:
        now = time.monotonic()
        if now - self._last_sweep < SWEEP_INTERVAL:
            return
        self._last_sweep = now
        for idle in self._idle.values():
            for _ in range(len(idle)):  # each once, order kept
                connection = idle.popleft()
                if connection.is_closed() or connection.has_expired():
                    self._idle_count -= 1
                    self._drop(connection, closing)
                else:
                    idle.append(connection)


async def _close(connections: list[Connection]) -> None:
    with anyio.CancelScope(shield=True):
        for connection in connections:
            await connection.aclose()


class _PooledStream:
    """The response body; closing it hands the connection back to the pool."""

    def __init__(
        self, stream: AsyncIterable[bytes], pool: LinearConnectionPool, connection: Connection
    ) -> None:
        self._stream = stream
        self._pool = pool
        self._connection = connection
        self._closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for part in self._stream:
                yield part
        except BaseException:
            await self.aclose()
            raise

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        with anyio.CancelScope(shield=True):
            close = getattr(self._stream, "aclose", None)
            if close is not None:
                await close()
            await self._pool._give_back(self._connection)


def install_linear_pool(client: httpx.AsyncClient) -> bool:
    """Swap the client's default pool for ``LinearConnectionPool``; False (nothing changed)
    unless its transport is the stock httpx one over an empty stock httpcore pool speaking
    HTTP/1.1 only, with the attributes this pool reads."""
    transport = getattr(client, "_transport", None)
    pool = getattr(transport, "_pool", None)
    if type(transport) is not httpx.AsyncHTTPTransport or type(pool) is not (
        httpcore.AsyncConnectionPool
    ):
        return False
    if not all(hasattr(pool, name) for name in RELIED_ON) or pool.connections:
        return False
    if pool._http2 or not pool._http1:  # one request per connection is what the pool assumes
        return False
    pool.__class__ = LinearConnectionPool
    assert isinstance(pool, LinearConnectionPool)
    pool.adopt()
    return True
