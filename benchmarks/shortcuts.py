"""What each shortcut on another library's internals buys, measured on and off in one run.

Each shortcut can be switched off the way its fallback is forced in the contract tests
(``tests/models/test_shortcut_contracts.py``, ``tests/tools/test_engine_check.py``):

- ``pool``: agentkit's connection pool in place of httpcore's (``pool.RELIED_ON`` given a
  name no pool has). The scenario at 100 and at 1,000 runs in flight.
- ``cookies``: the cookie jar that skips responses without Set-Cookie
  (``rest.COOKIE_JAR_ATTRIBUTE`` pointed elsewhere). Sequential runs (no queueing in the pool
  to hide it), client CPU per step.
- ``fast engine``: tools' argument validators written as pydantic-core nodes instead of
  through a pydantic model (``fast_nodes_agree`` answering False). Building 100 tools, and
  validating one call's arguments.

On and off take turns, ``REPEATS`` times; printed: the median of each, the spread, and the
ratio off/on (what dropping the shortcut would cost). ``python -m benchmarks.shortcuts
[--smoke]``.
"""

from __future__ import annotations

import contextlib
import json
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import anyio

from agentkit.models import pool as pool_module
from agentkit.models import rest as rest_module
from agentkit.tools import parameters as parameters_module
from benchmarks.contenders import agentkit
from benchmarks.scenario import FINAL_TEXT
from benchmarks.server_process import emulator_process
from benchmarks.tool_build import _make_function, build_tools

REPEATS, SMOKE_REPEATS = 5, 2
STEPS_PER_RUN = 3


# How each shortcut is switched off: (module, attribute, value) as its fallback sees it.
SWITCHES: dict[str, tuple[Any, str, Any]] = {
    "pool": (pool_module, "RELIED_ON", (*pool_module.RELIED_ON, "_absent")),
    "cookies": (rest_module, "COOKIE_JAR_ATTRIBUTE", "_absent"),
    "engine": (parameters_module, "fast_nodes_agree", lambda: False),
}


@contextlib.contextmanager
def switched_off(name: str) -> Iterator[None]:
    """The shortcut ``name`` off, as its fallback would be if its library changed."""
    module, attribute, value = SWITCHES[name]
    saved = getattr(module, attribute)
    setattr(module, attribute, value)
    try:
        yield
    finally:
        setattr(module, attribute, saved)


async def _scenario(url: str, runs: int, in_flight: int) -> tuple[float, float]:
    """A fresh agentkit (its client made under the current switches): runs per second and
    client CPU ms per step."""
    contender = agentkit(url, blocking=False)
    limiter = anyio.CapacityLimiter(in_flight)
    for _ in range(5):
        assert await contender.run_once() == FINAL_TEXT

    async def one() -> None:
        async with limiter:
            assert await contender.run_once() == FINAL_TEXT

    cpu, wall = time.process_time(), time.perf_counter()
    async with anyio.create_task_group() as group:
        for _ in range(runs):
            group.start_soon(one)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    await contender.close()
    return runs / wall, cpu / (runs * STEPS_PER_RUN) * 1000


def _validate_us(calls: int = 2000) -> float:
    from agentkit.tools import Tool

    built = Tool(_make_function(999))
    args = {"room": "hall", "level": 40, "mode": "comfort", "tags": ["a", "b"]}
    started = time.perf_counter()
    for _ in range(calls):
        built.validate(args)
    return (time.perf_counter() - started) / calls * 1e6


def _summary(on: list[float], off: list[float]) -> dict[str, float]:
    return {
        "on": statistics.median(on),
        "off": statistics.median(off),
        "on_spread": max(on) - min(on),
        "off_spread": max(off) - min(off),
        "off_over_on": statistics.median(off) / statistics.median(on),
    }


def _pair(
    measure: Callable[[], tuple[float, ...]], name: str, repeats: int
) -> list[dict[str, float]]:
    """Each figure ``measure`` returns, on and off in turns: one summary per figure."""
    on: list[tuple[float, ...]] = []
    off: list[tuple[float, ...]] = []
    for repeat in range(repeats):
        for turn in ("on", "off") if repeat % 2 == 0 else ("off", "on"):
            if turn == "on":
                on.append(measure())
            else:
                with switched_off(name):
                    off.append(measure())
    return [_summary([v[i] for v in on], [v[i] for v in off]) for i in range(len(on[0]))]


def measure(smoke: bool) -> dict[str, dict[str, float]]:
    repeats = SMOKE_REPEATS if smoke else REPEATS
    results: dict[str, dict[str, float]] = {}
    with emulator_process() as (url, _):
        for in_flight, runs in ((50, 100),) if smoke else ((100, 300), (1000, 1500)):

            def scenario(in_flight: int = in_flight, runs: int = runs) -> tuple[float, float]:
                return anyio.run(_scenario, url, runs, in_flight)

            rate, cpu = _pair(scenario, "pool", repeats)
            results[f"pool, {in_flight} in flight, runs/s"] = rate
            results[f"pool, {in_flight} in flight, CPU ms/step"] = cpu
        [_, results["cookies, sequential, CPU ms/step"]] = _pair(
            lambda: anyio.run(_scenario, url, 60 if smoke else 300, 1), "cookies", repeats
        )
    build_tools(5)
    [results["fast engine, build 100 tools, ms"]] = _pair(
        lambda: (build_tools(100) * 1000,), "engine", repeats
    )
    [results["fast engine, validate a call, us"]] = _pair(
        lambda: (_validate_us(),), "engine", repeats
    )
    return results


def main() -> None:
    results = measure("--smoke" in sys.argv)
    width = max(map(len, results))
    print(f"{'shortcut':<{width}}  {'on':>10}  {'off':>10}  {'off/on':>7}  spread on/off")
    for key, figures in results.items():
        spread = f"{figures['on_spread']:.3f}/{figures['off_spread']:.3f}"
        print(
            f"{key:<{width}}  {figures['on']:>10.3f}  {figures['off']:>10.3f}  "
            f"{figures['off_over_on']:>7.2f}  {spread}"
        )
    print(json.dumps(results))


if __name__ == "__main__":
    main()
