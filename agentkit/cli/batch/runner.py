"""Running the pending rows: a fixed number of workers, each taking the next row in input order.

Workers pull rows one at a time (rather than one task per row queueing on a limiter) so a stop
is simple to honour: once a failure every row would meet is seen, the task group is cancelled —
runs in flight end without a line and stay unrun for the rerun — and no worker takes another
row. A finished row's line is written right after its run returns, with no await in between,
so cancellation cannot come between a result and its line.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import anyio
from anyio.abc import TaskGroup

from agentkit.agent import Agent, ConfirmationRequest, Decision, StopReason
from agentkit.cli.batch.failures import error_record, stops_the_batch
from agentkit.cli.batch.results import FAILED
from agentkit.cli.otel_export import Exporting
from agentkit.cli.render import result_record
from agentkit.cli.runfile import RunFile
from agentkit.cli.setup import agent_for
from agentkit.models import Model
from agentkit.models.paced import PacedModel
from agentkit.models.rate_limit import RateLimit
from agentkit.offline import scripted_model
from agentkit.tools import Toolset


@dataclass(frozen=True)
class Stop:
    """The failure that stopped the batch, and why it would meet every row."""

    why: str
    error: BaseException


@dataclass(frozen=True)
class RowRunner:
    """How one row runs: the run file's agent on the shared live model, or on a fresh
    scripted model per row (each offline row replays the whole script)."""

    runfile: RunFile
    toolset: Toolset
    shared: Model | None
    confirm: Callable[[ConfirmationRequest], Decision]
    # The run file's MCP servers, built once and opened around the whole batch (``servers``)
    # rather than started again for every row.
    mcp: list[Any] = field(default_factory=list)
    telemetry: Exporting | None = None  # --otel: each row is a span around its runs
    # --rpm/--tpm offline: the scripted models have no transport to pace, so each is wrapped.
    limit: RateLimit | None = None

    @contextlib.asynccontextmanager
    async def servers(self) -> AsyncIterator[None]:
        from agentkit.tools.toolset import openable

        async with contextlib.AsyncExitStack() as stack:
            for toolset in self.mcp:
                await stack.enter_async_context(openable(toolset))
            yield

    async def __call__(self, item: dict[str, Any]) -> dict[str, Any] | Stop:
        agent = self.shared_agent if self.shared is not None else self._agent(self._scripted())
        with self._row_span(item):
            return await self._run_row(agent, item)

    @functools.cached_property
    def shared_agent(self) -> Agent[Any]:
        """One agent for every row on the shared model: concurrent runs of one agent are
        independent, and building it per row cost as much as a tenth of a step's CPU."""
        assert self.shared is not None
        return self._agent(self.shared)

    def _agent(self, model: Model) -> Agent[Any]:
        return agent_for(self.runfile, model, self.toolset, self.confirm, self.mcp, self.telemetry)

    def _scripted(self) -> Model:
        model = scripted_model(self.runfile.model, self.runfile.offline_turns or ())
        return model if self.limit is None else PacedModel(model, self.limit)

    def _row_span(self, item: dict[str, Any]) -> contextlib.AbstractContextManager[Any]:
        """A row's span, the parent of its runs' spans, so a row reads as one trace. It is
        current only inside this coroutine (no yield), where context variables are safe."""
        if self.telemetry is None:
            return contextlib.nullcontext()
        tracer = self.telemetry.tracer_provider.get_tracer("agentkit.batch")
        return tracer.start_as_current_span(  # type: ignore[no-any-return]
            f"batch row {item['id']}", attributes={"agentkit.batch.row_id": str(item["id"])}
        )

    async def _run_row(self, agent: Any, item: dict[str, Any]) -> dict[str, Any] | Stop:
        try:
            history: list[Any] = []
            result = None
            for prompt in self.runfile.render_prompts(item):
                result = await agent.run(prompt, history=history)
                history = result.history
        except Exception as error:  # any failure is data: the row's line, or the batch's stop
            why = stops_the_batch(error)
            return Stop(why, error) if why is not None else error_record(item["id"], error)
        assert result is not None  # render_prompts always gives at least one prompt
        finished = result.stop_reason in (StopReason.COMPLETED, StopReason.FINAL_ANSWER)
        return {"id": item["id"], "status": "ok" if finished else "limit", **result_record(result)}


async def run_rows(
    rows: list[dict[str, Any]],
    concurrency: int,
    run_one: Callable[[dict[str, Any]], Awaitable[dict[str, Any] | Stop]],
    finished: Callable[[dict[str, Any]], None],
) -> Stop | None:
    """Run ``rows`` at most ``concurrency`` at a time, handing each record to ``finished``;
    the Stop that ended the batch early, if one did."""
    queue: Iterator[dict[str, Any]] = iter(rows)
    stop: Stop | None = None

    async def worker(group: TaskGroup) -> None:
        nonlocal stop
        while stop is None and (item := next(queue, None)) is not None:
            outcome = await run_one(item)
            if isinstance(outcome, Stop):
                stop = stop or outcome
                group.cancel_scope.cancel()
                return
            if group.cancel_scope.cancel_called and outcome["status"] == FAILED:
                return  # a failure met while being cancelled may be the cancellation: unrun
            finished(outcome)

    async with anyio.create_task_group() as group:
        for _ in range(min(concurrency, len(rows))):
            group.start_soon(worker, group)
    return stop
