"""Tracing off costs nothing: without a provider a run has no telemetry and does not even
import OpenTelemetry; the API's placeholder providers are told apart from configured ones."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_python(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, capture_output=True, text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_run_without_a_provider_has_no_telemetry_and_imports_none() -> None:
    printed = run_python(
        """
        import sys
        from agentkit import Agent, tool
        from agentkit.testing import ScriptedModel
        from agentkit.testing.emulator import call

        @tool
        def add(a: int, b: int) -> int:
            "Add."
            return a + b

        agent = Agent(ScriptedModel([[call("add", a=1, b=2)], "3"]), tools=[add])
        print(agent._settings(None, None, stream=False).telemetry)
        print(agent.run_sync("go").text)
        print(any(name.startswith("opentelemetry") for name in sys.modules))
        """
    )
    assert printed.splitlines() == ["None", "3", "False"]


def test_the_global_providers_count_only_once_the_application_sets_them() -> None:
    # configured_global relies on the API's private proxy class for metrics: this fails if
    # the API renames it, instead of every run being measured into a placeholder.
    printed = run_python(
        """
        from opentelemetry import metrics, trace
        from opentelemetry.sdk.metrics import MeterProvider
        from opentelemetry.sdk.trace import TracerProvider
        from agentkit.agent.otel import configured_global
        from agentkit.agent.telemetry import TelemetrySetup
        from agentkit.testing import ScriptedModel

        setup = TelemetrySetup(agent_name=None)
        print(configured_global("trace"), configured_global("metrics"), setup.for_run(ScriptedModel([])))
        trace.set_tracer_provider(TracerProvider())
        metrics.set_meter_provider(MeterProvider())
        print(type(configured_global("trace")).__name__, type(configured_global("metrics")).__name__)
        print(type(setup.for_run(ScriptedModel([]))).__name__)
        """
    )
    assert printed.splitlines() == ["None None None", "TracerProvider MeterProvider", "RunTelemetry"]
