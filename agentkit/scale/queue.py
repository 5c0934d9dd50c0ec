"""A batch on a DBOS queue in Postgres: the inputs go in as workflows, the results come out.

``agentkit batch FILE --queue postgresql://...`` does not run anything itself. It enqueues one
workflow per input on the run file's queue (``QueueName``) and collects the results as the
workers (``worker.py``, on any number of machines) finish them. The enqueuing side is a
``DBOSClient``: it needs no workflow code and no running DBOS.

Each input's workflow id is derived from the batch, the input's id and the attempt (a retry
of a failed row is the next attempt, ``#retry2`` and on), and DBOS keeps an existing workflow
when the same id is enqueued again: running the batch command twice (or after Ctrl-C, or a
crash of the command itself) never runs an attempt twice; it collects what is there and waits
for the rest. What a rerun does with each row is ``cli/batch/queued_rerun.py``'s to decide;
this module gives it the attempts, their outputs, and the ways on (enqueue, retry by a fork
that keeps the completed steps, resume a cancelled attempt, cancel the waiting ones).

A row id that itself ends in ``#retry<n>`` next to a row named by its prefix would collide
with that row's retry: ids are the user's, and such a pair is the one case not told apart.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from dbos import DBOS, DBOSClient, EnqueueOptions, SetWorkflowID

from agentkit import __version__
from agentkit.errors import ConfigurationError
from agentkit.scale.dbos_setup import APPLICATION_NAME, fingerprint

ROW_WORKFLOW = "agentkit.batch_row"
ENQUEUE_CHUNK = 500  # inputs enqueued per transaction
OVERLAP_MS = 1_000  # a completion committed late is still seen by the next poll
FULL_SCAN_SECONDS = 10.0  # and one later than that by the next full look
RETRY_MARK = "#retry"
ACTIVE = frozenset({"ENQUEUED", "PENDING", "DELAYED"})
FINISHED_STATUSES = ("SUCCESS", "ERROR")


@dataclass(frozen=True)
class QueueName:
    """Where one run file's rows wait: the queue's name and the application version its
    workers run (both from the run file's bytes, so only workers of the same file take them)."""

    name: str
    version: str

    @classmethod
    def for_run_file(cls, run_file: bytes) -> QueueName:
        version = fingerprint("agentkit", __version__, run_file)
        return cls(f"agentkit_{version}", version)


def postgres_url(url: str) -> str:
    """The queue's database: only Postgres serves several machines."""
    scheme = url.partition("://")[0].lower()
    if scheme not in ("postgresql", "postgres", "postgresql+psycopg"):
        raise ConfigurationError(
            f"--queue {url}: the queue lives in Postgres; give postgresql://USER@HOST:PORT/DB"
        )
    return url


def libpq_url(url: str) -> str:
    """The URL as psycopg and SQLAlchemy's psycopg dialect want it."""
    rest = url.partition("://")[2]
    return f"postgresql://{rest}"


@dataclass(frozen=True)
class Attempt:
    """One run of a row: its workflow and DBOS's status of it. A row's first attempt's
    workflow id is the batch's prefix and the row's id; a retry's adds ``#retry<n>``."""

    row_id: str
    number: int
    workflow_id: str
    status: str

    @property
    def active(self) -> bool:
        return self.status in ACTIVE


class QueuedBatch:
    """One batch's inputs on ``queue``: enqueue them, then poll for what finished."""

    def __init__(self, url: str, queue: QueueName, batch_key: str) -> None:
        self.url = postgres_url(url)
        self.queue = queue
        self.prefix = f"{queue.name}:{batch_key}:"
        # The workers may not have started yet: the schema is made (or migrated) here too.
        DBOS.migrate(libpq_url(self.url))
        self._client = DBOSClient(
            system_database_url=libpq_url(self.url), application_name=APPLICATION_NAME
        )
        self._engine = sa.create_engine(
            "postgresql+psycopg://" + self.url.partition("://")[2], pool_size=1
        )
        self._cursor_ms: int | None = None
        self._full_scan_at = 0.0

    def close(self) -> None:
        self._client.destroy()
        self._engine.dispose()

    def workflow_id(self, row_id: str, attempt: int = 1) -> str:
        suffix = "" if attempt == 1 else f"{RETRY_MARK}{attempt}"
        return f"{self.prefix}{row_id}{suffix}"

    def attempts(self, row_ids: Collection[str]) -> dict[str, Attempt]:
        """The latest attempt of each of ``row_ids`` that has one (one query, no inputs or
        outputs loaded)."""
        wanted = set(row_ids)
        latest: dict[str, Attempt] = {}
        found = self._client.list_workflows(
            workflow_id_prefix=self.prefix, load_input=False, load_output=False
        )
        for status in found:
            parsed = self._parse(status.workflow_id, wanted)
            if parsed is None:
                continue
            row_id, number = parsed
            if row_id not in latest or latest[row_id].number < number:
                latest[row_id] = Attempt(row_id, number, status.workflow_id, str(status.status))
        return latest

    def _parse(self, workflow_id: str, rows: Collection[str]) -> tuple[str, int] | None:
        rest = workflow_id.removeprefix(self.prefix)
        if rest in rows:
            return rest, 1
        row_id, mark, number = rest.rpartition(RETRY_MARK)
        if mark and number.isdigit() and row_id in rows:
            return row_id, int(number)
        return None

    def enqueue(self, rows: Sequence[dict[str, Any]]) -> dict[str, str]:
        """Every row as a workflow (its first attempt), a chunk per transaction; rows
        already enqueued (by an earlier run of the command) are left as they are. The
        workflow id of each row."""
        ids = {}
        for start in range(0, len(rows), ENQUEUE_CHUNK):
            with self._engine.begin() as connection:
                for row in rows[start : start + ENQUEUE_CHUNK]:
                    workflow_id = self.workflow_id(str(row["id"]))
                    options: EnqueueOptions = {
                        "workflow_name": ROW_WORKFLOW,
                        "queue_name": self.queue.name,
                        "workflow_id": workflow_id,
                        "app_version": self.queue.version,
                    }
                    self._client.enqueue_in_transaction(connection, options, row)
                    ids[workflow_id] = str(row["id"])
        return ids

    def outputs(self, workflow_ids: Collection[str]) -> dict[str, dict[str, Any]]:
        """The result record of each finished workflow among ``workflow_ids``."""
        if not workflow_ids:
            return {}
        found = self._client.list_workflows(workflow_ids=list(workflow_ids), load_input=False)
        return {
            status.workflow_id: _record(status)
            for status in found
            if status.status in FINISHED_STATUSES
        }

    def retry(self, attempt: Attempt) -> str:
        """The row's next attempt, on the queue: a fork of ``attempt`` that keeps every step
        it completed (a tool call that ran is not run again) and goes on from the first step
        that failed or never ran. The new attempt's workflow id."""
        # With outputs: DBOS reads a step's error only along with its output.
        steps = self._client.list_workflow_steps(attempt.workflow_id)
        failed = [step["function_id"] for step in steps if step["error"] is not None]
        done = [step["function_id"] for step in steps]
        start = min(failed) if failed else max(done, default=0) + 1
        new_id = self.workflow_id(attempt.row_id, attempt.number + 1)
        with SetWorkflowID(new_id):
            self._client.fork_workflow(
                attempt.workflow_id,
                start,
                application_version=self.queue.version,
                queue_name=self.queue.name,
            )
        return new_id

    def resume(self, workflow_ids: Sequence[str]) -> None:
        """Put cancelled workflows back on the queue, their completed steps kept."""
        if workflow_ids:
            self._client.resume_workflows(list(workflow_ids), queue_name=self.queue.name)

    def cancel_waiting(self, workflow_ids: Collection[str]) -> int:
        """Cancel those of ``workflow_ids`` still waiting on the queue (no worker has taken
        them); those running go on. How many were cancelled."""
        waiting = [
            status.workflow_id
            for status in self._client.list_workflows(
                workflow_id_prefix=self.prefix,
                status="ENQUEUED",
                load_input=False,
                load_output=False,
            )
            if status.workflow_id in workflow_ids
        ]
        if waiting:
            self._client.cancel_workflows(waiting)
        return len(waiting)

    def finished(self, waiting: Mapping[str, str]) -> Iterator[tuple[str, dict[str, Any]]]:
        """(workflow id, result record) of the waited-for workflows (workflow id → row id)
        that finished since the last poll.

        A poll asks for the ids of the workflows completed since the last completion seen
        (less an overlap, for one committed late), and loads the outputs of the new ones
        only: a poll costs what finished, not the size of the batch. Every
        ``FULL_SCAN_SECONDS`` it asks for every completed one, so a completion later than
        the overlap is still found."""
        if not waiting:
            return
        after = None
        now = time.monotonic()
        if self._cursor_ms is not None and now < self._full_scan_at:
            since = (self._cursor_ms - OVERLAP_MS) / 1000
            after = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(since)) + "+00:00"
        else:
            self._full_scan_at = now + FULL_SCAN_SECONDS
        found = self._client.list_workflows(
            workflow_id_prefix=self.prefix,
            status=list(FINISHED_STATUSES),
            completed_after=after,
            load_input=False,
            load_output=False,
        )
        new = []
        for status in found:
            if status.completed_at is not None:
                self._cursor_ms = max(self._cursor_ms or 0, status.completed_at)
            if status.workflow_id in waiting:
                new.append(status.workflow_id)
        for workflow_id, record in self.outputs(new).items():
            row_id = waiting[workflow_id]
            yield workflow_id, record if "id" in record else {"id": row_id, **record}


def _record(status: Any) -> dict[str, Any]:
    if status.status == "SUCCESS" and isinstance(status.output, dict):
        return dict(status.output)
    # A workflow that raised (DBOS gave up recovering it, say): its row's error line, the id
    # filled in by the caller, who knows the row.
    error = status.error
    return {
        "status": "error",
        "error": {
            "type": type(error).__name__ if error is not None else "WorkflowError",
            "message": str(error) if error is not None else "the row's workflow failed",
        },
    }
