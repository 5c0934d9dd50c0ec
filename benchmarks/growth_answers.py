"""Streamed answers as they grow: wall time next to curl reading the same stream.

Two curves, each against the benchmark server in its own process:

* answer size (64 KB to 4 MB of text in events of 256 characters, Gemini's shape): the wall
  time of ``agent.stream`` from the request to ``RunFinished``, against curl reading the same
  SSE (``curl -sN``, its own ``time_total``: the transfer, not the process start), and an
  httpx floor (``aiter_lines`` + ``json.loads``, keeping the text) in the note. google-genai's
  ``generate_content_stream`` in full mode, when installed.
* one event of 1, 4 and 16 MB (the whole answer in a single ``data:`` line, read in many
  network reads): the same contenders. The figure here is the slope: a reader that rescans
  what is pending on every read grows with the square of the event's size.

Contenders are interleaved for each size and repeated; the point is the median of the
repeats (the spread is in the note). Each agentkit answer is checked to be exactly the text
the server sent. Run alone: ``python -m benchmarks.growth_answers [--smoke]``.
"""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable

import anyio
import httpx

from agentkit import Agent, Gemini
from benchmarks.growth import Curve, Point, Target, print_curve, print_targets
from benchmarks.scenario import LONG_ANSWER, long_text

KB, MB = 1024, 1024 * 1024
ANSWER_SIZES = (64 * KB, 256 * KB, 1 * MB, 4 * MB)
SMOKE_ANSWER_SIZES = (64 * KB, 256 * KB)
EVENT_SIZES = (1 * MB, 4 * MB, 16 * MB)
SMOKE_EVENT_SIZES = (1 * MB, 4 * MB)
FULL_REPEATS, SMOKE_REPEATS = 7, 3
ONE_EVENT_CHARS = 64 * MB  # the server's piece size for the single-event curve
VS_CURL, SMOKE_VS_CURL = 1.3, 3.9
PER_MB_GROWTH, SMOKE_PER_MB_GROWTH = 1.5, 4.5


def _request_body(size: int) -> str:
    return json.dumps({"contents": [{"role": "user", "parts": [{"text": f"{LONG_ANSWER}{size}"}]}]})


def _endpoint(url: str) -> str:
    return f"{url}/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"


Timing = tuple[float, float]  # wall seconds, CPU seconds


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _curl(url: str, size: int) -> Timing:
    """curl's own transfer time (connection, request, every byte of the SSE answer) and its
    CPU time, process start included."""
    cpu = _children_cpu()
    done = subprocess.run(
        [
            "curl",
            "-sN",
            "-X",
            "POST",
            "-H",
            "content-type: application/json",
            "--data-binary",
            _request_body(size),
            "-o",
            "/dev/null",
            "-w",
            "%{time_total}",
            _endpoint(url),
        ],  # fmt: skip
        capture_output=True,
        text=True,
        check=True,
    )
    return float(done.stdout), _children_cpu() - cpu


async def _httpx_floor(client: httpx.AsyncClient, url: str, size: int) -> Timing:
    started, cpu = time.perf_counter(), time.process_time()
    pieces: list[str] = []
    async with client.stream("POST", _endpoint(url), content=_request_body(size)) as response:
        async for line in response.aiter_lines():
            if line.startswith("data: "):
                event = json.loads(line[6:])
                for part in event["candidates"][0].get("content", {}).get("parts", ()):
                    pieces.append(part.get("text", ""))
    elapsed = time.perf_counter() - started, time.process_time() - cpu
    _check("httpx floor", "".join(pieces), size)
    return elapsed


async def _agentkit(agent: Agent[None], size: int) -> Timing:
    started, cpu = time.perf_counter(), time.process_time()
    text = None
    async for event in agent.stream(f"{LONG_ANSWER}{size}"):
        if event.kind == "run_finished":
            text = event.result.text
    elapsed = time.perf_counter() - started, time.process_time() - cpu
    _check("agentkit", text, size)
    return elapsed


def _genai_receiver(url: str) -> Callable[[int], Awaitable[Timing]] | None:
    try:
        from google import genai
        from google.genai import types
    except ImportError:
        return None
    client = genai.Client(api_key="bench", http_options=types.HttpOptions(base_url=url))

    async def receive(size: int) -> Timing:
        started, cpu = time.perf_counter(), time.process_time()
        pieces = []
        stream = await client.aio.models.generate_content_stream(
            model="gemini-2.5-flash", contents=f"{LONG_ANSWER}{size}"
        )
        async for chunk in stream:
            pieces.append(chunk.text or "")
        elapsed = time.perf_counter() - started, time.process_time() - cpu
        _check("google-genai", "".join(pieces), size)
        return elapsed

    return receive


