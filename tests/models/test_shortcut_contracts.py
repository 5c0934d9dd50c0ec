"""What agentkit's speed shortcuts on httpx's and httpcore's private internals rely on.

Each shortcut (``benchmarks/README.md`` says what it buys) rests on details no release
promises. These tests assert those details exactly, so that an upgrade which changes one
fails here, by name, rather than somewhere downstream; and each forces the shortcut's
fallback (the detail gone) and checks that behaviour is unchanged without it.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator

import httpcore
import httpx
import pytest

from agentkit.models import Gemini
from agentkit.models import pool as pool_module
from agentkit.models import rest as rest_module
from agentkit.models.pool import LinearConnectionPool, install_linear_pool
from agentkit.models.rest import _CookiesOnlyWhenSet, _skip_cookie_parsing_without_cookies
from agentkit.testing.emulator import Emulator
from agentkit.types import Content, GenerateContentRequest
from tests.models.loopback_http import LoopbackServer, loopback_server

HELLO = GenerateContentRequest(contents=[Content.user("Hello")])


@pytest.fixture
async def server() -> AsyncIterator[LoopbackServer]:
    async with loopback_server() as running:
        yield running


# -- the pool swap: httpx's transport, httpcore's pool and connections -------------------


def test_httpx_keeps_a_stock_httpcore_pool_with_the_limits_where_the_swap_reads_them() -> None:
    client = httpx.AsyncClient(limits=httpx.Limits(max_connections=7, max_keepalive_connections=3))
    transport = client._transport  # type: ignore[attr-defined]
    assert type(transport) is httpx.AsyncHTTPTransport
    pool = transport._pool
    assert type(pool) is httpcore.AsyncConnectionPool
    relied = {name: getattr(pool, name) for name in pool_module.RELIED_ON}
    assert relied == {
        "_max_connections": 7,
        "_max_keepalive_connections": 3,
        "_http1": True,
        "_http2": False,
    }
    assert pool.connections == []


def test_httpcore_offers_the_names_and_signatures_the_pool_uses() -> None:
    pool_parameters = inspect.signature(httpcore.AsyncConnectionPool.create_connection)
    assert list(pool_parameters.parameters) == ["self", "origin"]
    response_parameters = inspect.signature(httpcore.Response.__init__).parameters
    assert {"status", "headers", "content", "extensions"} <= set(response_parameters)
    for name in ("is_idle", "is_closed", "has_expired", "can_handle_request", "aclose"):
        assert callable(getattr(httpcore.AsyncHTTPConnection, name)), name
    for error in ("ConnectionNotAvailable", "PoolTimeout", "UnsupportedProtocol"):
        assert issubclass(getattr(httpcore, error), Exception), error


async def test_an_httpcore_connection_reports_its_states_as_the_pool_reads_them(
    server: LoopbackServer,
) -> None:
    """Fresh: neither idle nor closed. Answered and read: idle. Failed to connect: closed
    (and, surprisingly, idle too: the pool checks ``is_closed`` first)."""
    async with httpx.AsyncClient(base_url=server.url) as client:
        pool = client._transport._pool  # type: ignore[attr-defined]
        origin = httpcore.URL(server.url).origin
        fresh = pool.create_connection(origin)
        assert (fresh.is_idle(), fresh.is_closed(), fresh.has_expired()) == (False, False, False)
        assert fresh.can_handle_request(origin)
        host = [(b"Host", f"127.0.0.1:{server.port}".encode())]
        request = httpcore.Request("GET", f"{server.url}/a", headers=host)
        response = await fresh.handle_async_request(request)
        assert not fresh.is_idle()
        await response.aread()
        await response.aclose()
        assert (fresh.is_idle(), fresh.is_closed(), fresh.has_expired()) == (True, False, False)
        await fresh.aclose()
        assert fresh.is_closed()

        refused = pool.create_connection(httpcore.URL("http://127.0.0.1:9/").origin)
        with pytest.raises(httpcore.ConnectError):
            await refused.handle_async_request(
                httpcore.Request("GET", "http://127.0.0.1:9/", headers=[(b"Host", b"127.0.0.1:9")])
            )
        assert (refused.is_closed(), refused.is_idle()) == (True, True)


async def test_every_request_of_a_client_goes_through_the_pools_handle_async_request(
    server: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []
    original = LinearConnectionPool.handle_async_request

    async def counted(self: LinearConnectionPool, request: httpcore.Request) -> httpcore.Response:
        seen.append(request.url.target.decode())
        return await original(self, request)

    monkeypatch.setattr(LinearConnectionPool, "handle_async_request", counted)
    async with httpx.AsyncClient(base_url=server.url) as client:
        assert install_linear_pool(client)
        await client.get("/a")
        await client.get("/b")
    assert seen == ["/a", "/b"]


async def test_without_what_the_pool_relies_on_the_stock_pool_serves_unchanged(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pool_module, "RELIED_ON", (*pool_module.RELIED_ON, "_gone_in_a_release"))
    assert not install_linear_pool(httpx.AsyncClient())
    emulator.script(["one", "two"])
    model = Gemini(base_url=emulator.url)
    assert [(await model.generate(HELLO)).text for _ in range(2)] == ["one", "two"]
    assert type(model._transport._http()._transport._pool) is httpcore.AsyncConnectionPool  # type: ignore[attr-defined]
    await model.aclose()


# -- the cookie jar: skipping responses without Set-Cookie --------------------------------


def test_httpx_keeps_the_jar_in_the_attribute_the_swap_replaces() -> None:
    client = httpx.AsyncClient()
    jar = getattr(client, rest_module.COOKIE_JAR_ATTRIBUTE)
    assert type(jar) is httpx.Cookies and jar is client.cookies
    assert _skip_cookie_parsing_without_cookies(client)
    assert type(client.cookies) is _CookiesOnlyWhenSet


async def test_httpx_hands_every_response_to_the_jar_and_cookies_still_travel(
    server: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """httpx calls the jar's ``extract_cookies`` once per response (what the shortcut
    intercepts), and a cookie set by the server is sent back on the next request."""
    handed: list[str] = []
    original = _CookiesOnlyWhenSet.extract_cookies

    def counted(self: _CookiesOnlyWhenSet, response: httpx.Response) -> None:
        handed.append(response.url.path)
        original(self, response)

    monkeypatch.setattr(_CookiesOnlyWhenSet, "extract_cookies", counted)
    server.set_cookie = {"/login": "session=abc; Path=/"}
    async with httpx.AsyncClient(base_url=server.url) as client:
        assert _skip_cookie_parsing_without_cookies(client)
        for path in ("/plain", "/login", "/after"):
            await client.get(path)
    assert handed == ["/plain", "/login", "/after"]
    assert server.cookies_sent == [None, None, "session=abc"]


async def test_without_the_jar_where_expected_httpx_parses_cookies_as_always(
    server: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rest_module, "COOKIE_JAR_ATTRIBUTE", "_renamed_in_a_release")
    server.set_cookie = {"/login": "session=abc; Path=/"}
    async with httpx.AsyncClient(base_url=server.url) as client:
        assert not _skip_cookie_parsing_without_cookies(client)
        assert type(client.cookies) is httpx.Cookies
        for path in ("/login", "/after"):
            await client.get(path)
    assert server.cookies_sent == [None, "session=abc"]
