"""A connection pool whose bookkeeping stays linear in the number of connections.

httpx sends through httpcore's ``AsyncConnectionPool``, which re-plans the whole pool every
time a request arrives or finishes: for every idle connection it counts all connections
again, and it asks every idle connection's socket whether the server closed it (a ``poll``
system call each). With 100 runs in flight against a fast server, the pool holds ~100
connections, ~90 of them idle at any instant, and that bookkeeping — not the requests —
becomes the client's main cost: measured, throughput fell from ~250 to ~37 runs per second
and stayed there, because a slower client keeps more connections idle. Which of the two
states a burst ends in depends on how quickly its first connections open.

This pool keeps httpcore's rules and changes only their cost:

1. Each pass drops closed connections (a flag check), and gives each idle connection the
   full expiry test (the socket poll) at most every ``SWEEP_INTERVAL`` seconds.
2. A queued request takes the first available connection, which is tested for expiry
   right then — a connection the server has closed is never handed out.
3. Idle connections beyond ``max_keepalive_connections`` are closed, counted once per
   pass (httpcore counts every connection, idle or not, for each idle one).

It is installed only on agentkit's own client, and only over the exact httpcore class it
was written against; a client the user passes in keeps whatever pool it has.
"""

from __future__ import annotations

import time
from typing import Any

import httpcore
import httpx

SWEEP_INTERVAL = 0.25  # seconds between expiry tests of connections nobody is asking for


class LinearConnectionPool(httpcore.AsyncConnectionPool):
    _last_sweep: float = 0.0

    def _assign_requests_to_connections(self) -> list[Any]:
        closing: list[Any] = []
        now = time.monotonic()
        sweep = now - self._last_sweep >= SWEEP_INTERVAL
        if sweep:
            self._last_sweep = now
        kept: list[Any] = []
        idle = 0
        for connection in self._connections:
            if connection.is_closed():
                continue
            if connection.is_idle():
                idle += 1
                if idle > self._max_keepalive_connections or (sweep and connection.has_expired()):
                    closing.append(connection)
                    continue
            kept.append(connection)
        self._connections = kept

        # Connections promised to a request that has not finished, this pass or an earlier
        # one: an HTTP/1.1 connection still reads as available until its request is sent.
        taken = {id(r.connection) for r in self._requests if r.connection is not None}
        # What can serve a queued request, listed once per pass (not once per request: with
        # a thousand requests queued behind a full pool, scanning every connection for each
        # of them made every pass quadratic).
        free = [c for c in self._connections if id(c) not in taken and c.is_available()]
        room = self._max_connections - len(self._connections)
        for pool_request in self._requests:
            if not pool_request.is_queued():
                continue
            origin = pool_request.request.url.origin
            connection = self._take_free(free, origin, closing)
            if connection is None:
                if room <= 0:
                    # A free connection of another origin makes room, if there is one.
                    spare = next((c for c in free if c.is_idle()), None)
                    if spare is None:
                        if not free:
                            break  # nothing can be given to any request still queued
                        continue  # this one waits for a connection to come free
                    free.remove(spare)
                    self._connections.remove(spare)
                    closing.append(spare)
                    room += 1
                connection = self.create_connection(origin)
                self._connections.append(connection)
                room -= 1
            taken.add(id(connection))
            pool_request.assign_to_connection(connection)
        return closing

    def _take_free(self, free: list[Any], origin: Any, closing: list[Any]) -> Any:
        """The first free connection for ``origin``, tested for expiry first (one the server
        closed is dropped, never handed out).

        A connection promised to another request is not in ``free``: httpcore would hand
        it to every queued request until one of them sent on it, and the rest would fail
        and queue again (HTTP/1.1 carries one request at a time; this pool is installed
        only on clients that speak HTTP/1.1 alone).
        """
        index = 0
        while index < len(free):
            connection = free[index]
            if not connection.can_handle_request(origin):
                index += 1
                continue
            del free[index]
            if not connection.has_expired():
                return connection
            self._connections.remove(connection)
            closing.append(connection)
        return None


def install_linear_pool(client: httpx.AsyncClient) -> bool:
    """Swap the client's default pool for ``LinearConnectionPool``; False if its transport
    is not the stock httpx one over the stock httpcore pool (then nothing changes)."""
    transport = getattr(client, "_transport", None)
    pool = getattr(transport, "_pool", None)
    if type(transport) is not httpx.AsyncHTTPTransport or type(pool) is not (
        httpcore.AsyncConnectionPool
    ):
        return False
    pool.__class__ = LinearConnectionPool
    return True
