"""What ``from agentkit import Agent, Gemini, tool`` loads, in a fresh interpreter.

A program that builds an agent pays, at start-up, only for what a run needs. These tests
fail as soon as an eager import brings back one of the heavy modules (the CLI's rich, the
emulator, MCP, OpenTelemetry, starlette, DBOS, ...); the import's time itself is measured by
``benchmarks/import_weight.py``, not here (the machine is shared and noisy).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Loaded on first use only. Each is a module a plain run never needs at import: the CLIs
# and their terminal libraries (httpx's own CLI brings rich, click and pygments), the test
# emulator, the optional integrations, the Batch/Files/cache resources, the docstring
# parsers (loaded with the first tool), httpx's transport (loaded with the first client).
NOT_LOADED = frozenset(
    {
        "rich",
        "click",
        "pygments",
        "httpx._main",
        "structlog",
        "mcp",
        "opentelemetry",
        "starlette",
        "uvicorn",
        "dbos",
        "docstring_parser",
        "importlib.metadata",
        "pydantic.root_model",
        "httpcore",
        "h11",
        "agentkit.cli",
        "agentkit.mcp",
        "agentkit.web",
        "agentkit.scale",
        "agentkit.sessions",
        "agentkit.telemetry",
        "agentkit.testing",
        "agentkit.testing.emulator",
        "agentkit.models.pool",
        "agentkit.models.files",
        "agentkit.models.batches",
        "agentkit.models.caches",
        "agentkit.types.batches",
        "agentkit.types.caches",
        "agentkit.types.files",
        "agentkit.tools.docstrings",
    }
)


def _run(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def test_the_usual_import_loads_none_of_the_heavy_modules() -> None:
    names = json.dumps(sorted(NOT_LOADED))
    loaded = _run(
        f"""
        import json, sys
        from agentkit import Agent, Gemini, tool
        print(json.dumps(sorted(name for name in {names} if name in sys.modules)))
        """
    )
    assert json.loads(loaded) == []


def test_what_is_deferred_still_loads_when_used() -> None:
    # The deferred pieces are the same objects as before, reached on first use: a tool
    # parses its docstring, a model builds its validator, the types' lazy names resolve.
    loaded = _run(
        """
        import json, sys
        from agentkit import tool
        from agentkit.types import Content, File, ListBatchesResponse

        @tool
        def add(a: int, b: int) -> int:
            '''Add.

            Args:
                a: first.
                b: second.
            '''
            return a + b

        content = Content.model_validate({"role": "user", "parts": [{"text": "hi"}]})
        print(json.dumps([
            add.declaration.to_wire()["parametersJsonSchema"]["properties"]["a"]["description"],
            content.parts[0].text,
            File.__module__,
            ListBatchesResponse.__module__,
            "docstring_parser" in sys.modules,
        ]))
        """
    )
    assert json.loads(loaded) == [
        "first.",
        "hi",
        "agentkit.types.files",
        "agentkit.types.batches",
        True,
    ]


def test_every_public_name_imports() -> None:
    loaded = _run(
        """
        import json
        import agentkit, agentkit.types
        missing = [n for n in agentkit.__all__ if getattr(agentkit, n, None) is None]
        missing += [n for n in agentkit.types.__all__ if getattr(agentkit.types, n, None) is None]
        exec("from agentkit import " + ", ".join(agentkit.__all__))
        exec("from agentkit.types import " + ", ".join(agentkit.types.__all__))
        print(json.dumps([missing, len(agentkit.__all__), len(agentkit.types.__all__)]))
        """
    )
    missing, count, types_count = json.loads(loaded)
    assert missing == []
    assert count > 20 and types_count > 50


def test_httpx_still_imports_its_cli_so_the_stand_in_is_still_needed() -> None:
    # What agentkit.models.lean_httpx leans on: ``import httpx`` loads ``httpx._main`` (and
    # with it rich). When a release stops doing that, this fails: the stand-in can go.
    loaded = _run(
        """
        import sys
        import httpx
        print("httpx._main" in sys.modules and "rich" in sys.modules)
        """
    )
    assert loaded == "True"


def test_httpx_cli_is_the_real_one_once_used() -> None:
    loaded = _run(
        """
        import json, sys
        import agentkit.models
        import httpx
        before = "rich" in sys.modules
        name = httpx.main.name  # the click command, loaded now
        import httpx._main
        print(json.dumps([before, name, type(httpx._main.main).__name__, "rich" in sys.modules]))
        """
    )
    assert json.loads(loaded) == [False, "main", "Command", True]
