from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter


@dataclass
class Traces:
    """A private tracer and meter provider (never the global ones) and what they recorded."""

    provider: TracerProvider
    exporter: InMemorySpanExporter
    meters: MeterProvider
    reader: InMemoryMetricReader

    @property
    def spans(self) -> list[ReadableSpan]:
        return sorted(self.exporter.get_finished_spans(), key=lambda span: span.start_time or 0)

    def named(self, prefix: str) -> list[ReadableSpan]:
        return [span for span in self.spans if span.name.startswith(prefix)]

    def tree(self) -> list[str]:
        """Each span as ``depth * '  ' + name [KIND]``, children after their parent in
        start order."""
        spans = self.spans
        ids = {span.context.span_id for span in spans}
        lines: list[str] = []

        def walk(parent: int | None, depth: int) -> None:
            for span in spans:
                above = span.parent.span_id if span.parent is not None else None
                if (above if above in ids else None) == parent:
                    lines.append(f"{'  ' * depth}{span.name} [{span.kind.name}]")
                    walk(span.context.span_id, depth + 1)

        walk(None, 0)
        return lines

    def points(self, metric: str) -> list[Any]:
        data = self.reader.get_metrics_data()
        found = []
        for resource in data.resource_metrics if data else ():
            for scope in resource.scope_metrics:
                for item in scope.metrics:
                    if item.name == metric:
                        found.extend(item.data.data_points)
        return found


@pytest.fixture
def traces() -> Traces:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    reader = InMemoryMetricReader()
    return Traces(provider, exporter, MeterProvider(metric_readers=[reader]), reader)
