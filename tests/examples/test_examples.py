"""Every example runs offline (scripted, through the emulator) and does what it says."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(tmp_path: Path, *command: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("GEMINI_API_KEY", "GOOGLE_API_KEY")}
    env["AGENTKIT_HOME_DB"] = str(tmp_path / "home.db")
    done = subprocess.run(command, cwd=ROOT, env=env, input=stdin, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("quickstart.py", ["It's 14 °C with light rain in Paris."]),
        ("parallel_calls.py", ["Tokyo is warmest at 22 °C", "3 lookups of 0.5 s each took"]),
        ("confirmation_flow.py", ['paused: True; waiting on [{"key": "0", "name": "unlock_door"', "front door locked: False"]),
        ("streaming_events.py", ["[call] count_words(", "[result] count_words -> {'output': 9}", "[finished: completed,"]),
        ("structured_output.py", ["Scene(name='reading', brightness=70, color_temperature='daylight', blinds_open=True)"]),
        ("image_question.py", ["inline: It is a single white pixel.", "(image/png, 70 bytes)",
                               "from the file: Still one white pixel, read from the uploaded file."]),
        ("grounded_answer.py", ["The sun sets in Oslo at 15:12 today.",
                                "  [1] Sunrise and sunset, Oslo: https://www.timeanddate.com/sun/norway/oslo"]),
    ],
)
def test_example_runs_offline(tmp_path: Path, script: str, expected: list[str]) -> None:
    done = run(tmp_path, sys.executable, f"examples/{script}")
    assert "offline: no API key set — the model's turns are SCRIPTED" in done.stdout
    for text in expected:
        assert text in done.stdout


def test_parallel_example_really_overlaps(tmp_path: Path) -> None:
    line = next(x for x in run(tmp_path, sys.executable, "examples/parallel_calls.py").stdout.splitlines() if "lookups" in x)
    assert float(line.split("took ")[1].split(" s")[0]) < 1.5  # three 0.5 s lookups, not 1.5 s in a row


def test_home_assistant_example(tmp_path: Path) -> None:
    done = run(tmp_path, sys.executable, "examples/home_assistant.py", stdin="movie night\nlet my friend in\ny\nexit\n")
    assert "Movie night is on" in done.stdout and 'allow unlock_door({"door": "front"})? [y/N] y' in done.stdout
    import sqlite3

    db = sqlite3.connect(tmp_path / "home.db")
    assert db.execute("SELECT locked FROM locks WHERE door = 'front'").fetchone() == (0,)
    assert db.execute("SELECT brightness FROM lights WHERE room = 'living room'").fetchone() == (15,)


def test_home_run_file_example(tmp_path: Path) -> None:
    done = run(tmp_path, sys.executable, "-m", "agentkit.cli", "run", "examples/home.toml")
    assert "There is no room called hallway" in done.stdout


def test_batch_example(tmp_path: Path) -> None:
    out = tmp_path / "results.jsonl"
    run(tmp_path, sys.executable, "-m", "agentkit.cli", "batch", "examples/batch.toml",
        "--inputs", "examples/batch_inputs.jsonl", "--out", str(out))
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert sorted(r["id"] for r in records) == [f"q{n}" for n in range(1, 9)]
    assert all(r["status"] == "ok" and r["tool_calls"][0]["response"]["result"] == 4 for r in records)
