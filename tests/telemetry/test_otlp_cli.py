"""``--otel``: ``agentkit run`` and ``agentkit batch`` in a subprocess export their spans and
metrics over OTLP/HTTP to a receiver in the test, which decodes the protobuf payloads."""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
)
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from ..cli.batching import SCRIPTED_RUN_FILE
from ..cli.conftest import chat_on_pty

ROOT = Path(__file__).resolve().parents[2]


class Receiver(http.server.ThreadingHTTPServer):
    """An OTLP/HTTP collector of one test: what was posted to /v1/traces and /v1/metrics."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.posted: dict[str, list[bytes]] = {"/v1/traces": [], "/v1/metrics": []}
        self.content_types: set[str] = set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def spans(self) -> list[tuple[str, Any, dict[str, str]]]:
        """(span, its scope's name, the resource's attributes), in the order received."""
        found = []
        for body in self.posted["/v1/traces"]:
            request = ExportTraceServiceRequest()
            request.ParseFromString(body)
            for resource_spans in request.resource_spans:
                resource = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
                for scope in resource_spans.scope_spans:
                    found.extend((span, scope.scope.name, resource) for span in scope.spans)
        return found

    def metric_names(self) -> set[str]:
        names = set()
        for body in self.posted["/v1/metrics"]:
            request = ExportMetricsServiceRequest()
            request.ParseFromString(body)
            for resource_metrics in request.resource_metrics:
                for scope in resource_metrics.scope_metrics:
                    names.update(metric.name for metric in scope.metrics)
        return names


class _Handler(http.server.BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.posted.setdefault(self.path, []).append(body)
        self.server.content_types.add(self.headers["Content-Type"])
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def agentkit(
    receiver: Receiver, tmp_path: Path, *argv: str, extra: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The command, with the developer's keys and OTEL_* settings left out."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GEMINI_", "GOOGLE_", "OTEL_"))}
    env.update(OTEL_EXPORTER_OTLP_ENDPOINT=receiver.url, AGENTKIT_HOME_DB=str(tmp_path / "home.db"))
    env.update(extra or {})
    return subprocess.run(
        [sys.executable, "-m", "agentkit", *argv], cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=120, stdin=subprocess.DEVNULL,
    )


def attributes(span: Any) -> dict[str, Any]:
    values = {}
    for item in span.attributes:
        value = item.value
        kind = value.WhichOneof("value")
        values[item.key] = getattr(value, kind) if kind != "array_value" else [
            v.string_value for v in value.array_value.values
        ]
    return values


def test_the_home_run_exports_its_spans_and_metrics(receiver: Receiver, tmp_path: Path) -> None:
    done = agentkit(receiver, tmp_path, "run", "examples/home.toml", "--otel")
    assert done.returncode == 0, done.stderr
    assert (
        f"otel: traces to {receiver.url}/v1/traces (OTLP/HTTP); metrics to "
        f"{receiver.url}/v1/metrics (OTLP/HTTP)"
    ) in done.stderr
    assert receiver.content_types == {"application/x-protobuf"}
    spans = receiver.spans()
    names = [span.name for span, _, _ in spans]
    assert names.count("invoke_agent home") == 4  # one per prompt of the run file
    assert {resource["service.name"] for _, _, resource in spans} == {"agentkit"}
    assert {scope for _, scope, _ in spans} == {"agentkit"}
    runs = {span.span_id for span, _, _ in spans if span.name == "invoke_agent home"}
    tools = [span for span, _, _ in spans if span.name.startswith("execute_tool")]
    assert sorted(span.name for span in tools) == [
        "execute_tool apply_scene", "execute_tool read_sensor", "execute_tool set_light",
        "execute_tool set_light", "execute_tool set_thermostat",
    ]
    # The hallway has no light: that call failed; the door was not opened (denied).
    failed = [attributes(span).get("error.type") for span in tools if span.name == "execute_tool set_light"]
    assert failed == [failed[0], None] and failed[0] is not None
    events = [(event.name, attributes(event)) for span, _, _ in spans for event in span.events]
    assert ("agentkit.confirmation", {"gen_ai.tool.name": "unlock_door", "agentkit.approved": False}) in events
    assert all(span.parent_span_id in runs for span in tools)
    scene = next(span for span in tools if span.name == "execute_tool apply_scene")
    assert attributes(scene) == {
        "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "apply_scene",
        "gen_ai.tool.type": "function", "gen_ai.agent.name": "home",
    }
    assert receiver.metric_names() == {  # agentkit run streams: its first chunks are timed
        "gen_ai.client.token.usage", "gen_ai.client.operation.duration",
        "gen_ai.client.inference.time_to_first_chunk",
    }


def test_a_batch_exports_one_trace_per_row(receiver: Receiver, tmp_path: Path) -> None:
    run_file = tmp_path / "rows.toml"
    run_file.write_text(SCRIPTED_RUN_FILE)
    inputs = tmp_path / "in.jsonl"
    inputs.write_text("".join(json.dumps({"id": f"r{n}", "prompt": f"p{n}", "customer": "c"}) + "\n" for n in range(3)))
    out = tmp_path / "out.jsonl"
    done = agentkit(
        receiver, tmp_path, "batch", str(run_file), "--inputs", str(inputs), "--out", str(out),
        "--otel", extra={"COUNT_FILE": str(tmp_path / "count")},
    )
    assert done.returncode == 0, done.stderr
    spans = [span for span, _, _ in receiver.spans()]
    rows = {span.name: span for span in spans if span.name.startswith("batch row")}
    assert sorted(rows) == ["batch row r0", "batch row r1", "batch row r2"]
    for name, row in rows.items():
        assert attributes(row) == {"agentkit.batch.row_id": name.removeprefix("batch row ")}
        (run,) = [span for span in spans if span.parent_span_id == row.span_id]
        assert run.name == "invoke_agent rows" and run.trace_id == row.trace_id
        below = sorted(span.name for span in spans if span.parent_span_id == run.span_id)
        assert below == ["execute_tool record", "generate_content gemini-2.5-flash", "generate_content gemini-2.5-flash"]
    assert len({row.trace_id for row in rows.values()}) == 3


@pytest.mark.parametrize(
    ("variable", "value", "line"),
    [
        ("OTEL_TRACES_EXPORTER", "zipkin", "error: OTEL_TRACES_EXPORTER=zipkin: --otel knows otlp, console, none"),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc",
         "error: OTEL_EXPORTER_OTLP_PROTOCOL=grpc: --otel exports over OTLP/HTTP (http/protobuf) only"),
    ],
)
def test_otel_mistakes_are_one_line_and_exit_2(
    receiver: Receiver, tmp_path: Path, variable: str, value: str, line: str
) -> None:
    done = agentkit(receiver, tmp_path, "run", "examples/home.toml", "--otel", extra={variable: value})
    assert (done.returncode, done.stderr.strip(), done.stdout) == (2, line, "")


def test_a_chat_exports_a_run_per_message(receiver: Receiver, tmp_path: Path) -> None:
    import pexpect

    run_file = tmp_path / "talk.toml"
    run_file.write_text(
        'tools = ["tools.calc"]\n'
        '[[offline.turns]]\ncalls = [{ name = "calculate", args = { expression = "2 + 3" } }]\n'
        '[[offline.turns]]\ntext = "Five."\n[[offline.turns]]\ntext = "Bye then."\n'
    )
    chat = chat_on_pty([str(run_file), "--otel"], tmp_path, {"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.url})
    try:
        chat.expect("you>")
        chat.sendline("two plus three")
        chat.expect_exact("model> Five.")
        chat.expect("you>")
        chat.sendline("thanks")
        chat.expect_exact("model> Bye then.")
        chat.expect("you>")
        chat.sendeof()
        chat.expect(pexpect.EOF)
    finally:
        chat.close(force=True)
    assert chat.exitstatus == 0
    names = [span.name for span, _, _ in receiver.spans()]
    assert names.count("invoke_agent talk") == 2
    assert names.count("execute_tool calculate") == 1
