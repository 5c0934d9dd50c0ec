"""Durable runs: an agent run as a DBOS workflow that survives the death of its process.

``DurableRuns(agent, database_url)`` runs prompts as workflows named by a run id. Every model
call and every tool call is a step (``steps.py``), written to the database as it completes.
If the process dies (``kill -9`` at any point), starting the same run id again — in a new
process, on the same database — resumes the run: completed steps are read back, never
executed again, and the run goes on from the first step that had not completed.

The one exception is the tool call in flight at the crash: it had started but its result
was not written, so it runs again (at least once). Its ``ToolContext.idempotency_key`` is the
same both times, so a tool whose effect must happen once checks or passes on that key.

Every run executes on DBOS's own event loop: a new run is put on a local DBOS queue, and a
run left pending by a dead process is put back on it by DBOS's recovery when the database
is opened again with the same executor id. Either way the caller just waits for the result.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from types import TracebackType
from typing import Any

import anyio
from dbos import DBOS, SetWorkflowID

from agentkit import __version__
from agentkit.agent import Agent, Event, RunFinished, RunResult, StopReason
from agentkit.agent.loop import Loop
from agentkit.agent.settings import RunSettings
from agentkit.errors import AgentkitError, ConfigurationError, RunError
from agentkit.scale.dbos_setup import fingerprint, launched
from agentkit.scale.steps import RecordedModel, RecordedToolCalls
from agentkit.types import Content

WORKFLOW_NAME = "agentkit.durable_run"
LOCAL_QUEUE = "agentkit_durable_runs"

# Told each event of a run as it happens: (the run's id, the event). Called on DBOS's event
# loop thread; replayed steps are told again, quickly, when a run resumes.
EventObserver = Callable[[str, Event], None]


class DurableRunError(RunError):
    """A durable run ended with an agentkit error; ``error_type`` names the original
    (``APIError``, ``ToolExitError`` ...), ``partial`` holds what the run did before it."""

    def __init__(self, message: str, error_type: str, partial: Any = None) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.partial = partial


@dataclass(frozen=True)
class _Failure:
    """A run's agentkit error as the workflow records it: plain data that unpickles (the
    errors themselves carry keyword-only fields that do not)."""

    error_type: str
    message: str
    partial: RunResult | None


def run_ids(run_id: str, prompts: int) -> list[str]:
    """The run id of each prompt of a durable run: the first is ``run_id``, the next
    ``run_id/2`` and so on (each prompt is one run of the loop)."""
    return [run_id if index == 1 else f"{run_id}/{index}" for index in range(1, prompts + 1)]


def default_executor_id() -> str:
    """A name for this machine's durable runs; DBOS recovers, at start, the pending runs
    recorded under the executor id it is started with."""
    return f"agentkit-{socket.gethostname()}"


class DurableRuns:
    """Durable runs of ``agent`` recorded in ``database_url`` (``sqlite:///PATH`` by default,
    or ``postgresql://...``).

    Use it as a context manager, which opens the database (and resumes the runs a dead
    process left pending under ``executor_id``) and closes it::

        async with DurableRuns(agent, "sqlite:///runs.sqlite") as runs:
            result = await runs.run("Dim the lights", run_id="evening-1")

    A run id names one run: asking for an id that exists waits for that run (resumed, if
    its process died) and returns its result; the prompts given again are not used. DBOS
    holds one database per process, so one ``DurableRuns`` is open at a time, and one
    process at a time should use an executor id.
    """

    def __init__(
        self,
        agent: Agent[Any],
        database_url: str = "sqlite:///agentkit-durable.sqlite",
        *,
        version: str | None = None,
        executor_id: str | None = None,
        on_event: EventObserver | None = None,
        poll_interval: float = 0.05,
    ) -> None:
        self.agent = agent
        self.database_url = database_url
        self.version = version or fingerprint("agentkit", __version__)
        self.executor_id = executor_id or default_executor_id()
        self.on_event = on_event
        self.poll_interval = poll_interval
        self._opened: Any = None
        self._workflow: Any = None

    # -- opening and closing ----------------------------------------------------------------

    async def __aenter__(self) -> DurableRuns:
        if self._opened is not None:
            raise ConfigurationError("these DurableRuns are open already")
        opened = launched(
            self.database_url,
            version=self.version,
            executor_id=self.executor_id,
            register=self._register,
        )
        # Launching and destroying DBOS block on the database: off the event loop.
        await anyio.to_thread.run_sync(opened.__enter__)
        self._opened = opened
        # The queue's row is written now; DBOS starts dequeuing from it within a second.
        await DBOS.register_queue_async(
            LOCAL_QUEUE, polling_interval_sec=self.poll_interval, on_conflict="always_update"
        )
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        opened, self._opened = self._opened, None
        if opened is not None:
            await anyio.to_thread.run_sync(opened.__exit__, kind, error, traceback)

    def _register(self) -> None:
        # DBOS takes a function, not a bound method: the closure keeps this object's agent.
        async def durable_run(
            prompts: list[str], history: list[dict[str, Any]]
        ) -> RunResult | _Failure:
            return await self._run_workflow(prompts, history)

        self._workflow = DBOS.workflow(name=WORKFLOW_NAME)(durable_run)

    # -- runs -------------------------------------------------------------------------------

    async def run(
        self,
        prompt: str | Sequence[str],
        *,
        run_id: str,
        history: Sequence[Content | Mapping[str, Any]] | None = None,
    ) -> RunResult:
        """Run ``prompt`` (or several prompts, as successive turns) durably as ``run_id``;
        the result of the last prompt's run. Raises ``DurableRunError`` when the run ended
        with an agentkit error."""
        if self._opened is None:
            raise ConfigurationError("open DurableRuns first: `async with DurableRuns(...)`")
        if not run_id.strip():
            raise ConfigurationError("a durable run needs a run id (got an empty one)")
        prompts = [prompt] if isinstance(prompt, str) else list(prompt)
        if not prompts:
            raise ConfigurationError("a durable run needs at least one prompt")
        turns = [
            item.to_wire() if isinstance(item, Content) else dict(item) for item in history or ()
        ]
        with SetWorkflowID(run_id):
            handle = await DBOS.enqueue_workflow_async(LOCAL_QUEUE, self._workflow, prompts, turns)
        outcome = await handle.get_result(polling_interval_sec=self.poll_interval)
        if isinstance(outcome, _Failure):
            raise DurableRunError(outcome.message, outcome.error_type, outcome.partial)
        assert isinstance(outcome, RunResult)
        return outcome

    async def status(self, run_id: str) -> str | None:
        """DBOS's status of the run (``PENDING``, ``SUCCESS`` ...), None if there is none."""
        found = await DBOS.get_workflow_status_async(run_id)
        return None if found is None else str(found.status)

    async def _run_workflow(
        self, prompts: list[str], history: list[dict[str, Any]]
    ) -> RunResult | _Failure:
        run_id = DBOS.workflow_id
        assert run_id is not None
        try:
            return await run_prompts(self.agent, run_id, prompts, history, self.on_event)
        except AgentkitError as error:
            return _Failure(type(error).__name__, str(error), error.partial)


async def run_prompts(
    agent: Agent[Any],
    run_id: str,
    prompts: Sequence[str],
    history: Sequence[Mapping[str, Any]],
    on_event: EventObserver | None = None,
) -> RunResult:
    """The prompts as successive runs of the loop, inside a DBOS workflow: each model call
    and tool call a step. A run that pauses for confirmation ends the sequence."""
    contents = [Content.model_validate(item) for item in history]
    result: RunResult | None = None
    ids = run_ids(run_id, len(prompts))
    for index, (prompt, rid) in enumerate(zip(prompts, ids, strict=True), 1):
        loop = _loop_maker(agent, prompt, contents, rid, str(index))
        result = await _result(rid, agent._events(loop), on_event)
        contents = list(result.history_contents)
        if result.stop_reason is StopReason.PAUSED:
            break
    assert result is not None
    return result


def _loop_maker(
    agent: Agent[Any], prompt: str, history: list[Content], run_id: str, prefix: str
) -> Callable[[], Loop]:
    """The loop of one prompt, its model and tool calls recorded as steps named ``prefix``."""

    def adapt(settings: RunSettings) -> RunSettings:
        return replace(
            settings,
            model=RecordedModel(settings.model, prefix),
            recorder=RecordedToolCalls(prefix),
            stream=False,
        )

    def loop() -> Loop:
        return agent._loop(prompt, history, None, None, stream=False, run_id=run_id, adapt=adapt)

    return loop


async def _result(run_id: str, events: Any, on_event: EventObserver | None) -> RunResult:
    async for event in events:
        if on_event is not None:
            on_event(run_id, event)
        if isinstance(event, RunFinished):
            await events.aclose()
            return event.result
    raise AssertionError("a run ended without a RunFinished event")


def process_executor_id() -> str:
    """An executor id unique to this process (a worker that is not given one)."""
    return f"{socket.gethostname()}-{os.getpid()}"
