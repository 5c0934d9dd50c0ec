"""Many runs in one process: does throughput hold, and CPU per step stay flat, as runs pile up?

The benchmark scenario (three model calls a run) against the emulator in its own process,
1,000 then 10,000 runs, with 100 and with 1,000 of them in flight. agentkit and the floor
(the hand-written httpx loop, with the same ``max_connections=512`` and keep-alive allowance
of 128, so both queue requests the same way beyond 512) take turns at every size. Measured:
runs per second, and client CPU per model step, each next to the floor's.

Memory is measured in a child process running agentkit alone (the floor's garbage would blur
it): RSS before, its peak while 1,000 runs are in flight (per in-flight run: the peak's rise
over them), and RSS after 1,000 and after 10,000 runs have ended, with the tasks still alive
and the pool's connections, which must not grow with the runs done.

Run alone: ``python -m benchmarks.growth_runs [--smoke]``.
"""

from __future__ import annotations

import gc
import json
import statistics
import subprocess
import sys
import time
from typing import Any

import anyio

from benchmarks.contenders import EXPECTED, Contender, agentkit, floor
from benchmarks.growth import Curve, Point, Target, print_curve, print_targets
from benchmarks.server_process import emulator_process

STEPS_PER_RUN = 3
FULL: dict[str, Any] = {"in_flight": (100, 1000), "sizes": (1000, 10_000), "repeats": (2, 1)}
# Smoke: still more in flight than max_connections (512), so requests queue in the pool.
SMOKE: dict[str, Any] = {"in_flight": (30, 600), "sizes": (200, 700), "repeats": (1, 1)}
WARMUP = 20


async def _round(contender: Contender, runs: int, in_flight: int) -> tuple[float, float]:
    """Runs per second and client CPU ms per step for ``runs`` with ``in_flight`` at once."""
    limiter = anyio.CapacityLimiter(in_flight)
    wrong = 0

    async def one() -> None:
        nonlocal wrong
        async with limiter:
            wrong += (await contender.run_once()) != EXPECTED

    gc.collect()
    cpu, wall = time.process_time(), time.perf_counter()
    async with anyio.create_task_group() as group:
        for _ in range(runs):
            group.start_soon(one)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    if wrong:
        raise RuntimeError(f"{contender.name}: {wrong} runs answered wrongly")
    return runs / wall, cpu / (runs * STEPS_PER_RUN) * 1000


async def _measure(url: str, settings: dict[str, Any]) -> list[Curve]:
    contenders = {
        "floor": floor(url),
        "agentkit": agentkit(url, blocking=False),
        "floor_pooled": floor(url, pooled=True),
    }
    try:
        for contender in contenders.values():
            for _ in range(WARMUP):
                assert await contender.run_once() == EXPECTED
        curves = []
        for in_flight in settings["in_flight"]:
            speed = Curve(f"{in_flight} runs in flight", "runs", "runs per second")
            cpu = Curve(f"{in_flight} runs in flight", "runs", "client CPU ms per step")
            pooled = Curve(
                f"{in_flight} runs in flight, floor with agentkit's pool",
                "runs",
                "client CPU ms per step",
            )
            for size, repeats in zip(settings["sizes"], settings["repeats"], strict=True):
                figures: dict[str, list[tuple[float, float]]] = {key: [] for key in contenders}
                for repeat in range(repeats):
                    order = list(contenders) if repeat % 2 == 0 else list(reversed(contenders))
                    for key in order:
                        figures[key].append(await _round(contenders[key], size, in_flight))
                rate = {k: statistics.median(f[0] for f in v) for k, v in figures.items()}
                step = {k: statistics.median(f[1] for f in v) for k, v in figures.items()}
                speed.points.append(Point(size, rate["agentkit"], rate["floor"]))
                cpu.points.append(Point(size, step["agentkit"], step["floor"]))
                pooled.points.append(Point(size, step["agentkit"], step["floor_pooled"]))
                pooled.note += (
                    f"{size:,} runs: floor with agentkit's pool {rate['floor_pooled']:.0f} runs/s. "
                )
            curves += [speed, cpu, pooled]
        return curves
    finally:
        for contender in contenders.values():
            await contender.close()


def _rss_kb() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


