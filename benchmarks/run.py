"""Benchmark runner: ``python -m benchmarks`` (full) or ``python -m benchmarks --smoke`` (CI).

Starts the emulator in a separate process, then measures in this process, one contender after
the other: client CPU per model step and wall time over sequential runs, and throughput with
many runs in flight. Also: import time, building 100 tool declarations, and four parallel sync
tools that each sleep 0.3 s. Prints ratios to the hand-written httpx floor measured in the
same run, checks the targets, and writes a JSON file for comparison across commits.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import anyio

from benchmarks.contenders import CONTENDERS, EXPECTED, Contender
from benchmarks.tool_build import measure as measure_tool_build

STEPS_PER_RUN = 3  # model calls per run of the scenario


@dataclass
class Settings:
    runs: int
    concurrent_runs: int
    in_flight: int
    warmup: int
    smoke: bool


FULL = Settings(runs=300, concurrent_runs=1000, in_flight=100, warmup=20, smoke=False)
SMOKE = Settings(runs=40, concurrent_runs=100, in_flight=20, warmup=5, smoke=True)


async def measure_contender(contender: Contender, settings: Settings) -> dict[str, float]:
    for _ in range(settings.warmup):
        text = await contender.run_once()
        if text != EXPECTED:
            raise RuntimeError(f"{contender.name} answered {text!r}, expected {EXPECTED!r}")
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(settings.runs):
        await contender.run_once()
    sequential_cpu, sequential_wall = time.process_time() - cpu, time.perf_counter() - wall

    limiter = anyio.CapacityLimiter(settings.in_flight)

    async def one() -> None:
        async with limiter:
            await contender.run_once()

    cpu, wall = time.process_time(), time.perf_counter()
    async with anyio.create_task_group() as group:
        for _ in range(settings.concurrent_runs):
            group.start_soon(one)
    concurrent_cpu, concurrent_wall = time.process_time() - cpu, time.perf_counter() - wall
    await contender.close()
    steps = settings.runs * STEPS_PER_RUN
    return {
        "cpu_ms_per_step": round(sequential_cpu / steps * 1000, 4),
        "wall_ms_per_run": round(sequential_wall / settings.runs * 1000, 3),
        "concurrent_runs_per_s": round(settings.concurrent_runs / concurrent_wall, 1),
        "concurrent_cpu_ms_per_step": round(
            concurrent_cpu / (settings.concurrent_runs * STEPS_PER_RUN) * 1000, 4
        ),
    }


def import_seconds(statement: str, repeats: int = 5) -> float:
    """Best of ``repeats`` fresh interpreters: the time of ``statement`` alone."""
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    samples = [
        float(
            subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(repeats)
    ]
    return round(min(samples), 4)


def sync_tools_seconds() -> float:
    """Wall time of a run whose one turn asks for four sync tools that each sleep 0.3 s."""
    from agentkit import Agent, tool
    from agentkit.testing import ScriptedModel, call

    @tool
    def slow_lookup(item: int) -> int:
        time.sleep(0.3)
        return item

    model = ScriptedModel([[call("slow_lookup", item=n) for n in range(4)], "done"])
    agent = Agent(model, tools=[slow_lookup])
    started = time.perf_counter()
    agent.run_sync("look up four items")
    return round(time.perf_counter() - started, 3)


@dataclass
class Target:
    name: str
    value: float
    limit: float
    smaller_is_better: bool = True

    @property
    def met(self) -> bool:
        return self.value <= self.limit if self.smaller_is_better else self.value >= self.limit


def targets(results: dict[str, Any], smoke: bool) -> list[Target]:
    """The issue's targets; in smoke mode only gross regressions fail (3x, never noise)."""
    floor, ours = results["contenders"]["floor"], results["contenders"]["agentkit"]
    cpu_ratio = ours["cpu_ms_per_step"] / floor["cpu_ms_per_step"]
    throughput_ratio = ours["concurrent_runs_per_s"] / floor["concurrent_runs_per_s"]
    if smoke:
        return [
            Target("agentkit CPU per step / floor", round(cpu_ratio, 2), 3.0),
            Target(
                "agentkit throughput / floor",
                round(throughput_ratio, 2),
                1 / 3,
                smaller_is_better=False,
            ),
            Target("import agentkit (s)", results["import_agentkit_s"], 0.75),
            Target("4 x 0.3 s sync tools (s)", results["sync_tools_s"], 1.2),
            Target("100 declarations (ms)", results["declarations"]["best_ms"], 150.0),
        ]
    return [
        Target("agentkit CPU per step / floor", round(cpu_ratio, 2), 1.3),
        Target(
            "agentkit throughput / floor", round(throughput_ratio, 2), 0.8, smaller_is_better=False
        ),
        Target("import agentkit (s)", results["import_agentkit_s"], 0.25),
        Target("4 x 0.3 s sync tools (s)", results["sync_tools_s"], 0.40),
        Target("100 declarations (ms)", results["declarations"]["best_ms"], 50.0),
    ]


