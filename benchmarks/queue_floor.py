"""The floor of a queued batch: what DBOS itself costs for rows that do nothing.

Each row is a DBOS workflow of ``STEPS`` empty steps (as many as an agentkit row of the
benchmark's run file takes: a model call, a tool call, a model call), run by worker processes
started exactly like ``agentkit worker`` (``scale/worker.py``'s ``serve``, the same DBOS
settings), enqueued in chunks with DBOS's client and counted done with one SQL count per
poll. No model, no tools, no results file: the rows per second DBOS allows on this machine.

``python -m benchmarks.queue_floor URL QUEUE VERSION WORKER_ID`` is one such worker; it prints
``ready`` once it listens and stops on SIGTERM.
"""

from __future__ import annotations

import signal
import sys
import threading
import time
from types import FrameType
from typing import Any

STEPS = 3


async def empty_row(row: dict[str, Any]) -> dict[str, Any]:
    """``STEPS`` steps that return at once, each recorded as a real step is."""
    from dbos import DBOS

    async def nothing() -> str:
        return ""

    for number in range(STEPS):
        await DBOS.run_step_async({"name": f"step {number}"}, nothing)
    return {"id": row["id"], "status": "ok"}


def worker_main(argv: list[str]) -> int:
    from agentkit.scale.queue import QueueName
    from agentkit.scale.worker import serve

    url, name, version, worker_id, concurrency = argv
    stop = threading.Event()

    def stop_on(number: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, stop_on)
    serve(
        url,
        QueueName(name, version),
        worker_id,
        empty_row,
        concurrency=int(concurrency),
        rows_per_minute=None,
        stop=stop,
        ready=lambda: print("ready", flush=True),
    )
    return 0


def enqueue_and_wait(url: str, name: str, version: str, rows: int) -> float:
    """Enqueue ``rows`` empty rows and wait until all have finished; the seconds it took."""
    import sqlalchemy as sa
    from dbos import DBOSClient, EnqueueOptions

    from agentkit.scale.dbos_setup import APPLICATION_NAME
    from agentkit.scale.queue import ENQUEUE_CHUNK, ROW_WORKFLOW, libpq_url

    client = DBOSClient(system_database_url=libpq_url(url), application_name=APPLICATION_NAME)
    engine = sa.create_engine("postgresql+psycopg://" + url.partition("://")[2], pool_size=1)
    count = sa.text(
        "SELECT count(*) FROM dbos.workflow_status WHERE queue_name = :q AND status = 'SUCCESS'"
    )
    try:
        begin = time.perf_counter()
        for start in range(0, rows, ENQUEUE_CHUNK):
            with engine.begin() as connection:
                for number in range(start, min(rows, start + ENQUEUE_CHUNK)):
                    options: EnqueueOptions = {
                        "workflow_name": ROW_WORKFLOW,
                        "queue_name": name,
                        "workflow_id": f"floor-{number}",
                        "app_version": version,
                    }
                    client.enqueue_in_transaction(connection, options, {"id": number})
        while True:
            with engine.connect() as connection:
                done = int(connection.execute(count, {"q": name}).scalar_one())
            if done >= rows:
                return time.perf_counter() - begin
            time.sleep(0.05)
    finally:
        client.destroy()
        engine.dispose()


if __name__ == "__main__":
    raise SystemExit(worker_main(sys.argv[1:]))
