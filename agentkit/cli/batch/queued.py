"""``agentkit batch FILE --inputs IN --out OUT --queue postgresql://...``: a batch for workers.

The inputs are enqueued on the run file's DBOS queue (``scale/queue.py``) and run by
``agentkit worker`` processes; this command writes each row's line to OUT as its result
arrives, in the same format and with the same results file as a local batch: one line per
id, finished rows skipped when the command is run again. Running it again never enqueues a
row twice (each row's workflow id comes from the batch and the row's id).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import Progress

from agentkit.cli.batch.inputs import check_distinct, check_rows_fit, read_inputs
from agentkit.cli.batch.report import progress_columns, summary_lines
from agentkit.cli.batch.results import FAILED, ResultsFile
from agentkit.cli.batch.tally import Tally
from agentkit.cli.durable_setup import require_durable
from agentkit.cli.exits import EXIT_INTERRUPTED, EXIT_LIMIT, EXIT_MODEL, EXIT_OK, UsageError
from agentkit.cli.runfile import load_run_file

if TYPE_CHECKING:
    from agentkit.scale.queue import QueuedBatch

POLL_SECONDS = 0.2


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
    queue = QueueName.for_run_file(runfile.path.read_bytes())
    batch = QueuedBatch(args.queue, queue, fingerprint(str(output.resolve())))
    ids = [str(item["id"]) for item in inputs]
    # Failed rows keep their line: their workflow ran, and enqueuing it again finds it.
    results = ResultsFile.open(output, drop_failed=())
    interrupted = False
    try:
        tally = Tally.start(ids, results.rows)
        pending = [item for item in inputs if str(item["id"]) not in tally.statuses]
        batch.enqueue(pending)
        err.print(
            f"queued {len(pending)} rows on {queue.name} ({len(ids) - len(pending)} already "
            f"in {output}); start workers with: agentkit worker {args.file} --queue URL",
            markup=False,
        )
        try:
            _collect(batch, {str(item["id"]) for item in pending}, results, tally, err)
        except KeyboardInterrupt:
            interrupted = True
    finally:
        results.close()
        batch.close()
    if interrupted:
        err.print(
            "interrupted: the queued rows go on running on the workers; run the same command "
            "again to collect them",
            style="yellow",
            markup=False,
        )
        return EXIT_INTERRUPTED
    # The count and the failed ids; a failed row's workflow has run, so no retry is offered.
    for line in summary_lines(tally, output, "")[:2]:
        err.print(line, markup=False)
    if tally.count(FAILED):
        return EXIT_MODEL
    return EXIT_LIMIT if tally.count("limit") else EXIT_OK


def _collect(
    batch: QueuedBatch, pending: set[str], results: ResultsFile, tally: Tally, err: Console
) -> None:
    """Write each pending row's line as its workflow finishes, until none is left."""
    with Progress(*progress_columns(), console=err, transient=False) as progress:
        task = progress.add_task("batch", total=len(pending), tally=tally)
        while pending:
            for row_id, record in batch.finished(pending):
                pending.discard(row_id)
                results.append(record)
                tally.add(record)
                progress.advance(task)
            if pending:
                time.sleep(POLL_SECONDS)
