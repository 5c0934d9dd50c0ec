"""``Agent``: a model, tools and instructions, run against prompts.

Everything about the set-up is checked when the agent is built (tool names, modes, allowed
tools, the schema dialect) so a wrong configuration fails before any request is made. Runs
never change the agent or the objects passed in: each run works on its own copy of history.
"""

from __future__ import annotations

import functools
import secrets
import uuid
from collections.abc import (
    AsyncGenerator,
    Callable,
    Iterable,
    Mapping,
    Sequence,
)
from contextlib import aclosing
from typing import Any, Generic, TypeVar

import anyio

from agentkit.agent.agent_options import (
    check_agent_fits_model,
    generation_config_for,
    instructions_content,
    model_for,
)
from agentkit.agent.chat import Chat
from agentkit.agent.confirmation import ConfirmCallback, Decision, as_decision
from agentkit.agent.context import ContextPolicy
from agentkit.agent.context_size import InputLimits
from agentkit.agent.events import Event
from agentkit.agent.limits import Limits
from agentkit.agent.loop import Loop
from agentkit.agent.modes import AnyMode, ToolMode, plan_tools
from agentkit.agent.prefix_cache import ContextCache, PrefixCaches
from agentkit.agent.result import RunResult
from agentkit.agent.running import (
    Prompt,
    copy_history,
    own_history,
    prompt_content,
    result_of,
    run_blocking,
)
from agentkit.agent.settings import RunSettings
from agentkit.agent.sources import HeldSources
from agentkit.agent.state import LoopState, load_state
from agentkit.agent.telemetry import TelemetrySetup
from agentkit.errors import ConfigurationError
from agentkit.models.base import Model, close_model
from agentkit.models.capabilities import check_settings
from agentkit.tools import SchemaDialect, Toolset
from agentkit.tools.toolset import ToolLike
from agentkit.types import (
    Content,
    GenerationConfig,
    SafetySetting,
    ThinkingConfig,
)

DepsT = TypeVar("DepsT")


