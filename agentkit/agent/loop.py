"""The agent loop: one implementation, producing events, for streaming and plain runs alike.

Each step: check limits, send the history, assemble the model's turn (from one response or a
stream of chunks), append it verbatim, and either finish with its text or answer every call
it made in one user turn. Failure modes of the model are states with bounded re-asks or typed
errors; limits end the run with a valid history.
"""

from __future__ import annotations

import math
import time
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable
from contextlib import aclosing
from typing import TYPE_CHECKING, Any

import anyio

from agentkit.agent.confirmation import (
    Decision,
    pending_calls,
    settle_confirmations,
)
from agentkit.agent.context_fit import ContextKeeper, input_limit_named
from agentkit.agent.events import (
    CodeExecuted,
    Event,
    FunctionCallEvent,
    RetryEvent,
    RunFinished,
    StepFinished,
    TextDelta,
    ThoughtDelta,
)
from agentkit.agent.executor import PlannedCall, plan_calls, refuse_over_limit, run_planned
from agentkit.agent.history import check_history, responses_turn
from agentkit.agent.output import OutputCheck
from agentkit.agent.prefix_cache import cache_for_request, cache_gone
from agentkit.agent.progress import ProgressChannel
from agentkit.agent.records import record_answers
from agentkit.agent.result import RunResult, StepRecord, StopReason
from agentkit.agent.settings import RunSettings
from agentkit.agent.state import LoopState, dump_state
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
from agentkit.models.capabilities import takes_media_in_function_responses
from agentkit.models.rest import retry_listener
from agentkit.tools import ToolContext
from agentkit.tools.results import ToolError, ToolResult
from agentkit.types import (
    Content,
    FinishReason,
    FunctionCall,
    GenerateContentRequest,
    GenerateContentResponse,
    Part,
)

if TYPE_CHECKING:
    from agentkit.agent.otel import ModelCall

log = get_logger()


class _LimitReached(Exception):
    def __init__(self, reason: StopReason) -> None:
        self.reason = reason


