"""The agent loop: one implementation, producing events, for streaming and plain runs alike.

Each step: check limits, send the history, assemble the model's turn (from one response or a
stream of chunks), append it verbatim, and either finish with its text or answer every call
it made in one user turn. Failure modes of the model are states with bounded re-asks or typed
errors; limits end the run with a valid history.

This module is the step and its ending; what a request holds is ``requests``, one model call
(sending, assembling the answer) is ``model_turn``, and answering a turn's calls is
``answering``. ``Loop`` takes the last two in: it is still the one loop.
"""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import TYPE_CHECKING, Any

from agentkit.agent.answering import CallAnswering
from agentkit.agent.confirmation import (
    Decision,
)
from agentkit.agent.context_fit import ContextKeeper, input_limit_named
from agentkit.agent.events import (
    CodeExecuted,
    Event,
    FunctionCallEvent,
    RetryEvent,
    RunFinished,
    StepFinished,
)
from agentkit.agent.history import check_history
from agentkit.agent.model_turn import LimitReached, ModelTurns
from agentkit.agent.output import OutputCheck
from agentkit.agent.prefix_cache import cache_for_request, cache_gone
from agentkit.agent.progress import ProgressChannel
from agentkit.agent.requests import next_request
from agentkit.agent.result import RunResult, StopReason
from agentkit.agent.settings import RunSettings
from agentkit.agent.state import LoopState
from agentkit.agent.turn import Turn
from agentkit.agent.uploads import upload_if_too_large
from agentkit.agent.verdict import assess, feedback_for, restartable
from agentkit.errors import (
    AgentkitError,
    APIError,
    IncompleteStreamError,
    ModelBehaviorError,
    OutputValidationError,
    ResponseBlockedError,
)
from agentkit.logs import debug_enabled, get_logger
from agentkit.types import (
    Content,
    FinishReason,
    GenerateContentRequest,
    Part,
)

if TYPE_CHECKING:
    from agentkit.agent.otel import ModelCall

log = get_logger()


