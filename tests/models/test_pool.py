"""The connection pool's rules, against a real HTTP/1.1 server on loopback.

Each test drives httpx with ``LinearConnectionPool`` installed and reads what the server
saw (which connection served which request, in which order, which connections the client
closed) and what the pool holds afterwards: nothing leaked, no slot lost.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
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
from tests.models.loopback_http import LoopbackServer, loopback_server


@pytest.fixture
async def server() -> AsyncIterator[LoopbackServer]:
    async with loopback_server() as running:
        yield running


def pooled(
    server: LoopbackServer, connections: int, keepalive: int | None = None, **limits: Any
) -> httpx.AsyncClient:
    client = httpx.AsyncClient(
        base_url=server.url,
        limits=httpx.Limits(
            max_connections=connections, max_keepalive_connections=keepalive, **limits
        ),
    )
    assert install_linear_pool(client)
    return client


def pool_of(client: httpx.AsyncClient) -> LinearConnectionPool:
    pool = client._transport._pool  # type: ignore[attr-defined]
    assert isinstance(pool, LinearConnectionPool)
    return pool


async def until_queued(pool: LinearConnectionPool, count: int) -> None:
    with anyio.fail_after(10):
        while pool._queued != count:
            await anyio.lowlevel.checkpoint()


async def test_never_more_connections_than_the_limit(server: LoopbackServer) -> None:
    gate = anyio.Event()
    server.holds = {f"/{i}": gate for i in range(10)}
    answers: dict[int, str] = {}
    async with pooled(server, 3) as client:

        async def get(i: int) -> None:
            answers[i] = (await client.get(f"/{i}")).text

        async with anyio.create_task_group() as group:
            for i in range(10):
                group.start_soon(get, i)
            await server.until(lambda: len(server.arrivals) == 3)
            await until_queued(pool_of(client), 7)
            assert server.open == 3
            gate.set()
        assert len(pool_of(client).connections) == 3
    assert server.most_open == 3 and server.connections == 3
    assert sorted(answers) == list(range(10))
    assert {answer.split(" on ")[1] for answer in answers.values()} == {"1", "2", "3"}


async def test_queued_requests_are_served_in_arrival_order(server: LoopbackServer) -> None:
    server.holds = {"/0": anyio.Event()}
    async with pooled(server, 1) as client:
        async with anyio.create_task_group() as group:
            group.start_soon(client.get, "/0")
            await server.until(lambda: len(server.arrivals) == 1)
            for i in range(1, 6):
                group.start_soon(client.get, f"/{i}")
                await until_queued(pool_of(client), i)
            server.holds["/0"].set()
    assert server.arrivals == [(f"/{i}", 1) for i in range(6)]


async def test_idle_connections_beyond_the_keepalive_allowance_are_closed(
    server: LoopbackServer,
) -> None:
    gate = anyio.Event()
    server.holds = {f"/{i}": gate for i in range(5)}
    async with pooled(server, 5, keepalive=2) as client:
        async with anyio.create_task_group() as group:
            for i in range(5):
                group.start_soon(client.get, f"/{i}")
            await server.until(lambda: server.open == 5)
            gate.set()
        await server.until(lambda: server.closed_by_client == 3)
        assert len(pool_of(client).connections) == 2 and server.open == 2
        again = await client.get("/again")
    assert server.connections == 5  # served by one of the two kept, not a new one
    assert again.text.split(" on ")[1] in {str(n) for n in range(1, 6)}


async def test_a_connection_past_its_keepalive_expiry_is_closed_not_reused(
    server: LoopbackServer,
) -> None:
    async with pooled(server, 4, keepalive_expiry=0.0) as client:
        assert (await client.get("/a")).text == "/a on 1"
        assert (await client.get("/b")).text == "/b on 2"
        await server.until(lambda: server.closed_by_client == 1)
        assert len(pool_of(client).connections) == 1


async def test_the_sweep_closes_expired_idle_connections_nobody_asked_for(
    server: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pool_module, "SWEEP_INTERVAL", 0.0)
    gate = anyio.Event()
    server.holds = {"/a": gate, "/b": gate}
    async with pooled(server, 4, keepalive_expiry=0.0) as client:
        async with anyio.create_task_group() as group:
            group.start_soon(client.get, "/a")
            group.start_soon(client.get, "/b")
            await server.until(lambda: server.open == 2)
            gate.set()
        assert (await client.get("/c")).text == "/c on 3"
        await server.until(lambda: server.closed_by_client == 2)
        assert len(pool_of(client).connections) == 1


async def test_a_connection_the_server_closed_is_never_handed_out(server: LoopbackServer) -> None:
    server.die_after = {"/a"}
    async with pooled(server, 4) as client:
        assert (await client.get("/a")).text == "/a on 1"
        await server.until(lambda: server.open == 0)  # the server hung up, keep-alive or not
        assert (await client.get("/b")).text == "/b on 2"
        assert len(pool_of(client).connections) == 1


async def test_a_waiter_cancelled_while_queued_leaks_no_slot(server: LoopbackServer) -> None:
    server.holds = {"/a": anyio.Event()}
    async with pooled(server, 1) as client:
        pool = pool_of(client)
        answers: list[str] = []
        async with anyio.create_task_group() as group:

            async def first() -> None:
                answers.append((await client.get("/a")).text)

            group.start_soon(first)
            await server.until(lambda: len(server.arrivals) == 1)
            with anyio.CancelScope() as queued:
                queued.cancel()
                await client.get("/b")  # cancelled at its first wait: in the queue
            assert pool._queued == 0
            server.holds["/a"].set()
        assert (await client.get("/c")).text == "/c on 1"
        assert pool._queued == 0 and not pool._waiters and len(pool.connections) == 1
    assert answers == ["/a on 1"]
    assert server.arrivals == [("/a", 1), ("/c", 1)]


async def test_a_waiter_cancelled_as_a_connection_is_handed_to_it_gives_it_back(
    server: LoopbackServer,
) -> None:
    server.holds = {"/a": anyio.Event()}
    async with pooled(server, 1) as client:
        pool = pool_of(client)
        waiting = anyio.CancelScope()
        outcome: list[str] = []

        async def second() -> None:
            with waiting:
                outcome.append((await client.get("/b")).text)
            outcome.append("cancelled")

        async def first() -> None:
            await client.get("/a")
            # The response is closed: the connection has just been handed to "/b", which
            # has not run yet. Cancelled now, it must give the connection back.
            assert not pool._waiters and pool._queued == 0
            waiting.cancel()

        async with anyio.create_task_group() as group:
            group.start_soon(first)
            await server.until(lambda: len(server.arrivals) == 1)
            group.start_soon(second)
            await until_queued(pool, 1)
            server.holds["/a"].set()
        assert outcome == ["cancelled"]
        assert (await client.get("/c")).text == "/c on 1"
        assert len(pool.connections) == 1
    assert server.arrivals == [("/a", 1), ("/c", 1)]


async def test_a_pool_timeout_leaves_no_waiter_behind(server: LoopbackServer) -> None:
    server.holds = {"/a": anyio.Event()}
    async with pooled(server, 1) as client:
        pool = pool_of(client)
        async with anyio.create_task_group() as group:
            group.start_soon(client.get, "/a")
            await server.until(lambda: len(server.arrivals) == 1)
            with pytest.raises(httpx.PoolTimeout):
                await client.get("/b", timeout=httpx.Timeout(10, pool=0.05))
            assert pool._queued == 0
            server.holds["/a"].set()
        assert (await client.get("/c")).text == "/c on 1"
    assert [path for path, _ in server.arrivals] == ["/a", "/c"]


async def test_a_connection_that_fails_to_open_frees_its_slot(server: LoopbackServer) -> None:
    closed = await anyio.create_tcp_listener(local_host="127.0.0.1")
    dead_port = closed.extra(anyio.abc.SocketAttribute.local_port)
    await closed.aclose()
    async with pooled(server, 1) as client:
        with pytest.raises(httpx.ConnectError):
            await client.get(f"http://127.0.0.1:{dead_port}/nothing")
        assert pool_of(client).connections == []
        assert (await client.get("/a")).text == "/a on 1"


async def test_a_full_pool_of_another_origin_makes_room_from_its_idle_connections(
    server: LoopbackServer,
) -> None:
    async with loopback_server() as other, pooled(server, 1) as client:
        assert (await client.get("/a")).text == "/a on 1"
        assert (await client.get(f"{other.url}/b")).text == "/b on 1"
        await server.until(lambda: server.closed_by_client == 1)
        assert len(pool_of(client).connections) == 1


async def test_many_requests_queued_behind_a_full_pool_cost_a_constant_per_request(
    server: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """httpcore's pool looks at every connection for every queued request on every pass;
    this one asks each connection a bounded number of questions per request."""
    questions = 0
    for name in ("is_idle", "is_closed", "has_expired", "is_available"):
        original = getattr(httpcore.AsyncHTTPConnection, name)

        def counted(self: Any, _original: Any = original) -> bool:
            nonlocal questions
            questions += 1
            return bool(_original(self))

        monkeypatch.setattr(httpcore.AsyncHTTPConnection, name, counted)
    monkeypatch.setattr(pool_module, "SWEEP_INTERVAL", float("inf"))
    async with pooled(server, 10) as client:
        async with anyio.create_task_group() as group:
            for i in range(400):
                group.start_soon(client.get, f"/{i}")
    assert len(server.arrivals) == 400 and server.connections == 10
    assert questions <= 4 * 400  # httpcore's own pool: ~4,300 per request here


def test_only_the_stock_pool_of_the_stock_transport_is_replaced() -> None:
    own = httpx.AsyncClient()
    assert install_linear_pool(own) and type(own._transport._pool) is LinearConnectionPool  # type: ignore[attr-defined]
    custom = httpx.AsyncClient(transport=httpx.MockTransport(lambda request: httpx.Response(200)))
    assert not install_linear_pool(custom)


async def test_a_hundred_runs_in_flight_poll_each_socket_a_bounded_number_of_times(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """End to end with the emulator: every request answered, and the expiry checks per
    request stay constant (httpcore's own pool made 128,950 here: one per idle connection
    per request)."""
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
    assert checks <= 300  # one per request that reuses a connection, at most