def print_report(results: dict[str, Any], checked: list[Target]) -> None:
    contenders = results["contenders"]
    floor = contenders["floor"]
    print(
        f"\nscenario: 2 tool rounds x 2 parallel calls, then text ({STEPS_PER_RUN} model calls per run)"
    )
    print(
        f"{'client':<22}{'CPU ms/step':>13}{'x floor':>9}{'ms/run':>9}{'runs/s (conc.)':>16}{'x floor':>9}"
    )
    for key, row in contenders.items():
        cpu_ratio = row["cpu_ms_per_step"] / floor["cpu_ms_per_step"]
        throughput_ratio = row["concurrent_runs_per_s"] / floor["concurrent_runs_per_s"]
        print(
            f"{row['name']:<22}{row['cpu_ms_per_step']:>13.3f}{cpu_ratio:>9.2f}"
            f"{row['wall_ms_per_run']:>9.2f}{row['concurrent_runs_per_s']:>16.1f}{throughput_ratio:>9.2f}"
        )
    print(
        f"\nimport agentkit: {results['import_agentkit_s']:.3f} s;"
        f" from agentkit import Agent, Gemini, tool: {results['import_agent_s']:.3f} s"
    )
    print(f"100 tool declarations (both dialects): {results['declarations']['best_ms']:.1f} ms")
    print(f"4 parallel sync tools sleeping 0.3 s: {results['sync_tools_s']:.3f} s")
    print(
        "\ntargets" + (" (smoke: gross regressions only)" if results["settings"]["smoke"] else "")
    )
    for target in checked:
        relation = "<=" if target.smaller_is_better else ">="
        print(
            f"  {'ok  ' if target.met else 'MISS'} {target.name}: {target.value} {relation} {target.limit:g}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument(
        "--smoke", action="store_true", help="a few seconds; fails only on gross regressions"
    )
    parser.add_argument(
        "--only", choices=sorted(CONTENDERS), action="append", help="measure only these clients"
    )
    parser.add_argument(
        "--out", default="benchmarks/results/latest.json", help="where to write the JSON results"
    )
    args = parser.parse_args(argv)
    settings = SMOKE if args.smoke else FULL
    chosen = args.only or list(CONTENDERS)
    for required in ("floor", "agentkit"):
        if required not in chosen:
            chosen.insert(0, required)
    server = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.server"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        url = server.stdout.readline().strip()
        contenders: dict[str, Any] = {}
        for key in chosen:
            try:
                contender = CONTENDERS[key](url)
            except ImportError as error:
                print(f"skipping {key}: {error} (pip install '.[bench]')")
                continue
            measured = anyio.run(measure_contender, contender, settings)
            contenders[key] = {"name": contender.name, **measured}
            print(f"measured {contender.name}: {measured}", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=10)
    results: dict[str, Any] = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "commit": _commit(),
        "python": platform.python_version(),
        "settings": asdict(settings),
        "contenders": contenders,
        "import_agentkit_s": import_seconds("import agentkit"),
        "import_agent_s": import_seconds("from agentkit import Agent, Gemini, tool"),
        "declarations": measure_tool_build(100, repeats=3 if settings.smoke else 5),
        "sync_tools_s": sync_tools_seconds(),
    }
    checked = targets(results, settings.smoke)
    results["targets"] = [{**asdict(t), "met": t.met} for t in checked]
    print_report(results, checked)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(f"\nwrote {out}")
    return 0 if all(t.met for t in checked) else 1


def _commit() -> str | None:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return done.stdout.strip() or None
