"""Ways to hand a turn's sync calls to worker threads, and what each costs.

``python -m benchmarks.thread_hops [calls per turn]``: client CPU µs per call (worker threads
included) for a tool that returns at once, best of three rounds of 3,000 turns:

- ``anyio.to_thread``: ``anyio.to_thread.run_sync`` per call, in a task group (agentkit
  before);
- ``run_in_executor``: ``loop.run_in_executor`` on a ``ThreadPoolExecutor``, gathered;
- ``run_in_thread``: agentkit's hop for one call (the loop's own threads, a future per
  call), gathered — what ``Tool.invoke`` takes;
- ``executor``: agentkit's executor on the turn's planned calls (submitted from the turn's
  task, hand-backs coalesced) — what a run takes;
- ``one hop, in turn``: one job per turn running the calls one after another in one
  thread: the cheapest, but calls that block no longer overlap.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor

import anyio
import anyio.to_thread

from agentkit import ToolContext, tool
from agentkit.agent.executor import PlannedCall, run_planned
from agentkit.tools.threads import run_in_thread, threads_for
from agentkit.types import FunctionCall

TURNS = 3000


def lookup(item: int) -> int:
    """Return the item."""
    return item


Turn = Callable[[int], Awaitable[None]]


def ways() -> dict[str, Turn]:
    pool = ThreadPoolExecutor(8)
    limiter = anyio.CapacityLimiter(16)
    lookup_tool = tool(lookup)

    async def with_anyio(calls: int) -> None:
        async with anyio.create_task_group() as group:
            for n in range(calls):
                group.start_soon(anyio.to_thread.run_sync, lookup, n)

    async def with_executor_pool(calls: int) -> None:
        loop = asyncio.get_running_loop()
        await asyncio.gather(*(loop.run_in_executor(pool, lookup, n) for n in range(calls)))

    async def with_run_in_thread(calls: int) -> None:
        await asyncio.gather(*(run_in_thread(lambda n=n: lookup(n), limiter) for n in range(calls)))

    async def with_agentkit_executor(calls: int) -> None:
        planned = [
            PlannedCall(n, FunctionCall(name="lookup", args={"item": n}), lookup_tool, {"item": n})
            for n in range(calls)
        ]
        await run_planned(
            planned, lambda _: ToolContext(), limiter=limiter, multimodal=True, time_left=None
        )

    async def one_hop_in_turn(calls: int) -> None:
        loop = asyncio.get_running_loop()
        done: asyncio.Future[list[int]] = loop.create_future()

        def job() -> Callable[[], None]:
            values = [lookup(n) for n in range(calls)]
            return lambda: loop.call_soon_threadsafe(done.set_result, values)

        threads_for(loop).submit(job)
        await done

    return {
        "anyio.to_thread": with_anyio,
        "run_in_executor": with_executor_pool,
        "run_in_thread": with_run_in_thread,
        "executor": with_agentkit_executor,
        "one hop, in turn": one_hop_in_turn,
    }


async def measure(calls: int) -> dict[str, float]:
    """µs of CPU per call for each way; the ways take turns, each round."""
    best: dict[str, float] = {}
    chosen = ways()
    for turn in chosen.values():
        await turn(calls)  # threads started, caches warm
    for _ in range(3):
        for name, turn in chosen.items():
            started = time.process_time()
            for _ in range(TURNS):
                await turn(calls)
            spent = (time.process_time() - started) / (TURNS * calls) * 1e6
            best[name] = min(best.get(name, spent), spent)
    return best


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    calls = int(args[0]) if args else 2
    results = asyncio.run(measure(calls))
    print(f"client CPU µs per call, {calls} calls per turn (best of 3 x {TURNS} turns)")
    for name, value in results.items():
        print(f"  {name:<20}{value:8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
