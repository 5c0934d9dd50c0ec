"""``agentkit worker FILE --queue URL``: run a queued batch's rows (see ``scale/worker.py``).

Start as many as you like, on any machines that reach the Postgres database: each takes rows
from the run file's queue, at most ``--concurrency`` at once, and all together start at most
``--rpm`` rows a minute. A worker stops on SIGTERM or Ctrl-C; rows it had started are picked
up by the other workers (or by itself when started again), their completed steps kept.
"""

from __future__ import annotations

import argparse
import signal
import threading
from types import FrameType
from typing import TYPE_CHECKING, Any

from rich.console import Console

from agentkit.cli.exits import EXIT_INTERRUPTED, EXIT_OK, UsageError

if TYPE_CHECKING:
    from agentkit.cli.runfile import RunFile
    from agentkit.scale.worker import RowRun


def add_worker_parser(commands: Any) -> None:
    worker = commands.add_parser(
        "worker",
        help="run the rows of queued batches (agentkit batch --queue) from Postgres",
        description="Takes the run file's rows from the DBOS queue in Postgres and runs each "
        "durably. Start any number, on any machines; a worker that dies has its rows finished "
        "by the others, completed steps kept.",
    )
    worker.add_argument("file", help="the run file the batch was started with")
    worker.add_argument("--queue", required=True, metavar="URL", help="postgresql://... URL")
    worker.add_argument(
        "--concurrency", default="8", metavar="N", help="rows at once on each worker (default 8)"
    )
    worker.add_argument(
        "--rpm", metavar="N", help="rows started per minute across all workers (default: no limit)"
    )
    worker.add_argument(
        "--worker-id", metavar="ID", help="this worker's DBOS executor id (default: host-pid)"
    )
    worker.add_argument("--approve", action="store_true", help="approve calls that need it")
    worker.set_defaults(handler="agentkit.cli.worker:worker_command")


def worker_command(args: argparse.Namespace, out: Console, err: Console) -> int:
    from agentkit.cli.batch.inputs import concurrency_from
    from agentkit.cli.durable_setup import require_durable
    from agentkit.cli.runfile import load_run_file

    require_durable()
    from agentkit.scale.durable import process_executor_id
    from agentkit.scale.queue import QueueName
    from agentkit.scale.worker import serve

    concurrency = concurrency_from(args.concurrency)
    rpm = None if args.rpm is None else _positive(args.rpm, "--rpm")
    runfile = load_run_file(args.file)
    queue = QueueName.for_run_file(runfile.path.read_bytes())
    worker_id = args.worker_id or process_executor_id()
    run_row = row_runner(runfile, approve=args.approve, err=err)
    stop = threading.Event()
    interrupted: list[int] = []

    def stop_on(number: int, frame: FrameType | None) -> None:
        interrupted.append(number)
        stop.set()

    previous = {sig: signal.signal(sig, stop_on) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        limit = "no rate limit" if rpm is None else f"at most {rpm} rows a minute in all"
        serve(
            args.queue,
            queue,
            worker_id,
            run_row,
            concurrency=concurrency,
            rows_per_minute=rpm,
            stop=stop,
            ready=lambda: err.print(
                f"worker {worker_id} ready: queue {queue.name}, {concurrency} rows at once, "
                f"{limit}",
                markup=False,
            ),
        )
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return EXIT_INTERRUPTED if signal.SIGINT in interrupted else EXIT_OK


def row_runner(runfile: RunFile, *, approve: bool, err: Console) -> RowRun:
    """One row, run durably inside its workflow: the same record a plain batch writes."""
    from dbos import DBOS

    from agentkit.agent import StopReason
    from agentkit.cli.batch.failures import error_record, stops_the_batch
    from agentkit.cli.batch.queued_rerun import STOPS_BATCH
    from agentkit.cli.confirm import confirmation_policy
    from agentkit.cli.durable_setup import durable_model
    from agentkit.cli.render import result_record
    from agentkit.cli.setup import agent_for, tools_for
    from agentkit.scale.durable import run_prompts

    toolset = tools_for(runfile, lambda note: err.print(f"[yellow]{note}[/]"))
    confirm = confirmation_policy(Console(quiet=True), approve=approve, interactive=False)
    model, _ = durable_model(runfile)
    agent_for(runfile, model, toolset, confirm)  # a set-up mistake shows now, not per row

    async def run_row(row: dict[str, Any]) -> dict[str, Any]:
        workflow_id = DBOS.workflow_id
        assert workflow_id is not None
        agent = agent_for(runfile, model, toolset, confirm)
        try:
            result = await run_prompts(agent, workflow_id, runfile.render_prompts(row), [])
        except Exception as error:  # any failure is the row's result
            why = stops_the_batch(error)
            record = error_record(row["id"], error)
            # A failure every row would meet: the batch command stops on it, as a local
            # batch does, and writes no line for the row (a rerun retries it).
            return record if why is None else {**record, STOPS_BATCH: why}
        finished = result.stop_reason in (StopReason.COMPLETED, StopReason.FINAL_ANSWER)
        return {"id": row["id"], "status": "ok" if finished else "limit", **result_record(result)}

    return run_row


def _positive(text: str, flag: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise UsageError(f"{flag} {text}: give a whole number of at least 1")
    return value
