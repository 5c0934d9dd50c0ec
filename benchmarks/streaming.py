"""Streaming cost as answers grow: does a streamed answer cost in proportion to its size?

For answers of 64 KB to 4 MB, each measured a few times against the benchmark server (its own
process, 256-character chunks): client CPU of agentkit streaming the answer
(``agent.stream``), of agentkit receiving it whole (``agent.run``), and of a floor — httpx
reading the same SSE lines and keeping the text, nothing else. The figures that matter are
per-MB costs: if streaming is linear in the answer's size, the cost per MB stays flat from
1 MB to 4 MB (a client that rebuilds the text on every chunk grows with the size instead).
Run alone: ``python -m benchmarks.streaming``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from typing import Any

import anyio
import httpx

from agentkit import Agent, Gemini
from benchmarks.scenario import LONG_ANSWER, long_text

SIZES = (64 * 1024, 256 * 1024, 1024 * 1024, 4 * 1024 * 1024)
SMOKE_SIZES = (256 * 1024, 1024 * 1024)
MB = 1024 * 1024
REPEATS = 3


async def _floor_stream(client: httpx.AsyncClient, url: str, prompt: str) -> str:
    body = {"contents": [{"role": "user", "parts": [{"text": prompt}]}]}
    endpoint = f"{url}/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"
    pieces: list[str] = []
    async with client.stream("POST", endpoint, content=json.dumps(body)) as response:
        async for line in response.aiter_lines():
            if line.startswith("data: "):
                event = json.loads(line[6:])
                for part in event["candidates"][0].get("content", {}).get("parts", ()):
                    pieces.append(part.get("text", ""))
    return "".join(pieces)


async def _agentkit(agent: Agent[None], prompt: str, *, stream: bool) -> str | None:
    if not stream:
        return (await agent.run(prompt)).text
    async for event in agent.stream(prompt):
        if event.kind == "run_finished":
            return event.result.text
    return None


async def measure_sizes(url: str, sizes: tuple[int, ...], repeats: int) -> list[dict[str, Any]]:
    """Best-of-``repeats`` client CPU (ms) per way of receiving each size."""
    client = httpx.AsyncClient(timeout=120)
    agent: Agent[None] = Agent(Gemini(base_url=url, api_key="bench", timeout=120))
    rows = []
    try:
        for size in sizes:
            prompt = f"{LONG_ANSWER}{size}"
            expected = long_text(size)
            ways = {
                "floor_stream": lambda p=prompt: _floor_stream(client, url, p),
                "agentkit_stream": lambda p=prompt: _agentkit(agent, p, stream=True),
                "agentkit_plain": lambda p=prompt: _agentkit(agent, p, stream=False),
            }
            row: dict[str, Any] = {"size_bytes": size}
            for name, receive in ways.items():
                best = float("inf")
                for _ in range(repeats):
                    started = time.process_time()
                    text = await receive()
                    best = min(best, time.process_time() - started)
                    if text != expected:
                        raise RuntimeError(f"{name} got {len(text or '')} characters, not {size}")
                row[f"{name}_ms"] = round(best * 1000, 2)
            row["stream_vs_plain"] = round(row["agentkit_stream_ms"] / row["agentkit_plain_ms"], 2)
            row["stream_vs_floor"] = round(row["agentkit_stream_ms"] / row["floor_stream_ms"], 2)
            row["stream_ms_per_mb"] = round(row["agentkit_stream_ms"] / (size / MB), 1)
            rows.append(row)
    finally:
        await client.aclose()
        await agent.model.aclose()  # type: ignore[attr-defined]
    return rows


def growth(rows: list[dict[str, Any]]) -> float:
    """Streaming CPU per MB at the largest size over that at the next smaller one: about 1
    when streaming is linear in the answer's size (4 MB vs 1 MB in the full run)."""
    larger, smaller = sorted(rows, key=lambda row: row["size_bytes"])[-1:-3:-1]
    return round(larger["stream_ms_per_mb"] / smaller["stream_ms_per_mb"], 2)


def print_rows(rows: list[dict[str, Any]]) -> None:
    print("\nstreaming a long text answer (client CPU ms, best of the repeats)")
    print(
        f"{'answer':>8}{'floor SSE':>11}{'stream':>9}{'plain':>8}{'stream/plain':>14}"
        f"{'stream/floor':>14}{'stream ms/MB':>14}"
    )
    for row in rows:
        print(
            f"{row['size_bytes'] // 1024:>6}KB{row['floor_stream_ms']:>11.1f}"
            f"{row['agentkit_stream_ms']:>9.1f}{row['agentkit_plain_ms']:>8.1f}"
            f"{row['stream_vs_plain']:>14.2f}{row['stream_vs_floor']:>14.2f}"
            f"{row['stream_ms_per_mb']:>14.1f}"
        )
    print(f"streaming cost per MB, largest answer vs the next smaller: {growth(rows)}x")


def main() -> None:
    server = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.server"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        url = server.stdout.readline().strip()
        print_rows(anyio.run(measure_sizes, url, SIZES, REPEATS))
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
