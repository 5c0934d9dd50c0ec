"""``agentkit batch FILE --inputs IN --out OUT --queue postgresql://...``: a batch for workers.

The inputs are enqueued on the run file's DBOS queue (``scale/queue.py``) and run by
``agentkit worker`` processes; this command writes each row's line to OUT as its result
arrives, in the same format and with the same results file as a local batch. Running it
again finishes the job as a local batch's rerun does (``queued_rerun.py``): finished rows are
skipped, failed rows are retried (``--keep-failed`` keeps them), and no row ever has two
attempts at once.

A failure every row would meet (``failures.py``: a bad key, the per-day quota) stops the
batch as it stops a local one: no line for that row, the rows no worker has taken yet are
cancelled, exit 3, and the rerun continues with every row without a line.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.progress import Progress

from agentkit.cli.batch.inputs import check_distinct, check_rows_fit, read_inputs
from agentkit.cli.batch.queued_rerun import STOPS_BATCH, start_rows
from agentkit.cli.batch.report import progress_columns, start_line, stop_line, summary_lines
from agentkit.cli.batch.results import FAILED, ResultsFile
from agentkit.cli.batch.runner import Stop
from agentkit.cli.batch.tally import Tally
from agentkit.cli.durable_setup import require_durable
from agentkit.cli.exits import EXIT_INTERRUPTED, EXIT_LIMIT, EXIT_MODEL, EXIT_OK, UsageError
from agentkit.cli.runfile import load_run_file

if TYPE_CHECKING:
    from agentkit.scale.queue import QueuedBatch

POLL_SECONDS = 0.2


class RowStopped(Exception):
    """The failure a worker met on a row that stops the batch, as the worker reported it."""


def queued_batch(args: argparse.Namespace, out: Console, err: Console) -> int:
    require_durable()
    from agentkit.scale.dbos_setup import fingerprint
    from agentkit.scale.queue import QueuedBatch, QueueName

    runfile = load_run_file(args.file)
    inputs_path, output = Path(args.inputs), Path(args.out)
    if args.out == "-":
        raise UsageError("--out - : the results file is read back by a rerun; give it a path")
    inputs = read_inputs(inputs_path)
    check_rows_fit(inputs, runfile, inputs_path)
    check_distinct(inputs_path, output)
    keep_failed = bool(getattr(args, "keep_failed", False))
    queue = QueueName.for_run_file(runfile.path.read_bytes())
    batch = QueuedBatch(args.queue, queue, fingerprint(str(output.resolve())))
    ids = [str(item["id"]) for item in inputs]
    results = ResultsFile.open(output, drop_failed=() if keep_failed else set(ids))
    interrupted = False
    stop: Stop | None = None
    try:
        tally = Tally.start(ids, results.rows)
        pending = [item for item in inputs if str(item["id"]) not in tally.statuses]
        retried = len({row.id for row in results.dropped} - set(tally.statuses))
        err.print(start_line(tally, len(pending), retried, tally.count(FAILED)), markup=False)
        plan = start_rows(batch, pending, keep_failed=keep_failed)
        err.print(
            f"queued {plan.enqueued} rows on {queue.name} (retried {plan.retried}, resumed "
            f"{plan.resumed}, {len(plan.waiting) - plan.enqueued - plan.retried - plan.resumed} "
            f"queued before); workers: agentkit worker {args.file} --queue URL",
            markup=False,
        )
        try:
            stop = _collect(batch, plan.waiting, results, tally, err)
        except KeyboardInterrupt:
            interrupted = True
    finally:
        results.close()
        batch.close()
    if stop is not None:
        err.print(stop_line(stop.why, stop.error, tally.not_run), style="bold red", markup=False)
    elif interrupted:
        err.print(
            "interrupted: the queued rows go on running on the workers; run the same command "
            "again to collect them",
            style="yellow",
            markup=False,
        )
        return EXIT_INTERRUPTED
    for line in summary_lines(tally, output, _rerun_command(args)):
        err.print(line, markup=False)
    if stop is not None or tally.count(FAILED):
        return EXIT_MODEL
    return EXIT_LIMIT if tally.count("limit") else EXIT_OK


def _collect(
    batch: QueuedBatch, waiting: dict[str, str], results: ResultsFile, tally: Tally, err: Console
) -> Stop | None:
    """Write each row's line as its workflow finishes, until none is left or a row reports
    a failure that stops the batch (then the rows still waiting on the queue are cancelled
    and the Stop returned)."""
    waiting = dict(waiting)  # the caller's plan is left as it was
    with Progress(*progress_columns(), console=err, transient=False) as progress:
        task = progress.add_task("batch", total=len(waiting), tally=tally)
        while waiting:
            done = list(batch.finished(waiting))
            stop = _first_stop(done)
            for workflow_id, record in done:
                if STOPS_BATCH in record:
                    continue
                del waiting[workflow_id]
                results.append(record)
                tally.add(record)
                progress.advance(task)
            if stop is not None:
                batch.cancel_waiting(set(waiting))
                return stop
            if waiting:
                time.sleep(POLL_SECONDS)
    return None


def _first_stop(done: list[tuple[str, dict[str, Any]]]) -> Stop | None:
    for _, record in done:
        if STOPS_BATCH in record:
            error = record.get("error") or {}
            return Stop(str(record[STOPS_BATCH]), RowStopped(str(error.get("message", ""))))
    return None


def _rerun_command(args: argparse.Namespace) -> str:
    import shlex

    words = [str(args.file), "--inputs", str(args.inputs), "--out", str(args.out)]
    return shlex.join(["agentkit", "batch", *words, "--queue", "URL"])
