"""Crash-resume of a session (`agentkit chat` is tested in test_chat_terminal.py)."""

from __future__ import annotations

import signal
from pathlib import Path

from agentkit.sessions import JsonFileStore

from .conftest import FIXTURES, agentkit_process, wait_until, write_run_file


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
    saved = JsonFileStore(tmp_path / "s").load("crash")  # the session's log, read back
    assert saved is not None
    history = saved.history
    assert [c["role"] for c in history] == ["user", "model", "user", "model", "user"] + [
        "model",
        "user",
        "model",
        "user",
        "model",
    ] + ["user", "model", "user", "model"]
