"""The linear connection pool: httpcore's rules, bookkeeping linear in the pool's size."""

from __future__ import annotations

from typing import Any

import anyio
import httpcore
import httpx
import pytest

from agentkit.models import Gemini
from agentkit.models import pool as pool_module
from agentkit.models.pool import LinearConnectionPool, install_linear_pool
from agentkit.testing.emulator import Emulator
from agentkit.types import Content, GenerateContentRequest

A = httpcore.URL("http://a.test/").origin
B = httpcore.URL("http://b.test/").origin


class FakeConnection:
    """The part of httpcore's connection interface the pool plans with."""

    def __init__(self, origin: Any = A, state: str = "idle", expired: bool = False) -> None:
        self.origin, self.state, self.expired = origin, state, expired
        self.expiry_checks = 0

    def can_handle_request(self, origin: Any) -> bool:
        return bool(origin == self.origin)

    def is_available(self) -> bool:
        return self.state == "idle"

    def is_idle(self) -> bool:
        return self.state == "idle"

    def is_closed(self) -> bool:
        return self.state == "closed"

    def has_expired(self) -> bool:
        self.expiry_checks += 1
        return self.expired


def pool_with(
    connections: list[FakeConnection], requests: int = 1, url: str = "http://a.test/", **limits: int
) -> tuple[LinearConnectionPool, list[httpcore._async.connection_pool.AsyncPoolRequest]]:
    limits = {"max_connections": 100, "max_keepalive_connections": 100, **limits}
    pool = LinearConnectionPool(**limits)  # type: ignore[arg-type]
    pool._connections = list(connections)  # type: ignore[arg-type]
    queued = [
        httpcore._async.connection_pool.AsyncPoolRequest(httpcore.Request("GET", url))
        for _ in range(requests)
    ]
    pool._requests = list(queued)
    pool._last_sweep = float("inf")  # no sweep unless a test asks for one
    return pool, queued


async def test_a_request_takes_the_first_available_connection_for_its_origin() -> None:
    busy, other_origin, free = FakeConnection(state="active"), FakeConnection(B), FakeConnection()
    pool, [request] = pool_with([busy, other_origin, free])
    assert pool._assign_requests_to_connections() == []
    assert request.connection is free
    assert pool._connections == [busy, other_origin, free]


async def test_a_connection_the_server_closed_is_never_handed_out() -> None:
    stale, fresh = FakeConnection(expired=True), FakeConnection()
    pool, [request] = pool_with([stale, fresh])
    assert pool._assign_requests_to_connections() == [stale]
    assert request.connection is fresh and pool._connections == [fresh]


async def test_a_connection_promised_to_an_unsent_request_is_not_promised_again() -> None:
    free = FakeConnection()  # stays "available" until the first request is actually sent
    pool, [first, second] = pool_with([free], requests=2)
    pool._assign_requests_to_connections()
    assert first.connection is free
    assert second.connection is not None and second.connection is not free
    third = httpcore._async.connection_pool.AsyncPoolRequest(httpcore.Request("GET", "http://a.test/"))
    pool._requests.append(third)
    pool._assign_requests_to_connections()  # a later pass, first still not sent
    assert third.connection not in (None, free)
    assert free.expiry_checks == 1


async def test_without_an_available_connection_a_new_one_is_opened() -> None:
    busy = FakeConnection(state="active")
    pool, [request] = pool_with([busy])
    assert pool._assign_requests_to_connections() == []
    assert isinstance(request.connection, httpcore.AsyncHTTPConnection)
    assert pool._connections == [busy, request.connection]


async def test_at_the_connection_limit_an_idle_connection_makes_room_or_the_request_waits() -> None:
    busy, spare = FakeConnection(state="active"), FakeConnection(B)
    pool, [request] = pool_with([busy, spare], max_connections=2)
    assert pool._assign_requests_to_connections() == [spare]
    assert request.connection is not None and request.connection not in (busy, spare)

    pool, [waiting] = pool_with([FakeConnection(state="active")] * 2, max_connections=2)
    assert pool._assign_requests_to_connections() == []
    assert waiting.is_queued()


