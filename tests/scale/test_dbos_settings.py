"""The settings agentkit gives DBOS reach the database: a durable run's SQLite file is in WAL
mode (the connect arguments DBOS passes through to the driver), and a run on it still
completes with its steps recorded."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import anyio

from agentkit import Agent
from agentkit.scale.durable import DurableRuns
from agentkit.testing.emulator import InProcessEmulator


def test_a_durable_runs_sqlite_file_is_in_wal_mode_and_records_its_steps(tmp_path: Path) -> None:
    emulator = InProcessEmulator(model="gemini-2.5-flash")
    emulator.script(["Hello."])
    database = tmp_path / "runs.sqlite"

    async def main() -> str:
        async with DurableRuns(Agent(emulator), f"sqlite:///{database}") as runs:
            return (await runs.run("Hi", run_id="one")).text

    assert anyio.run(main) == "Hello."
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        steps = connection.execute(
            "SELECT function_name FROM operation_outputs WHERE workflow_uuid = 'one'"
        ).fetchall()
    assert steps == [("model 1.1",)]
