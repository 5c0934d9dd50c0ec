"""`agentkit batch --via batch-api` against the emulator: one line per id with the batch
price, a kill -9 while a job runs (the rerun waits for that job instead of making it again,
and skips the finished rows), Ctrl-C (the job in flight is cancelled, exit 130), a job that
fails as a whole (exit 3, resumable), a request refused inside a job (that row's error
line), and the one-line refusal without an API."""

from __future__ import annotations

import json
import signal
from pathlib import Path
from typing import Any

import pytest

from agentkit.cli import main
from agentkit.testing.emulator import Emulator, EmulatorOptions, Fault
from agentkit.types import GenerateContentRequest

from .batching import batch_args, result_lines
from .conftest import FIXTURES, agentkit_process, wait_until, write_run_file

RUN_FILE = f"""
tools = ["counting_tools.py"]
tool_paths = ["{FIXTURES}"]
prompts = ["{{prompt}}"]
"""


def two_rounds_then_text(request: GenerateContentRequest) -> Any:
    """Two rounds of one ``record`` call each (labelled by prompt and round), then text; a
    prompt saying "quick" is answered at once."""
    prompt = request.contents[0].parts[0].text or ""
    rounds = sum(1 for content in request.contents if content.function_responses)
    if "quick" in prompt or rounds == 2:
        return f"done: {prompt}"
    return [{"functionCall": {"name": "record", "args": {"label": f"{prompt}/{rounds + 1}"}}}]


def setup(tmp_path: Path, rows: list[str]) -> tuple[Path, Path, Path]:
    run_file = write_run_file(tmp_path / "batch.toml", RUN_FILE)
    inputs = tmp_path / "in.jsonl"
    inputs.write_text("".join(json.dumps({"id": key, "prompt": key}) + "\n" for key in rows))
    return run_file, inputs, tmp_path / "out.jsonl"


def environment(emulator: Emulator, tmp_path: Path) -> dict[str, str]:
    return {
        "GEMINI_API_KEY": "key-for-the-emulator-0000",
        "GOOGLE_GEMINI_BASE_URL": emulator.url,
        "AGENTKIT_BATCH_POLL_SECONDS": "0.02",
        "COUNT_FILE": str(tmp_path / "count"),
    }


