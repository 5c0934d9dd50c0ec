"""Reference MCP servers from PyPI and npm (installed by tests/mcp/install-servers.sh, which
the README's test command runs): their tools declared in both dialects without a rejection,
called for real, and two of them in one parallel turn of an agent run."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from agentkit import Agent, Gemini
from agentkit.mcp import MCPToolset
from agentkit.testing.emulator import Emulator, call

ROOT = Path(__file__).resolve().parents[2]
INSTALLED = ROOT / ".cache" / "mcp-servers"
SCOPE = "node_modules/@modelcontextprotocol"


def _installed(path: Path) -> Path:
    if not path.exists():
        pytest.fail(f"{path} is missing: run bash tests/mcp/install-servers.sh (the README's test command does)")
    return path


def time_server() -> MCPToolset:
    command = _installed(INSTALLED / "venvs/mcp-server-time/bin/mcp-server-time")
    return MCPToolset.stdio(str(command), "--local-timezone", "UTC", name="time")


def everything_server() -> MCPToolset:
    script = _installed(INSTALLED / f"npm/server-everything/{SCOPE}/server-everything/dist/index.js")
    node = shutil.which("node") or "node"
    return MCPToolset.stdio(node, str(script), "stdio", name="everything")


def filesystem_server(allowed: Path) -> MCPToolset:
    script = _installed(INSTALLED / f"npm/server-filesystem/{SCOPE}/server-filesystem/dist/index.js")
    node = shutil.which("node") or "node"
    return MCPToolset.stdio(node, str(script), str(allowed), name="filesystem")


@pytest.mark.parametrize("dialect", ["json_schema", "openapi"])
async def test_every_tool_of_three_servers_is_declared_without_a_rejection(
    emulator: Emulator, tmp_path: Path, dialect: str
) -> None:
    emulator.script(["ok"])
    async with time_server() as time, everything_server() as everything, filesystem_server(tmp_path) as files:
        counts = {server.label: len(server) for server in (time, everything, files)}
        agent = Agent(
            Gemini("gemini-2.5-flash", base_url=emulator.url),
            tools=[time, everything, files],
            schema_dialect=dialect,  # type: ignore[arg-type]
        )
        await agent.run("hello")
    assert counts == {"time": 2, "everything": 13, "filesystem": 14}
    assert emulator.rejections == []
    declared = emulator.requests[0].json["tools"][0]["functionDeclarations"]
    assert len(declared) == 29
    assert "$schema" not in json.dumps(declared)


async def test_two_third_party_servers_in_one_parallel_turn(emulator: Emulator, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("buy milk\n")
    emulator.script(
        [
            [
                call("get_current_time", timezone="UTC"),
                call("read_text_file", path=str(tmp_path / "notes.txt")),
            ],
            "It is time to buy milk.",
        ]
    )
    async with time_server() as time, filesystem_server(tmp_path) as files:
        agent = Agent(Gemini("gemini-2.5-flash", base_url=emulator.url), tools=[time, files])
        result = await agent.run("What time is it, and what do my notes say?")
    assert result.text == "It is time to buy milk."
    assert emulator.rejections == []
    answers = [part["functionResponse"] for part in emulator.requests[1].json["contents"][-1]["parts"]]
    assert [answer["name"] for answer in answers] == ["get_current_time", "read_text_file"]
    clock: dict[str, Any] = answers[0]["response"]
    assert clock["timezone"] == "UTC" and set(clock) >= {"datetime", "is_dst"}
    assert answers[1]["response"] == {"content": "buy milk\n"}


async def test_everything_servers_results_as_the_model_reads_them() -> None:
    async with everything_server() as everything:
        echoed = await everything.get("echo").invoke({"message": "hello"})  # type: ignore[union-attr]
        image = await everything.get("get-tiny-image").invoke({})  # type: ignore[union-attr]
        summed = await everything.get("get-sum").invoke({"a": 2, "b": 3})  # type: ignore[union-attr]
        bad = await everything.get("get-sum").invoke({"a": "two"})  # type: ignore[union-attr]
    assert echoed.response == {"output": "Echo: hello"}
    assert image.response["media"] == [{"mimeType": "image/png", "attached": True}]
    assert len(image.parts) == 1
    assert summed.ok and "5" in json.dumps(summed.response)
    assert bad.error is not None and bad.error.kind == "invalid_arguments"
