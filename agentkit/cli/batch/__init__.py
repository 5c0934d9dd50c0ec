"""``agentkit batch FILE --inputs IN.jsonl --out OUT.jsonl``: many independent runs, one job.

Each input line is an object with an ``id`` and the fields the run file's prompts use
(``{prompt}`` by default); each row's result is one line of the results file, written so that
a kill at any moment loses no finished row (``results.py``). Rerunning the same command
finishes the job: rows with an ``ok`` or ``limit`` line are done and skipped, rows whose line
says ``error`` run again (``--keep-failed`` keeps them instead), rows without a line run. A
failure every row would meet stops the batch at once and leaves the rest for the rerun
(``failures.py``).

With ``--via batch-api`` every step of every row goes out as one Gemini Batch API job
instead (``batch_api.py``); the results file and the rerun work the same.

Exit codes: 0 every row ok; 3 a row failed or the batch stopped; 4 a run stopped at a limit
and none failed; 130 interrupted; 2 a usage mistake (one line, nothing touched).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import anyio
from rich.console import Console
from rich.progress import Progress

from agentkit.cli.batch.batch_api import BatchApiRows
from agentkit.cli.batch.inputs import (
    InputError,
    check_distinct,
    check_rows_fit,
    concurrency_from,
    rate_limit_from,
    read_inputs,
)
from agentkit.cli.batch.report import (
    interrupted_line,
    progress_columns,
    rerun_command,
    start_line,
    stop_line,
    summary_lines,
)
from agentkit.cli.batch.results import FAILED, ResultsFile
from agentkit.cli.batch.runner import RowRunner, Stop, run_rows
from agentkit.cli.batch.tally import Tally
from agentkit.cli.confirm import confirmation_policy
from agentkit.cli.exits import EXIT_INTERRUPTED, EXIT_LIMIT, EXIT_MODEL, EXIT_OK
from agentkit.cli.mcp_config import mcp_toolsets
from agentkit.cli.runfile import load_run_file
from agentkit.cli.setup import agent_for, tools_for
from agentkit.models import Gemini, RateLimit, close_model
from agentkit.offline import NoModelError, describe, remote_configured, scripted_model

__all__ = ["InputError", "batch_command"]


def batch_command(args: argparse.Namespace, out: Console, err: Console) -> int:
    check_modes(args)
    if getattr(args, "queue", None) is not None:
        from agentkit.cli.batch.queued import queued_batch

        return queued_batch(args, out, err)
    concurrency = concurrency_from(args.concurrency)
    limit = rate_limit_from(args.rpm, args.tpm)
    runfile = load_run_file(args.file)
    inputs_path, output = Path(args.inputs), Path(args.out)
    inputs = read_inputs(inputs_path)
    check_rows_fit(inputs, runfile, inputs_path)
    check_distinct(inputs_path, output)
    if args.out == "-":
        raise InputError("--out - : the results file is read back by a rerun; give it a path")
    # Live, every row shares one limiter even without --rpm/--tpm: a 429 then holds all of
    # them for the delay the server asks, instead of each row meeting it in turn.
    shared_limit = limit or RateLimit()
    remote = Gemini(runfile.model, rate_limit=shared_limit) if remote_configured() else None
    via_batch_api = args.via == "batch-api"
    if remote is None and via_batch_api:
        raise InputError(
            "--via batch-api sends the rows to the Gemini Batch API: set GEMINI_API_KEY (or "
            "GOOGLE_GEMINI_BASE_URL to a server that speaks it, such as agentkit serve)"
        )
    if remote is None and runfile.offline_turns is None:
        raise NoModelError(str(runfile.path))
    toolset = tools_for(runfile, lambda note: err.print(f"[yellow]{note}[/]"))
    confirm = confirmation_policy(Console(quiet=True), approve=args.approve, interactive=False)
    # Built once now so that what the agent refuses (a setting its model does not accept)
    # is a set-up mistake, found before anything is printed or the results file touched.
    agent_for(runfile, remote or scripted_model(runfile.model, ()), toolset, confirm)
    ids = [str(item["id"]) for item in inputs]
    # Everything the user could get wrong is checked; only now is the results file touched.
    results = ResultsFile.open(output, drop_failed=() if args.keep_failed else set(ids))
    try:
        if remote is not None:
            err.print(describe(remote), style="dim", markup=False)
        else:
            err.print(
                "offline: no API key set — every run replays the run file's SCRIPTED turns",
                style="bold yellow",
                markup=False,
            )
        tally = Tally.start(ids, results.rows)
        pending = [item for item in inputs if str(item["id"]) not in tally.statuses]
        retried = len({row.id for row in results.dropped} - set(tally.statuses))
        err.print(start_line(tally, len(pending), retried, tally.count(FAILED)), markup=False)
        runner = RowRunner(
            runfile,
            toolset,
            remote,
            confirm,
            mcp_toolsets(runfile.mcp, confirm),
            args.telemetry,
            limit=limit,
        )
        stop: Stop | None = None
        interrupted = False
        on_batch_api = BatchApiRows(runner, remote, output) if via_batch_api and remote else None
        try:
            if pending and on_batch_api is not None:
                stop = on_batch_api.run(pending, results, tally, err)
            elif pending:
                stop = anyio.run(_run, runner, pending, concurrency, results, tally, err)
        except KeyboardInterrupt:
            interrupted = True
        if on_batch_api is not None:
            on_batch_api.finish(tally)  # while the results file's lock is held
    finally:
        results.close()
    if stop is not None:
        err.print(stop_line(stop.why, stop.error, tally.not_run), style="bold red", markup=False)
    elif interrupted:
        err.print(interrupted_line(tally), style="yellow", markup=False)
    for line in summary_lines(tally, output, rerun_command(args, concurrency)):
        err.print(line, markup=False)
    for line in on_batch_api.summary_lines() if on_batch_api is not None else ():
        err.print(line, markup=False)
    return _exit_code(tally, stop, interrupted)


def check_modes(args: argparse.Namespace) -> None:
    """Options that the chosen way of running would ignore are mistakes, not no-ops."""
    queue, via = getattr(args, "queue", None), getattr(args, "via", "direct")
    limited = [flag for flag in ("rpm", "tpm") if getattr(args, flag, None) is not None]
    if queue is not None and via == "batch-api":
        raise InputError("--queue and --via batch-api are two ways of running a batch: give one")
    if limited and via == "batch-api":
        raise InputError(
            f"--{limited[0]} paces requests sent one by one; --via batch-api sends each step "
            "as one job, which per-minute limits do not count"
        )
    if limited and queue is not None:
        raise InputError(
            f"--{limited[0]} with --queue: the workers run the rows, so their limit is "
            f"`agentkit worker ... --rpm N` (shared by all workers)"
        )


def _exit_code(tally: Tally, stop: Stop | None, interrupted: bool) -> int:
    if interrupted:
        return EXIT_INTERRUPTED
    if stop is not None or tally.count(FAILED):
        return EXIT_MODEL
    return EXIT_LIMIT if tally.count("limit") else EXIT_OK


async def _run(
    runner: RowRunner,
    pending: list[dict[str, Any]],
    concurrency: int,
    results: ResultsFile,
    tally: Tally,
    err: Console,
) -> Stop | None:
    # Live, the model's own limiter (it also holds every run after a 429); offline, --rpm's.
    limit = runner.shared.rate_limit if isinstance(runner.shared, Gemini) else runner.limit
    with Progress(*progress_columns(limit), console=err, transient=False) as progress:
        task = progress.add_task("batch", total=len(pending), tally=tally)

        def finished(record: dict[str, Any]) -> None:
            results.append(record)
            tally.add(record)
            progress.advance(task)

        try:
            async with runner.servers():
                return await run_rows(pending, concurrency, runner, finished)
        finally:
            with anyio.CancelScope(shield=True):
                await close_model(runner.shared)
