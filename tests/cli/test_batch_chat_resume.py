"""`agentkit batch` (resumable, killable), `agentkit chat`, and crash-resume of a session."""

from __future__ import annotations

import io
import json
import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from agentkit.cli import main

from .conftest import FIXTURES, ROOT, agentkit_process, write_run_file

BATCH_RUN_FILE = f"""
instructions = "Record the request, then confirm."
tools = ["counting_tools.py"]
tool_paths = ["{FIXTURES}"]
prompts = ["Please handle: {{prompt}} (customer {{customer}})"]
[[offline.turns]]
calls = [{{ name = "record", args = {{ label = "step" }} }}]
[[offline.turns]]
text = "Recorded."
"""


def make_inputs(path: Path, count: int) -> Path:
    lines = [
        json.dumps({"id": f"req-{n:03d}", "prompt": f"task {n}", "customer": f"c{n % 7}"})
        for n in range(count)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def result_lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def wait_until(condition: Callable[[], bool], seconds: float = 60) -> None:
    """Poll a condition the test is waiting on (bounded), instead of sleeping a fixed time."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.02)


def test_batch_runs_every_input_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COUNT_FILE", str(tmp_path / "count"))
    run_file = write_run_file(tmp_path / "batch.toml", BATCH_RUN_FILE)
    inputs = make_inputs(tmp_path / "in.jsonl", 30)
    out = tmp_path / "out.jsonl"
    assert (
        main(
            [
                "batch",
                str(run_file),
                "--inputs",
                str(inputs),
                "--out",
                str(out),
                "--concurrency",
                "5",
            ]
        )
        == 0
    )
    records = result_lines(out)
    assert sorted(r["id"] for r in records) == [f"req-{n:03d}" for n in range(30)]
    first = next(r for r in records if r["id"] == "req-003")
    assert (first["status"], first["text"], first["stop_reason"]) == (
        "ok",
        "Recorded.",
        "completed",
    )
    assert first["tool_calls"] == [
        {
            "name": "record",
            "args": {"label": "step"},
            "ok": True,
            "response": {"output": "recorded step"},
        }
    ]
    assert (tmp_path / "count").read_text().count("step") == 30
    # A rerun finds everything done and runs nothing.
    assert main(["batch", str(run_file), "--inputs", str(inputs), "--out", str(out)]) == 0
    assert len(result_lines(out)) == 30 and (tmp_path / "count").read_text().count("step") == 30


def test_a_killed_batch_loses_nothing_and_a_rerun_completes_it(tmp_path: Path) -> None:
    run_file = write_run_file(tmp_path / "batch.toml", BATCH_RUN_FILE)
    inputs = make_inputs(tmp_path / "in.jsonl", 200)
    out = tmp_path / "out.jsonl"
    env = {
        "COUNT_FILE": str(tmp_path / "count"),
        "TOOL_DELAY": "0.1",
        "AGENTKIT_HOME_DB": str(tmp_path / "h.db"),
    }
    args = [
        "batch",
        str(run_file),
        "--inputs",
        str(inputs),
        "--out",
        str(out),
        "--concurrency",
        "20",
    ]
    process = agentkit_process(*args, env=env)
    wait_until(lambda: out.exists() and out.read_bytes().count(b"\n") >= 60)
    process.send_signal(signal.SIGKILL)
    process.wait()
    partial = out.read_bytes()
    assert partial.endswith(b"\n")  # no torn line: every write was one whole line
    done_before = len(result_lines(out))
    assert 60 <= done_before < 200

    rerun = agentkit_process(*args, env={**env, "TOOL_DELAY": "0"})
    _, err = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, err
    records = result_lines(out)
    assert len(records) == 200
    assert sorted(r["id"] for r in records) == [f"req-{n:03d}" for n in range(200)]
    assert f"200 inputs, {done_before} already done, {200 - done_before} to run" in err


def test_a_torn_last_line_is_cut_off_before_resuming(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COUNT_FILE", str(tmp_path / "count"))
    run_file = write_run_file(tmp_path / "batch.toml", BATCH_RUN_FILE)
    inputs = make_inputs(tmp_path / "in.jsonl", 3)
    out = tmp_path / "out.jsonl"
    out.write_text(json.dumps({"id": "req-000", "status": "ok"}) + "\n" + '{"id": "req-001", "sta')
    assert main(["batch", str(run_file), "--inputs", str(inputs), "--out", str(out)]) == 0
    assert sorted(r["id"] for r in result_lines(out)) == ["req-000", "req-001", "req-002"]


def test_batch_input_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run_file = write_run_file(tmp_path / "batch.toml", BATCH_RUN_FILE)
    bad = tmp_path / "in.jsonl"
    bad.write_text(
        '{"id": 1, "prompt": "a", "customer": "x"}\n{"id": 1, "prompt": "b", "customer": "y"}\n'
    )
    assert (
        main(["batch", str(run_file), "--inputs", str(bad), "--out", str(tmp_path / "o.jsonl")])
        == 2
    )
    assert "id '1' appears twice" in capsys.readouterr().err


def test_chat_at_the_terminal_asks_for_confirmation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("Let my friend in\ny\nThanks\nexit\n"))
    run_file = write_run_file(
        tmp_path / "chat.toml",
        f'tools = ["tools.home"]\ntool_paths = ["{ROOT}"]\n'
        '[[offline.turns]]\ncalls = [{ name = "unlock_door", args = { door = "front" } }]\n'
        '[[offline.turns]]\ntext = "The front door is open."\n'
        '[[offline.turns]]\ntext = "You are welcome."\n',
    )
    assert main(["chat", str(run_file)]) == 0
    out = capsys.readouterr().out
    assert 'allow unlock_door({"door": "front"})? [y/N]' in out
    assert "model> The front door is open." in out and "model> You are welcome." in out
    import sqlite3

    assert sqlite3.connect(tmp_path / "home.db").execute(
        "SELECT locked FROM locks WHERE door='front'"
    ).fetchone() == (0,)


def test_a_crashed_session_resumes_at_the_last_completed_step(tmp_path: Path) -> None:
    run_file = write_run_file(
        tmp_path / "steps.toml",
        f'tools = ["counting_tools.py"]\ntool_paths = ["{FIXTURES}"]\n'
        'prompts = ["first", "second", "third"]\n'
        '[[offline.turns]]\ncalls = [{ name = "record", args = { label = "one" } }]\n'
        '[[offline.turns]]\ntext = "First done."\n'
        '[[offline.turns]]\ncalls = [{ name = "record", args = { label = "two" } }]\n'
        '[[offline.turns]]\ncalls = [{ name = "record", args = { label = "blocker" } }]\n'
        '[[offline.turns]]\ntext = "Second done."\n'
        '[[offline.turns]]\ncalls = [{ name = "record", args = { label = "three" } }]\n'
        '[[offline.turns]]\ntext = "Third done."\n',
    )
    count, marker = tmp_path / "count", tmp_path / "marker"
    env = {
        "COUNT_FILE": str(count),
        "MARKER": str(marker),
        "BLOCK_ON": "blocker",
        "AGENTKIT_SESSIONS": str(tmp_path / "s"),
    }
    process = agentkit_process("run", str(run_file), "--session", "crash", env=env)
    wait_until(marker.exists)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert count.read_text().split() == ["one", "two", "blocker"]

    resumed = agentkit_process(
        "run", str(run_file), "--session", "crash", env={**env, "BLOCK_ON": ""}
    )
    out, err = resumed.communicate(timeout=60)
    assert resumed.returncode == 0, err
    assert "resuming session 'crash' at prompt 2 of 3" in err
    # "one" and "two" completed before the crash and were not repeated; the interrupted step ran again.
    assert count.read_text().split() == ["one", "two", "blocker", "blocker", "three"]
    assert "model> Second done." in out and "model> Third done." in out and "First done." not in out
    history = json.loads((tmp_path / "s" / "crash.json").read_text())["history"]
    assert [c["role"] for c in history] == ["user", "model", "user", "model", "user"] + [
        "model",
        "user",
        "model",
        "user",
        "model",
    ] + ["user", "model", "user", "model"]
