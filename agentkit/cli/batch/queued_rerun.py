"""What a run of a queued batch does with each row: the same rerun rules as a local batch.

A local batch skips the rows with an ``ok`` or ``limit`` line, runs again the rows whose line
says ``error`` (unless ``--keep-failed``) and runs the rows without a line. On the queue, a
row may also have attempts from earlier runs of the command, still running or finished while
no command was collecting. Each row without a kept line is looked up by its latest attempt
(``scale/queue.py``'s ``Attempt``):

- none: its first attempt is enqueued;
- waiting or running: waited for;
- finished ``ok``/``limit``: collected (its line written);
- finished with an error line: retried, or collected with ``--keep-failed``;
- stopped by a failure every row would meet (the workers mark such a result), or failed in
  DBOS itself: retried;
- cancelled (a stopped batch cancels the rows no worker had taken): put back on the queue.

A retry is a fork of the last attempt that keeps every step it completed, so a rerun never
runs a completed tool call again; it goes on from the step that failed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agentkit.cli.batch.results import FAILED, FINISHED
from agentkit.scale.queue import QueuedBatch

STOPS_BATCH = "stops_batch"  # the key a worker adds to the result of a row that stops the batch
OUTPUT_CHUNK = 1000  # outputs loaded per query when looking at earlier attempts


@dataclass
class Plan:
    """The workflow to wait for of each pending row (workflow id → row id), and what was
    done to get there."""

    waiting: dict[str, str] = field(default_factory=dict)
    enqueued: int = 0
    retried: int = 0
    resumed: int = 0


def start_rows(batch: QueuedBatch, pending: list[dict[str, Any]], *, keep_failed: bool) -> Plan:
    """Enqueue, retry or resume each pending row as its latest attempt calls for."""
    plan = Plan()
    by_id = {str(row["id"]): row for row in pending}
    latest = batch.attempts(by_id)
    finished = [a for a in latest.values() if a.status in ("SUCCESS", "ERROR")]
    records: dict[str, dict[str, Any]] = {}
    for start in range(0, len(finished), OUTPUT_CHUNK):
        chunk = finished[start : start + OUTPUT_CHUNK]
        records.update(batch.outputs([a.workflow_id for a in chunk]))
    fresh, cancelled = [], []
    for row_id, row in by_id.items():
        attempt = latest.get(row_id)
        if attempt is None:
            fresh.append(row)
        elif attempt.active:
            plan.waiting[attempt.workflow_id] = row_id
        elif attempt.status == "CANCELLED":
            cancelled.append(attempt.workflow_id)
            plan.waiting[attempt.workflow_id] = row_id
        elif _collect(records.get(attempt.workflow_id), keep_failed):
            plan.waiting[attempt.workflow_id] = row_id
        else:
            plan.waiting[batch.retry(attempt)] = row_id
            plan.retried += 1
    batch.resume(cancelled)
    plan.resumed = len(cancelled)
    plan.waiting.update(batch.enqueue(fresh))
    plan.enqueued = len(fresh)
    return plan


def _collect(record: dict[str, Any] | None, keep_failed: bool) -> bool:
    """Whether a finished attempt's result is the row's line (rather than retried)."""
    if record is None or STOPS_BATCH in record:
        return False
    status = record.get("status")
    return status in FINISHED or (status == FAILED and keep_failed)
