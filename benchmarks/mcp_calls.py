"""What a call costs through MCP, against the same tool in process.

One tool, ``add``: a plain sync ``@tool`` function in process (the path users write; it runs
in a worker thread), and the same sum served by ``benchmarks/mcp_server.py`` over stdio and
over streamable HTTP on 127.0.0.1, called through ``MCPToolset``. Each is called through
``Tool.invoke`` (validation, the call, the result's conversion) — sequentially, and with 16
calls in flight at a time. The figures are wall time per call and the ratio to the
in-process tool measured in the same run. A last row calls the SDK's ``Client.call_tool``
over stdio directly, with nothing of agentkit around it: the difference to "MCP stdio" is
what agentkit adds (the schema check, the result's conversion, the connection's bookkeeping).
Run alone: ``python -m benchmarks.mcp_calls``.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

import anyio

from agentkit import tool
from agentkit.mcp import MCPToolset
from agentkit.tools import Tool

CALLS = 400
SMOKE_CALLS = 60
IN_FLIGHT = 16


@tool
def add(a: float, b: float) -> dict[str, float]:
    """Add two numbers."""
    return {"sum": a + b}


async def _sequential(target: Tool, calls: int) -> float:
    started = time.perf_counter()
    for index in range(calls):
        result = await target.invoke({"a": index, "b": 1})
        assert result.response == {"sum": index + 1}, result.response
    return (time.perf_counter() - started) / calls


async def _concurrent(target: Tool, calls: int) -> float:
    limiter = anyio.Semaphore(IN_FLIGHT)

    async def one(index: int) -> None:
        async with limiter:
            result = await target.invoke({"a": index, "b": 1})
            assert result.ok, result.response

    started = time.perf_counter()
    async with anyio.create_task_group() as group:
        for index in range(calls):
            group.start_soon(one, index)
    return (time.perf_counter() - started) / calls


async def _measure(target: Tool, calls: int) -> dict[str, float]:
    await _sequential(target, 10)  # warm: threads, connections, caches
    return {
        "sequential_us": await _sequential(target, calls) * 1e6,
        "concurrent_us": await _concurrent(target, calls) * 1e6,
    }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def _with_server(
    toolset: MCPToolset, calls: int, measure: Callable[[Tool, int], Awaitable[dict[str, float]]]
) -> dict[str, float]:
    async with toolset:
        target = toolset.get("add")
        assert target is not None
        return await measure(target, calls)


async def measure_all(calls: int) -> dict[str, dict[str, float]]:
    rows = {"in process": await _measure(add, calls)}
    stdio = MCPToolset.stdio(sys.executable, "-m", "benchmarks.mcp_server", "stdio", name="stdio")
    rows["MCP stdio"] = await _with_server(stdio, calls, _measure)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.mcp_server", "http", str(port)],
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            await anyio.sleep(0.05)
        http = MCPToolset.http(f"http://127.0.0.1:{port}/mcp", name="http")
        rows["MCP HTTP"] = await _with_server(http, calls, _measure)
    finally:
        server.terminate()
        server.wait(timeout=10)
    rows["SDK stdio, bare"] = await _bare_sdk(calls)
    floor = rows["in process"]
    for row in rows.values():
        row["sequential_x"] = row["sequential_us"] / floor["sequential_us"]
        row["concurrent_x"] = row["concurrent_us"] / floor["concurrent_us"]
    return rows


async def _bare_sdk(calls: int) -> dict[str, float]:
    from mcp import Client, StdioServerParameters

    parameters = StdioServerParameters(
        command=sys.executable, args=["-m", "benchmarks.mcp_server", "stdio"]
    )
    async with Client(parameters, mode="legacy", cache=None) as client:

        async def sequential(count: int) -> float:
            started = time.perf_counter()
            for index in range(count):
                result = await client.call_tool("add", {"a": index, "b": 1})
                assert result.structured_content == {"sum": index + 1}
            return (time.perf_counter() - started) / count

        async def concurrent(count: int) -> float:
            limiter = anyio.Semaphore(IN_FLIGHT)

            async def one(index: int) -> None:
                async with limiter:
                    await client.call_tool("add", {"a": index, "b": 1})

            started = time.perf_counter()
            async with anyio.create_task_group() as group:
                for index in range(count):
                    group.start_soon(one, index)
            return (time.perf_counter() - started) / count

        await sequential(10)
        return {
            "sequential_us": await sequential(calls) * 1e6,
            "concurrent_us": await concurrent(calls) * 1e6,
        }


def overhead(rows: dict[str, Any]) -> float:
    """agentkit's MCP call over the bare SDK's, sequential: what agentkit adds."""
    return round(rows["MCP stdio"]["sequential_us"] / rows["SDK stdio, bare"]["sequential_us"], 2)


def print_rows(rows: dict[str, Any]) -> None:
    print(f"\none tool call (add), through Tool.invoke; {IN_FLIGHT} in flight for 'concurrent'")
    print(f"{'tool':<14}{'µs/call':>10}{'x in-proc':>11}{'µs/call conc.':>15}{'x in-proc':>11}")
    for name, row in rows.items():
        print(
            f"{name:<14}{row['sequential_us']:>10.0f}{row['sequential_x']:>11.1f}"
            f"{row['concurrent_us']:>15.0f}{row['concurrent_x']:>11.1f}"
        )


if __name__ == "__main__":
    print_rows(anyio.run(measure_all, CALLS))
