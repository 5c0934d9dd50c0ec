"""Queue workers and durable steps: ``python -m benchmarks.queue_workers [--smoke]``.

1. Throughput of a queued batch (``agentkit batch --queue``) against the emulator (its own
   process, per-conversation script: one tool call, then an answer) with 1, 2 and 4
   ``agentkit worker`` processes, no rate limit: rows per second from the batch command's
   start to its exit (all rows written). A throwaway Postgres cluster, a new database each.
2. What a durable step costs: one run of many turns (a tool call each), plain and as a
   durable run (SQLite), in process against the in-process emulator; the difference per
   step (each turn is two steps: the model call and the tool call) and the ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RUN_FILE = """model = "gemini-2.5-flash"
tools = ["tools.calc"]
prompt = "Add {a} and 1"

[[offline.turns]]
calls = [{ name = "calculate", args = { expression = "1+1" } }]
[[offline.turns]]
text = "2."
"""


def _cli(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with open(log, "wb") as stream:
        return subprocess.Popen(
            [sys.executable, "-m", "agentkit.cli", *args],
            cwd=ROOT,
            env=env,
            stdout=stream,
            stderr=subprocess.STDOUT,
        )


def _wait_for(path: Path, text: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while text not in path.read_text(errors="replace"):
        if time.monotonic() > deadline:
            raise RuntimeError(f"{path}: {text!r} not seen")
        time.sleep(0.05)


def batch_throughput(cluster: str, rows: int, workers: int, folder: Path, url: str) -> float:
    from agentkit.testing.postgres import new_database

    database = new_database(cluster)
    run_file = folder / "bench.toml"
    run_file.write_text(RUN_FILE)
    inputs = folder / f"in-{workers}.jsonl"
    inputs.write_text("".join(json.dumps({"id": i, "a": i}) + "\n" for i in range(rows)))
    out = folder / f"out-{workers}.jsonl"
    env = {k: v for k, v in os.environ.items() if k not in ("GEMINI_API_KEY", "GOOGLE_API_KEY")}
    env["GOOGLE_GEMINI_BASE_URL"] = url
    started = []
    try:
        for number in range(workers):
            log = folder / f"w{workers}-{number}.log"
            started.append(
                _cli(
                    [
                        "worker",
                        str(run_file),
                        "--queue",
                        database,
                        "--concurrency",
                        "32",
                        "--worker-id",
                        f"w{number}",
                    ],
                    env,
                    log,
                )
            )
            _wait_for(log, "ready")
        begin = time.perf_counter()
        batch = _cli(
            [
                "batch",
                str(run_file),
                "--inputs",
                str(inputs),
                "--out",
                str(out),
                "--queue",
                database,
            ],
            env,
            folder / f"batch-{workers}.log",
        )
        if batch.wait(timeout=1800) != 0:
            raise RuntimeError((folder / f"batch-{workers}.log").read_text()[-2000:])
        elapsed = time.perf_counter() - begin
    finally:
        for process in started:
            process.terminate()
            process.wait(timeout=60)
    lines = out.read_bytes().count(b"\n")
    assert lines == rows, f"{lines} result lines for {rows} rows"
    return rows / elapsed


async def step_overhead(turns: int, folder: Path) -> dict[str, float]:
    from agentkit import Agent
    from agentkit.scale.durable import DurableRuns
    from agentkit.testing.emulator import InProcessEmulator
    from agentkit.toolsets import calc

    def agent() -> Agent[Any]:
        emulator = InProcessEmulator(model="gemini-2.5-flash")
        calls = [
            [
                {
                    "functionCall": {
                        "name": "calculate",
                        "args": {"expression": f"{i}+1"},
                        "id": f"c{i}",
                    }
                }
            ]
            for i in range(turns)
        ]
        emulator.script([*calls, "done"], per_conversation=True)
        return Agent(emulator, tools=[calc.calculate])

    from agentkit.agent import RunFinished, StepFinished

    marks: dict[str, list[float]] = {}

    def observe(run_id: str, event: Any) -> None:
        # From the end of the first step to the end of the run: the queue's dispatch and
        # the result's polling are left out, only the steps themselves are timed.
        if isinstance(event, StepFinished | RunFinished):
            marks.setdefault(run_id, []).append(time.perf_counter())

    plain_agent = agent()
    for name in ("warm", "measured"):
        events = plain_agent._events(
            lambda: plain_agent._loop("go", None, None, None, stream=False)
        )
        async for event in events:
            observe(f"plain-{name}", event)
    async with DurableRuns(
        agent(), f"sqlite:///{folder / 'steps.sqlite'}", on_event=observe
    ) as runs:
        await runs.run("go", run_id="durable-warm")
        await runs.run("go", run_id="durable-measured")
    plain = marks["plain-measured"][-1] - marks["plain-measured"][0]
    durable = marks["durable-measured"][-1] - marks["durable-measured"][0]
    steps = 2 * (turns - 1) + 1  # the turns after the first: a model call and a tool call each
    return {
        "steps": steps,
        "plain_ms_per_step": 1000 * plain / steps,
        "durable_ms_per_step": 1000 * durable / steps,
        "overhead_ms_per_step": 1000 * (durable - plain) / steps,
        "ratio": durable / plain,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.queue_workers")
    parser.add_argument("--smoke", action="store_true", help="small and quick (CI)")
    parser.add_argument("--out", help="also write the figures as JSON here")
    args = parser.parse_args(argv)
    rows = 200 if args.smoke else 10_000
    counts = [1, 2] if args.smoke else [1, 2, 4]
    results: dict[str, Any] = {"rows": rows}
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        results["durable_step"] = asyncio.run(step_overhead(10 if args.smoke else 50, folder))
        step = results["durable_step"]
        print(
            f"durable step: {step['durable_ms_per_step']:.2f} ms vs plain "
            f"{step['plain_ms_per_step']:.2f} ms per step ({step['ratio']:.1f}x; "
            f"+{step['overhead_ms_per_step']:.2f} ms)"
        )
        from agentkit.testing.postgres import throwaway_cluster

        run_file = folder / "bench.toml"
        run_file.write_text(RUN_FILE)
        serve = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "agentkit.cli",
                "serve",
                "--port",
                "0",
                "--script",
                str(run_file),
                "--per-conversation",
            ],
            cwd=ROOT,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert serve.stderr is not None
            line = serve.stderr.readline()
            url = next(w for w in line.split() if w.startswith("http://")).rstrip(".,")
            with throwaway_cluster() as cluster:
                for workers in counts:
                    rate = batch_throughput(cluster, rows, workers, folder, url)
                    results[f"workers_{workers}_rows_per_s"] = rate
                    print(f"{rows} rows, {workers} worker(s): {rate:.0f} rows/s")
        finally:
            serve.terminate()
            serve.communicate(timeout=30)
    if args.out:
        Path(args.out).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