def _check(name: str, text: str | None, size: int) -> None:
    if text != long_text(size):
        raise RuntimeError(f"{name} got {len(text or '')} characters, not the {size} sent")


async def _curve(
    name: str, url: str, sizes: tuple[int, ...], repeats: int, with_genai: bool
) -> Curve:
    agent: Agent[None] = Agent(Gemini(base_url=url, api_key="bench", timeout=600))
    client = httpx.AsyncClient(timeout=600)
    genai = _genai_receiver(url) if with_genai else None
    curve = Curve(name, "answer bytes", "wall ms, median")
    notes = []
    try:
        await _agentkit(agent, sizes[0])  # warm: the pool's connection, the validators
        await _httpx_floor(client, url, sizes[0])
        for size in sizes:
            times: dict[str, list[Timing]] = {"agentkit": [], "curl": [], "httpx": [], "genai": []}
            for _ in range(repeats):  # interleaved: a burst of load hits every contender
                times["curl"].append(await anyio.to_thread.run_sync(_curl, url, size))
                times["agentkit"].append(await _agentkit(agent, size))
                times["httpx"].append(await _httpx_floor(client, url, size))
                if genai is not None:
                    times["genai"].append(await genai(size))
            walls = {k: [w * 1000 for w, _ in v] for k, v in times.items() if v}
            cpus = {k: statistics.median(c * 1000 for _, c in v) for k, v in times.items() if v}
            median = {k: statistics.median(v) for k, v in walls.items()}
            curve.points.append(
                Point(size, median["agentkit"], median["curl"], median.get("genai"))
            )
            spread = ", ".join(f"{k} {min(v):.0f}-{max(v):.0f}" for k, v in walls.items())
            cpu = ", ".join(f"{k} {v:.0f}" for k, v in cpus.items())
            notes.append(
                f"  {size // KB} KB: httpx floor {median['httpx']:.1f} ms "
                f"({median['httpx'] / median['curl']:.2f}x curl); wall spread: {spread}; "
                f"CPU ms: {cpu}"
            )
    finally:
        await client.aclose()
        await agent.model.aclose()  # type: ignore[attr-defined]
    curve.note = "floor = curl -sN (time_total)\n" + "\n".join(notes)
    return curve


def _serve(chunk_chars: int) -> tuple[subprocess.Popen[str], str]:
    server = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.server", str(chunk_chars)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None
    return server, server.stdout.readline().strip()


def measure(smoke: bool = False) -> list[Curve]:
    repeats = SMOKE_REPEATS if smoke else FULL_REPEATS
    curves = []
    for name, chunk_chars, sizes in (
        ("a streamed answer", 256, SMOKE_ANSWER_SIZES if smoke else ANSWER_SIZES),
        (
            "an answer in one SSE event",
            ONE_EVENT_CHARS,
            SMOKE_EVENT_SIZES if smoke else EVENT_SIZES,
        ),
    ):
        server, url = _serve(chunk_chars)
        try:
            curves.append(anyio.run(_curve, name, url, sizes, repeats, not smoke))
        finally:
            server.terminate()
            server.wait(timeout=10)
    return curves


def per_mb_growth(curve: Curve) -> float:
    """Cost per MB at the largest size over cost per MB at the smallest (1.0 when linear)."""
    first, last = curve.points[0], curve.points[-1]
    return (last.agentkit / last.size) / (first.agentkit / first.size)


def targets(curves: list[Curve], smoke: bool) -> list[Target]:
    vs_curl = SMOKE_VS_CURL if smoke else VS_CURL
    growth = SMOKE_PER_MB_GROWTH if smoke else PER_MB_GROWTH
    found = []
    for curve in curves:
        for point in curve.points:
            found.append(
                Target(f"{curve.name}, {point.size // KB} KB: x curl", point.vs_floor, vs_curl)
            )
        found.append(
            Target(f"{curve.name}: cost per MB, largest / smallest", per_mb_growth(curve), growth)
        )
    return found


def main() -> None:
    smoke = "--smoke" in sys.argv
    curves = measure(smoke)
    for curve in curves:
        print_curve(curve)
    sys.exit(0 if print_targets(targets(curves, smoke), smoke) else 1)


if __name__ == "__main__":
    main()
