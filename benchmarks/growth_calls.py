"""Growth: one turn with more and more parallel calls (1, 10, 100, 1,000), per kind of tool.

A run is a prompt, one model turn asking for N calls, the client running them and answering,
and a text reply: two model calls. Three agentkit tools do the same work — an async one, a
plain ``def`` (the default: each call in a worker thread) and a ``def`` declared
``blocking=False`` (run on the loop) — next to the floor, a hand-written httpx loop that
answers the calls inline. The emulator runs in its own process (``--serve``), so the CPU
measured (``time.process_time``, worker threads included) is the client's alone. The figure
is client CPU per call: it includes the model step, which dominates at one call and fades
out by a thousand; the turn is linear when the cost per call stops growing. The contenders
take turns at every size, three times (once in smoke mode); each point is the median.

``python -m benchmarks.growth_calls [--smoke]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import httpx

from benchmarks.growth import Curve, Point, Target, print_curve, print_targets

SIZES = (1, 10, 100, 1000)
FULL_CALLS, SMOKE_CALLS = 2000, 100  # calls measured per point (runs = calls // size)
FULL_REPEATS, SMOKE_REPEATS = 3, 1
KINDS = ("async", "thread", "inline")
TOOL_NAMES = {"async": "lookup_async", "thread": "lookup", "inline": "lookup_inline"}
FINAL = "done"


def answer(request: Any) -> Any:
    """The emulated model: the prompt ``"<n> <tool>"`` gets n calls of that tool, then text."""
    if any(content.function_responses for content in request.contents):
        return FINAL
    count, name = (request.contents[-1].text or "1 lookup").split()
    return [{"functionCall": {"name": name, "args": {"item": i}}} for i in range(int(count))]


def serve() -> None:
    from agentkit.testing.emulator import Emulator, EmulatorOptions

    emulator = Emulator(options=EmulatorOptions(record=False, strict=False), keep_alive=60)
    emulator.respond_with(answer)
    print(emulator.url, flush=True)
    try:
        emulator.serve_forever()
    except KeyboardInterrupt:
        pass


def lookup(item: int) -> dict[str, int]:
    """Look an item up.

    Args:
        item: Which item.
    """
    return {"item": item, "stock": item % 7}


async def lookup_async(item: int) -> dict[str, int]:
    """Look an item up.

    Args:
        item: Which item.
    """
    return {"item": item, "stock": item % 7}


Runner = Callable[[int], Awaitable[str | None]]  # runs once with n calls, returns the text


def floor_runner(client: httpx.AsyncClient) -> Runner:
    endpoint = "/v1beta/models/gemini-2.5-flash:generateContent"
    headers = {"content-type": "application/json", "x-goog-api-key": "bench"}
    declarations = [
        {
            "name": "lookup",
            "description": "Look an item up.",
            "parametersJsonSchema": {
                "type": "object",
                "properties": {"item": {"type": "integer", "description": "Which item."}},
                "required": ["item"],
            },
        }
    ]

    async def run(count: int) -> str | None:
        contents: list[dict[str, Any]] = [{"role": "user", "parts": [{"text": f"{count} lookup"}]}]
        for _ in range(4):
            body = {"contents": contents, "tools": [{"functionDeclarations": declarations}]}
            response = await client.post(endpoint, content=json.dumps(body), headers=headers)
            response.raise_for_status()
            content = response.json()["candidates"][0]["content"]
            contents.append(content)
            calls = [part["functionCall"] for part in content["parts"] if "functionCall" in part]
            if not calls:
                return "".join(part.get("text", "") for part in content["parts"])
            answers = [
                {
                    "functionResponse": {
                        "name": call["name"],
                        "response": lookup(**call["args"]),
                    }
                }
                for call in calls
            ]
            contents.append({"role": "user", "parts": answers})
        return None

    return run


def agentkit_runner(url: str, kind: str) -> Runner:
    from agentkit import Agent, Gemini, tool

    tools = {
        "async": tool(lookup_async),
        "thread": tool(lookup),
        "inline": tool(name="lookup_inline", blocking=False)(lookup),
    }
    agent: Agent[None] = Agent(
        Gemini("gemini-2.5-flash", api_key="bench", base_url=url), tools=[tools[kind]]
    )
    name = TOOL_NAMES[kind]

    async def run(count: int) -> str | None:
        return (await agent.run(f"{count} {name}")).text

    return run


async def cpu_per_call(run: Runner, size: int, calls: int) -> float:
    """Client CPU µs per call over ``calls // size`` runs (at least one)."""
    runs = max(1, calls // size)
    started = time.process_time()
    for _ in range(runs):
        text = await run(size)
        if text != FINAL:
            raise RuntimeError(f"expected {FINAL!r}, got {text!r}")
    return (time.process_time() - started) / (runs * size) * 1e6


async def measure_with(url: str, smoke: bool) -> list[Curve]:
    calls = SMOKE_CALLS if smoke else FULL_CALLS
    limits = httpx.Limits(max_connections=16, max_keepalive_connections=16)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:
        runners: dict[str, Runner] = {"floor": floor_runner(client)}
        runners.update({kind: agentkit_runner(url, kind) for kind in KINDS})
        for run in runners.values():  # warm up: connections, caches, threads
            await run(10)
        samples: dict[tuple[str, int], list[float]] = {}
        for _ in range(SMOKE_REPEATS if smoke else FULL_REPEATS):
            for size in SIZES:
                for key, run in runners.items():
                    samples.setdefault((key, size), []).append(await cpu_per_call(run, size, calls))
    curves = []
    for kind in KINDS:
        curve = Curve(
            f"one turn's parallel calls, {kind} tools",
            "calls per turn",
            "client CPU µs per call",
        )
        for size in SIZES:
            curve.points.append(
                Point(
                    size,
                    round(statistics.median(samples[(kind, size)]), 2),
                    round(statistics.median(samples[("floor", size)]), 2),
                )
            )
        curves.append(curve)
    return curves


def measure(smoke: bool) -> list[Curve]:
    server = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.growth_calls", "--serve"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        url = server.stdout.readline().strip()
        return anyio.run(measure_with, url, smoke)
    finally:
        server.terminate()
        server.wait(timeout=10)


def targets(curves: Curve | list[Curve], smoke: bool) -> list[Target]:
    """Per kind: the cost per call at 1,000 calls ≤ 1.5× that at 10 (smoke: 3×)."""
    limit = 3.0 if smoke else 1.5
    checked = []
    for curve in [curves] if isinstance(curves, Curve) else curves:
        ratio = curve.point(1000).agentkit / curve.point(10).agentkit
        checked.append(Target(f"{curve.name}: per call at 1,000 / at 10", round(ratio, 2), limit))
    return checked


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.growth_calls")
    parser.add_argument("--smoke", action="store_true", help="a few seconds")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve()
        return 0
    curves = measure(args.smoke)
    for curve in curves:
        print_curve(curve)
    return 0 if print_targets(targets(curves, args.smoke), args.smoke) else 1


if __name__ == "__main__":
    sys.exit(main())
