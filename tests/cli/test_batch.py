"""`agentkit batch` offline: every input once, resumable after kill -9 and Ctrl-C, limits,
and the one-line refusals of a usage mistake."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest

from agentkit.cli import main
from agentkit.cli.batch.results import ResultsFile

from .batching import (
    SCRIPTED_RUN_FILE,
    batch_args,
    error_line,
    make_inputs,
    ok_line,
    result_lines,
)
from .conftest import FIXTURES, agentkit_process, wait_until, write_run_file


def test_batch_runs_every_input_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COUNT_FILE", str(tmp_path / "count"))
    run_file = write_run_file(tmp_path / "batch.toml", SCRIPTED_RUN_FILE)
    inputs = make_inputs(tmp_path / "in.jsonl", 30)
    out = tmp_path / "out.jsonl"
    assert main(batch_args(run_file, inputs, out, "--concurrency", "5")) == 0
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
    assert main(batch_args(run_file, inputs, out)) == 0
    assert len(result_lines(out)) == 30 and (tmp_path / "count").read_text().count("step") == 30


def test_a_killed_batch_loses_nothing_and_a_rerun_completes_it(tmp_path: Path) -> None:
    run_file = write_run_file(tmp_path / "batch.toml", SCRIPTED_RUN_FILE)
    inputs = make_inputs(tmp_path / "in.jsonl", 200)
    out = tmp_path / "out.jsonl"
    env = {
        "COUNT_FILE": str(tmp_path / "count"),
        "TOOL_DELAY": "0.1",
        "AGENTKIT_HOME_DB": str(tmp_path / "h.db"),
    }
    args = batch_args(run_file, inputs, out, "--concurrency", "20")
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


def test_an_interrupted_batch_leaves_whole_lines_and_says_how_far_it_got(tmp_path: Path) -> None:
    run_file = write_run_file(tmp_path / "batch.toml", SCRIPTED_RUN_FILE)
    inputs = make_inputs(tmp_path / "in.jsonl", 100)
    out = tmp_path / "out.jsonl"
    env = {"COUNT_FILE": str(tmp_path / "count"), "TOOL_DELAY": "0.2"}
    args = batch_args(run_file, inputs, out, "--concurrency", "4")
    process = agentkit_process(*args, env=env)
    wait_until(lambda: out.exists() and out.read_bytes().count(b"\n") >= 8)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "Traceback" not in err
    assert out.read_bytes().endswith(b"\n")
    done = len(result_lines(out))  # every line parses: only whole lines
    assert 8 <= done < 100
    # A sync tool's thread the interruption stopped waiting for may still log that it ended.
    ours = [line for line in err.splitlines() if not line.startswith("tool.finished_late ")]
    assert ours[-3:] == [
        f"interrupted: {done} rows done in this run, {100 - done} not run; rerun the same "
        "command to continue with them.",
        f"100 inputs: {done} ok, 0 limit, 0 failed, {100 - done} not run",
        f"to run the rest: agentkit batch {run_file} --inputs {inputs} --out {out} --concurrency 4",
    ]

    rerun = agentkit_process(*args, env={**env, "TOOL_DELAY": "0"})
    _, err = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, err
    assert sorted(r["id"] for r in result_lines(out)) == [f"req-{n:03d}" for n in range(100)]


def test_a_torn_last_line_is_cut_off_before_resuming(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COUNT_FILE", str(tmp_path / "count"))
    run_file = write_run_file(tmp_path / "batch.toml", SCRIPTED_RUN_FILE)
    inputs = make_inputs(tmp_path / "in.jsonl", 3)
    out = tmp_path / "out.jsonl"
    out.write_text(json.dumps({"id": "req-000", "status": "ok"}) + "\n" + '{"id": "req-001", "sta')
    assert main(batch_args(run_file, inputs, out)) == 0
    assert sorted(r["id"] for r in result_lines(out)) == ["req-000", "req-001", "req-002"]


LIMITED_RUN_FILE = f"""
tools = ["counting_tools.py"]
tool_paths = ["{FIXTURES}"]
[limits]
model_calls = 1
on_limit = "stop"
[[offline.turns]]
calls = [{{ name = "record", args = {{ label = "step" }} }}]
[[offline.turns]]
text = "never reached"
"""


def test_rows_stopped_at_a_limit_are_finished_and_exit_4(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COUNT_FILE", str(tmp_path / "count"))
    run_file = write_run_file(tmp_path / "limited.toml", LIMITED_RUN_FILE)
    inputs = make_inputs(tmp_path / "in.jsonl", 3)
    out = tmp_path / "out.jsonl"
    assert main(batch_args(run_file, inputs, out)) == 4
    records = result_lines(out)
    assert [(r["status"], r["stop_reason"]) for r in records] == [("limit", "model_call_limit")] * 3
    assert (
        capsys.readouterr().err.splitlines()[-1] == "3 inputs: 0 ok, 3 limit, 0 failed, 0 not run"
    )
    # A row at a limit is finished, not failed: the rerun runs nothing.
    assert main(batch_args(run_file, inputs, out)) == 4
    assert len(result_lines(out)) == 3
    assert (tmp_path / "count").read_text().split() == ["step"] * 3
    assert "3 inputs, 3 already done, 0 to run" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ["--concurrency", "0"],
            "error: --concurrency must be a whole number of at least 1, not '0'",
        ),
        (
            ["--concurrency", "-2"],
            "error: --concurrency must be a whole number of at least 1, not '-2'",
        ),
        (
            ["--concurrency", "many"],
            "error: --concurrency must be a whole number of at least 1, not 'many'",
        ),
        (
            ["--concurrency", "1.5"],
            "error: --concurrency must be a whole number of at least 1, not '1.5'",
        ),
        (["--rpm", "0"], "error: --rpm must be a whole number of at least 1, not '0'"),
        (["--rpm", "ten"], "error: --rpm must be a whole number of at least 1, not 'ten'"),
        (["--tpm", "2.5e5"], "error: --tpm must be a whole number of at least 1, not '2.5e5'"),
        (
            ["--queue", "postgresql://me@127.0.0.1:1/db", "--via", "batch-api"],
            "error: --queue and --via batch-api are two ways of running a batch: give one",
        ),
        (
            ["--via", "batch-api", "--tpm", "1000"],
            "error: --tpm paces requests sent one by one; --via batch-api sends each step as "
            "one job, which per-minute limits do not count",
        ),
        (
            ["--rpm", "10", "--queue", "postgresql://me@127.0.0.1:1/db"],
            "error: --rpm with --queue: the workers run the rows, so their limit is `agentkit "
            "worker ... --rpm N` (shared by all workers)",
        ),
        (
            ["--out", "{inputs}"],
            "error: --out {inputs} is the inputs file; give the results their own file",
        ),
        (
            ["--out", "{run_file}"],
            'error: {run_file}:2: not a results file written by agentkit batch (each line is an object with an "id" and a "status"); give --out a file of its own',
        ),
        (["--out", "{tmp}"], "error: --out {tmp}: is a directory; give a file path"),
        (
            ["--out", "{tmp}/typo/out.jsonl"],
            "error: --out {tmp}/typo/out.jsonl: the directory {tmp}/typo does not exist",
        ),
        (["--inputs", "{tmp}/none.jsonl"], "error: {tmp}/none.jsonl: no such inputs file"),
    ],
)
def test_a_usage_mistake_exits_2_with_one_line_and_touches_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], change: list[str], message: str
) -> None:
    run_file = write_run_file(tmp_path / "batch.toml", SCRIPTED_RUN_FILE)
    inputs = make_inputs(tmp_path / "in.jsonl", 3)
    out = tmp_path / "out.jsonl"
    before = {path: path.read_bytes() for path in (run_file, inputs)}
    names = {"inputs": str(inputs), "run_file": str(run_file), "tmp": str(tmp_path)}
    args = batch_args(run_file, inputs, out) + [word.format(**names) for word in change]
    assert main(args) == 2
    assert capsys.readouterr().err.splitlines() == [message.format(**names)]
    assert not out.exists()
    assert {path: path.read_bytes() for path in before} == before


def test_an_input_id_used_twice_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run_file = write_run_file(tmp_path / "batch.toml", SCRIPTED_RUN_FILE)
    bad = tmp_path / "in.jsonl"
    bad.write_text(
        '{"id": 1, "prompt": "a", "customer": "x"}\n{"id": 1, "prompt": "b", "customer": "y"}\n'
    )
    assert main(batch_args(run_file, bad, tmp_path / "o.jsonl")) == 2
    assert capsys.readouterr().err.splitlines() == [f"error: {bad}:2: id '1' appears twice"]


def test_a_second_batch_on_the_same_results_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_file = write_run_file(tmp_path / "batch.toml", SCRIPTED_RUN_FILE)
    inputs = make_inputs(tmp_path / "in.jsonl", 3)
    out = tmp_path / "out.jsonl"
    out.write_bytes(ok_line("req-000") + error_line("req-001"))
    running = ResultsFile.open(out, drop_failed={"req-001"})  # rewrites: the lock moves along
    try:
        assert main(batch_args(run_file, inputs, out)) == 2
    finally:
        running.close()
    assert capsys.readouterr().err.splitlines() == [
        f"error: {out}: another agentkit batch is writing this results file"
    ]
    assert out.read_bytes() == ok_line("req-000")


def test_the_rewrite_keeps_the_results_files_permissions(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_bytes(ok_line("a") + error_line("b"))
    os.chmod(out, 0o600)
    ResultsFile.open(out, drop_failed={"b"}).close()
    assert (out.read_bytes(), out.stat().st_mode & 0o777) == (ok_line("a"), 0o600)
