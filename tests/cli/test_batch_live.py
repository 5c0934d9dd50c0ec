"""Live batches against the strict emulator: what stops a batch, what is a row's own failure,
and how the rerun finishes the job with exactly one line per id."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import pytest

from agentkit.cli import main
from agentkit.testing.emulator import Emulator, EmulatorOptions, Fault, safety_block
from agentkit.types import GenerateContentRequest

from .batching import LIVE_RUN_FILE, batch_args, make_inputs, result_lines
from .conftest import write_run_file

TOO_LONG = "* GenerateContentRequest.contents[0].parts[0].text: text is too long\n"


@pytest.fixture
def live(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> Emulator:
    """A LIVE-mode batch (a key is set) whose Gemini base URL is the emulator."""
    monkeypatch.setenv("GEMINI_API_KEY", "key-for-the-emulator-0000")
    monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", emulator.url)
    return emulator


def prompt_of(request: GenerateContentRequest) -> str:
    return str(request.contents[0].parts[0].text)


def answering(special: dict[str, Any]) -> Callable[[GenerateContentRequest], Any]:
    """Every row is answered with text naming its prompt, except the prompts in ``special``."""

    def respond(request: GenerateContentRequest) -> Any:
        prompt = prompt_of(request)
        return special.get(prompt, f"answer to {prompt}")

    return respond


def served(emulator: Emulator) -> list[str]:
    """The prompts the emulator was asked about, in order of arrival."""
    return [r.json["contents"][0]["parts"][0]["text"] for r in emulator.requests if r.json]


def files(tmp_path: Path, rows: int) -> tuple[Path, Path, Path]:
    run_file = write_run_file(tmp_path / "live.toml", LIVE_RUN_FILE)
    return run_file, make_inputs(tmp_path / "in.jsonl", rows), tmp_path / "out.jsonl"


def test_a_per_day_quota_stops_the_batch_and_the_rerun_completes_it(
    live: Emulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_file, inputs, out = files(tmp_path, 5)
    args = batch_args(run_file, inputs, out, "--concurrency", "1")
    live.respond_with(answering({"task 2": Fault.per_day_quota()}))
    assert main(args) == 3
    assert [(r["id"], r["status"], r["text"]) for r in result_lines(out)] == [
        ("req-000", "ok", "answer to task 0"),
        ("req-001", "ok", "answer to task 1"),
    ]
    assert served(live) == ["task 0", "task 1", "task 2"]  # no row started after the stop
    assert capsys.readouterr().err.splitlines()[-3:] == [
        "stopped: the per-day quota is used up until midnight Pacific (429 RESOURCE_EXHAUSTED: "
        "You exceeded your current quota, please check your plan and billing details. Please "
        "retry in 30.0s.). 3 rows not run, no line written for them; rerun the same command to "
        "continue with them.",
        "5 inputs: 2 ok, 0 limit, 0 failed, 3 not run",
        f"to run the rest: agentkit batch {run_file} --inputs {inputs} --out {out} --concurrency 1",
    ]

    live.reset()
    live.respond_with(answering({}))
    assert main(args) == 0
    assert served(live) == ["task 2", "task 3", "task 4"]
    records = result_lines(out)
    assert [(r["id"], r["status"]) for r in records] == [(f"req-{n:03d}", "ok") for n in range(5)]
    err = capsys.readouterr().err.splitlines()
    assert "5 inputs, 2 already done, 3 to run" in err
    assert err[-1] == "5 inputs: 5 ok, 0 limit, 0 failed, 0 not run"


def test_runs_in_flight_when_the_batch_stops_write_no_line(live: Emulator, tmp_path: Path) -> None:
    run_file, inputs, out = files(tmp_path, 6)
    held, release = threading.Event(), threading.Event()
    arrived: set[str] = set()

    async def respond(request: GenerateContentRequest) -> Any:
        prompt = prompt_of(request)
        arrived.add(prompt)
        if {"task 0", "task 1"} <= arrived:
            held.set()
        if prompt in ("task 0", "task 1"):  # in flight until the test lets go
            await anyio.to_thread.run_sync(release.wait, 30)
            return "too late"
        if prompt == "task 2":  # the quota runs out while rows 0 and 1 are in flight
            await anyio.to_thread.run_sync(held.wait, 30)
            return Fault.per_day_quota()
        return f"answer to {prompt}"

    live.respond_with(respond)
    try:
        assert main(batch_args(run_file, inputs, out, "--concurrency", "3")) == 3
    finally:
        release.set()
    assert held.is_set()  # rows 0 and 1 were in flight when the stop came
    assert out.read_bytes() == b""  # cancelled, not failed: no line for any of them
    assert sorted(served(live)) == ["task 0", "task 1", "task 2"]


def test_an_invalid_key_stops_the_batch_at_the_first_answer(
    live: Emulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_file, inputs, out = files(tmp_path, 6)
    live.options = EmulatorOptions(api_key="the-right-key-0000000")
    live.respond_with(answering({}))
    assert main(batch_args(run_file, inputs, out, "--concurrency", "2")) == 3
    assert out.read_bytes() == b""
    assert 1 <= len(live.requests) <= 2  # the first answers, and nothing started after them
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert [line for line in err.splitlines() if line.startswith("stopped:")] == [
        "stopped: the API key is not valid (400 INVALID_ARGUMENT: API key not valid. Please pass "
        "a valid API key.). 6 rows not run, no line written for them; rerun the same command to "
        "continue with them."
    ]


def test_a_rows_own_failure_is_its_line_and_only_it_runs_again(
    live: Emulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_file, inputs, out = files(tmp_path, 5)
    args = batch_args(run_file, inputs, out, "--concurrency", "2")
    live.respond_with(
        answering({"task 1": Fault.http_error(400, TOO_LONG), "task 3": safety_block()})
    )
    assert main(args) == 3
    records = {r["id"]: r for r in result_lines(out)}
    assert sorted(records) == [f"req-{n:03d}" for n in range(5)]
    assert records["req-001"] == {
        "id": "req-001",
        "status": "error",
        "error": {"type": "BadRequestError", "message": f"400 INVALID_ARGUMENT: {TOO_LONG}"},
    }
    assert records["req-003"] == {
        "id": "req-003",
        "status": "error",
        "error": {
            "type": "ResponseBlockedError",
            "message": "the model stopped its answer: SAFETY (blocked: HARM_CATEGORY_DANGEROUS_CONTENT at HIGH)",
        },
    }
    err = capsys.readouterr().err.splitlines()
    assert re.fullmatch(
        r"batch [━╸╺ ]+ 5/5 done · 3 ok · 2 failed · \d+:\d\d:\d\d · ETA \d+:\d\d:\d\d", err[-4]
    )
    assert err[-3:] == [
        "5 inputs: 3 ok, 0 limit, 2 failed, 0 not run",
        f"failed: req-001 (BadRequestError), req-003 (ResponseBlockedError) — their error lines are in {out}",
        f"to retry the failed rows: agentkit batch {run_file} --inputs {inputs} --out {out} --concurrency 2",
    ]

    # --keep-failed: the failed rows stay as they are, nothing runs.
    first = out.read_bytes()
    live.reset()
    live.respond_with(answering({}))
    assert main([*args, "--keep-failed"]) == 3
    assert (live.requests, out.read_bytes()) == ([], first)
    err = capsys.readouterr().err.splitlines()
    assert "5 inputs, 5 already done, 0 to run (2 failed, kept by --keep-failed)" in err
    assert (
        err[-1]
        == f"to retry the failed rows: agentkit batch {run_file} --inputs {inputs} --out {out} --concurrency 2"
    )

    # The plain rerun runs those two rows only; the file ends with one ok line per id.
    assert main(args) == 0
    assert sorted(served(live)) == ["task 1", "task 3"]
    records_after = result_lines(out)
    assert sorted((r["id"], r["status"]) for r in records_after) == [
        (f"req-{n:03d}", "ok") for n in range(5)
    ]
    finished_before = b"".join(line + b"\n" for line in first.split(b"\n") if b'"ok"' in line)
    assert out.read_bytes().startswith(finished_before)  # finished lines kept byte for byte
    err = capsys.readouterr().err.splitlines()
    assert "5 inputs, 3 already done, 2 to run (2 failed before and run again)" in err
    assert err[-1] == "5 inputs: 5 ok, 0 limit, 0 failed, 0 not run"
