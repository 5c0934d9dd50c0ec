"""Whether a run is traced and measured, decided once per run at no cost when it is not.

The loop calls its telemetry at fixed points — the run, each model call, each tool call —
and only when a run has one. A run has one when the application gave the agent a tracer or
meter provider, or configured OpenTelemetry's global ones. Nothing here imports
OpenTelemetry: if the application has not imported it, it cannot have configured it, so a
look at ``sys.modules`` settles the common case without loading anything. The spans and
metrics themselves live in ``otel``, loaded only for a traced run.

What is recorded follows the OpenTelemetry GenAI conventions (attribute names written out:
the Python constants for them are deprecated). Message content, tool arguments and results
are recorded only when the user opts in, with ``capture_content=True`` or the conventions'
variable ``OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT``.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agentkit.agent.otel import RunTelemetry
    from agentkit.models.base import Model

CAPTURE_VARIABLE = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"
# The values other GenAI instrumentations read as "record content on spans".
CAPTURE_VALUES = frozenset({"true", "span_only", "span_and_event"})


def capture_requested() -> bool:
    return os.environ.get(CAPTURE_VARIABLE, "").strip().lower() in CAPTURE_VALUES


class TelemetrySetup:
    """An agent's telemetry choices; ``for_run`` gives a run its telemetry, or None."""

    def __init__(
        self,
        *,
        agent_name: str | None,
        tracer_provider: Any = None,
        meter_provider: Any = None,
        capture_content: bool | None = None,
    ) -> None:
        self.agent_name = agent_name
        self.tracer_provider = tracer_provider
        self.meter_provider = meter_provider
        self.capture_content = capture_content
        # Tracers and instruments per provider, made once: providers are few and long-lived.
        self._made: dict[tuple[int, int], Any] = {}

    def for_run(self, model: Model) -> RunTelemetry | None:
        tracer_provider = self.tracer_provider or _configured_global("trace")
        meter_provider = self.meter_provider or _configured_global("metrics")
        if tracer_provider is None and meter_provider is None:
            return None
        from agentkit.agent import otel

        key = (id(tracer_provider), id(meter_provider))
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = otel.Instruments.of(tracer_provider, meter_provider)
        capture = self.capture_content if self.capture_content is not None else capture_requested()
        return otel.RunTelemetry(made, model, agent_name=self.agent_name, capture=capture)


def _configured_global(kind: str) -> Any:
    """OpenTelemetry's global tracer (or meter) provider, if the application set one."""
    api = sys.modules.get(f"opentelemetry.{kind}")
    if api is None:
        return None
    from agentkit.agent import otel

    return otel.configured_global(kind)
