"""Shared by the batch tests: run files, inputs, the command line, reading the results file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .conftest import FIXTURES

# Offline: every row replays these turns (a tool call, then text).
SCRIPTED_RUN_FILE = f"""
instructions = "Record the request, then confirm."
tools = ["counting_tools.py"]
tool_paths = ["{FIXTURES}"]
prompts = ["Please handle: {{prompt}} (customer {{customer}})"]
[[offline.turns]]
calls = [{{ name = "record", args = {{ label = "step" }} }}]
[[offline.turns]]
text = "Recorded."
"""

# Live (against the emulator): the row's prompt is sent as it is, so a responder can tell rows apart.
LIVE_RUN_FILE = 'prompts = ["{prompt}"]\n'


def make_inputs(path: Path, count: int) -> Path:
    lines = [
        json.dumps({"id": f"req-{n:03d}", "prompt": f"task {n}", "customer": f"c{n % 7}"})
        for n in range(count)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def result_lines(path: Path) -> list[dict[str, Any]]:
    """The results file's records; split on newlines only, as the batch itself reads it."""
    return [json.loads(line) for line in path.read_bytes().split(b"\n") if line]


def batch_args(run_file: Path, inputs: Path, out: Path, *extra: str) -> list[str]:
    return ["batch", str(run_file), "--inputs", str(inputs), "--out", str(out), *extra]


def ok_line(key: str, text: str = "fine") -> bytes:
    return (
        json.dumps({"id": key, "status": "ok", "text": text}, ensure_ascii=False).encode() + b"\n"
    )


def error_line(key: str, kind: str = "ServerError") -> bytes:
    record = {"id": key, "status": "error", "error": {"type": kind, "message": "503 UNAVAILABLE"}}
    return json.dumps(record).encode() + b"\n"
