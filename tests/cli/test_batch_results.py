"""The results file: what a rewrite keeps, its temp-fsync-rename order, and that a kill at any
moment of it loses no finished row."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from agentkit.cli.batch.inputs import InputError
from agentkit.cli.batch.results import ResultsFile, temporary_path

from .batching import SCRIPTED_RUN_FILE, batch_args, error_line, make_inputs, ok_line
from .conftest import agentkit_process, write_run_file


def test_the_rewrite_drops_only_the_error_lines_of_rows_about_to_run(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    separators = ok_line(
        "b", "line\u2028separator\rand a bare CR"
    )  # one line for JSON, not for str.splitlines
    out.write_bytes(error_line("a") + separators + error_line("z") + b"\n" + b'{"id": "c", "st')
    results = ResultsFile.open(out, drop_failed={"a", "b", "c"})
    results.append({"id": "c", "status": "ok"})
    results.close()
    assert [row.id for row in results.rows] == ["b", "z"]  # z is not an input now: kept
    assert [row.id for row in results.dropped] == ["a"]
    assert out.read_bytes() == separators + error_line("z") + b'{"id": "c", "status": "ok"}\n'
    assert not temporary_path(out).exists()


def test_a_file_that_needs_no_change_is_not_rewritten(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_bytes(ok_line("a") + error_line("b"))
    inode = out.stat().st_ino
    ResultsFile.open(out, drop_failed=set()).close()  # --keep-failed
    assert (out.stat().st_ino, out.read_bytes()) == (inode, ok_line("a") + error_line("b"))


def test_the_rewrite_is_written_and_synced_before_it_replaces_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out.jsonl"
    original = ok_line("a") + error_line("b") + ok_line("c")
    out.write_bytes(original)
    temporary = temporary_path(out)
    steps: list[Any] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        target = Path(os.readlink(f"/proc/self/fd/{fd}"))
        steps.append(("fsync", target.name, target.read_bytes() if target.is_file() else None))
        real_fsync(fd)

    def replace(source: Any, destination: Any) -> None:
        steps.append(("replace", Path(source).name, out.read_bytes()))  # the original, still whole
        real_replace(source, destination)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    ResultsFile.open(out, drop_failed={"b"})
    kept = ok_line("a") + ok_line("c")
    assert steps == [
        ("fsync", temporary.name, kept),  # the new content is on disk ...
        ("replace", temporary.name, original),  # ... before it takes the old one's place
        ("fsync", tmp_path.name, None),  # and the rename itself is made durable
    ]


def test_an_interruption_before_the_rename_leaves_the_original(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out.jsonl"
    original = ok_line("a") + error_line("b")
    out.write_bytes(original)

    def interrupted(source: Any, destination: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        ResultsFile.open(out, drop_failed={"b"})
    assert out.read_bytes() == original and not temporary_path(out).exists()
    monkeypatch.undo()
    ResultsFile.open(out, drop_failed={"b"}).close()  # the lock went with the interrupted open
    assert out.read_bytes() == ok_line("a")


def test_a_kill_during_the_rewrite_loses_no_finished_row(tmp_path: Path) -> None:
    """SIGKILL a batch while it rewrites a large results file: the file is the old one or the
    new one, whole, and the rerun finishes the job."""
    run_file = write_run_file(tmp_path / "batch.toml", SCRIPTED_RUN_FILE)
    inputs = make_inputs(tmp_path / "in.jsonl", 8)
    out = tmp_path / "out.jsonl"
    temporary = temporary_path(out)
    # Finished rows of an earlier job (kept verbatim, they make the rewrite take a while) and
    # the failed rows of this one's inputs (dropped by the rewrite).
    finished = b"".join(ok_line(f"old-{n}", "x" * 200) for n in range(60_000))
    failed = b"".join(error_line(f"req-{n:03d}") for n in range(8))
    args = batch_args(run_file, inputs, out, "--concurrency", "4")
    env = {"COUNT_FILE": str(tmp_path / "count")}
    caught_mid_rewrite = False
    for _attempt in range(5):
        out.write_bytes(finished + failed)
        inode = out.stat().st_ino
        process = agentkit_process(*args, env=env)
        deadline = time.monotonic() + 60
        while not temporary.exists() and out.stat().st_ino == inode and process.poll() is None:
            assert time.monotonic() < deadline, "the batch never started its rewrite"
        process.send_signal(signal.SIGKILL)
        process.wait()
        data = out.read_bytes()
        if out.stat().st_ino == inode:
            assert data == finished + failed  # killed before the rename: the original, whole
            caught_mid_rewrite = caught_mid_rewrite or temporary.exists()
        else:  # killed after it: the rewritten file, whole, plus any rows finished since
            assert data.startswith(finished) and data.endswith(b"\n")
            assert {r["status"] for r in lines_after(data, len(finished))} <= {"ok"}
        if caught_mid_rewrite:
            break
    assert caught_mid_rewrite, "no kill landed between the temp file's creation and the rename"

    rerun = agentkit_process(*args, env=env)
    _, err = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, err
    data = out.read_bytes()
    assert data.startswith(finished)
    assert sorted((r["id"], r["status"]) for r in lines_after(data, len(finished))) == [
        (f"req-{n:03d}", "ok") for n in range(8)
    ]
    assert not temporary.exists()  # the next rewrite took the killed one's place


def lines_after(data: bytes, offset: int) -> list[dict[str, Any]]:
    return [json.loads(line) for line in data[offset:].split(b"\n") if line]


def test_a_results_line_without_a_status_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_bytes(ok_line("a") + b'{"id": "b", "prompt": "an inputs line"}\n')
    with pytest.raises(
        InputError, match=r"out\.jsonl:2: not a results file written by agentkit batch"
    ):
        ResultsFile.open(out, drop_failed=set())
    assert out.read_bytes() == ok_line("a") + b'{"id": "b", "prompt": "an inputs line"}\n'
