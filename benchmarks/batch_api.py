"""The same agent runs on the Batch API and plain: ``python -m benchmarks.batch_api``.

100 inputs, each the benchmark's scenario (two rounds of two parallel tool calls, then a
text answer: three model calls), against the strict emulator in this process: once plain
(every model call a generateContent request, 8 runs at a time as ``agentkit batch`` does by
default) and once through ``BatchApiRunner`` (every step of every run in one Batch API
job). Printed: jobs submitted, HTTP requests, wall time, total tokens and the cost of each
— the plain one at the standard price, the batch one at the batch price. The transcripts of
the two must be identical, or the measurement stops.

On the emulator a job is answered as soon as it is polled; a real one takes minutes to
hours (Gemini's target is 24 hours), which is the price of the half price.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import anyio

from agentkit import Agent, Gemini, tool
from agentkit.models import Model
from agentkit.models.batches import PollSchedule
from agentkit.pricing import batch_cost
from agentkit.scale import BatchApiOptions, BatchApiRunner, RunOutcome, RunSpec
from agentkit.testing.emulator import Emulator
from benchmarks.scenario import PROMPT, answer, get_time, get_weather

INPUTS = 100
PLAIN_CONCURRENCY = 8  # agentkit batch's default
POLL = PollSchedule(first=0.01, factor=1.5, longest=0.05)


def _agent(model: Model) -> Agent[Any]:
    return Agent(model, tools=[tool(get_weather), tool(get_time)])


def _prompts(inputs: int) -> dict[str, str]:
    return {f"row-{n:03d}": f"{PROMPT} (input {n})" for n in range(inputs)}


async def _plain(gemini: Gemini, prompts: dict[str, str]) -> dict[str, Any]:
    limiter = anyio.CapacityLimiter(PLAIN_CONCURRENCY)
    results: dict[str, Any] = {}

    async def one(key: str, prompt: str) -> None:
        async with limiter:
            results[key] = await _agent(gemini).run(prompt)

    async with anyio.create_task_group() as group:
        for key, prompt in prompts.items():
            group.start_soon(one, key, prompt)
    return results


async def _batched(gemini: Gemini, prompts: dict[str, str], state: Path) -> tuple[Any, Any]:
    outcomes: dict[str, RunOutcome] = {}
    runner = BatchApiRunner(gemini, _agent, state, options=BatchApiOptions(poll=POLL))
    specs = [RunSpec(key, (prompt,)) for key, prompt in prompts.items()]
    report = await runner.run(specs, lambda outcome: outcomes.setdefault(outcome.id, outcome))
    return outcomes, report


def measure(inputs: int = INPUTS) -> dict[str, Any]:
    prompts = _prompts(inputs)
    with Emulator() as emulator, tempfile.TemporaryDirectory() as folder:
        emulator.respond_with(answer)
        gemini = Gemini("gemini-2.5-flash", base_url=emulator.url)

        started = time.perf_counter()
        plain = anyio.run(_plain, gemini, prompts)
        plain_wall = time.perf_counter() - started
        plain_requests = len(emulator.requests)
        emulator.requests.clear()

        started = time.perf_counter()
        outcomes, report = anyio.run(_batched, gemini, prompts, Path(folder) / "state.db")
        batch_wall = time.perf_counter() - started
        batch_requests = [f"{r.method} {r.path.rsplit('/', 1)[-1]}" for r in emulator.requests]

    failed = [key for key, outcome in outcomes.items() if outcome.error is not None]
    if failed or len(outcomes) != inputs:
        raise RuntimeError(f"batch runs failed: {failed[:3]} ({len(outcomes)} of {inputs} ended)")
    differing = [key for key in prompts if outcomes[key].result.history != plain[key].history]
    if differing:
        raise RuntimeError(f"the batch transcripts differ from the plain ones: {differing[:3]}")
    standard = sum(result.usage.cost_usd for result in plain.values())
    batch_standard = sum(o.standard_cost_usd or 0.0 for o in outcomes.values())
    return {
        "inputs": inputs,
        "steps_per_run": 3,
        "plain": {
            "jobs": 0,
            "http_requests": plain_requests,
            "wall_s": round(plain_wall, 3),
            "total_tokens": sum(result.usage.total_tokens for result in plain.values()),
            "cost_usd": round(standard, 6),
        },
        "batch_api": {
            "jobs": len(report.submitted),
            "job_names": report.submitted,
            "http_requests": len(batch_requests),
            "wall_s": round(batch_wall, 3),
            "total_tokens": sum(o.result.usage.total_tokens for o in outcomes.values()),
            "cost_usd": round(batch_cost(batch_standard) or 0.0, 6),
            "standard_cost_usd": round(batch_standard, 6),
        },
    }


def print_rows(results: dict[str, Any]) -> None:
    print(
        f"\nBatch API: {results['inputs']} inputs x {results['steps_per_run']} steps (two tool "
        "rounds, then text), strict emulator; plain = one generateContent per model call"
    )
    header = ("", "jobs", "HTTP requests", "wall s", "total tokens", "cost $")
    print(f"{header[0]:<12}" + "".join(f"{h:>15}" for h in header[1:]))
    for name, label in (("plain", "plain"), ("batch_api", "batch API")):
        row = results[name]
        price = "standard" if name == "plain" else "batch price"
        print(
            f"{label:<12}{row['jobs']:>15}{row['http_requests']:>15}{row['wall_s']:>15.3f}"
            f"{row['total_tokens']:>15,}{row['cost_usd']:>15.6f}  ({price})"
        )
    batch = results["batch_api"]
    print(
        f"batch API at the standard price: ${batch['standard_cost_usd']:.6f}; "
        f"batch / plain cost: {batch['cost_usd'] / results['plain']['cost_usd']:.2f}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.batch_api")
    parser.add_argument("--inputs", type=int, default=INPUTS)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args(argv)
    results = measure(args.inputs)
    print_rows(results)
    if args.json:
        print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
