"""One model call of a step: send the request, assemble the answer into a ``Turn``.

Part of the loop (``Loop`` takes it in): streamed chunks or one response go through the same
assembly; text deltas and HTTP retries become events; the run's deadline bounds every wait;
the call's usage and what the response said about its answer become the step's record.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable
from typing import TYPE_CHECKING, Any

import anyio

from agentkit.agent.context_fit import ContextKeeper
from agentkit.agent.events import Event, RetryEvent, TextDelta, ThoughtDelta
from agentkit.agent.result import StepRecord, StopReason
from agentkit.agent.settings import RunSettings
from agentkit.agent.state import LoopState
from agentkit.agent.turn import Turn
from agentkit.logs import debug_enabled
from agentkit.models.rest import retry_listener
from agentkit.types import GenerateContentRequest, GenerateContentResponse

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator

    from agentkit.agent.otel import ModelCall


class LimitReached(Exception):
    """A limit of the run was reached: the loop ends it (with one last call, or not)."""

    def __init__(self, reason: StopReason) -> None:
        self.reason = reason


class ModelTurns:
    """The loop's model calls; ``Loop`` provides the state and the deadline."""

    settings: RunSettings
    state: LoopState
    log: Any
    _queued: list[Event]
    _keeper: ContextKeeper | None
    _model_call: ModelCall | None

    def _time_left(self) -> float | None:
        raise NotImplementedError  # the loop's

    async def _model_turn(
        self, turn: Turn, request: GenerateContentRequest
    ) -> AsyncGenerator[Event, None]:
        """Send ``request`` and assemble the model's answer into ``turn``."""
        state = self.state
        model = self.settings.model
        if debug_enabled():
            self.log.debug(
                "model.request", step=state.step, model=model.name, contents=len(request.contents)
            )
        time_left = self._time_left()
        deadline = None if time_left is None else time.monotonic() + time_left
        step = state.step
        if self.settings.stream:
            # The consumer may stop reading at any yield (a ``break``, an exception) and the
            # generator is then closed from wherever that happens, possibly another task or
            # context. So nothing that must be undone in the same task or context — the retry
            # listener, a deadline's cancel scope — is held across a yield: both wrap each
            # single wait for the next chunk.
            chunks = model.stream(request)
            try:
                while True:
                    if turn.chunks == 0 or deadline is not None:
                        chunk = await self._await_model(anext(chunks), deadline)
                    else:
                        # Past the first chunk the transport never retries (that would replay
                        # what was already shown), so no listener is needed: a plain wait.
                        chunk = await anext(chunks, None)
                    if chunk is None:
                        break
                    if turn.chunks == 0 and self._model_call is not None:
                        self._model_call.first_chunk()
                    for delta in turn.add(chunk):
                        kind = ThoughtDelta if delta.thought else TextDelta
                        self._queued.append(kind(step, delta.text))
                    for queued in self._drain():
                        yield queued
            finally:
                await _close(chunks)
        else:
            response = await self._await_model(model.generate(request), deadline)
            assert response is not None
            turn.add(response)
            for queued in self._drain():
                yield queued
            for part in turn.parts:
                if part.text:
                    yield (ThoughtDelta if part.thought else TextDelta)(step, part.text)
        model_name = turn.model_version or model.name
        if self._keeper is not None and turn.usage is not None and turn.usage.prompt_token_count:
            self._keeper.record(len(request.contents), turn.usage.prompt_token_count)
        cost = state.usage.add_call(model_name, turn.usage)
        calls = sum(1 for p in turn.parts if p.function_call is not None)
        state.steps.append(
            StepRecord(
                state.step,
                model_name,
                turn.finish_reason,
                turn.usage,
                cost,
                calls,
                response_id=turn.response_id,
                safety_ratings=[rating.to_wire() for rating in turn.safety_ratings or ()],
                citations=list((turn.citation_metadata or {}).get("citations") or ()),
                avg_logprobs=turn.avg_logprobs,
                logprobs=turn.logprobs_result,
                grounding=turn.grounding_metadata,
                url_context=turn.url_context_metadata,
                code_runs=turn.code_runs,
            )
        )
        if debug_enabled():
            self.log.debug(
                "model.response",
                step=state.step,
                finish_reason=str(turn.finish_reason) if turn.finish_reason else None,
                calls=calls,
                total_tokens=turn.usage.total_token_count if turn.usage else None,
            )

    async def _await_model(
        self, waiting: Awaitable[GenerateContentResponse], deadline: float | None
    ) -> GenerateContentResponse | None:
        """One wait on the model, with HTTP retries reported to this run's events and the
        run's deadline applied; None when a stream has ended."""
        token = retry_listener.set(self._on_http_retry)
        try:
            if deadline is None:  # a cancel scope only when there is a deadline: it costs
                return await waiting
            with anyio.move_on_after(max(0.0, deadline - time.monotonic())):
                return await waiting
            raise LimitReached(StopReason.DEADLINE)
        except StopAsyncIteration:
            return None
        finally:
            retry_listener.reset(token)

    def _on_http_retry(
        self, operation: str, number: int, delay: float, error: BaseException
    ) -> None:
        reason = f"{type(error).__name__}: {error}"
        if self._model_call is not None:
            self._model_call.retry(number, delay, reason)
        self._queued.append(RetryEvent(self.state.step, "http", reason, number, delay))

    def _drain(self) -> list[Event]:
        queued, self._queued = self._queued, []
        return queued


async def _close(iterator: AsyncIterator[Any]) -> None:
    closer = getattr(iterator, "aclose", None)
    if closer is not None:
        await closer()
