"""``agentkit run FILE --durable`` killed with SIGKILL inside a tool call, or right after a
step was recorded, then run again: the run continues; what the last invocation prints is
what an uninterrupted run prints, each completed call ran once and the one in flight at
most twice, with the same idempotency key. On SQLite (the default) and on Postgres."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from .conftest import ROOT, kill_hard, log_lines, wait_until

RUN_FILE = """model = "gemini-2.5-flash"
tools = ["tests.scale.effects"]
prompts = ["Record a and b", "Record c"]

[[offline.turns]]
calls = [{ name = "record", args = { item = "a" } }, { name = "record", args = { item = "b" } }]
[[offline.turns]]
calls = [{ name = "record", args = { item = "b2" } }]
[[offline.turns]]
text = "Recorded a and b."
[[offline.turns]]
calls = [{ name = "record", args = { item = "c" } }]
[[offline.turns]]
text = "Recorded c."
"""


def _run(run_file: Path, database: str, run_id: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "agentkit.cli",
            "run",
            str(run_file),
            "--durable",
            "--db",
            database,
            "--run-id",
            run_id,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _steps_recorded(database: str, run_id: str) -> int:
    if database.startswith("sqlite"):
        import sqlite3

        path = database.removeprefix("sqlite:///")
        if not Path(path).exists():
            return 0
        with sqlite3.connect(path) as connection:
            try:
                row = connection.execute(
                    "SELECT count(*) FROM operation_outputs WHERE workflow_uuid = ?", (run_id,)
                ).fetchone()
            except sqlite3.OperationalError:
                return 0
    else:
        import psycopg

        with psycopg.connect(database) as connection:
            try:
                row = connection.execute(
                    "SELECT count(*) FROM dbos.operation_outputs WHERE workflow_uuid = %s",
                    (run_id,),
                ).fetchone()
            except psycopg.errors.UndefinedTable:
                return 0
    return int(row[0]) if row else 0


@pytest.fixture(params=["sqlite", "postgres"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'durable.sqlite'}"
    return str(request.getfixturevalue("fresh_database"))


@pytest.mark.parametrize("kill_point", ["in_tool_call", "after_a_step"])
def test_killed_run_continues_where_it_stopped(
    kill_point: str, database: str, tmp_path: Path, effects: Path
) -> None:
    run_file = tmp_path / "run.toml"
    run_file.write_text(RUN_FILE)
    env = {k: v for k, v in os.environ.items() if k not in ("GEMINI_API_KEY", "GOOGLE_API_KEY")}
    # The uninterrupted run, for comparison (its own database and effects).
    clean_effects = tmp_path / "clean-effects"
    clean_effects.mkdir()
    clean = _run(
        run_file,
        f"sqlite:///{tmp_path / 'clean.sqlite'}",
        "r1",
        {**env, "EFFECTS_DIR": str(clean_effects)},
    )
    expected, _ = clean.communicate(timeout=120)
    assert clean.returncode == 0

    blocked_key = "r1:2:#0"  # the first prompt's second turn: its one call
    first = _run(run_file, database, "r1", {**env, "EFFECTS_BLOCK": blocked_key})
    if kill_point == "in_tool_call":
        wait_until(lambda: (effects / "blocked").exists(), 120)
    else:
        wait_until(lambda: _steps_recorded(database, "r1") >= 2, 120)  # a model call, a call
    kill_hard(first)

    again = _run(run_file, database, "r1", env)
    shown, errors = again.communicate(timeout=120)
    assert again.returncode == 0, errors
    assert shown == expected
    attempts = Counter(line["key"] for line in log_lines(effects / "attempts.log"))
    effect_keys = Counter(line["key"] for line in log_lines(effects / "effects.log"))
    keys = {"r1:1:#0", "r1:1:#1", "r1:2:#0", "r1/2:1:#0"}
    assert set(effect_keys) == keys and set(effect_keys.values()) == {1}
    repeated = {key for key, count in attempts.items() if count > 1}
    if kill_point == "in_tool_call":
        assert attempts[blocked_key] == 2 and repeated == {blocked_key}
    else:
        assert repeated <= keys and max(attempts.values()) <= 2
