"""``agentkit batch FILE --inputs IN --out OUT --via batch-api``: the rows on the Batch API.

Every step of every unfinished row goes out as one Gemini Batch API job (half the price;
answers within 24 hours, usually much sooner); the tools run here between jobs
(``agentkit.scale.batch_api``). The results file works as for any batch — one line per id,
written as each row finishes, rows with a line skipped on a rerun — and beside it
``OUT.batch-api.db`` keeps each unfinished row's transcript and every job made, so a
killed batch, run again with the same command, waits for the job it left in flight rather
than sending it again. Ctrl-C cancels the job in flight; a job that fails or expires stops
the batch (exit 3); either way the rows continue from their last step on the rerun.

``AGENTKIT_BATCH_POLL_SECONDS`` sets the longest pause between two looks at a job in
flight (default 30).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import anyio
from rich.console import Console, Group, RenderableType
from rich.progress import Progress
from rich.text import Text

from agentkit.agent import StopReason
from agentkit.cli.batch.failures import error_record, stops_the_batch
from agentkit.cli.batch.inputs import InputError
from agentkit.cli.batch.report import progress_columns
from agentkit.cli.batch.results import ResultsFile
from agentkit.cli.batch.runner import RowRunner, Stop
from agentkit.cli.batch.tally import Tally
from agentkit.cli.render import result_record
from agentkit.cli.setup import agent_for
from agentkit.errors import AgentkitError, BatchJobError
from agentkit.models import Gemini, Model, close_model
from agentkit.models.batches import PollSchedule
from agentkit.scale import BatchApiOptions, BatchApiRunner, JobProgress, RunOutcome, RunSpec
from agentkit.scale.job_ledger import JobLedger

POLL_VARIABLE = "AGENTKIT_BATCH_POLL_SECONDS"


def state_file_for(out: Path) -> Path:
    """Where a batch on ``out`` keeps its jobs and its rows' transcripts."""
    return out.with_name(out.name + ".batch-api.db")


def poll_schedule() -> PollSchedule:
    text = os.environ.get(POLL_VARIABLE, "").strip()
    if not text:
        return PollSchedule()
    try:
        longest = float(text)
    except ValueError:
        longest = 0.0
    if longest <= 0:
        raise InputError(f"{POLL_VARIABLE} must be a number of seconds above 0, not {text!r}")
    return PollSchedule(first=min(1.0, longest), longest=longest)


class _JobProgress(Progress):
    """The batch's bar, with a line above it saying which job the batch waits for."""

    job_line = "starting"

    def get_renderables(self) -> Iterable[RenderableType]:
        yield Group(Text(self.job_line, style="dim"), self.make_tasks_table(self.tasks))


