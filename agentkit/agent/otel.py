"""The spans and metrics of a traced run (loaded only when one is; see ``telemetry``).

A run is an ``invoke_agent`` span; each model call a CLIENT span ``generate_content
{model}`` under it; each tool call an ``execute_tool {tool}`` span under it. The loop is a
generator, and a generator must not hold a context variable across a ``yield`` (it may be
closed later from another task), so the run and model spans are never made "current": they
are parents given explicitly. A tool's span is made current only while the tool runs — a
plain await, no yield in between — so what the tool itself traces (an HTTP call, a query)
nests under it, and concurrent calls each under their own.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import metrics, trace
from opentelemetry.trace import Link, Span, SpanContext, SpanKind, Status, StatusCode, TraceFlags

from agentkit.agent.telemetry_content import (
    finish_reason,
    instructions_json,
    messages_json,
)
from agentkit.agent.turn import Turn
from agentkit.models.base import Model
from agentkit.tools.results import ToolError
from agentkit.types import GenerateContentRequest

# Bucket boundaries the GenAI conventions advise for these histograms.
TOKEN_BUCKETS = [4.0**n for n in range(14)]  # 1 … 67108864 tokens
DURATION_BUCKETS = [0.01 * 2**n for n in range(14)]  # 0.01 … 81.92 s


def configured_global(kind: str) -> Any:
    """The global provider of ``kind`` ("trace" or "metrics") when one was set; None while
    it is still the API's placeholder (a proxy or a no-op)."""
    if kind == "trace":
        provider: Any = trace.get_tracer_provider()
        placeholder: tuple[type, ...] = (trace.ProxyTracerProvider, trace.NoOpTracerProvider)
    else:
        from opentelemetry.metrics import _internal as metrics_internal

        provider = metrics.get_meter_provider()
        # The proxy class is private to the API; tests/telemetry checks it still names it.
        placeholder = (metrics_internal._ProxyMeterProvider, metrics.NoOpMeterProvider)
    return None if isinstance(provider, placeholder) else provider


@dataclass(frozen=True)
class Instruments:
    """A tracer and the metric instruments, made once per provider pair."""

    tracer: trace.Tracer
    token_usage: metrics.Histogram | None
    duration: metrics.Histogram | None
    first_chunk: metrics.Histogram | None

    @classmethod
    def of(cls, tracer_provider: Any, meter_provider: Any) -> Instruments:
        from agentkit import __version__

        provider = tracer_provider or trace.NoOpTracerProvider()
        tracer = provider.get_tracer("agentkit", __version__)
        if meter_provider is None:
            return cls(tracer, None, None, None)
        meter = meter_provider.get_meter("agentkit", __version__)
        return cls(
            tracer,
            meter.create_histogram(
                "gen_ai.client.token.usage",
                unit="{token}",
                description="Tokens per model call, by gen_ai.token.type (input or output)",
                explicit_bucket_boundaries_advisory=TOKEN_BUCKETS,
            ),
            meter.create_histogram(
                "gen_ai.client.operation.duration",
                unit="s",
                description="Duration of each model call",
                explicit_bucket_boundaries_advisory=DURATION_BUCKETS,
            ),
            meter.create_histogram(
                "gen_ai.client.inference.time_to_first_chunk",
                unit="s",
                description="Time from a streamed model call's start to its first chunk",
                explicit_bucket_boundaries_advisory=DURATION_BUCKETS,
            ),
        )


def provider_name(model: Model) -> str:
    kind = type(model).__name__
    if kind == "Vertex":
        return "gcp.vertex_ai"
    if kind == "Gemini":
        return "gcp.gemini"
    return "gcp.gen_ai"  # a Google model of unknown backend (a scripted or local stand-in)


