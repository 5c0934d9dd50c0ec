"""A scripted home run killed with SIGKILL mid-run and resumed ends with the same home as an
uninterrupted run: no completed step lost, none repeated."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "cli" / "fixtures"

RUN_FILE = f"""
tools = ["tools.home", "counting_tools.py"]
tool_paths = ["{ROOT}", "{FIXTURES}"]
prompts = ["Evening", "Night", "Morning"]
[[offline.turns]]
calls = [{{ name = "apply_scene", args = {{ name = "movie night" }} }}]
[[offline.turns]]
text = "Movie night."
[[offline.turns]]
calls = [{{ name = "set_light", args = {{ room = "bedroom", brightness = 20 }} }}]
[[offline.turns]]
calls = [{{ name = "record", args = {{ label = "blocker" }} }}]
[[offline.turns]]
calls = [{{ name = "set_thermostat", args = {{ target_celsius = 17 }} }}]
[[offline.turns]]
text = "Night."
[[offline.turns]]
calls = [{{ name = "apply_scene", args = {{ name = "good morning" }} }}]
[[offline.turns]]
text = "Morning."
"""


def run(tmp: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "agentkit.cli", "run", str(tmp / "home.toml"), "--session", "s"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def home_of(database: Path) -> tuple[list[tuple[object, ...]], list[str]]:
    db = sqlite3.connect(database)
    state = [
        *db.execute("SELECT * FROM lights ORDER BY room"), *db.execute("SELECT mode, target FROM thermostat"),
        *db.execute("SELECT * FROM blinds ORDER BY room"), *db.execute("SELECT * FROM locks ORDER BY door"),
    ]
    return state, [row[0] for row in db.execute("SELECT change FROM events ORDER BY id")]


def environment(tmp: Path, name: str, block: str) -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("GEMINI_API_KEY", "GOOGLE_API_KEY")}
    env.update(
        AGENTKIT_HOME_DB=str(tmp / f"{name}.db"), AGENTKIT_SESSIONS=str(tmp / f"{name}-sessions"),
        COUNT_FILE=str(tmp / f"{name}.count"), MARKER=str(tmp / f"{name}.marker"), BLOCK_ON=block,
    )
    return env


def test_crash_and_resume_matches_an_uninterrupted_run(tmp_path: Path) -> None:
    (tmp_path / "home.toml").write_text(RUN_FILE)
    clean = run(tmp_path, environment(tmp_path, "clean", block=""))
    _, err = clean.communicate(timeout=120)
    assert clean.returncode == 0, err

    crash_env = environment(tmp_path, "crash", block="blocker")
    crashed = run(tmp_path, crash_env)
    deadline = time.monotonic() + 60
    while not Path(crash_env["MARKER"]).exists():
        assert time.monotonic() < deadline and crashed.poll() is None
        time.sleep(0.02)
    crashed.send_signal(signal.SIGKILL)
    crashed.wait()
    state_at_crash, events_at_crash = home_of(tmp_path / "crash.db")
    assert events_at_crash == [
        "living room light on at 15% (warm); kitchen light off at 0% (warm); living room blinds at 0%",
        "bedroom light on at 20% (warm)",
    ]

    resumed = run(tmp_path, {**crash_env, "BLOCK_ON": ""})
    out, err = resumed.communicate(timeout=120)
    assert resumed.returncode == 0, err
    assert "resuming session 's' at prompt 2 of 3" in err
    assert home_of(tmp_path / "crash.db") == home_of(tmp_path / "clean.db")  # state and event log
    assert "Movie night." not in out and "Night." in out and "Morning." in out
