"""A queue worker: runs a batch's rows from the DBOS queue in Postgres, durably.

``agentkit worker FILE --queue URL`` on any number of machines. Each worker is a DBOS
executor listening on the run file's queue (``queue.py``); each row is a DBOS workflow whose
model and tool calls are steps (``steps.py``), so a row a dead worker had half done is
finished elsewhere without repeating its completed steps.

Flow control is DBOS's, kept with the queue in Postgres: ``worker_concurrency`` (rows at once
on each worker) and a rate limit (rows started per minute, counted across all workers in the
database). DBOS stores one configuration per queue, so the most recently started worker's
``--concurrency`` and ``--rpm`` apply to every worker of the queue.

A dead worker's rows: DBOS recovers a workflow when told its executor is gone. Each worker
holds a Postgres advisory lock named after its executor id on a connection of its own;
Postgres releases it the moment that process dies (``kill -9`` closes its socket), and every
other worker checks, every ``CHECK_INTERVAL`` seconds, whether the executors owning pending
rows still hold theirs. The first to take a dead executor's lock has DBOS put its rows back
on the queue (DBOS's ``_recover_pending_workflows``), where any worker takes them; their
completed steps are read back, the call that was in flight runs again (at least once).
"""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable
from typing import Any

import psycopg
from dbos import DBOS

from agentkit.errors import ConfigurationError
from agentkit.logs import get_logger
from agentkit.scale.dbos_setup import launched
from agentkit.scale.queue import ROW_WORKFLOW, QueueName, libpq_url, postgres_url

CHECK_INTERVAL = 0.5  # seconds between looks for dead workers' rows
POLL_INTERVAL = 0.05  # seconds between a worker's looks for new rows
LOCK_CLASS = 0x61676B  # the first key of agentkit's advisory locks ("agk")

log = get_logger()

RowRun = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]


class WorkerLiveness:
    """This worker's advisory lock, and the look for executors that lost theirs."""

    def __init__(self, url: str, executor_id: str) -> None:
        self.executor_id = executor_id
        self._connection = psycopg.connect(libpq_url(url), autocommit=True)
        if not self._try_lock(executor_id):
            self._connection.close()
            raise ConfigurationError(
                f"worker id {executor_id!r} is in use by a live worker; give --worker-id another"
            )

    def close(self) -> None:
        self._connection.close()  # releases the lock

    def _try_lock(self, executor_id: str) -> bool:
        row = self._connection.execute(
            "SELECT pg_try_advisory_lock(%s, hashtext(%s))", (LOCK_CLASS, executor_id)
        ).fetchone()
        return bool(row and row[0])

    def _unlock(self, executor_id: str) -> None:
        self._connection.execute(
            "SELECT pg_advisory_unlock(%s, hashtext(%s))", (LOCK_CLASS, executor_id)
        )

    def recover_dead(self, queue: str) -> list[str]:
        """Put the rows of dead executors back on the queue; the executors recovered."""
        pending = DBOS.list_workflows(
            status="PENDING", queue_name=queue, load_input=False, load_output=False
        )
        owners = {w.executor_id for w in pending if w.executor_id not in (None, self.executor_id)}
        recovered = []
        for owner in sorted(o for o in owners if o is not None):
            if not self._try_lock(owner):
                continue  # alive
            try:
                # DBOS's own recovery (what its Conductor calls for an executor it lost):
                # the rows go back on their queue, once, whoever asks.
                DBOS._recover_pending_workflows([owner])
                recovered.append(owner)
            finally:
                self._unlock(owner)
        return recovered


def serve(
    url: str,
    queue: QueueName,
    worker_id: str,
    run_row: RowRun,
    *,
    concurrency: int,
    rows_per_minute: int | None,
    stop: threading.Event,
    ready: Callable[[], None] | None = None,
) -> None:
    """Run rows from ``queue`` until ``stop`` is set (blocking; rows run on DBOS's threads)."""
    url = postgres_url(url)
    liveness = WorkerLiveness(url, worker_id)

    def register() -> None:
        async def batch_row(row: dict[str, Any]) -> dict[str, Any]:
            return await run_row(row)

        DBOS.workflow(name=ROW_WORKFLOW)(batch_row)

    try:
        with launched(
            libpq_url(url), version=queue.version, executor_id=worker_id, register=register
        ):
            DBOS.register_queue(
                queue.name,
                worker_concurrency=concurrency,
                limiter=None
                if rows_per_minute is None
                else {"limit": rows_per_minute, "period": 60.0},
                polling_interval_sec=POLL_INTERVAL,
                on_conflict="always_update",
            )
            if ready is not None:
                ready()
            while not stop.wait(CHECK_INTERVAL):
                try:
                    for owner in liveness.recover_dead(queue.name):
                        log.info("worker.recovered", dead_worker=owner, queue=queue.name)
                except psycopg.Error as error:
                    log.warning("worker.recovery_failed", error=str(error))
    finally:
        liveness.close()
