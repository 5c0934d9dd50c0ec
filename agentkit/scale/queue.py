"""A batch on a DBOS queue in Postgres: the inputs go in as workflows, the results come out.

``agentkit batch FILE --queue postgresql://...`` does not run anything itself. It enqueues one
workflow per input on the run file's queue (``QueueName``) and collects the results as the
workers (``worker.py``, on any number of machines) finish them. The enqueuing side is a
``DBOSClient``: it needs no workflow code and no running DBOS.

Each input's workflow id is derived from the batch and the input's id, and DBOS keeps an
existing workflow when the same id is enqueued again: running the batch command twice (or
after Ctrl-C, or a crash of the command itself) never runs an input twice; it collects what
is there and waits for the rest.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from dbos import DBOS, DBOSClient, EnqueueOptions

from agentkit import __version__
from agentkit.errors import ConfigurationError
from agentkit.scale.dbos_setup import APPLICATION_NAME, fingerprint

ROW_WORKFLOW = "agentkit.batch_row"
ENQUEUE_CHUNK = 500  # inputs enqueued per transaction
OVERLAP_MS = 5_000  # a completion committed late is still seen by the next poll


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

    def close(self) -> None:
        self._client.destroy()
        self._engine.dispose()

    def workflow_id(self, row_id: str) -> str:
        return self.prefix + row_id

    def row_id(self, workflow_id: str) -> str:
        return workflow_id.removeprefix(self.prefix)

    def enqueue(self, rows: Sequence[dict[str, Any]]) -> None:
        """Every row as a workflow, a chunk per transaction; rows already enqueued (by an
        earlier run of the command) are left as they are."""
        for start in range(0, len(rows), ENQUEUE_CHUNK):
            with self._engine.begin() as connection:
                for row in rows[start : start + ENQUEUE_CHUNK]:
                    options: EnqueueOptions = {
                        "workflow_name": ROW_WORKFLOW,
                        "queue_name": self.queue.name,
                        "workflow_id": self.workflow_id(str(row["id"])),
                        "app_version": self.queue.version,
                    }
                    self._client.enqueue_in_transaction(connection, options, row)

    def finished(self, pending: Iterable[str]) -> Iterator[tuple[str, dict[str, Any]]]:
        """(row id, result record) of the pending rows that finished since the last poll.

        Asks only for completions since the last one seen (less an overlap, for one
        committed late), so a poll costs what finished, not the size of the batch."""
        waiting = set(pending)
        if not waiting:
            return
        after = None
        if self._cursor_ms is not None:
            since = (self._cursor_ms - OVERLAP_MS) / 1000
            after = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(since)) + "+00:00"
        found = self._client.list_workflows(
            workflow_id_prefix=self.prefix,
            status=["SUCCESS", "ERROR"],
            completed_after=after,
            load_input=False,
        )
        for status in found:
            if status.completed_at is not None:
                self._cursor_ms = max(self._cursor_ms or 0, status.completed_at)
            row_id = self.row_id(status.workflow_id)
            if row_id not in waiting:
                continue
            waiting.discard(row_id)
            yield row_id, _record(row_id, status)


def _record(row_id: str, status: Any) -> dict[str, Any]:
    if status.status == "SUCCESS" and isinstance(status.output, dict):
        return dict(status.output)
    error = status.error
    return {
        "id": row_id,
        "status": "error",
        "error": {
            "type": type(error).__name__ if error is not None else "WorkflowError",
            "message": str(error) if error is not None else "the row's workflow failed",
        },
    }