class Loop(CallAnswering, ModelTurns):
    def __init__(self, settings: RunSettings, state: LoopState, *, checked: int = 0) -> None:
        self.settings = settings
        self.state = state
        self.log = log.bind(run_id=state.run_id)
        self._queued: list[Event] = []
        self._finished: RunResult | None = None
        self._output_retries = 0
        self._stop_after_answer: StopReason | None = None
        self._progress: ProgressChannel | None = None  # while a turn's calls report progress
        self._model_call: ModelCall | None = None  # the traced model call in flight, if any
        self._checked = checked  # how many turns of the history are known to be valid
        # Keeps what is sent within the context policy's budget, when there is a policy.
        self._keeper = ContextKeeper(settings, state, self.log) if settings.context else None

    # -- the run --------------------------------------------------------------------------

    async def events(
        self, resume_decisions: dict[str, Decision] | None = None
    ) -> AsyncGenerator[Event, None]:
        telemetry = self.settings.telemetry
        if telemetry is not None:
            telemetry.start_run(self.state.run_id, self.settings.stream, self.state.resumed_from)
        ended = telemetry is None
        try:
            try:
                try:
                    if resume_decisions is not None:
                        calls = self.state.sent[-1].function_calls
                        answers = self._answering(calls, resume_decisions)
                        async with aclosing(answers):
                            async for event in answers:
                                yield event
                        self._raise_pending_stop()
                    # Each inner generator is closed as soon as it stops, in the task that
                    # drives it: when a consumer stops reading, nothing is left for the
                    # garbage collector to close later from some other task.
                    while self._finished is None:
                        async with aclosing(self._step()) as step_events:
                            async for event in step_events:
                                yield event
                except LimitReached as limit:
                    async with aclosing(self._stop_at_limit(limit.reason)) as stop_events:
                        async for event in stop_events:
                            yield event
            except AgentkitError as error:
                # Whatever failed — the API, the connection, the model's behaviour — the
                # caller gets what the run did before it: executed calls, history, usage.
                if error.partial is None:
                    error.partial = self.state.partial()
                if telemetry is not None:
                    telemetry.fail_run(error)
                    ended = True
                raise
            result = self._finished
            assert result is not None
            if telemetry is not None:
                # Before the last event: a consumer may stop reading once it has the result.
                telemetry.end_run(result.usage, str(result.stop_reason))
                ended = True
            yield RunFinished(result)
        finally:
            if not ended:
                assert telemetry is not None
                telemetry.abandon_run()

    async def _step(self) -> AsyncGenerator[Event, None]:
        self.state.step += 1
        for attempt in range(self.settings.limits.model_retries + 1):
            turn = Turn()
            last_try = attempt == self.settings.limits.model_retries
            try:
                async with aclosing(self._call_model(turn)) as model_events:
                    async for event in model_events:
                        yield event
            except (IncompleteStreamError, APIError) as error:
                # A stream that broke after some chunks cannot be replayed by the transport
                # (its chunks were already delivered), but nothing of this turn is in the
                # history yet: the whole turn can be asked again. The RetryEvent tells
                # consumers to drop the partial text they were shown.
                if last_try or not restartable(error, turn, streamed=self.settings.stream):
                    raise
                yield self._model_retry(f"the stream broke: {error}", attempt + 1)
                continue
            problem = self._check_turn(turn)
            if problem is None:
                break
            if last_try:
                raise ModelBehaviorError(
                    f"the model's answer stayed unusable after {attempt + 1} tries: {problem}",
                    partial=self.state.partial(),
                    finish_reason=turn.finish_reason,
                )
            yield self._model_retry(problem, attempt + 1)
            self._add_feedback(turn)
        content = turn.content()
        assert content is not None
        self.state.append(content)
        self.state.thoughts.extend(turn.thoughts)
        for run in turn.code_runs:
            yield CodeExecuted(self.state.step, run["code"], run.get("outcome"), run.get("output"))
        calls = content.function_calls
        if calls:
            for call in calls:
                if debug_enabled():
                    self.log.debug(
                        "tool.call", step=self.state.step, name=call.name, call_id=call.id
                    )
                yield FunctionCallEvent(self.state.step, call)
            if self._reports_progress(calls):
                async with aclosing(self._answering(calls)) as answers:
                    async for event in answers:
                        yield event
            else:
                for event in await self._answer(calls):
                    yield event
            self._raise_pending_stop()
            self.state.forced_round_done = True
        elif turn.finish_reason == FinishReason.MAX_TOKENS:
            self._finish(StopReason.MAX_TOKENS, turn.text)
        else:
            self._conclude(turn.text)
        context = self.state.context
        yield StepFinished(
            self.state.step,
            turn.finish_reason,
            len(calls),
            turn.usage,
            tuple(self.state.history),
            None if context is None else tuple(context),
        )

    # -- talking to the model -------------------------------------------------------------

    def _request(
        self, *, tools_off: bool = False, cached: str | None = None
    ) -> GenerateContentRequest:
        """The next request (see ``requests.next_request``)."""
        sent = self.state.sent
        # Checked from the turn before the first one not yet checked: earlier turns do not
        # change (feedback replaces the last turn, which is re-checked; a compaction makes
        # a new context, checked whole).
        check_history(sent, self._checked - 1)
        self._checked = len(sent)
        return next_request(
            self.settings, sent, self.state.forced_round_done, tools_off=tools_off, cached=cached
        )

    async def _call_model(
        self, turn: Turn, *, tools_off: bool = False
    ) -> AsyncGenerator[Event, None]:
        if not tools_off:
            reason = self._limit_reason()
            if reason is not None:
                raise LimitReached(reason)
        if self._keeper is not None:
            compacted = await self._keeper.fit(lambda: self._request(tools_off=tools_off))
            if compacted is not None:
                self._checked = 0  # a new context: checked whole before it is sent
                yield compacted
        try:
            async with aclosing(self._send(turn, tools_off)) as model_events:
                async for event in model_events:
                    yield event
        except APIError as error:
            if not turn.chunks and cache_gone(self.settings, error):
                # The cache expired or was deleted elsewhere: make it again, send once more.
                async with aclosing(self._send(turn, tools_off)) as model_events:
                    async for event in model_events:
                        yield event
                return
            # The estimate was short and the API says the input is too long: compact to the
            # limit it names and send once more. Nothing of the turn was received.
            refusal = input_limit_named(error)
            if refusal is None or turn.chunks or self._keeper is None:
                raise
            compacted = await self._keeper.fit(
                lambda: self._request(tools_off=tools_off), refusal=refusal
            )
            if compacted is None:
                raise
            self._checked = 0
            yield compacted
            async with aclosing(self._send(turn, tools_off)) as model_events:
                async for event in model_events:
                    yield event

    async def _send(self, turn: Turn, tools_off: bool) -> AsyncGenerator[Event, None]:
        """One request, its answer assembled into ``turn`` (traced when the run is)."""
        state, settings = self.state, self.settings
        changed = await upload_if_too_large(
            state.history, state.sent, settings.model, settings.input_limits.turn_media_bytes
        )
        if changed is not None:
            self._checked = min(self._checked, changed)
        cached = await cache_for_request(settings, state.forced_round_done, tools_off, state.usage)
        request = self._request(tools_off=tools_off, cached=cached)
        self.state.model_calls += 1
        telemetry = self.settings.telemetry
        if telemetry is None:
            async with aclosing(self._model_turn(turn, request)) as model_events:
                async for event in model_events:
                    yield event
            return
        call = self._model_call = telemetry.start_model_call(request, self.settings.stream)
        try:
            async with aclosing(self._model_turn(turn, request)) as model_events:
                async for event in model_events:
                    yield event
        except LimitReached:
            call.fail(TimeoutError("the run's deadline passed during the model call"))
            raise
        except BaseException as error:
            call.fail(error)
            raise
        else:
            call.finish(turn)
        finally:
            self._model_call = None

    def _raise_pending_stop(self) -> None:
        if self._stop_after_answer is not None:
            reason, self._stop_after_answer = self._stop_after_answer, None
            raise LimitReached(reason)

    def _check_turn(self, turn: Turn) -> str | None:
        return assess(turn, self.state.partial)

    def _model_retry(self, problem: str, attempt: int) -> RetryEvent:
        self.log.warning(
            "retry", source="model", step=self.state.step, attempt=attempt, reason=problem
        )
        if self.settings.telemetry is not None:
            self.settings.telemetry.run_event(
                "agentkit.retry",
                {
                    "agentkit.retry.source": "model",
                    "agentkit.retry.attempt": attempt,
                    "agentkit.retry.reason": problem,
                },
            )
        return RetryEvent(self.state.step, "model", problem, attempt)

    def _add_feedback(self, turn: Turn) -> None:
        """Tell the model what was wrong, on the user turn it is answering (kept in history:
        the record shows what the model was told)."""
        # A new content, not an edit: the previous one may already be in a step's snapshot.
        said = Part(text=feedback_for(turn))
        self.state.change_last(
            lambda last: last.model_copy(update={"parts": [*(last.parts or []), said]})
        )

    # -- ending ---------------------------------------------------------------------------

    def _conclude(self, text: str | None) -> None:
        """A text answer: done, unless an output type must be parsed from it."""
        if self.settings.output_type is None:
            self._finish(StopReason.COMPLETED, text)
            return
        final = self.settings.plan.final_answer
        check = OutputCheck(self.settings.output_type, final.name if final else None)
        value, feedback, summary = check.parse(text)
        if feedback is None:
            self._finish(StopReason.COMPLETED, text, value)
            return
        if self._output_retries >= self.settings.limits.model_retries:
            raise OutputValidationError(
                f"the answer did not match the output type after {self._output_retries + 1} "
                f"tries: {summary}",
                partial=self.state.partial(text),
            )
        self._output_retries += 1
        self._queued.append(
            self._model_retry("output does not match the output type", self._output_retries)
        )
        self.state.append(Content.user(feedback))

    def _finish(self, reason: StopReason, text: str | None, output: Any = None) -> None:
        self._finished = self.state.result(reason, text, output)

    def _limit_reason(self) -> StopReason | None:
        state = self.state
        elapsed = time.monotonic() - state.started
        return self.settings.limits.reached(
            elapsed, state.model_calls, state.tool_calls, state.usage.total_tokens
        )

    def _time_left(self) -> float | None:
        return self.settings.limits.time_left(time.monotonic() - self.state.started)

    async def _stop_at_limit(self, reason: StopReason) -> AsyncGenerator[Event, None]:
        """End with a valid history: at most one last call with tools off to get an answer."""
        self.log.info("limit", reason=str(reason), step=self.state.step)
        if reason is StopReason.DEADLINE or self.settings.limits.on_limit == "stop":
            self._finish(reason, None)
            return
        turn = Turn()
        try:
            async with aclosing(self._call_model(turn, tools_off=True)) as model_events:
                async for event in model_events:
                    yield event
        except LimitReached:
            self._finish(reason, None)
            return
        content = turn.content()
        if content is None or content.function_calls or self._check_turn_quietly(turn):
            self._finish(reason, None)  # no usable answer; the history is left as it was
            return
        self.state.append(content)
        self.state.thoughts.extend(turn.thoughts)
        self._finish(reason, turn.text)

    def _check_turn_quietly(self, turn: Turn) -> bool:
        try:
            return self._check_turn(turn) is not None
        except (ModelBehaviorError, ResponseBlockedError):
            return True
