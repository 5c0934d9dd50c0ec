"""A queued batch in a test: the run file, the inputs, worker processes and batch runs
against an emulator in the test's process and a database of the throwaway cluster."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from agentkit.testing.emulator import Emulator

from .conftest import ROOT, wait_until

RUN_FILE = """model = "gemini-2.5-flash"
tools = ["tests.scale.effects"]
prompt = "Record {item}"
"""
TURNS: list[Any] = [
    [{"functionCall": {"name": "record", "args": {"item": "it"}}}],
    "Recorded.",
]


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


class Setup:
    def __init__(
        self, tmp_path: Path, database: str, emulator: Emulator, key: str, rows: int
    ) -> None:
        self.tmp_path, self.database, self.emulator = tmp_path, database, emulator
        self.run_file = tmp_path / "batch.toml"
        self.run_file.write_text(RUN_FILE)
        self.inputs = tmp_path / "in.jsonl"
        self.inputs.write_text(
            "".join(json.dumps({"id": f"r{i}", "item": f"n{i}"}) + "\n" for i in range(rows))
        )
        self.out = tmp_path / "out.jsonl"
        self.env = {
            k: v for k, v in os.environ.items() if k not in ("GEMINI_API_KEY", "GOOGLE_API_KEY")
        }
        self.env["GOOGLE_GEMINI_BASE_URL"] = emulator.url
        self.env["GEMINI_API_KEY"] = key
        self.runs = 0
        self.workers: list[subprocess.Popen[str]] = []

    def worker(self, env: dict[str, str] | None = None, concurrency: int = 4) -> None:
        log = self.tmp_path / f"worker{len(self.workers)}.log"
        args = ["worker", str(self.run_file), "--queue", self.database]
        args += ["--concurrency", str(concurrency), "--worker-id", f"w{len(self.workers)}"]
        self.workers.append(_start(args, log, env or self.env))
        wait_until(lambda: "ready" in log.read_text(), 120)

    def stop_workers(self) -> None:
        self.stop_workers_alive()
        self.workers.clear()

    def stop_workers_alive(self) -> None:
        for process in self.workers:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=60)

    def batch(self, *extra: str) -> subprocess.Popen[str]:
        self.runs += 1
        args = ["batch", str(self.run_file), "--inputs", str(self.inputs), "--out", str(self.out)]
        return _start([*args, "--queue", self.database, *extra], self.log(), self.env)

    def log(self) -> Path:
        return self.tmp_path / f"batch{self.runs}.log"

    def rows(self) -> list[dict[str, Any]]:
        if not self.out.exists():
            return []
        return [json.loads(line) for line in self.out.read_text().splitlines()]
