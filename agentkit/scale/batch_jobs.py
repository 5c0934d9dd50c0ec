"""Answering each round of the lockstep with one Batch API job.

A round's calls go out as one job, keyed ``{run}#{n}`` (n counts the model turns the run's
request already holds, plus one). The job is written in the ledger before it is created,
its name and state after; it is polled with growing pauses until it ends, and each call is
answered with its response — or fails with the typed error its request met. A request
that met a passing error (429, 5xx) goes into the next round's job again, a bounded number
of times.

Resuming: before making a job, the round looks in the ledger for an earlier job that holds
the same requests (by digest) and may still answer them — one a killed batch left running,
or one that finished while the batch was down — and waits for that one instead. A job
whose create answer never came back is looked for by its display name first.

Stopping: when the batch is cancelled (Ctrl-C, or a failure that stops it) while a job is
in flight, that job is cancelled too, and the ledger says so; a job that fails, expires or
is cancelled by someone else raises ``BatchJobError``. Either way the runs keep what their
saved transcripts hold, for the next invocation.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import anyio

from agentkit.errors import (
    AgentkitError,
    APIConnectionError,
    APIError,
    BatchJobError,
    MalformedResponseError,
    NotFoundError,
    ServerError,
)
from agentkit.logs import get_logger
from agentkit.models.batches import INLINE_LIMIT, Batches, KeyedRequest, PollSchedule
from agentkit.models.gemini import encode
from agentkit.models.retry import RETRYABLE_STATUS_CODES
from agentkit.scale.job_ledger import LOST, JobEntry, JobLedger, JobRecord
from agentkit.scale.lockstep import Lockstep, WaitingCall
from agentkit.types import BatchOperation, BatchState

log = get_logger()

CREATE_ATTEMPTS = 3


@dataclass(frozen=True)
class BatchApiOptions:
    """How the batch uses the Batch API.

    Attributes:
        poll: how often a job in flight is asked about.
        inline_limit: a job whose create request would be larger goes in a JSONL file.
        request_retries: jobs a request that met a passing error (429, 5xx) goes into again
            before its run fails with that error.
        label: the start of every job's display name.
    """

    poll: PollSchedule = field(default_factory=PollSchedule)
    inline_limit: int = INLINE_LIMIT
    request_retries: int = 2
    label: str = "agentkit"


@dataclass(frozen=True)
class JobProgress:
    """Where the job in flight stands, for a progress display."""

    name: str | None  # None until the API has named it
    state: BatchState
    requests: int
    done: int


def call_key(call: WaitingCall) -> str:
    turns = sum(1 for content in call.request.contents if content.role == "model")
    return f"{call.run}#{turns + 1}"


def digest_of(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()[:32]


class JobDriver:
    def __init__(
        self,
        batches: Batches,
        ledger: JobLedger,
        lockstep: Lockstep,
        options: BatchApiOptions,
        on_progress: Callable[[JobProgress], None] | None = None,
    ) -> None:
        self._batches = batches
        self._ledger = ledger
        self._lockstep = lockstep
        self._options = options
        self._on_progress = on_progress
        self._used: set[tuple[int, str]] = set()  # (job, run): answers already taken
        self.submitted: list[str] = []  # names of the jobs this invocation made
        self.reused: list[str] = []  # names of earlier jobs it took answers from

    async def drive(self) -> None:
        """Answer rounds until every run has finished."""
        while (calls := await self._lockstep.next_round()) is not None:
            await self._round(calls)

    async def _round(self, calls: list[WaitingCall]) -> None:
        bodies = {id(call): encode(call.request) for call in calls}
        entries = {
            id(call): JobEntry(call.run, call_key(call), digest_of(bodies[id(call)]))
            for call in calls
        }
        earlier = self._earlier_job(calls, entries)
        if earlier is not None:
            record, held = earlier
            self.reused.append(record.name or record.display_name)
            await self._answer_from(record, held, entries)
            return
        record = self._ledger.plan(self._options.label, [entries[id(c)] for c in calls])
        name = await self._create(record, calls)
        self.submitted.append(name)
        await self._answer_from(replace(record, name=name), calls, entries)

    def _earlier_job(
        self, calls: list[WaitingCall], entries: dict[int, JobEntry]
    ) -> tuple[JobRecord, list[WaitingCall]] | None:
        """The newest earlier job holding some of these requests, and those calls."""
        best: JobRecord | None = None
        held: dict[int, list[WaitingCall]] = {}
        for call in calls:
            entry = entries[id(call)]
            for record in self._ledger.holding(entry.run, entry.digest):
                if (record.seq, call.run) in self._used:
                    continue
                held.setdefault(record.seq, []).append(call)
                if best is None or record.seq > best.seq:
                    best = record
                break
        return None if best is None else (best, held[best.seq])

    async def _create(self, record: JobRecord, calls: list[WaitingCall]) -> str:
        """Make the job; its name. The create is shielded from cancellation: once sent, its
        answer (the job's name) is needed to cancel the job."""
        keyed = [KeyedRequest(call_key(call), call.request) for call in calls]
        self._report(None, BatchState.BATCH_STATE_PENDING, len(calls), 0)
        for attempt in range(1, CREATE_ATTEMPTS + 1):
            try:
                with anyio.CancelScope(shield=True):
                    operation = await self._batches.create(
                        keyed,
                        display_name=record.display_name,
                        inline_limit=self._options.inline_limit,
                    )
            except (APIConnectionError, ServerError) as error:
                # The job may exist all the same (the answer was lost on the way back).
                found = await self._find(record.display_name)
                if found is not None:
                    operation = found
                elif attempt == CREATE_ATTEMPTS:
                    self._ledger.update(record.seq, state=LOST)
                    raise
                else:
                    log.warning("batch.create_retry", attempt=attempt, error=str(error)[:200])
                    await anyio.sleep(self._options.poll.first)
                    continue
            name = str(operation.name)
            self._ledger.update(record.seq, state=operation.state.value, name=name)
            log.info("batch.created", job=name, requests=len(calls))
            self._report(name, operation.state, len(calls), 0)
            return name
        raise AssertionError("unreachable")

    async def _find(self, display_name: str) -> BatchOperation | None:
        async for operation in self._batches.list():
            if operation.metadata is not None and operation.metadata.display_name == display_name:
                return operation
        return None

    async def _answer_from(
        self, record: JobRecord, calls: list[WaitingCall], entries: dict[int, JobEntry]
    ) -> None:
        name = record.name
        if name is None:  # planned by an earlier invocation that never heard back
            found = await self._find(record.display_name)
            if found is None:
                self._ledger.update(record.seq, state=LOST)
                return  # its calls stay waiting: the next round sends them
            name = str(found.name)
            self._ledger.update(record.seq, state=found.state.value, name=name)
        try:
            operation = await self._batches.wait(
                name, schedule=self._options.poll, on_poll=self._polled(record.seq)
            )
        except NotFoundError:
            self._ledger.update(record.seq, state=LOST)  # deleted elsewhere: send again
            return
        except anyio.get_cancelled_exc_class():
            with anyio.CancelScope(shield=True):
                await self._cancel(record.seq, name)
            raise
        if operation.state is not BatchState.BATCH_STATE_SUCCEEDED:
            why = operation.error.message if operation.error is not None else None
            raise BatchJobError(
                f"batch job {name} ended {operation.state.short}"
                + (f": {why}" if why else "")
                + "; nothing of it was used",
                job=name,
                state=operation.state.value,
            )
        results = await self._batches.results(operation)
        by_key = {result.key: result for result in results if result.key is not None}
        keys = [entry.key for entry in self._ledger.entries(record.seq)]
        for position, result in enumerate(results):  # answers without a key: by position
            if result.key is None and position < len(keys):
                by_key.setdefault(keys[position], result)
        for call in calls:
            self._used.add((record.seq, call.run))
            answer = by_key.get(entries[id(call)].key)
            if answer is None:
                problem = f"batch job {name} returned no answer for {entries[id(call)].key}"
                self._lockstep.fail(call, MalformedResponseError(problem))
            elif answer.error is not None:
                self._failed(call, answer.error)
            else:
                assert answer.response is not None
                self._lockstep.answer(call, answer.response)

    def _failed(self, call: WaitingCall, error: AgentkitError) -> None:
        passing = isinstance(error, APIError) and error.status_code in RETRYABLE_STATUS_CODES
        if passing and isinstance(error, APIError) and not error.is_per_day_quota:
            if call.attempts < self._options.request_retries:
                call.attempts += 1  # stays waiting: it goes into the next round's job
                log.warning("batch.request_retry", run=call.run, error=str(error)[:200])
                return
        self._lockstep.fail(call, error)

    async def _cancel(self, seq: int, name: str) -> None:
        try:
            await self._batches.cancel(name)
        except (APIError, APIConnectionError) as error:  # ended meanwhile, or unreachable
            log.warning("batch.cancel_failed", job=name, error=str(error)[:200])
            return
        self._ledger.update(seq, state=BatchState.BATCH_STATE_CANCELLED.value)
        log.info("batch.cancelled", job=name)

    def _polled(self, seq: int) -> Callable[[BatchOperation], None]:
        def seen(operation: BatchOperation) -> None:
            self._ledger.update(seq, state=operation.state.value)
            stats = operation.stats
            self._report(operation.name, operation.state, stats.requests, stats.done)

        return seen

    def _report(self, name: str | None, state: BatchState, requests: int, done: int) -> None:
        if self._on_progress is not None:
            self._on_progress(JobProgress(name, state, requests, done))
