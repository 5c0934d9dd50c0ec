"""``agentkit batch --rpm/--tpm``: every row paced by one limiter, live and offline."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from agentkit.cli import main
from agentkit.testing.emulator import Emulator, EmulatorOptions, Quota

from .batching import LIVE_RUN_FILE, SCRIPTED_RUN_FILE, batch_args, make_inputs, result_lines
from .conftest import write_run_file


def test_a_live_batch_sends_no_faster_than_its_rpm(
    emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("GEMINI_API_KEY", "key-for-the-emulator-0000")
    monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", emulator.url)
    meter = Quota()
    emulator.options = EmulatorOptions(quota=meter)
    emulator.respond_with(lambda request: "done")
    run_file = write_run_file(tmp_path / "live.toml", LIVE_RUN_FILE)
    inputs, out = make_inputs(tmp_path / "in.jsonl", 6), tmp_path / "out.jsonl"
    # 120 a minute: two seconds' share (4 requests) at once, then one every half second.
    args = batch_args(run_file, inputs, out, "--concurrency", "6", "--rpm", "120")
    started = time.monotonic()
    assert main(args) == 0
    assert sorted(r["id"] for r in result_lines(out)) == [f"req-{n:03d}" for n in range(6)]
    arrivals = sorted(at for at, _ in meter.admitted)
    assert len(arrivals) == 6
    # The fifth may go half a second after the first four, the sixth a second after them.
    assert arrivals[4] >= started + 0.5 and arrivals[5] >= started + 1.0
    err = capsys.readouterr().err
    assert "Traceback" not in err


def test_an_offline_batch_is_paced_the_same_way(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_file = write_run_file(tmp_path / "batch.toml", SCRIPTED_RUN_FILE)
    inputs, out = make_inputs(tmp_path / "in.jsonl", 2), tmp_path / "out.jsonl"
    # Each row makes two model calls (a tool call, then text): four requests at 240 a
    # minute with no more than two seconds' share (8) at once would all go together, so
    # the limit is 60: two at once, then one a second.
    args = batch_args(run_file, inputs, out, "--concurrency", "2", "--rpm", "60", "--tpm", "9000")
    started = time.monotonic()
    assert main(args) == 0
    assert time.monotonic() - started >= 2.0  # the fourth request went two seconds in
    assert [r["status"] for r in result_lines(out)] == ["ok", "ok"]
    lines = capsys.readouterr().err.splitlines()
    assert lines[-1] == "2 inputs: 2 ok, 0 limit, 0 failed, 0 not run"
