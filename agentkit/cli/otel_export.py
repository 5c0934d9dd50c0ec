"""``--otel``: the command's traces and metrics exported over OTLP/HTTP.

The standard ``OTEL_*`` variables say where and how, as for any OpenTelemetry program:
``OTEL_EXPORTER_OTLP_ENDPOINT`` (or the per-signal ``..._TRACES_ENDPOINT`` and
``..._METRICS_ENDPOINT``), ``OTEL_EXPORTER_OTLP_HEADERS``, ``OTEL_SERVICE_NAME`` and
``OTEL_RESOURCE_ATTRIBUTES``; ``OTEL_TRACES_EXPORTER`` / ``OTEL_METRICS_EXPORTER`` may be
``otlp`` (the default), ``console`` (print them, to look at one run without a collector) or
``none``. The providers are made for this command and handed to its agents; they also become
OpenTelemetry's global ones when the process has none yet, so spans a tool makes itself are
exported with the run's. Everything is flushed when the command ends.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.markup import escape

from agentkit.cli.exits import UsageError
from agentkit.models.urls import shown_url

DEFAULT_ENDPOINT = "http://localhost:4318"
EXPORTERS = ("otlp", "console", "none")


@dataclass(frozen=True)
class Exporting:
    """The providers a command's agents record into."""

    tracer_provider: Any
    meter_provider: Any


@contextlib.contextmanager
def exporting(enabled: bool, err: Console) -> Iterator[Exporting | None]:
    if not enabled:
        yield None
        return
    traces_to, metrics_to = _choice("OTEL_TRACES_EXPORTER"), _choice("OTEL_METRICS_EXPORTER")
    protocol = os.environ.get("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf").strip()
    if protocol != "http/protobuf":
        raise UsageError(
            f"OTEL_EXPORTER_OTLP_PROTOCOL={protocol}: --otel exports over OTLP/HTTP "
            "(http/protobuf) only"
        )
    try:
        from opentelemetry.sdk.metrics import MeterProvider
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
    except ImportError:
        raise UsageError(
            "--otel needs the OpenTelemetry SDK and OTLP exporter: "
            "pip install 'agentkit[otel-export]'"
        ) from None
    attributes = {} if os.environ.get("OTEL_SERVICE_NAME") else {"service.name": "agentkit"}
    resource = Resource.create(attributes)
    tracer_provider = TracerProvider(resource=resource)
    processor = _span_processor(traces_to)
    if processor is not None:
        tracer_provider.add_span_processor(processor)
    readers = [reader] if (reader := _metric_reader(metrics_to)) is not None else []
    meter_provider = MeterProvider(resource=resource, metric_readers=readers)
    _become_global(tracer_provider, meter_provider)
    err.print(f"[dim]otel: {escape(_destination(traces_to, metrics_to))}[/]")
    try:
        yield Exporting(tracer_provider, meter_provider)
    finally:
        tracer_provider.shutdown()  # sends what is still queued
        meter_provider.shutdown()


def _choice(variable: str) -> str:
    value = os.environ.get(variable, "otlp").strip().lower() or "otlp"
    if value not in EXPORTERS:
        raise UsageError(f"{variable}={value}: --otel knows {', '.join(EXPORTERS)}")
    return value


def _span_processor(kind: str) -> Any:
    if kind == "none":
        return None
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter

    if kind == "console":
        return BatchSpanProcessor(ConsoleSpanExporter())
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return BatchSpanProcessor(OTLPSpanExporter())


def _metric_reader(kind: str) -> Any:
    if kind == "none":
        return None
    from opentelemetry.sdk.metrics.export import (
        ConsoleMetricExporter,
        PeriodicExportingMetricReader,
    )

    if kind == "console":
        return PeriodicExportingMetricReader(ConsoleMetricExporter())
    from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter

    return PeriodicExportingMetricReader(OTLPMetricExporter())


def _become_global(tracer_provider: Any, meter_provider: Any) -> None:
    from opentelemetry import metrics, trace

    from agentkit.agent.otel import configured_global

    if configured_global("trace") is None:
        trace.set_tracer_provider(tracer_provider)
    if configured_global("metrics") is None:
        metrics.set_meter_provider(meter_provider)


def _destination(traces_to: str, metrics_to: str) -> str:
    base = os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT", DEFAULT_ENDPOINT).rstrip("/")
    said = []
    for signal, kind, variable in (
        ("traces", traces_to, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"),
        ("metrics", metrics_to, "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"),
    ):
        if kind == "otlp":
            where = os.environ.get(variable) or f"{base}/v1/{signal}"
            said.append(f"{signal} to {shown_url(where)} (OTLP/HTTP)")
        elif kind == "console":
            said.append(f"{signal} printed to stdout")
        else:
            said.append(f"{signal} not exported")
    return "; ".join(said)
