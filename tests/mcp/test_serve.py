"""``agentkit mcp serve``: agentkit's toolsets to any MCP client. The home-automation job run
through ``agentkit mcp serve tools.home`` in a subprocess ends in exactly the home state of
the same job run in process; confirmations are asked by elicitation or refused."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from agentkit import Agent, Gemini, ToolContext
from agentkit.cli.loading import load_tools
from agentkit.cli.runfile import load_run_file
from agentkit.mcp import MCPToolset
from agentkit.testing.emulator import Emulator

ROOT = Path(__file__).resolve().parents[2]
HOME_RUN = load_run_file(ROOT / "examples" / "home.toml")


def home_state(database: Path) -> dict[str, Any]:
    """Every table of the home, and its event log without the moments and run ids."""
    connection = sqlite3.connect(database)
    try:
        state: dict[str, Any] = {}
        for table in ("lights", "thermostat", "locks", "blinds", "sensors", "scenes"):
            state[table] = connection.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
        state["events"] = connection.execute(
            "SELECT tool, args, change FROM events ORDER BY id"
        ).fetchall()
        return state
    finally:
        connection.close()


def served_home(database: Path, **options: Any) -> MCPToolset:
    env = {"AGENTKIT_HOME_DB": str(database), "PYTHONPATH": os.environ.get("PYTHONPATH", "")}
    return MCPToolset.stdio(
        sys.executable, "-m", "agentkit", "mcp", "serve", "tools.home",
        env=env, cwd=ROOT, name="home", **options,
    )


async def approve(message: str, schema: dict[str, Any]) -> dict[str, Any]:
    assert message == 'allow unlock_door({"door": "front"})?'
    assert schema["required"] == ["approve"]
    return {"approve": True}


async def _home_job(emulator: Emulator, tools: list[Any], confirm: Any = None) -> list[str]:
    emulator.script(list(HOME_RUN.offline_turns or ()))
    agent = Agent(
        Gemini("gemini-2.5-flash", base_url=emulator.url),
        tools=tools,
        instructions=HOME_RUN.instructions,
        confirm=confirm,
    )
    chat = agent.chat()
    answers = []
    for prompt in HOME_RUN.prompts:
        answers.append((await chat.send(prompt)).text)
    return answers


async def test_the_home_job_through_mcp_serve_ends_in_the_same_home(
    emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    in_process_db, served_db = tmp_path / "in-process.db", tmp_path / "served.db"
    monkeypatch.setenv("AGENTKIT_HOME_DB", str(in_process_db))
    from agentkit.agent import Decision

    async def yes(request: Any) -> Decision:
        return Decision(True)

    direct = await _home_job(emulator, [load_tools(["tools.home"], [ROOT], print)], confirm=yes)
    direct_requests = [r.json["contents"][-1] for r in emulator.requests]
    emulator.reset()
    async with served_home(served_db, elicit=approve) as home:
        assert home.names == [t.name for t in load_tools(["tools.home"], [ROOT], print)]
        served = await _home_job(emulator, [home])
    served_requests = [r.json["contents"][-1] for r in emulator.requests]
    assert served == direct
    assert home_state(served_db) == home_state(in_process_db)
    assert home_state(served_db)["locks"] == [("back", 1), ("front", 0), ("garage", 1)]
    # The model read the same answers both ways (the same functionResponse contents).
    assert served_requests == direct_requests
    assert emulator.rejections == []


async def test_a_confirmation_is_refused_when_the_client_cannot_be_asked(tmp_path: Path) -> None:
    async with served_home(tmp_path / "home.db") as home:
        unlock = home.get("unlock_door")
        assert unlock is not None
        result = await unlock.invoke({"door": "front"})
    assert result.response == {
        "error": {
            "type": "denied",
            "message": (
                "unlock_door requires a person's confirmation, and this MCP client cannot ask "
                "one (it does not support elicitation); it was not run"
            ),
        }
    }
    assert home_state(tmp_path / "home.db")["locks"] == [("back", 1), ("front", 1), ("garage", 1)]


async def test_a_declined_confirmation_runs_nothing(tmp_path: Path) -> None:
    async def decline(message: str, schema: dict[str, Any]) -> dict[str, Any]:
        return {"approve": False}

    async with served_home(tmp_path / "home.db", elicit=decline) as home:
        result = await home.get("unlock_door").invoke({"door": "front"})  # type: ignore[union-attr]
        invalid = await home.get("set_light").invoke({"room": "hall", "brightness": "lots"})  # type: ignore[union-attr]
    assert result.error is not None
    assert (result.error.kind, result.error.message) == (
        "denied",
        "a person declined this call to unlock_door; it was not executed",
    )
    assert invalid.error is not None and invalid.error.kind == "invalid_arguments"
    assert home_state(tmp_path / "home.db")["locks"] == [("back", 1), ("front", 1), ("garage", 1)]


def test_serve_mistakes_are_one_line_and_exit_2() -> None:
    import socket

    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    busy = str(taken.getsockname()[1])
    for argv, line in [
        (
            ["mcp", "serve", "tools.home", "--http", busy],
            f"error: cannot listen on 127.0.0.1:{busy}: the address is already in use; stop what "
            "is using it or choose another --http PORT",
        ),
        (["mcp", "serve", "tools.home", "--http", "http"], "error: --http takes a port number from 1 to 65535, not 'http'"),
        (["mcp", "serve", "no_such_tools"], "error: cannot import tools 'no_such_tools'"),
    ]:
        done = subprocess.run(
            [sys.executable, "-m", "agentkit", *argv], cwd=ROOT, capture_output=True, text=True,
            stdin=subprocess.DEVNULL,
        )
        assert done.returncode == 2, done.stderr
        assert done.stderr.splitlines()[-1].startswith(line), done.stderr
        assert "Traceback" not in done.stderr and done.stdout == ""
    taken.close()


async def test_mcp_serve_over_http_on_loopback(tmp_path: Path) -> None:
    import socket

    from ..cli.conftest import wait_until

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    database = tmp_path / "home.db"
    env = {**os.environ, "AGENTKIT_HOME_DB": str(database)}
    server = subprocess.Popen(
        [sys.executable, "-m", "agentkit", "mcp", "serve", "tools.home", "--http", str(port)],
        cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert server.stderr is not None
        assert server.stderr.readline().strip() == f"serving 9 tools at http://127.0.0.1:{port}/mcp"

        def listening() -> bool:
            with socket.socket() as probe:
                return probe.connect_ex(("127.0.0.1", port)) == 0

        wait_until(listening)
        async with MCPToolset.http(f"http://127.0.0.1:{port}/mcp", name="home") as home:
            result = await home.get("set_light").invoke({"room": "hall", "brightness": 30})  # type: ignore[union-attr]
        assert result.ok, result.response
    finally:
        server.terminate()
        server.wait(timeout=10)
    lights = dict((room, brightness) for room, _, brightness, _ in home_state(database)["lights"])
    assert lights["hall"] == 30


async def test_served_tools_declare_their_output_schema_and_report_progress() -> None:
    served = MCPToolset.stdio(
        sys.executable, "-m", "agentkit", "mcp", "serve", str(ROOT / "tests/mcp/servers/served_tools.py"),
        env={"PYTHONPATH": os.environ.get("PYTHONPATH", "")}, cwd=ROOT, name="served",
    )
    reports: list[tuple[float, float | None, str | None]] = []
    async with served:
        declared = {item.name: item.response_json_schema for item in served.tools()}
        context = ToolContext(tool_name="measure", _progress=lambda *report: reports.append(report))
        measured = await served.get("measure").run({"rooms": ["hall", "den"]}, context)  # type: ignore[union-attr]
        tallied = await served.get("tally").invoke({"rooms": ["hall", "den"]})  # type: ignore[union-attr]
        doubled = await served.get("double").invoke({"n": 21})  # type: ignore[union-attr]
        quiet = await served.get("measure").invoke({"rooms": ["attic"]})  # type: ignore[union-attr]
    assert declared["double"] == {
        "type": "object", "properties": {"output": {"type": "integer"}}, "required": ["output"],
    }
    assert declared["tally"] == {
        "type": "object",
        "properties": {"rooms": {"type": "integer"}, "warmest": {"type": "string"}},
        "required": ["rooms", "warmest"],
    }
    assert declared["measure"]["properties"]["output"]["type"] == "array"
    # Each result matched its declared schema (the client checks it) and reads as sent.
    assert measured.response == {
        "output": [{"room": "hall", "celsius": 21.0}, {"room": "den", "celsius": 22.0}]
    }
    assert tallied.response == {"rooms": 2, "warmest": "den"}
    assert doubled.response == {"output": 42}
    assert reports == [(1.0, 2.0, "read hall"), (2.0, 2.0, "read den")]
    assert quiet.ok  # without a listener no progress is asked for, and the call still runs