async def _memory(url: str, in_flight: int, first: int, last: int) -> dict[str, Any]:
    """agentkit alone: RSS around ``first`` then ``last`` runs (``in_flight`` at once)."""
    import asyncio

    from agentkit import Agent, Gemini, tool
    from benchmarks.scenario import PROMPT, get_time, get_weather

    model = Gemini("gemini-2.5-flash", api_key="bench", base_url=url)
    tools = [tool(blocking=False)(get_weather), tool(blocking=False)(get_time)]
    agent: Agent[None] = Agent(model, tools=tools)
    for _ in range(WARMUP):
        await agent.run(PROMPT)
    gc.collect()
    before = _rss_kb()
    peak = before
    done = 0
    limiter = anyio.CapacityLimiter(in_flight)

    async def one() -> None:
        nonlocal done
        async with limiter:
            await agent.run(PROMPT)
        done += 1

    async def sample(stop: anyio.Event) -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, _rss_kb())
            with anyio.move_on_after(0.02):
                await stop.wait()

    async def batch(runs: int) -> None:
        stop = anyio.Event()
        async with anyio.create_task_group() as outer:
            outer.start_soon(sample, stop)
            async with anyio.create_task_group() as group:
                for _ in range(runs):
                    group.start_soon(one)
            stop.set()

    await batch(first)
    gc.collect()
    after_first = _rss_kb()
    await batch(last - first)
    gc.collect()
    after_last = _rss_kb()
    client = model._transport._client
    pool_size = len(client._transport._pool.connections) if client is not None else None  # type: ignore[attr-defined]
    tasks = len(asyncio.all_tasks()) - 1
    await model.aclose()
    return {
        "in_flight": in_flight,
        "rss_before_mb": before / 1024,
        "rss_peak_mb": peak / 1024,
        "kb_per_in_flight_run": (peak - before) / in_flight,
        f"rss_after_{first}_mb": after_first / 1024,
        f"rss_after_{last}_mb": after_last / 1024,
        "rss_growth_mb": (after_last - after_first) / 1024,
        "tasks_left": tasks,
        "pool_connections": pool_size,
    }


def memory(url: str, smoke: bool, sizes: tuple[int, int] | None = None) -> dict[str, Any]:
    in_flight, (first, last) = (600, (600, 1200)) if smoke else (1000, (1000, 10_000))
    first, last = sizes or (first, last)
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.growth_runs", "--memory", url, str(in_flight)]
        + [str(first), str(last)],
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def measure(smoke: bool, sizes: tuple[int, int] | None = None) -> list[Curve]:
    """``sizes``: other run counts than the mode's (one round each: a quicker full-size look)."""
    settings = SMOKE if smoke else FULL
    if sizes is not None:
        settings = {**settings, "sizes": sizes, "repeats": (1, 1)}
    with emulator_process() as (url, _):
        curves = anyio.run(_measure, url, settings)
        held = memory(url, smoke, sizes)
    curves[-2].note = "memory (agentkit alone): " + ", ".join(
        f"{key} {value:.1f}" if isinstance(value, float) else f"{key} {value}"
        for key, value in held.items()
    )
    curves[-2].figures = held
    return curves


def targets(curves: list[Curve], smoke: bool) -> list[Target]:
    slack = 3.0 if smoke else 1.0
    speed_low, cpu_low, _, speed_high, cpu_high, _ = curves
    found = [
        Target(
            f"throughput vs floor, {curve.name}, {curve.points[-1].size:,} runs",
            round(curve.points[-1].vs_floor, 2),
            1.0 / slack,
            smaller_is_better=False,
        )
        for curve in (speed_low, speed_high)
    ]
    flat = cpu_high.points[-1].agentkit / cpu_low.points[-1].agentkit
    found.append(Target("CPU per step, most in flight / fewest", round(flat, 2), 1.5 * slack))
    held = cpu_high.figures
    if held:
        found.append(
            Target("RSS growth after the runs ended, MB", held["rss_growth_mb"], 8 * slack)
        )
        found.append(Target("tasks left after the runs", held["tasks_left"], 0))
    return found


def main() -> None:
    if sys.argv[1:2] == ["--memory"]:
        url, in_flight, first, last = sys.argv[2], *map(int, sys.argv[3:6])
        print(json.dumps(anyio.run(_memory, url, in_flight, first, last)))
        return
    smoke = "--smoke" in sys.argv
    sizes = None
    if "--sizes" in sys.argv:  # e.g. --sizes 1000,3000
        low, high = map(int, sys.argv[sys.argv.index("--sizes") + 1].split(","))
        sizes = (low, high)
    curves = measure(smoke, sizes)
    for curve in curves:
        print_curve(curve)
    sys.exit(0 if print_targets(targets(curves, smoke), smoke) else 1)


if __name__ == "__main__":
    main()