class BatchApiRows:
    """The pending rows of a batch, run on the Batch API; what the summary says of them."""

    def __init__(self, runner: RowRunner, model: Gemini, out: Path) -> None:
        self.rows = runner
        self.model = model
        self.state_file = state_file_for(out)
        self.schedule = poll_schedule()
        self.batch_cost = 0.0
        self.standard_cost = 0.0
        self.unpriced = 0
        self.jobs: list[str] = []
        self.removed = False  # the state file went: every row has its line
        self._announced: set[str] = set()

    def run(
        self, pending: list[dict[str, Any]], results: ResultsFile, tally: Tally, err: Console
    ) -> Stop | None:
        """Run ``pending`` to their ends; the Stop that ended the batch early, if one did.
        A Ctrl-C cancels the job in flight and comes out as ``KeyboardInterrupt``."""
        return anyio.run(self._run, pending, results, tally, err)

    async def _run(
        self, pending: list[dict[str, Any]], results: ResultsFile, tally: Tally, err: Console
    ) -> Stop | None:
        specs = [
            RunSpec(str(item["id"]), tuple(self.rows.runfile.render_prompts(item)))
            for item in pending
        ]
        ids = {str(item["id"]): item["id"] for item in pending}
        stop: list[Stop] = []
        with _JobProgress(*progress_columns(), console=err, transient=False) as progress:
            task = progress.add_task("batch", total=len(pending), tally=tally)

            def on_progress(job: JobProgress) -> None:
                if job.name is None:
                    progress.job_line = f"sending a batch job of {job.requests} requests"
                    return
                if job.name not in self._announced:
                    self._announced.add(job.name)
                    progress.console.print(
                        f"batch job {job.name}: {job.requests} requests", markup=False
                    )
                progress.job_line = (
                    f"waiting for batch job {job.name} "
                    f"({job.state.short}, {job.done}/{job.requests} done)"
                )

            def finished(outcome: RunOutcome) -> None:
                record = self._record(ids[outcome.id], outcome)
                if record is None:
                    assert outcome.error is not None
                    why = stops_the_batch(outcome.error)
                    assert why is not None
                    if not stop:
                        stop.append(Stop(why, outcome.error))
                    runner.stop()
                    return
                results.append(record)
                tally.add(record)
                progress.advance(task)

            options = BatchApiOptions(poll=self.schedule, label="agentkit batch")
            runner = BatchApiRunner(
                self.model, self._agent, self.state_file, options=options, on_progress=on_progress
            )
            try:
                async with self.rows.servers():
                    await runner.run(specs, finished)
            except BatchJobError as error:
                stop.append(Stop("a batch job ended without answers", error))
            except AgentkitError as error:  # the API refused or failed the batch as a whole
                stop.append(Stop(stops_the_batch(error) or "a batch job could not be run", error))
            except anyio.get_cancelled_exc_class():
                self._say_cancelled(progress)
                raise
            finally:
                self.jobs = [*runner.report.reused, *runner.report.submitted]
                with anyio.CancelScope(shield=True):
                    await close_model(self.model)
        return stop[0] if stop else None

    def _agent(self, model: Model) -> Any:
        rows = self.rows
        return agent_for(rows.runfile, model, rows.toolset, rows.confirm, rows.mcp, rows.telemetry)

    def _record(self, key: Any, outcome: RunOutcome) -> dict[str, Any] | None:
        """The row's results line; None when its failure stops the whole batch."""
        if outcome.error is not None:
            if stops_the_batch(outcome.error) is not None:
                return None
            return error_record(key, outcome.error)
        result = outcome.result
        assert result is not None
        finished = result.stop_reason in (StopReason.COMPLETED, StopReason.FINAL_ANSWER)
        record = {"id": key, "status": "ok" if finished else "limit", **result_record(result)}
        standard, batch = outcome.standard_cost_usd, outcome.batch_cost_usd
        record["usage"]["cost_usd"] = batch
        record["usage"]["standard_cost_usd"] = standard
        if standard is None or batch is None:
            self.unpriced += 1
        else:
            self.standard_cost += standard
            self.batch_cost += batch
        return record

    def _say_cancelled(self, progress: _JobProgress) -> None:
        cancelled = [
            job.name
            for job in JobLedger(self.state_file).jobs()
            if job.name in self._announced and job.state == "BATCH_STATE_CANCELLED"
        ]
        for name in cancelled:
            progress.console.print(f"cancelled batch job {name}", markup=False)
            progress.job_line = f"cancelled batch job {name}"

    def finish(self, tally: Tally) -> None:
        """Once every row has its line, the state file has nothing left to resume: it goes,
        so a later batch on the same results file starts afresh (new jobs, new answers)."""
        if tally.not_run == 0 and self.state_file.exists():
            for path in (self.state_file, Path(f"{self.state_file}-journal")):
                path.unlink(missing_ok=True)
            self.removed = True

    def summary_lines(self) -> list[str]:
        lines = []
        if self.jobs:
            more = len(self.jobs) - 3
            shown = ", ".join(self.jobs[:3]) + (f" and {more} more" if more > 0 else "")
            kept = "" if self.removed else f"; kept in {self.state_file}"
            lines.append(f"batch jobs: {len(self.jobs)} ({shown}){kept}")
        if self.standard_cost or self.batch_cost:
            unpriced = f" ({self.unpriced} rows unpriced)" if self.unpriced else ""
            lines.append(
                f"cost of the rows run now: ${self.batch_cost:.6f} at the batch price, "
                f"${self.standard_cost:.6f} at the standard price{unpriced}"
            )
        return lines
