"""A 2,000-input batch on a DBOS queue in Postgres, run by three worker processes, one of
them killed with SIGKILL in the middle: every input ends exactly once, no tool effect happens
twice, and the results file has 2,000 lines with 2,000 distinct ids."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import psycopg

from .conftest import ROOT, emulator_serving, kill_hard, log_lines, wait_until

INPUTS = 2000
RUN_FILE = """model = "gemini-2.5-flash"
tools = ["tests.scale.effects"]
prompt = "Record {item}"

[[offline.turns]]
calls = [{ name = "record", args = { item = "it" } }]
[[offline.turns]]
text = "Recorded."
"""


def _start(args: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    with open(log, "w") as stream:
        return subprocess.Popen(
            [sys.executable, "-m", "agentkit.cli", *args],
            cwd=ROOT,
            env=env,
            stdout=stream,
            stderr=subprocess.STDOUT,
            text=True,
        )


def _lines(path: Path) -> int:
    return path.read_bytes().count(b"\n") if path.exists() else 0


def test_a_worker_killed_mid_batch_loses_and_repeats_nothing(
    tmp_path: Path, fresh_database: str, effects: Path
) -> None:
    run_file = tmp_path / "batch.toml"
    run_file.write_text(RUN_FILE)
    inputs = tmp_path / "in.jsonl"
    inputs.write_text(
        "".join(json.dumps({"id": f"r{i}", "item": f"n{i}"}) + "\n" for i in range(INPUTS))
    )
    out = tmp_path / "out.jsonl"
    emulator, url = emulator_serving(run_file)
    env = {k: v for k, v in os.environ.items() if k not in ("GEMINI_API_KEY", "GOOGLE_API_KEY")}
    env["GOOGLE_GEMINI_BASE_URL"] = url
    workers: list[subprocess.Popen[str]] = []
    batch = None
    try:
        batch = _start(
            [
                "batch",
                str(run_file),
                "--inputs",
                str(inputs),
                "--out",
                str(out),
                "--queue",
                fresh_database,
            ],
            tmp_path / "batch.log",
            env,
        )
        for number in range(3):
            log = tmp_path / f"worker{number}.log"
            workers.append(
                _start(
                    [
                        "worker",
                        str(run_file),
                        "--queue",
                        fresh_database,
                        "--concurrency",
                        "16",
                        "--worker-id",
                        f"w{number}",
                    ],
                    log,
                    env,
                )
            )
        # Killed once a third of the rows are written and it has rows of its own in flight.
        wait_until(lambda: _lines(out) >= INPUTS // 3, 120)
        wait_until(lambda: _pending_of(fresh_database, "w0") > 0, 60)
        in_flight = _pending_of(fresh_database, "w0")
        kill_hard(workers[0])
        assert batch.wait(timeout=180) == 0, (tmp_path / "batch.log").read_text()[-2000:]
    finally:
        for process in [*workers, *([batch] if batch else [])]:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=30)
        emulator.terminate()
        emulator.communicate(timeout=30)

    rows = [json.loads(line) for line in out.read_text().splitlines()]
    ids = Counter(row["id"] for row in rows)
    assert len(rows) == INPUTS and len(ids) == INPUTS
    assert {row["status"] for row in rows} == {"ok"}
    assert set(ids) == {f"r{i}" for i in range(INPUTS)}
    effect_keys = Counter(line["key"] for line in log_lines(effects / "effects.log"))
    assert len(effect_keys) == INPUTS and max(effect_keys.values()) == 1
    attempts = Counter(line["key"] for line in log_lines(effects / "attempts.log"))
    repeated = {key: n for key, n in attempts.items() if n > 1}
    # Only a call in flight on the killed worker may run twice, and with the same key.
    assert len(repeated) <= in_flight and max(repeated.values(), default=1) <= 2
    statuses = _statuses(fresh_database)
    assert statuses == {"SUCCESS": INPUTS}
    print(
        f"\nkill -9 batch: inputs {INPUTS}, unique outputs {len(ids)}, lines {len(rows)}, "
        f"tool executions {sum(attempts.values())}, tool effects {sum(effect_keys.values())}, "
        f"duplicate effects {sum(n - 1 for n in effect_keys.values())}, calls run twice "
        f"{len(repeated)} (killed worker had {in_flight} rows in flight)"
    )


def _pending_of(url: str, worker: str) -> int:
    with psycopg.connect(url) as connection:
        row = connection.execute(
            "SELECT count(*) FROM dbos.workflow_status WHERE status = 'PENDING' "
            "AND executor_id = %s",
            (worker,),
        ).fetchone()
    return int(row[0]) if row else 0


def _statuses(url: str) -> dict[str, int]:
    with psycopg.connect(url) as connection:
        rows = connection.execute(
            "SELECT status, count(*) FROM dbos.workflow_status "
            "WHERE name = 'agentkit.batch_row' GROUP BY status"
        ).fetchall()
    return {str(status): int(count) for status, count in rows}
