"""Many agent runs on the Gemini Batch API: one job per step, all runs in lockstep.

Every run is the one agent loop, on a ``LockstepModel``: when all unfinished runs wait on
their model call, the calls go out as one Batch API job (``batch_jobs``); the answers come
back, each run executes its tools locally as any run does, and the runs that called tools
make the next job — until every run has finished. A job costs half of what the same calls
cost one by one, and may take up to 24 hours.

What survives a kill: each run's transcript after every step (``run_progress``) and every
job the batch made (``job_ledger``), in one SQLite file. Run again on the same file, the
runs continue from their last step, and a job still in flight — or finished while nothing
was waiting for it — answers them without being made again.

    runner = BatchApiRunner(Gemini("gemini-2.5-flash"), make_agent, Path("out.batch-api.db"))
    report = await runner.run([RunSpec("a", ("prompt",)), ...], finished=write_line)
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import anyio

from agentkit.agent import RunResult
from agentkit.logs import get_logger
from agentkit.models import Gemini, Model
from agentkit.pricing import batch_cost
from agentkit.scale.batch_jobs import BatchApiOptions, JobDriver, JobProgress
from agentkit.scale.job_ledger import JobLedger
from agentkit.scale.lockstep import Lockstep, LockstepModel
from agentkit.scale.run_progress import RunProgress
from agentkit.sessions import SqliteStore

log = get_logger()


@dataclass(frozen=True)
class RunSpec:
    """One run: its id (unique in the batch) and the prompts it takes in turn."""

    id: str
    prompts: tuple[str, ...]


@dataclass(frozen=True)
class RunOutcome:
    """How a run ended: its result (the last prompt's, with everything that prompt did,
    across invocations), or the error it met. ``resumed``: it continued a saved run."""

    id: str
    result: RunResult | None
    error: Exception | None
    resumed: bool = False

    @property
    def standard_cost_usd(self) -> float | None:
        """What the run's model calls would cost at the standard price."""
        return None if self.result is None else self.result.usage.cost_usd

    @property
    def batch_cost_usd(self) -> float | None:
        """What they cost in Batch API jobs."""
        return batch_cost(self.standard_cost_usd)


@dataclass
class BatchApiReport:
    """The jobs an invocation made, and the earlier ones it took answers from."""

    submitted: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)


class BatchApiRunner:
    """Runs agent runs in lockstep on the Batch API of ``model``.

    Args:
        model: the Gemini model whose Batch API answers (and whose name runs report).
        agent_for: the agent of a run, built on the model it is given (each run gets its
            own ``LockstepModel``).
        state_file: the SQLite file holding the runs' progress and the jobs.
        options: polling, the inline limit, retries of failed requests.
        on_progress: told where the job in flight stands, at each poll.
    """

    def __init__(
        self,
        model: Gemini,
        agent_for: Callable[[Model], Any],
        state_file: str | os.PathLike[str],
        *,
        options: BatchApiOptions | None = None,
        on_progress: Callable[[JobProgress], None] | None = None,
    ) -> None:
        self._model = model
        self._agent_for = agent_for
        self._state_file = state_file
        self._options = options or BatchApiOptions()
        self._on_progress = on_progress
        self._scope: anyio.CancelScope | None = None
        self.report = BatchApiReport()  # also there when ``run`` raised

    async def run(
        self, specs: Sequence[RunSpec], finished: Callable[[RunOutcome], None]
    ) -> BatchApiReport:
        """Run ``specs`` to their ends, handing each outcome to ``finished`` as soon as it
        is known (then the run's saved progress goes). A failure of the batch as a whole —
        a job that failed or expired, a create the API refused — is raised once every run
        has stopped where it was; their progress stays saved for the next invocation."""
        ledger = JobLedger(self._state_file)
        store = SqliteStore(self._state_file)
        lockstep = Lockstep([spec.id for spec in specs])
        driver = JobDriver(self._model.batches, ledger, lockstep, self._options, self._on_progress)
        self.report = BatchApiReport(driver.submitted, driver.reused)
        failure: list[Exception] = []

        async def drive(scope: anyio.CancelScope) -> None:
            try:
                await driver.drive()
            except Exception as error:  # the batch cannot go on: every run stops here
                failure.append(error)
                scope.cancel()

        async def one(spec: RunSpec) -> None:
            progress = RunProgress.load(store, spec.id, spec.prompts)
            try:
                agent = self._agent_for(LockstepModel(lockstep, spec.id, self._model))
                outcome = RunOutcome(spec.id, await progress.drive(agent), None, progress.resumed)
            except Exception as error:  # the run's own failure is its outcome
                outcome = RunOutcome(spec.id, None, error, progress.resumed)
            finally:
                lockstep.leave(spec.id)
            finished(outcome)  # no await between the result and its record
            progress.forget()

        async with anyio.create_task_group() as group:
            self._scope = group.cancel_scope
            group.start_soon(drive, group.cancel_scope)
            for spec in specs:
                group.start_soon(one, spec)
        self._scope = None
        if failure:
            raise failure[0]
        return self.report

    def stop(self) -> None:
        """Stop every run where it is (the job in flight is cancelled); ``run`` returns."""
        if self._scope is not None:
            self._scope.cancel()
