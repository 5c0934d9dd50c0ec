"""The server process never outlives its toolset: not after a cancelled run, not after the
client process is killed with SIGKILL; and the HTTP transport with headers, killed mid-call."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import anyio
import pytest

from agentkit.mcp import MCPToolset

from ..cli.conftest import wait_until
from .conftest import WORKSHOP, Workshop, alive, eventually

ROOT = Path(__file__).resolve().parents[2]


async def test_a_cancelled_call_leaves_no_server_behind(workshop: Workshop) -> None:
    with anyio.move_on_after(5) as scope:
        async with workshop.stdio() as server:
            block = server.get("block")
            assert block is not None
            async with anyio.create_task_group() as group:
                group.start_soon(block.invoke, {"label": "forever"})
                await eventually(lambda: bool(workshop.calls))
                group.cancel_scope.cancel()  # what a Ctrl-C or a run's deadline does
    assert not scope.cancelled_caught
    assert workshop.pids and not alive(workshop.pids[0])


async def test_a_toolset_opened_in_one_task_closes_from_another(workshop: Workshop) -> None:
    server = workshop.stdio()
    # What a pytest fixture, a web app's lifespan or two notebook cells do: the task that
    # opens is not the task that closes.
    async with anyio.create_task_group() as group:
        group.start_soon(server.__aenter__)
    assert server.is_open
    assert (await server.get("add").invoke({"a": 1, "b": 2})).response == {"sum": 3}  # type: ignore[union-attr]
    async with anyio.create_task_group() as group:
        group.start_soon(server.__aexit__, None, None, None)
    assert not server.is_open and not alive(workshop.pids[0])


async def test_an_opener_cancelled_while_connecting_leaves_no_server_behind(
    workshop: Workshop,
) -> None:
    server = workshop.stdio()
    async with anyio.create_task_group() as group:

        async def open_it() -> None:
            async with server:
                raise AssertionError("the open should have been cancelled")

        group.start_soon(open_it)
        await eventually(lambda: bool(workshop.pids))  # the process is starting
        group.cancel_scope.cancel()
    assert not server.is_open
    wait_until(lambda: not alive(workshop.pids[0]))


def test_a_client_killed_with_sigkill_leaves_no_server_behind(workshop: Workshop) -> None:
    script = textwrap.dedent(
        f"""
        import sys, anyio
        sys.path.insert(0, {str(ROOT)!r})
        from pathlib import Path
        from tests.mcp.conftest import Workshop

        async def main():
            async with Workshop(Path({str(workshop.root)!r})).stdio() as server:
                print("open", flush=True)
                await server.get("block").invoke({{"label": "never"}})

        anyio.run(main)
        """
    )
    client = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert client.stdout is not None and client.stdout.readline() == "open\n"
    wait_until(lambda: bool(workshop.calls))
    server = workshop.pids[0]
    client.send_signal(signal.SIGKILL)
    client.wait()
    # Its stdin closed with the client: the server reads the end and exits on its own.
    wait_until(lambda: not alive(server))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def http_server(workshop: Workshop) -> object:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, str(WORKSHOP), "http", str(port)], env={**os.environ, **workshop.env}
    )

    def listening() -> bool:
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", port)) == 0

    wait_until(listening)
    yield f"http://127.0.0.1:{port}/mcp", process
    process.kill()
    process.wait()


async def test_http_sends_the_headers_and_never_shows_them(http_server: tuple[str, subprocess.Popen[bytes]]) -> None:
    url, _ = http_server
    secret = "Bearer not-a-real-token-1234"
    async with MCPToolset.http(url, headers={"Authorization": secret}) as server:
        seen = await server.get("headers").invoke({})  # type: ignore[union-attr]
        added = await server.get("add").invoke({"a": 2, "b": 2})  # type: ignore[union-attr]
        assert seen.response["headers"]["authorization"] == secret
        assert added.response == {"sum": 4}
        assert secret not in repr(server) and server.label == url


async def test_an_http_server_killed_mid_call_is_a_tool_error(
    workshop: Workshop, http_server: tuple[str, subprocess.Popen[bytes]]
) -> None:
    url, process = http_server
    async with MCPToolset.http(url, name="workshop-http") as server:
        block = server.get("block")
        assert block is not None
        async with anyio.create_task_group() as group:
            results = []

            async def call() -> None:
                results.append(await block.invoke({"label": "cut"}))

            group.start_soon(call)
            await eventually(lambda: bool(workshop.calls))
            process.kill()
        after = await server.get("add").invoke({"a": 1, "b": 1})  # type: ignore[union-attr]
    error = results[0].error
    assert error is not None and error.kind == "server_gone"
    assert error.message.startswith("block: the MCP server 'workshop-http' ")
    assert "it was not retried" in error.message
    # Nothing listens any more: the reconnect fails, and the call says it was not run.
    assert after.error is not None and after.error.kind == "unavailable"
    assert after.error.message.startswith("add was not run: the MCP server ")


@pytest.fixture
async def open_workshop(workshop: Workshop) -> Any:
    # pytest-asyncio runs a fixture's set-up and tear-down in different tasks.
    async with workshop.stdio() as server:
        yield server


async def test_a_toolset_in_an_async_fixture_opens_and_closes(
    open_workshop: MCPToolset, workshop: Workshop
) -> None:
    assert (await open_workshop.get("add").invoke({"a": 2, "b": 3})).response == {"sum": 5}  # type: ignore[union-attr]
    assert alive(workshop.pids[0])