async def test_idle_connections_beyond_the_keepalive_allowance_are_closed() -> None:
    idle = [FakeConnection() for _ in range(5)]
    busy = FakeConnection(state="active")
    pool, _ = pool_with([idle[0], busy, *idle[1:]], requests=0, max_keepalive_connections=3)
    assert pool._assign_requests_to_connections() == idle[3:]
    assert pool._connections == [idle[0], busy, idle[1], idle[2]]


async def test_closed_connections_leave_the_pool_without_being_closed_again() -> None:
    closed, idle = FakeConnection(state="closed"), FakeConnection()
    pool, _ = pool_with([closed, idle], requests=0)
    assert pool._assign_requests_to_connections() == []
    assert pool._connections == [idle]


async def test_idle_sockets_are_polled_only_on_a_sweep_or_when_chosen() -> None:
    idle = [FakeConnection() for _ in range(50)]
    idle[7].expired = True
    pool, _ = pool_with(idle, requests=0)
    for _ in range(10):
        pool._assign_requests_to_connections()
    assert sum(c.expiry_checks for c in idle) == 0  # httpcore: 50 polls per pass, 500 here
    pool._last_sweep = float("-inf")
    assert pool._assign_requests_to_connections() == [idle[7]]
    assert [c.expiry_checks for c in idle] == [1] * 50


def test_only_the_stock_pool_of_the_stock_transport_is_replaced() -> None:
    own = httpx.AsyncClient()
    assert install_linear_pool(own) and type(own._transport._pool) is LinearConnectionPool  # type: ignore[attr-defined]
    custom = httpx.AsyncClient(transport=httpx.MockTransport(lambda request: httpx.Response(200)))
    assert not install_linear_pool(custom)


async def test_a_hundred_runs_in_flight_poll_each_socket_a_bounded_number_of_times(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """End to end over loopback: every request answered, and the expiry checks per request
    stay constant (httpcore's own pool made 128,950 here: one per idle connection per
    request)."""
    checks = 0
    original = httpcore.AsyncHTTPConnection.has_expired

    def counted(self: httpcore.AsyncHTTPConnection) -> bool:
        nonlocal checks
        checks += 1
        return original(self)

    monkeypatch.setattr(httpcore.AsyncHTTPConnection, "has_expired", counted)
    monkeypatch.setattr(pool_module, "SWEEP_INTERVAL", float("inf"))  # timing-free count
    emulator.respond_with(lambda request: "ok")
    model = Gemini(base_url=emulator.url)
    request = GenerateContentRequest(contents=[Content.user("hi")])
    answers: list[str | None] = []

    async def ask_three_times() -> None:
        for _ in range(3):
            answers.append((await model.generate(request)).text)

    async with anyio.create_task_group() as group:
        for _ in range(100):
            group.start_soon(ask_three_times)
    await model.aclose()
    assert answers == ["ok"] * 300
    assert model._transport._client is None  # closed and dropped
    # One check per request that reuses a connection, plus at most one per connection that
    # is found expired on a slow machine (each then leaves the pool).
    assert checks <= 300 + 100


async def test_a_thousand_requests_queued_behind_a_full_pool_cost_one_look_at_each_connection() -> None:
    class Counting(FakeConnection):
        looks = 0

        def is_available(self) -> bool:
            Counting.looks += 1
            return super().is_available()

    busy = [Counting(state="active") for _ in range(50)]
    pool, queued = pool_with(busy, requests=1000, max_connections=50)  # type: ignore[arg-type]
    assert pool._assign_requests_to_connections() == []
    assert all(request.is_queued() for request in queued)
    assert Counting.looks == 50  # once each, not once per queued request (50,000)