class Loop:
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
                except _LimitReached as limit:
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
        """The next request; with ``cached``, the cache's name stands for the instructions,
        tools, tool config and document it holds."""
        settings = self.settings
        sent = self.state.sent
        # Checked from the turn before the first one not yet checked: earlier turns do not
        # change (feedback replaces the last turn, which is re-checked; a compaction makes
        # a new context, checked whole).
        check_history(sent, self._checked - 1)
        self._checked = len(sent)
        fields: dict[str, Any] = {"contents": list(sent)}
        if cached is not None:
            fields["cached_content"] = cached
            return GenerateContentRequest(**fields)
        document = settings.cache.document() if settings.cache is not None else None
        if document is not None:
            fields["contents"] = [document, *sent]
        if settings.instructions is not None:
            fields["system_instruction"] = settings.instructions
        if settings.wire_tools is not None:
            fields["tools"] = settings.wire_tools
            config = settings.plan.config(
                forced_round_done=self.state.forced_round_done, tools_off=tools_off
            )
            if config is not None:  # built-in tools alone have no calling config
                fields["tool_config"] = config
        if settings.generation_config is not None:
            fields["generation_config"] = settings.generation_config
        if settings.safety_settings is not None:
            fields["safety_settings"] = settings.safety_settings
        # Fields are validated wire objects already; pydantic only checks their types (it does
        # not revalidate instances), which measured faster than model_construct.
        return GenerateContentRequest(**fields)

    async def _call_model(
        self, turn: Turn, *, tools_off: bool = False
    ) -> AsyncGenerator[Event, None]:
        if not tools_off:
            reason = self._limit_reason()
            if reason is not None:
                raise _LimitReached(reason)
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
        except _LimitReached:
            call.fail(TimeoutError("the run's deadline passed during the model call"))
            raise
        except BaseException as error:
            call.fail(error)
            raise
        else:
            call.finish(turn)
        finally:
            self._model_call = None

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
            raise _LimitReached(StopReason.DEADLINE)
        except StopAsyncIteration:
            return None
        finally:
            retry_listener.reset(token)

    def _raise_pending_stop(self) -> None:
        if self._stop_after_answer is not None:
            reason, self._stop_after_answer = self._stop_after_answer, None
            raise _LimitReached(reason)

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

    # -- answering calls ------------------------------------------------------------------

    def _reports_progress(self, calls: list[FunctionCall]) -> bool:
        """Whether a call of this turn could report progress someone will read: a streamed
        run, and a tool that takes a context (which an MCP tool does)."""
        if not self.settings.stream:
            return False
        tools = self.settings.plan.tools
        return any(
            (tool := tools.get(call.name)) is not None and tool.takes_context for call in calls
        )

    async def _answering(
        self, calls: list[FunctionCall], decisions: dict[str, Decision] | None = None
    ) -> AsyncGenerator[Event, None]:
        """``_answer``, yielding the calls' progress while they run (see ``progress``)."""
        if not self.settings.stream:
            for event in await self._answer(calls, decisions):
                yield event
            return
        channel = ProgressChannel()
        self._progress = channel
        outcome: list[list[Event]] = []
        try:
            work = channel.while_running(self._answer(calls, decisions), outcome)
            async with aclosing(work) as reports:
                async for report in reports:
                    yield report
        finally:
            self._progress = None
        for event in outcome[0]:
            yield event

    async def _answer(
        self, calls: list[FunctionCall], decisions: dict[str, Decision] | None = None
    ) -> list[Event]:
        """Run and answer a turn's calls; return their events. A stop it decides (deadline,
        tool-call limit) is left in ``_stop_after_answer`` for the caller to raise once the
        events are out: a plain coroutine costs less per step than one more generator."""
        settings, state = self.settings, self.state
        planned = plan_calls(calls, settings.plan)
        remaining = (
            math.inf
            if settings.limits.tool_calls is None
            else settings.limits.tool_calls - state.tool_calls
        )
        over_limit = refuse_over_limit(planned, remaining)
        final_value: Any = None
        final_called = False
        for item in planned:
            if item.is_final_answer and settings.plan.final_answer is not None:
                parsed = settings.plan.final_answer.parse(item.call.arguments)
                if isinstance(parsed, ToolError):
                    item.result = ToolResult.failure(parsed)
                else:
                    final_value, final_called = parsed, True
                    item.result = ToolResult({"output": "accepted: the run ends with this answer"})
        awaiting = [i for i in planned if i.result is None and i.needs_confirmation]
        if awaiting:
            if decisions is None and settings.confirm is None:
                self._pause(planned)
                return []
            await settle_confirmations(
                awaiting, decisions, settings.confirm, self.state.run_id, self.state.step
            )
            if settings.telemetry is not None:
                for item in awaiting:  # a denied call has its answer already
                    settings.telemetry.run_event(
                        "agentkit.confirmation",
                        {
                            "gen_ai.tool.name": item.call.name,
                            "agentkit.approved": item.result is None,
                        },
                    )
        finished_in_time = await run_planned(
            planned,
            self._context_for,
            limiter=settings.limiter,
            multimodal=settings.multimodal,
            time_left=self._time_left(),
            traced=None if settings.telemetry is None else self._traced,
            recorder=settings.recorder,
            step=state.step,
        )
        if settings.telemetry is not None:
            self._record_refusals(planned)
        results, events = record_answers(planned, state, settings.limits.tool_result_chars)
        media_inside = takes_media_in_function_responses(settings.model.name)
        state.append(responses_turn(calls, results, media_inside=media_inside))
        if final_called:
            text = final_value if isinstance(final_value, str) else None
            self._finish(StopReason.FINAL_ANSWER, text, final_value)
        elif not finished_in_time:
            self._stop_after_answer = StopReason.DEADLINE
        elif over_limit:
            self._stop_after_answer = StopReason.TOOL_CALL_LIMIT
        return events

    def _traced(self, item: PlannedCall) -> Any:
        """A call's span (made current while it runs), for ``run_planned``."""
        assert self.settings.telemetry is not None and item.tool is not None
        return self.settings.telemetry.tool_call(
            item.call.name, item.call.id, item.tool.tool_type, item.call.arguments
        )

    def _record_refusals(self, planned: list[PlannedCall]) -> None:
        """Calls answered without running (unknown tool, invalid arguments, denied, over
        the limit) have no span of their own: the run's span says what became of them."""
        assert self.settings.telemetry is not None
        for item in planned:
            error = item.result.error if item.result is not None else None
            if item.fate is None and error is not None:
                self.settings.telemetry.run_event(
                    "agentkit.call_refused",
                    {"gen_ai.tool.name": item.call.name, "error.type": error.kind},
                )

    def _pause(self, planned: list[PlannedCall]) -> None:
        telemetry = self.settings.telemetry
        link = None
        if telemetry is not None:
            telemetry.run_event("agentkit.paused", {"agentkit.pending_calls": len(planned)})
            link = telemetry.paused_link()
        state = dump_state(self.state, pending_calls(planned), self.settings.state_key, link)
        self._finished = self.state.result(StopReason.PAUSED, state=state)

    def _context_for(self, item: PlannedCall) -> ToolContext[Any]:
        return ToolContext(
            run_id=self.state.run_id,
            step=self.state.step,
            deps=self.settings.deps,
            usage=self.state.usage,
            tool_name=item.call.name,
            call_id=item.call.id,
            idempotency_key=idempotency_key(self.state.run_id, self.state.step, item),
            agent=self.settings.agent,
            _progress=(
                None
                if self._progress is None
                else self._progress.reporter(self.state.step, item.call.name, item.call.id)
            ),
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
        except _LimitReached:
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


def idempotency_key(run_id: str, step: int, item: PlannedCall) -> str:
    """The key a tool call keeps however often it is executed: a durable run's call run
    again after a crash has the same run id, step and call id (or position, when the model
    gave the call no id), so a tool can tell a repeat from a new call."""
    call = item.call.id if item.call.id else f"#{item.position}"
    return f"{run_id}:{step}:{call}"


async def _close(iterator: AsyncIterator[Any]) -> None:
    closer = getattr(iterator, "aclose", None)
    if closer is not None:
        await closer()
