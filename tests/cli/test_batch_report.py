"""Which failures stop a batch (a table), and the exact lines a person reads at the end."""

from __future__ import annotations

import argparse
import io
import json
import re
from pathlib import Path

import anyio
import pytest
from rich.console import Console
from rich.progress import Progress

from agentkit.cli.batch.failures import stops_the_batch
from agentkit.cli.batch.report import (
    progress_columns,
    rerun_command,
    start_line,
    stop_line,
    summary_lines,
)
from agentkit.cli.batch.results import Row
from agentkit.cli.batch.tally import Tally
from agentkit.cli.runfile import RunFileError
from agentkit.errors import (
    APIConnectionError,
    ConfigurationError,
    IncompleteStreamError,
    MalformedResponseError,
    ModelBehaviorError,
    ResponseBlockedError,
)
from agentkit.models.http_errors import error_from_body
from agentkit.models.rate_limit import LimiterStatus, RateLimit
from agentkit.testing.emulator import Fault


def http_error(fault: Fault) -> BaseException:
    """The typed error the client raises for the emulator's answer (the same mapping code)."""
    return error_from_body(fault.status_code, json.dumps(fault.body).encode(), "", ())


KEY_INVALID = Fault.http_error(
    400,
    "API key not valid. Please pass a valid API key.",
    details=[{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID"}],
)


@pytest.mark.parametrize(
    ("error", "why"),
    [
        # A failure every row would meet: stop.
        (http_error(KEY_INVALID), "the API key is not valid"),
        (
            http_error(Fault.http_error(401, "Request had invalid authentication credentials.")),
            "the API refused these credentials",
        ),
        (
            http_error(Fault.http_error(403, "Permission denied: Consumer has been suspended.")),
            "the API refused these credentials",
        ),
        (http_error(Fault.per_day_quota()), "the per-day quota is used up until midnight Pacific"),
        (
            http_error(
                Fault.http_error(404, "models/gemini-9 is not found for API version v1beta")
            ),
            "the model was not found",
        ),
        (
            http_error(
                Fault.http_error(
                    400,
                    "User location is not supported for the API use.",
                    status="FAILED_PRECONDITION",
                )
            ),
            "the API cannot be used from this project or region",
        ),
        (ConfigurationError("no Gemini API key"), "agentkit is not set up to reach the model"),
        # That row's own failure: write it, go on.
        (http_error(Fault.http_error(400, "* contents[0].parts[0].text: text is too long")), None),
        (http_error(Fault.rate_limited()), None),  # per minute: outlived its retries
        (http_error(Fault.unavailable()), None),
        (http_error(Fault.server_error(500)), None),
        (APIConnectionError("connection refused"), None),
        (IncompleteStreamError("the stream ended early", received=2), None),
        (MalformedResponseError("not JSON", raw="<html>"), None),
        (
            ResponseBlockedError("the model stopped its answer: SAFETY", finish_reason="SAFETY"),
            None,
        ),
        (ModelBehaviorError("malformed calls after 2 re-asks"), None),
        (RunFileError("prompt uses {name} but the input has no field 'name'"), None),
        (ValueError("a bug in a tool loader"), None),
    ],
)
def test_what_stops_the_batch(error: BaseException, why: str | None) -> None:
    assert stops_the_batch(error) == why


def tally_of(statuses: list[str]) -> Tally:
    """A job whose row ``n`` (id ``r{n}``) ended as ``statuses[n]``; "-" is not run."""
    ids = [f"r{n}" for n, _ in enumerate(statuses)]
    rows = [
        Row(key, status, "ServerError" if status == "error" else None, b"")
        for key, status in zip(ids, statuses, strict=True)
        if status != "-"
    ]
    return Tally.start(ids, rows)


COMMAND = "agentkit batch b.toml --inputs in.jsonl --out out.jsonl --concurrency 8"


def test_the_summary_of_a_finished_job_is_one_line() -> None:
    tally = tally_of(["ok", "limit", "ok"])
    assert summary_lines(tally, Path("out.jsonl"), COMMAND) == [
        "3 inputs: 2 ok, 1 limit, 0 failed, 0 not run"
    ]


def test_the_summary_names_the_first_failures_and_counts_the_rest() -> None:
    tally = tally_of(["ok", "error", "error", "limit"] + ["error"] * 5 + ["-"])
    tally.add({"id": "r9", "status": "error", "error": {"type": "ResponseBlockedError"}})
    assert summary_lines(tally, Path("runs/out.jsonl"), COMMAND) == [
        "10 inputs: 1 ok, 1 limit, 8 failed, 0 not run",
        "failed: r1 (ServerError), r2 (ServerError), r4 (ServerError), r5 (ServerError), "
        "r6 (ServerError) and 3 more — their error lines are in runs/out.jsonl",
        f"to retry the failed rows: {COMMAND}",
    ]


def test_the_summary_of_a_stopped_job_says_how_to_go_on() -> None:
    assert summary_lines(tally_of(["ok", "error", "-"]), Path("o.jsonl"), COMMAND)[1:] == [
        "failed: r1 (ServerError) — its error line is in o.jsonl",
        f"to retry the failed rows and run the rest: {COMMAND}",
    ]
    assert summary_lines(tally_of(["ok", "-", "-"]), Path("o.jsonl"), COMMAND) == [
        "3 inputs: 1 ok, 0 limit, 0 failed, 2 not run",
        f"to run the rest: {COMMAND}",
    ]


def test_the_stop_and_start_lines() -> None:
    error = http_error(Fault.http_error(403, "Permission denied:\n  API disabled."))
    assert stop_line("the API refused these credentials", error, 1) == (
        "stopped: the API refused these credentials (403 PERMISSION_DENIED: Permission denied: "
        "API disabled.). 1 row not run, no line written for them; rerun the same command to "
        "continue with them."
    )
    tally = tally_of(["ok", "error", "-", "-"])
    assert start_line(tally, 2, 0, 1) == (
        "4 inputs, 2 already done, 2 to run (1 failed, kept by --keep-failed)"
    )
    assert (
        start_line(tally, 3, 1, 0)
        == "4 inputs, 1 already done, 3 to run (1 failed before and run again)"
    )


def test_the_retry_command_drops_keep_failed_and_quotes_what_needs_it() -> None:
    args = argparse.Namespace(
        file="my runs/b.toml", inputs="in.jsonl", out="out.jsonl", approve=True, keep_failed=True
    )
    assert rerun_command(args, 3) == (
        "agentkit batch 'my runs/b.toml' --inputs in.jsonl --out out.jsonl --concurrency 3 --approve"
    )


def test_the_retry_command_keeps_the_rate_limits() -> None:
    args = argparse.Namespace(
        file="b.toml", inputs="in.jsonl", out="out.jsonl", approve=False, rpm=" 10", tpm="5000"
    )
    assert rerun_command(args, 2) == (
        "agentkit batch b.toml --inputs in.jsonl --out out.jsonl --concurrency 2 --rpm 10 "
        "--tpm 5000"
    )


async def test_the_progress_bar_says_when_runs_wait_for_the_rate_limit() -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, width=140, highlight=False)
    tally = tally_of(["-"] * 4)
    limit = RateLimit(rpm=1)
    async with anyio.create_task_group() as group:
        progress = Progress(*progress_columns(limit), console=console, auto_refresh=False)
        task = progress.add_task("batch", total=4, tally=tally)
        await limit.acquire()  # the minute's one request goes at once
        assert limit.status() == LimiterStatus(0, 0.0, None)
        for _ in range(2):
            group.start_soon(limit.acquire)
        await anyio.wait_all_tasks_blocked()
        status = limit.status()
        assert (status.waiting, status.cause) == (2, "requests per minute")
        assert 120.0 < status.wait_seconds <= 121.0  # the second of them waits two minutes
        console.print(progress.columns[3].render(progress.tasks[task]))
        group.cancel_scope.cancel()
    assert buffer.getvalue() == (
        "done · 0 ok · 0 failed · 2 waiting "
        f"{status.wait_seconds:.1f} s for the rate limit (requests per minute)\n"
    )
    assert limit.status().waiting == 0  # cancelled waits leave the limiter
    assert len(limit._slots) == 1  # and give their slots back


def test_the_progress_bar_shows_done_ok_failed_and_an_eta() -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, width=100, highlight=False)
    tally = tally_of(["-"] * 10)
    with Progress(*progress_columns(), console=console) as progress:
        task = progress.add_task("batch", total=10, tally=tally)
        for n, status in enumerate(["ok"] * 6 + ["error"]):
            tally.add({"id": f"r{n}", "status": status, "error": {"type": "ServerError"}})
            progress.advance(task)
    assert re.fullmatch(
        r"batch ━+[╸ ]+ 7/10 done · 6 ok · 1 failed · \d:\d\d:\d\d · ETA (\d:\d\d:\d\d|-:--:--)\n",
        buffer.getvalue(),
    ), buffer.getvalue()
    tally.add({"id": "r7", "status": "limit"})
    with Progress(*progress_columns(), console=console) as progress:
        progress.add_task("batch", total=10, completed=8, tally=tally)
    assert " 8/10 done · 6 ok · 1 failed · 1 limit · " in buffer.getvalue().splitlines()[-1]


def test_in_a_narrow_terminal_the_bar_gives_way_and_the_counts_stay_whole() -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, width=80, highlight=False)
    tally = tally_of(["-"] * 10000)
    tally.this_run.update({"ok": 1234, "error": 56, "limit": 7})
    with Progress(*progress_columns(), console=console) as progress:
        progress.add_task("batch", total=10000, completed=1297, tally=tally)
    assert "1297/10000 done · 1234 ok · 56 failed · 7 limit · " in buffer.getvalue()