@pytest.fixture
def live(emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Emulator:
    for name, value in environment(emulator, tmp_path).items():
        monkeypatch.setenv(name, value)
    emulator.respond_with(two_rounds_then_text)
    return emulator


def creates(emulator: Emulator) -> list[Any]:
    return [r for r in emulator.requests if r.path.endswith(":batchGenerateContent")]


def job_keys(request: Any) -> list[str]:
    return [i["metadata"]["key"] for i in request.json["batch"]["inputConfig"]["requests"]["requests"]]


def test_rows_run_on_the_batch_api_one_job_per_step_at_the_batch_price(
    live: Emulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_file, inputs, out = setup(tmp_path, ["a", "quick b", "c"])
    args = batch_args(run_file, inputs, out, "--via", "batch-api")
    assert main(args) == 0
    assert [job_keys(job) for job in creates(live)] == [
        ["a#1", "quick b#1", "c#1"],
        ["a#2", "c#2"],
        ["a#3", "c#3"],
    ]
    records = {r["id"]: r for r in result_lines(out)}
    assert sorted(records) == ["a", "c", "quick b"]
    assert (records["a"]["status"], records["a"]["text"]) == ("ok", "done: a")
    assert [c["args"] for c in records["a"]["tool_calls"]] == [{"label": "a/1"}, {"label": "a/2"}]
    usage = records["a"]["usage"]
    assert usage["requests"] == 3 and usage["standard_cost_usd"] > 0
    assert usage["cost_usd"] == pytest.approx(usage["standard_cost_usd"] / 2)
    assert sorted((tmp_path / "count").read_text().split()) == ["a/1", "a/2", "c/1", "c/2"]
    err = capsys.readouterr().err
    assert "batch job batches/emu000001: 3 requests" in err
    assert "waiting for batch job batches/emu000003 (succeeded, 2/2 done)" in err
    lines = err.splitlines()
    assert lines[-3] == "3 inputs: 3 ok, 0 limit, 0 failed, 0 not run"
    # Every row has its line: the state file has nothing left to resume, and goes.
    assert lines[-2] == "batch jobs: 3 (batches/emu000001, batches/emu000002, batches/emu000003)"
    assert not Path(f"{out}.batch-api.db").exists()
    total = sum(r["usage"]["cost_usd"] for r in records.values())
    standard = sum(r["usage"]["standard_cost_usd"] for r in records.values())
    assert lines[-1] == (
        f"cost of the rows run now: ${total:.6f} at the batch price, ${standard:.6f} at the "
        "standard price"
    )
    # Everything is done: the rerun makes no job.
    assert main(args) == 0 and len(creates(live)) == 3


def test_a_request_refused_inside_a_job_is_that_rows_error_line(
    live: Emulator, tmp_path: Path
) -> None:
    def respond(request: GenerateContentRequest) -> Any:
        if request.contents[0].parts[0].text == "bad" and len(request.contents) > 1:
            return Fault.http_error(400, "Request contains an invalid argument.")
        return two_rounds_then_text(request)

    live.respond_with(respond)
    run_file, inputs, out = setup(tmp_path, ["good", "bad"])
    assert main(batch_args(run_file, inputs, out, "--via", "batch-api")) == 3
    records = {r["id"]: r for r in result_lines(out)}
    assert records["good"]["status"] == "ok"
    assert records["bad"] == {
        "id": "bad",
        "status": "error",
        "error": {
            "type": "BadRequestError",
            "message": "400 INVALID_ARGUMENT: Request contains an invalid argument.",
        },
    }


def test_a_job_that_fails_as_a_whole_stops_the_batch_and_the_rerun_finishes(
    live: Emulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_file, inputs, out = setup(tmp_path, ["a", "quick b"])
    args = batch_args(run_file, inputs, out, "--via", "batch-api")
    live.batches.fail_next("The batch hit an internal error.")
    assert main(args) == 3
    assert not out.read_bytes()
    assert capsys.readouterr().err.splitlines()[-4:-2] == [
        "stopped: a batch job ended without answers (batch job batches/emu000001 ended failed: "
        "The batch hit an internal error.; nothing of it was used). 2 rows not run, no line "
        "written for them; rerun the same command to continue with them.",
        "2 inputs: 0 ok, 0 limit, 0 failed, 2 not run",
    ]
    assert main(args) == 0
    assert sorted(r["id"] for r in result_lines(out)) == ["a", "quick b"]
    assert [job_keys(job) for job in creates(live)] == [
        ["a#1", "quick b#1"],
        ["a#1", "quick b#1"],  # sent again: the failed job answered nothing
        ["a#2"],
        ["a#3"],
    ]


def test_batch_api_needs_an_api_to_send_to(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run_file, inputs, out = setup(tmp_path, ["a"])
    assert main(batch_args(run_file, inputs, out, "--via", "batch-api")) == 2
    assert capsys.readouterr().err.strip().splitlines()[-1] == (
        "error: --via batch-api sends the rows to the Gemini Batch API: set GEMINI_API_KEY (or "
        "GOOGLE_GEMINI_BASE_URL to a server that speaks it, such as agentkit serve)"
    )
    assert not out.exists()


def test_a_killed_batch_waits_for_the_job_it_left_and_skips_finished_rows(
    emulator: Emulator, tmp_path: Path
) -> None:
    emulator.respond_with(two_rounds_then_text)
    emulator.options = EmulatorOptions(batch_seconds=1000)
    rows = ["a", "quick b", "c", "quick d"]
    run_file, inputs, out = setup(tmp_path, rows)
    env = environment(emulator, tmp_path)
    args = batch_args(run_file, inputs, out, "--via", "batch-api")
    process = agentkit_process(*args, env=env)
    wait_until(lambda: len(creates(emulator)) == 1)
    emulator.batches.advance(1000)  # the first job is answered; the quick rows finish
    wait_until(lambda: len(creates(emulator)) == 2)
    second = emulator.requests.index(creates(emulator)[1])
    wait_until(lambda: any(r.path.endswith("/batches/emu000002") for r in emulator.requests[second:]))
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert sorted(r["id"] for r in result_lines(out)) == ["quick b", "quick d"]
    assert sorted((tmp_path / "count").read_text().split()) == ["a/1", "c/1"]

    emulator.options = EmulatorOptions()  # jobs made from now on are answered at once
    before = len(emulator.requests)
    rerun = agentkit_process(*args, env=env)
    wait_until(lambda: any(r.path.endswith("/batches/emu000002") for r in emulator.requests[before:]))
    emulator.batches.advance(1000)  # the job the killed batch left is answered
    _, err = rerun.communicate(timeout=60)
    assert rerun.returncode == 0, err
    assert "4 inputs, 2 already done, 2 to run" in err
    assert [job_keys(job) for job in creates(emulator)] == [
        ["a#1", "quick b#1", "c#1", "quick d#1"],
        ["a#2", "c#2"],
        ["a#3", "c#3"],  # made by the rerun; the second was not made again
    ]
    assert sorted(r["id"] for r in result_lines(out)) == sorted(rows)
    # Every call ran once, across both processes.
    assert sorted((tmp_path / "count").read_text().split()) == ["a/1", "a/2", "c/1", "c/2"]
    a = next(r for r in result_lines(out) if r["id"] == "a")
    assert [c["args"]["label"] for c in a["tool_calls"]] == ["a/1", "a/2"]
    assert a["usage"]["requests"] == 3


def test_ctrl_c_cancels_the_job_in_flight_and_the_rerun_sends_it_again(
    emulator: Emulator, tmp_path: Path
) -> None:
    emulator.respond_with(two_rounds_then_text)
    emulator.options = EmulatorOptions(batch_seconds=1000)
    run_file, inputs, out = setup(tmp_path, ["a", "b"])
    env = environment(emulator, tmp_path)
    args = batch_args(run_file, inputs, out, "--via", "batch-api")
    process = agentkit_process(*args, env=env)
    wait_until(lambda: any(r.path.endswith("/batches/emu000001") for r in emulator.requests))
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "Traceback" not in err
    cancels = [r for r in emulator.requests if r.path.endswith("/batches/emu000001:cancel")]
    assert len(cancels) == 1 and cancels[0].method == "POST"
    assert "cancelled batch job batches/emu000001" in err
    assert err.splitlines()[-4:] == [
        "interrupted: 0 rows done in this run, 2 not run; rerun the same command to continue "
        "with them.",
        "2 inputs: 0 ok, 0 limit, 0 failed, 2 not run",
        f"to run the rest: agentkit batch {run_file} --inputs {inputs} --out {out} "
        "--concurrency 8 --via batch-api",
        f"batch jobs: 1 (batches/emu000001); kept in {out}.batch-api.db",
    ]

    emulator.options = EmulatorOptions()
    rerun = agentkit_process(*args, env=env)
    _, err = rerun.communicate(timeout=60)
    assert rerun.returncode == 0, err
    assert [job_keys(job) for job in creates(emulator)] == [
        ["a#1", "b#1"],
        ["a#1", "b#1"],  # the cancelled job answered nothing: its requests go again
        ["a#2", "b#2"],
        ["a#3", "b#3"],
    ]
    assert sorted(r["id"] for r in result_lines(out)) == ["a", "b"]
