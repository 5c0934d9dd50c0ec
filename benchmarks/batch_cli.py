"""``agentkit batch`` against a raw loop doing the same requests.

Run alone: ``python -m benchmarks.batch_cli [--smoke]``.

10,000 input rows (smoke: 600), each the benchmark's scenario (three model calls, two rounds
of two tool calls), 50 rows at a time, against the emulator in its own process. Two commands,
each a fresh process, taking turns:

- ``agentkit batch RUN.toml --inputs IN.jsonl --out OUT.jsonl --concurrency 50``;
- the floor: ``python -m benchmarks.batch_cli --floor ...``, a raw loop in the same shape —
  50 workers taking rows in order, each row the hand-written httpx loop of
  ``benchmarks.contenders.floor`` (same connection limits), one JSON line written per row.

Measured per command: wall time and the process's CPU (user + system, from the kernel's
accounting of the finished child), both including start-up. Both must answer every row
with the scenario's final text, or the measurement stops.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import anyio

from benchmarks.contenders import floor
from benchmarks.growth import Target, print_targets
from benchmarks.scenario import FINAL_TEXT, PROMPT
from benchmarks.server_process import cpu_seconds, emulator_process

ROWS, SMOKE_ROWS = 10_000, 600
CONCURRENCY = 50
REPEATS, SMOKE_REPEATS = 3, 1
ROOT = Path(__file__).resolve().parent.parent
RUN_FILE = f"""
model = "gemini-2.5-flash"
tools = ["benchmarks.batch_tools"]
tool_paths = ["{ROOT}"]
prompts = ["{{prompt}}"]
"""


def write_inputs(path: Path, rows: int) -> None:
    lines = (json.dumps({"id": f"row-{n:05d}", "prompt": PROMPT}) for n in range(rows))
    path.write_text("\n".join(lines) + "\n")


async def raw_loop(inputs: Path, out: Path, url: str, pooled: bool) -> None:
    """The floor: the least a batch can do — read the rows, run each, write a line each.
    ``pooled``: with agentkit's connection pool on its client (``contenders.floor``)."""
    rows = [json.loads(line) for line in inputs.read_text().splitlines() if line]
    contender = floor(url, pooled=pooled)
    queue = iter(rows)
    with out.open("w") as results:

        async def worker() -> None:
            while (row := next(queue, None)) is not None:
                text = await contender.run_once()
                results.write(json.dumps({"id": row["id"], "status": "ok", "text": text}) + "\n")

        async with anyio.create_task_group() as group:
            for _ in range(CONCURRENCY):
                group.start_soon(worker)
        results.flush()
        os.fsync(results.fileno())
    await contender.close()


def _timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - wall
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"{command[:3]} exited {done.returncode}: {done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _check(out: Path, rows: int) -> None:
    records = [json.loads(line) for line in out.read_text().splitlines() if line]
    answered = {r["id"] for r in records if r["status"] == "ok" and r["text"] == FINAL_TEXT}
    if len(records) != rows or len(answered) != rows:
        raise RuntimeError(f"{out}: {len(answered)} of {rows} rows answered correctly")
    out.unlink()


def measure(smoke: bool, rows: int | None = None, repeats: int | None = None) -> dict[str, Any]:
    """``rows``/``repeats``: other than the mode's (a quicker look at a full-size change)."""
    rows = rows or (SMOKE_ROWS if smoke else ROWS)
    repeats = repeats or (SMOKE_REPEATS if smoke else REPEATS)
    with tempfile.TemporaryDirectory() as folder, emulator_process() as (url, server):
        work = Path(folder)
        run_file, inputs, out = work / "bench.toml", work / "in.jsonl", work / "out.jsonl"
        run_file.write_text(RUN_FILE)
        write_inputs(inputs, rows)
        env = {**os.environ, "GEMINI_API_KEY": "bench", "GOOGLE_GEMINI_BASE_URL": url}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        commands = {
            "agentkit": [sys.executable, "-m", "agentkit", "batch", str(run_file)]
            + ["--inputs", str(inputs), "--out", str(out), "--concurrency", str(CONCURRENCY)],
            "floor": [sys.executable, "-m", "benchmarks.batch_cli", "--floor", url]
            + [str(inputs), str(out)],
            "floor_pooled": [sys.executable, "-m", "benchmarks.batch_cli", "--floor-pooled", url]
            + [str(inputs), str(out)],
        }
        figures: dict[str, list[tuple[float, float]]] = {key: [] for key in commands}
        served: dict[str, list[float]] = {key: [] for key in commands}
        for repeat in range(repeats):
            order = list(commands) if repeat % 2 == 0 else list(reversed(commands))
            for key in order:
                server_cpu = cpu_seconds(server)
                figures[key].append(_timed(commands[key], env))
                served[key].append(cpu_seconds(server) - server_cpu)
                _check(out, rows)
    result: dict[str, Any] = {"rows": rows, "concurrency": CONCURRENCY}
    for key, values in figures.items():
        result[f"{key}_wall_s"] = statistics.median(v[0] for v in values)
        result[f"{key}_cpu_s"] = statistics.median(v[1] for v in values)
        result[f"{key}_server_cpu_s"] = statistics.median(served[key])
        result[f"{key}_wall_spread_s"] = max(v[0] for v in values) - min(v[0] for v in values)
    for floor_key in ("floor", "floor_pooled"):
        for what in ("wall", "cpu"):
            ratio = result[f"agentkit_{what}_s"] / result[f"{floor_key}_{what}_s"]
            result[f"{what}_x_{floor_key}"] = ratio
    return result


def targets(result: dict[str, Any], smoke: bool) -> list[Target]:
    """Against the raw loop on stock httpx (the floor), and against the same loop with
    agentkit's pool (what is left is agentkit's own overhead)."""
    limit = 1.2 * (3 if smoke else 1)
    return [
        Target(f"agentkit batch {what} vs raw loop{label}", round(result[key], 2), limit)
        for label, floor_key in (("", "floor"), (" + agentkit's pool", "floor_pooled"))
        for what, key in (("wall time", f"wall_x_{floor_key}"), ("CPU", f"cpu_x_{floor_key}"))
    ]


def main() -> None:
    if sys.argv[1] in ("--floor", "--floor-pooled"):
        url, inputs, out = sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4])
        anyio.run(raw_loop, inputs, out, url, sys.argv[1] == "--floor-pooled")
        return
    smoke = "--smoke" in sys.argv
    rows = int(sys.argv[sys.argv.index("--rows") + 1]) if "--rows" in sys.argv else None
    result = measure(smoke, rows)
    print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in result.items()}))
    sys.exit(0 if print_targets(targets(result, smoke), smoke) else 1)


if __name__ == "__main__":
    main()