class Agent(Generic[DepsT]):
    """A function-calling agent.

    Args:
        model: a ``Model`` (``Gemini(...)``, ``Vertex(...)``, a scripted model) or a Gemini
            model name.
        tools: tools, plain functions (made tools) and toolsets.
        instructions: the system instruction.
        tool_mode: ``"auto"`` (default), ``"any"`` (must call), ``"none"``, ``"validated"``.
        any_mode: with ``"any"``: ``"once"`` forces the first round then relaxes to auto;
            ``"always"`` forces every step and ends through the built-in final-answer tool.
        allowed_tools: the only tools the model may call (sent as allowedFunctionNames in
            forced modes); others are not declared.
        output_type: a type for the answer (pydantic model, list, ...). Without tools the
            model answers in JSON against its schema; with tools it ends through the
            final-answer tool carrying that type.
        generation_config: sampling and output settings.
        thinking: thinking budget/level and whether thoughts are returned.
        safety_settings: per-category blocking thresholds.
        limits: bounds of each run (see ``Limits``).
        deps: an object handed to tools through ``ToolContext.deps``.
        confirm: asked before calls that require confirmation; without it such a run pauses.
        schema_dialect: ``"json_schema"`` (parametersJsonSchema, default) or ``"openapi"``.
        state_key: signs paused run states; give the same key to the agent that resumes in
            another process (by default a random key: resuming works in this process only).
        name: the agent's name in traces (``gen_ai.agent.name``).
        tracer_provider, meter_provider: where OpenTelemetry spans and metrics go (by
            default the global providers, when the application configured them; with none,
            nothing is recorded and nothing is paid for).
        capture_content: record messages, tool arguments and results in spans (by default
            only when OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT says so).
        context: keeps what each request sends within a token budget (``ContextPolicy``).
            By default runs send their whole history and chats use ``ContextPolicy()``;
            ``False`` turns it off for chats too.
        cache: puts the prefix every request shares (instructions, tools, tool config, a
            document) into an explicit ``cachedContents`` cache (``ContextCache``); deleted
            by ``aclose()`` or when the last ``async with agent:`` ends.
    """

    def __init__(
        self,
        model: Model | str,
        *,
        tools: Iterable[ToolLike] = (),
        instructions: str | Content | None = None,
        tool_mode: ToolMode = "auto",
        any_mode: AnyMode = "once",
        allowed_tools: Sequence[str] | None = None,
        output_type: Any = None,
        generation_config: GenerationConfig | Mapping[str, Any] | None = None,
        thinking: ThinkingConfig | Mapping[str, Any] | None = None,
        safety_settings: Sequence[SafetySetting] | None = None,
        limits: Limits | None = None,
        deps: DepsT | None = None,
        confirm: ConfirmCallback | None = None,
        schema_dialect: SchemaDialect = "json_schema",
        state_key: bytes | None = None,
        name: str | None = None,
        tracer_provider: Any = None,
        meter_provider: Any = None,
        capture_content: bool | None = None,
        context: ContextPolicy | bool | None = None,
        cache: ContextCache | None = None,
    ) -> None:
        self.model: Model = model_for(model) if isinstance(model, str) else model
        self.toolset = Toolset(tools)
        self.instructions = instructions_content(instructions)
        self.output_type = output_type
        self.limits = limits or Limits()
        self.deps = deps
        self.confirm = confirm
        if schema_dialect not in ("json_schema", "openapi"):
            raise ConfigurationError(
                f"schema_dialect must be 'json_schema' or 'openapi', got {schema_dialect!r}"
            )
        native_output = output_type is not None and (not self.toolset.names or tool_mode == "none")
        self._plan_for = functools.partial(
            plan_tools,
            mode=tool_mode,
            any_mode=any_mode,
            allowed_tools=list(allowed_tools) if allowed_tools is not None else None,
            output_type=output_type,
            dialect=schema_dialect,
            native_output=native_output,
        )
        self.plan = self._plan_for(self.toolset)
        self._plan_version = self.toolset.version()
        self.generation_config = generation_config_for(
            generation_config, thinking, output_type if native_output else None, schema_dialect
        )
        # Settings the model refuses would fail every request; fail once, here.
        check_settings(self.model.name, self.generation_config)
        check_agent_fits_model(self.model.name, self.toolset, self.generation_config)
        self.safety_settings = list(safety_settings) if safety_settings is not None else None
        self.native_output = native_output
        self.state_key = state_key if state_key is not None else secrets.token_bytes(32)
        self.name = name
        self.context = context
        self.cache = PrefixCaches(cache) if cache is not None else None
        self._input_limits = InputLimits()  # asked of the endpoint once per model
        self.telemetry = TelemetrySetup(
            agent_name=name,
            tracer_provider=tracer_provider,
            meter_provider=meter_provider,
            capture_content=capture_content,
        )
        # One thread pool bound per agent: concurrent runs share it, so a batch cannot spawn
        # threads without limit.
        self._limiter: anyio.CapacityLimiter | None = None
        self._sources = HeldSources(self.toolset)

    def __repr__(self) -> str:
        return f"Agent(model={self.model!r}, tools={self.toolset.names})"

    # -- runs -----------------------------------------------------------------------------

    async def run(
        self,
        prompt: Prompt | None,
        *,
        history: Sequence[Content | Mapping[str, Any]] | None = None,
        deps: DepsT | None = None,
        limits: Limits | None = None,
        context: Sequence[Content | Mapping[str, Any]] | None = None,
    ) -> RunResult:
        """Run to an answer (or a limit, or a pause) and return the result.

        ``prompt=None`` continues ``history`` as it is (it must end with a user turn), e.g.
        after a crash, from a session saved at the last completed step. ``context``: what
        an earlier run sent after compacting (its ``RunResult.context``), to continue from
        instead of the whole ``history``.
        """
        return await result_of(
            self._events(
                lambda: self._loop(
                    prompt, history, deps, limits, stream=False, context=_copied(context)
                )
            )
        )

    async def __aenter__(self) -> Agent[DepsT]:
        """Keep the toolsets that need opening (MCP servers) open for everything inside the
        block. Runs, streams and chats open them by themselves when no block holds them;
        blocks and runs may overlap and come from any task: the servers close when the last
        of them ends. Servers opened by the user are left to the user."""
        await self._sources.acquire()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self._sources.release()
        if self._sources.holders == 0 and self.cache is not None:
            await self.cache.delete_all(self.model)

    async def aclose(self) -> None:
        """Delete the caches this agent made and close the model's connections."""
        if self.cache is not None:
            await self.cache.delete_all(self.model)
        await close_model(self.model)

    def run_sync(
        self,
        prompt: Prompt | None,
        *,
        history: Sequence[Content | Mapping[str, Any]] | None = None,
        deps: DepsT | None = None,
        limits: Limits | None = None,
        context: Sequence[Content | Mapping[str, Any]] | None = None,
    ) -> RunResult:
        """``run`` for synchronous code; also works when an event loop is already running
        in this thread (a notebook), by running in a helper thread."""
        return run_blocking(
            self.run,
            prompt,
            history=history,
            deps=deps,
            limits=limits,
            context=context,
            close=self.model,
        )

    async def stream(
        self,
        prompt: Prompt | None,
        *,
        history: Sequence[Content | Mapping[str, Any]] | None = None,
        deps: DepsT | None = None,
        limits: Limits | None = None,
        context: Sequence[Content | Mapping[str, Any]] | None = None,
    ) -> AsyncGenerator[Event, None]:
        """Run with a streamed model connection, yielding events as they happen; the last
        event is ``RunFinished`` carrying the result.

        Stopping early (``break``, an exception in the consumer, ``aclose()``) ends the run
        where it is: the model's stream is closed and its connection released at once."""
        events = self._events(
            lambda: self._loop(prompt, history, deps, limits, stream=True, context=_copied(context))
        )
        async with aclosing(events):
            async for event in events:
                yield event

    async def resume(
        self,
        state: Mapping[str, Any],
        decisions: Mapping[str, bool | Decision],
        *,
        deps: DepsT | None = None,
        limits: Limits | None = None,
    ) -> RunResult:
        """Continue a paused run once every pending call has a decision.

        ``decisions`` maps each pending call's key (its id, or its position in the turn) to
        an approval. Calls not awaiting confirmation run as usual.
        """
        loop_state, pending = load_state(dict(state), self.state_key)
        keys = [str(item.get("key")) for item in pending]
        missing = [key for key in keys if key not in decisions]
        if missing:
            raise ConfigurationError(
                f"no decision for pending call(s) {', '.join(missing)}; every call of the "
                "paused turn must be approved or denied"
            )
        unknown = sorted(set(decisions) - set(keys))
        if unknown:
            raise ConfigurationError(
                f"decisions for calls that are not pending: {', '.join(unknown)}"
            )
        chosen = {key: as_decision(decisions[key]) for key in keys}
        return await result_of(
            self._events(
                lambda: Loop(self._settings(deps, limits, stream=False), loop_state),
                decisions=chosen,
            )
        )

    def resume_sync(
        self, state: Mapping[str, Any], decisions: Mapping[str, bool | Decision], **options: Any
    ) -> RunResult:
        return run_blocking(self.resume, state, decisions, close=self.model, **options)

    def chat(self, history: Sequence[Content | Mapping[str, Any]] | None = None) -> Chat:
        """A multi-turn conversation that keeps its history between messages."""
        return Chat(self, history)

    # -- internals ------------------------------------------------------------------------

    def _settings(
        self, deps: Any, limits: Limits | None, *, stream: bool, chat: bool = False
    ) -> RunSettings:
        closed = self.toolset.closed_sources()
        if closed:  # only a loop built without ``_events`` could get here
            raise ConfigurationError(f"{closed[0]!r} is not open")
        version = self.toolset.version()
        if version != self._plan_version:
            # A live source (an MCP server) changed its tools: each run is planned with the
            # tools offered when it starts.
            self.plan = self._plan_for(self.toolset)
            self._plan_version = version
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(16)
        return RunSettings(
            model=self.model,
            plan=self.plan,
            limits=limits or self.limits,
            instructions=self.instructions,
            generation_config=self.generation_config,
            safety_settings=self.safety_settings,
            output_type=self.output_type,
            native_output=self.native_output,
            deps=deps if deps is not None else self.deps,
            confirm=self.confirm,
            stream=stream,
            agent=self,
            limiter=self._limiter,
            state_key=self.state_key,
            telemetry=self.telemetry.for_run(self.model),
            context=self._policy(chat),
            input_limits=self._input_limits,
            cache=self.cache,
        )

    def _policy(self, chat: bool) -> ContextPolicy | None:
        if isinstance(self.context, ContextPolicy):
            return self.context
        if self.context is None:
            return ContextPolicy() if chat else None
        return ContextPolicy() if self.context else None

    def _events(
        self,
        make_loop: Callable[[], Loop],
        *,
        started: Callable[[Loop], None] | None = None,
        decisions: dict[str, Decision] | None = None,
    ) -> AsyncGenerator[Event, None]:
        """A run's events; ``started`` is told the run's loop (a chat reads what it did).

        With live sources (MCP servers) they are held open for the run, and the run is
        planned once they are open; without any, the loop's own generator is returned,
        with no layer around it."""
        if self.toolset.tools_version() is None:
            loop = make_loop()
            if started is not None:
                started(loop)
            return loop.events(decisions)
        return self._events_holding_sources(make_loop, started, decisions)

    async def _events_holding_sources(
        self,
        make_loop: Callable[[], Loop],
        started: Callable[[Loop], None] | None,
        decisions: dict[str, Decision] | None,
    ) -> AsyncGenerator[Event, None]:
        # Nothing here is a cancel scope or a context variable: holding the sources across
        # the yields is safe when the consumer stops reading and the generator is closed
        # later, from another task.
        async with self._sources.held():
            loop = make_loop()
            if started is not None:
                started(loop)
            async with aclosing(loop.events(decisions)) as events:
                async for event in events:
                    yield event

    def _loop(
        self,
        prompt: Prompt | None,
        history: Sequence[Content | Mapping[str, Any]] | None,
        deps: Any,
        limits: Limits | None,
        *,
        stream: bool,
        owned: bool = False,
        checked: int = 0,
        context: list[Content] | None = None,
        run_id: str | None = None,
        adapt: Callable[[RunSettings], RunSettings] | None = None,
    ) -> Loop:
        """A run, ready to drive (``Chat`` keeps it to read what a stopped run did).
        ``owned``: ``history`` holds agentkit's own turns (a chat's), not the caller's;
        ``checked``: how many of its first turns are known to be a valid conversation;
        ``context``: what a chat sends instead of ``history`` since a compaction (the new
        prompt is added to both); ``run_id``: the run's id, when the caller names it (a
        durable run, whose id is its workflow's); ``adapt``: changes the run's settings
        (a durable run records its model and tool calls as steps)."""
        # agentkit's own turns (a chat's, a result's) are shared: it never edits a turn in
        # place. The caller's other turns are copied, so the run never shares them.
        contents, trusted = own_history(history)
        checked = max(checked, trusted)
        start = len(contents)
        if prompt is not None:
            contents.append(prompt_content(prompt))
        elif not contents or (contents[-1].role or "user") == "model":
            raise ConfigurationError(
                "prompt=None continues a saved conversation, which must end with a user turn "
                "(a prompt or function responses)"
            )
        state = LoopState(run_id=run_id or uuid.uuid4().hex[:12], history=contents, new_from=start)
        if context is not None:
            state.context = [*context, *contents[start:]]
        settings = self._settings(deps, limits, stream=stream, chat=owned)
        if adapt is not None:
            settings = adapt(settings)
        return Loop(settings, state, checked=checked)


def _copied(context: Sequence[Content | Mapping[str, Any]] | None) -> list[Content] | None:
    return None if context is None else copy_history(context)