def _server(model: Model) -> tuple[str | None, int | None]:
    from urllib.parse import urlsplit

    base_url = getattr(model, "base_url", None)
    if not isinstance(base_url, str):
        return None, None
    parts = urlsplit(base_url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return parts.hostname, port


class RunTelemetry:
    """One run's spans and measurements."""

    def __init__(
        self, made: Instruments, model: Model, *, agent_name: str | None, capture: bool
    ) -> None:
        self._made = made
        self.capture = capture
        self.agent_name = agent_name
        self.model_name = model.name
        self.provider = provider_name(model)
        self.server_address, self.server_port = _server(model)
        self._run: Span | None = None
        self._run_context: otel_context.Context | None = None
        self._compacted = False

    # -- the run --------------------------------------------------------------------------

    def start_run(self, run_id: str, stream: bool, resumed_from: dict[str, Any] | None) -> None:
        attributes: dict[str, Any] = {
            "gen_ai.operation.name": "invoke_agent",
            "gen_ai.provider.name": self.provider,
            "gen_ai.request.model": self.model_name,
            "agentkit.run.id": run_id,
            "agentkit.run.streamed": stream,
        }
        if self.agent_name:
            attributes["gen_ai.agent.name"] = self.agent_name
        links = []
        paused = _span_context(resumed_from)
        if paused is not None:
            links.append(Link(paused, {"agentkit.link": "resumes the paused run"}))
        name = f"invoke_agent {self.agent_name}" if self.agent_name else "invoke_agent"
        # The caller's current span (if any) is the parent: a run inside a request handler's
        # span belongs to that request's trace.
        self._run = self._made.tracer.start_span(
            name, kind=SpanKind.INTERNAL, attributes=attributes, links=links
        )
        self._run_context = trace.set_span_in_context(self._run)

    def end_run(self, usage: Any, stop_reason: str) -> None:
        run = self._run
        if run is None:
            return
        run.set_attributes(
            {
                "gen_ai.usage.input_tokens": usage.prompt_tokens + usage.tool_use_prompt_tokens,
                "gen_ai.usage.output_tokens": usage.candidates_tokens + usage.thoughts_tokens,
                "agentkit.stop_reason": stop_reason,
            }
        )
        if usage.cost_usd is not None:
            run.set_attribute("agentkit.cost_usd", usage.cost_usd)
        run.end()

    def fail_run(self, error: BaseException) -> None:
        if self._run is not None:
            _failed(self._run, error)
            self._run.end()

    def abandon_run(self) -> None:
        """The consumer stopped reading (or the task was cancelled) before the run ended."""
        if self._run is not None:
            self._run.set_attribute("agentkit.stop_reason", "abandoned")
            self._run.end()

    def run_event(self, name: str, attributes: dict[str, Any]) -> None:
        if name == "agentkit.compaction":
            self._compacted = True  # what is sent from now on is a compacted conversation
        if self._run is not None:
            self._run.add_event(name, attributes)

    def paused_link(self) -> dict[str, str] | None:
        """Where a resumed run links back to (kept in the paused state)."""
        if self._run is None:
            return None
        context = self._run.get_span_context()
        if not context.is_valid:
            return None
        return {"trace_id": f"{context.trace_id:032x}", "span_id": f"{context.span_id:016x}"}

    # -- model calls ----------------------------------------------------------------------

    def start_model_call(self, request: GenerateContentRequest, stream: bool) -> ModelCall:
        attributes: dict[str, Any] = {
            "gen_ai.operation.name": "generate_content",
            "gen_ai.provider.name": self.provider,
            "gen_ai.request.model": self.model_name,
        }
        if self.server_address is not None:
            attributes["server.address"] = self.server_address
            attributes["server.port"] = self.server_port
        if stream:
            attributes["gen_ai.request.stream"] = True
        if self._compacted:
            attributes["gen_ai.conversation.compacted"] = True
        attributes.update(_request_settings(request))
        if self.capture:
            attributes["gen_ai.input.messages"] = messages_json(list(request.contents))
            if request.system_instruction is not None:
                attributes["gen_ai.system_instructions"] = instructions_json(
                    request.system_instruction
                )
        span = self._made.tracer.start_span(
            f"generate_content {self.model_name}",
            context=self._run_context,
            kind=SpanKind.CLIENT,
            attributes=attributes,
        )
        return ModelCall(self, span, stream)

    # -- tool calls -----------------------------------------------------------------------

    @contextlib.contextmanager
    def tool_call(
        self, name: str, call_id: str | None, kind: str, arguments: dict[str, Any]
    ) -> Iterator[ToolSpan]:
        """The call's span, current while the tool runs (see the module's docstring)."""
        attributes: dict[str, Any] = {
            "gen_ai.operation.name": "execute_tool",
            "gen_ai.tool.name": name,
            "gen_ai.tool.type": kind,
        }
        if self.agent_name:
            attributes["gen_ai.agent.name"] = self.agent_name
        if call_id is not None:
            attributes["gen_ai.tool.call.id"] = call_id
        if self.capture:
            attributes["gen_ai.tool.call.arguments"] = _json(arguments)
        span = self._made.tracer.start_span(
            f"execute_tool {name}",
            context=self._run_context,
            kind=SpanKind.INTERNAL,
            attributes=attributes,
        )
        token = otel_context.attach(trace.set_span_in_context(span))
        try:
            yield ToolSpan(span, self.capture)
        except BaseException as error:
            _failed(span, error)
            raise
        finally:
            otel_context.detach(token)
            span.end()

    # -- metrics --------------------------------------------------------------------------

    def _metric_attributes(self, response_model: str | None) -> dict[str, Any]:
        attributes: dict[str, Any] = {
            "gen_ai.operation.name": "generate_content",
            "gen_ai.provider.name": self.provider,
            "gen_ai.request.model": self.model_name,
        }
        if response_model:
            attributes["gen_ai.response.model"] = response_model
        if self.server_address is not None:
            attributes["server.address"] = self.server_address
            attributes["server.port"] = self.server_port
        return attributes


class ModelCall:
    """One model call's span and measurements, from request to the assembled turn."""

    def __init__(self, run: RunTelemetry, span: Span, stream: bool) -> None:
        self._run = run
        self.span = span
        self._stream = stream
        self._started = time.perf_counter()
        self._first_chunk: float | None = None

    def first_chunk(self) -> None:
        if self._first_chunk is not None:
            return
        self._first_chunk = time.perf_counter() - self._started
        self.span.set_attribute("gen_ai.response.time_to_first_chunk", self._first_chunk)
        made = self._run._made
        if made.first_chunk is not None:
            made.first_chunk.record(self._first_chunk, self._run._metric_attributes(None))

    def retry(self, attempt: int, delay: float, reason: str) -> None:
        self.span.add_event(
            "agentkit.retry",
            {
                "agentkit.retry.attempt": attempt,
                "agentkit.retry.delay_s": delay,
                "agentkit.retry.reason": reason,
            },
        )

    def finish(self, turn: Turn) -> None:
        span = self.span
        called = any(part.function_call is not None for part in turn.parts)
        attributes: dict[str, Any] = {
            "gen_ai.response.finish_reasons": [finish_reason(turn.finish_reason, called)],
        }
        if turn.model_version:
            attributes["gen_ai.response.model"] = turn.model_version
        if turn.response_id:
            attributes["gen_ai.response.id"] = turn.response_id
        tokens = _token_counts(turn)
        attributes.update(tokens)
        if self._run.capture:
            content = turn.content()
            if content is not None:
                attributes["gen_ai.output.messages"] = messages_json([content])
        span.set_attributes(attributes)
        self._measure(turn.model_version, tokens, None)
        span.end()

    def fail(self, error: BaseException) -> None:
        _failed(self.span, error)
        self._measure(None, None, type(error).__name__)
        self.span.end()

    def _measure(
        self, response_model: str | None, tokens: dict[str, int] | None, error: str | None
    ) -> None:
        made = self._run._made
        if made.duration is None:
            return
        attributes = self._run._metric_attributes(response_model)
        if error is not None:
            attributes["error.type"] = error
        made.duration.record(time.perf_counter() - self._started, attributes)
        if tokens is not None and made.token_usage is not None:
            for kind, key in (
                ("input", "gen_ai.usage.input_tokens"),
                ("output", "gen_ai.usage.output_tokens"),
            ):
                if key in tokens:
                    made.token_usage.record(tokens[key], {**attributes, "gen_ai.token.type": kind})


class ToolSpan:
    """What the executor tells a tool call's span once the call is settled."""

    def __init__(self, span: Span, capture: bool) -> None:
        self.span = span
        self._capture = capture

    def settled(self, response: dict[str, Any], error: ToolError | None) -> None:
        if error is not None:
            # The exception's class when the tool raised; otherwise what became of the call
            # (timeout, server_gone, invalid_result...): few values, as error.type asks.
            self.span.set_attribute("error.type", error.details.get("exception") or error.kind)
            self.span.set_status(Status(StatusCode.ERROR, error.message[:500]))
        elif self._capture:
            self.span.set_attribute("gen_ai.tool.call.result", _json(response))


def _token_counts(turn: Turn) -> dict[str, int]:
    usage = turn.usage
    if usage is None:
        return {}
    prompt = (usage.prompt_token_count or 0) + (usage.tool_use_prompt_token_count or 0)
    thoughts = usage.thoughts_token_count or 0
    counts = {
        "gen_ai.usage.input_tokens": prompt,
        # Reasoning is part of the output, as the conventions count it.
        "gen_ai.usage.output_tokens": (usage.candidates_token_count or 0) + thoughts,
    }
    if usage.cached_content_token_count:
        counts["gen_ai.usage.cache_read.input_tokens"] = usage.cached_content_token_count
    if thoughts:
        counts["gen_ai.usage.reasoning.output_tokens"] = thoughts
    return counts


def _request_settings(request: GenerateContentRequest) -> dict[str, Any]:
    config = request.generation_config
    if config is None:
        return {}
    pairs = {
        "gen_ai.request.temperature": config.temperature,
        "gen_ai.request.top_p": config.top_p,
        "gen_ai.request.top_k": config.top_k,
        "gen_ai.request.max_tokens": config.max_output_tokens,
        "gen_ai.request.stop_sequences": config.stop_sequences,
        "gen_ai.request.seed": config.seed,
        "gen_ai.request.presence_penalty": config.presence_penalty,
        "gen_ai.request.frequency_penalty": config.frequency_penalty,
    }
    settings: dict[str, Any] = {key: value for key, value in pairs.items() if value is not None}
    if config.candidate_count is not None and config.candidate_count != 1:
        settings["gen_ai.request.choice.count"] = config.candidate_count
    if config.response_mime_type is not None:
        json_out = config.response_mime_type == "application/json"
        settings["gen_ai.output.type"] = "json" if json_out else "text"
    return settings


def _failed(span: Span, error: BaseException) -> None:
    span.set_attribute("error.type", type(error).__name__)
    span.set_status(Status(StatusCode.ERROR, str(error)[:500]))


def _span_context(link: dict[str, Any] | None) -> SpanContext | None:
    if not link:
        return None
    try:
        trace_id, span_id = int(link["trace_id"], 16), int(link["span_id"], 16)
    except (KeyError, TypeError, ValueError):
        return None
    return SpanContext(
        trace_id, span_id, is_remote=True, trace_flags=TraceFlags(TraceFlags.SAMPLED)
    )


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)
