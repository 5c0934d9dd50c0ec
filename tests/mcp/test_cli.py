"""MCP servers from the command line: ``[[mcp]]`` tables and ``mcpServers`` JSON in run
files, ``agentkit tools --mcp``, and the one-line errors of both."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import anyio
import pexpect
import pytest

from agentkit.tools import Toolset

from ..cli.conftest import chat_on_pty
from .conftest import WORKSHOP, Workshop, alive

ROOT = Path(__file__).resolve().parents[2]


def agentkit(*argv: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "agentkit", *argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )


def _toml_table(values: dict[str, str]) -> str:
    return "{ " + ", ".join(f"{key} = {json.dumps(value)}" for key, value in values.items()) + " }"


def workshop_mcp(workshop: Workshop) -> str:
    """The ``[[mcp]]`` table of the test server."""
    return f"""[[mcp]]
name = "workshop"
command = {json.dumps(sys.executable)}
args = [{json.dumps(str(WORKSHOP))}, "stdio"]
env = {_toml_table(workshop.env)}
"""


def served_home_mcp(database: Path) -> str:
    """The ``[[mcp]]`` table of ``agentkit mcp serve tools.home`` on ``database``."""
    env = {"AGENTKIT_HOME_DB": str(database), "PYTHONPATH": os.environ.get("PYTHONPATH", "")}
    return f"""[[mcp]]
name = "home"
command = {json.dumps(sys.executable)}
args = ["-m", "agentkit", "mcp", "serve", "tools.home"]
cwd = {json.dumps(str(ROOT))}
env = {_toml_table(env)}
"""


def workshop_run_file(path: Path, workshop: Workshop, turns: str, prompt: str | None = None) -> Path:
    """A run file using the test server, with these ``[[offline.turns]]`` (and a prompt)."""
    prompts = f"prompts = [{json.dumps(prompt)}]\n\n" if prompt else ""
    path.write_text(f"{prompts}{workshop_mcp(workshop)}\n{turns}", encoding="utf-8")
    return path


def chat_at_terminal(run_file: Path, tmp_path: Path) -> Any:
    """``agentkit chat RUN_FILE`` on a pseudo-terminal, offline."""
    return chat_on_pty([str(run_file)], tmp_path)


def test_a_run_file_with_an_mcp_server_runs_offline(workshop: Workshop, tmp_path: Path) -> None:
    run_file = tmp_path / "workshop.toml"
    run_file.write_text(
        f"""
prompts = ["add two and three"]

{workshop_mcp(workshop)}prefix = "w_"
include = ["add", "note/write"]

[[offline.turns]]
calls = [{{ name = "w_add", args = {{ a = 2, b = 3 }} }}]
[[offline.turns]]
text = "It is 5."
""",
        encoding="utf-8",
    )
    done = agentkit("run", str(run_file))
    assert done.returncode == 0, done.stderr
    assert '  → w_add({"a": 2, "b": 3})' in done.stdout
    assert '  ← w_add {"sum": 5}' in done.stdout
    assert "model> It is 5." in done.stdout
    assert workshop.calls == ["add [('a', 2), ('b', 3)]"]
    assert len(workshop.pids) == 1 and not alive(workshop.pids[0])


def test_a_run_shows_a_servers_progress_and_writes_it_to_the_json_transcript(
    workshop: Workshop, tmp_path: Path
) -> None:
    workshop.release()  # the server does not wait: this is about what is shown
    turns = '[[offline.turns]]\ncalls = [{ name = "steps" }]\n[[offline.turns]]\ntext = "Stepped."\n'
    run_file = workshop_run_file(tmp_path / "steps.toml", workshop, turns, prompt="step")
    transcript = tmp_path / "run.jsonl"
    done = agentkit("run", str(run_file), "--json", str(transcript))
    assert done.returncode == 0, done.stderr
    shown = [line for line in done.stdout.splitlines() if "steps" in line]
    assert shown == [
        "  → steps({})",
        "  … steps 1/2 (50%) halfway",
        "  … steps 2/2 (100%)",
        '  ← steps {"output": "all steps done"}',
    ]
    records = [json.loads(line) for line in transcript.read_text().splitlines()]
    assert [r for r in records if r["type"] == "progress"] == [
        {"type": "progress", "step": 1, "name": "steps", "id": None, "progress": 1.0,
         "total": 2.0, "message": "halfway"},
        {"type": "progress", "step": 1, "name": "steps", "id": None, "progress": 2.0,
         "total": 2.0, "message": None},
    ]


def test_the_mcp_servers_json_format_and_tools_prints_what_is_sent(
    workshop: Workshop, tmp_path: Path
) -> None:
    config = tmp_path / "servers.json"
    config.write_text(
        json.dumps(
            {
                "mcpServers": {
                    "workshop": {
                        "command": sys.executable,
                        "args": [str(WORKSHOP), "stdio"],
                        "env": workshop.env,
                        "disabled": False,  # another client's key: passed over
                    }
                }
            }
        )
    )
    printed = agentkit("tools", "--mcp-config", str(config))
    assert printed.returncode == 0, printed.stderr
    declared = json.loads(printed.stdout)["functionDeclarations"]

    async def in_process() -> list[dict[str, object]]:
        async with workshop.stdio() as server:
            return [d.to_wire() for d in Toolset([server]).declarations()]

    assert declared == anyio.run(in_process)
    assert [d["name"] for d in declared][:3] == ["add", "note_write", "wipe"]
    command_line = agentkit("tools", "tools.clock", "--mcp", f"{sys.executable} {WORKSHOP} stdio")
    assert command_line.returncode == 0, command_line.stderr
    names = [d["name"] for d in json.loads(command_line.stdout)["functionDeclarations"]]
    assert names[-len(declared) :] == [d["name"] for d in declared] and len(names) > len(declared)


@pytest.mark.parametrize(
    ("table", "line"),
    [
        (
            'command = "x"\nurl = "http://127.0.0.1:1/mcp"',
            "bad.toml: [[mcp]]: give either command (a server to start) or url (one to reach)",
        ),
        ('name = "t"\ncommand = "x"\ncolour = "red"', "MCP server 't': unknown key(s) colour; known:"),
        ('name = "t"\ncommand = "x"\ncall_timeout = -1', "MCP server 't': call_timeout must be a positive number of seconds"),
        ('name = "t"\nurl = "ftp://x"', "MCP server 't': url must be an http:// or https:// URL, not 'ftp://x'"),
        ('name = "t"\ncommand = "/no/such/server"', "error: MCP server 't': cannot start it: no such command /no/such/server"),
    ],
)
def test_mcp_mistakes_in_a_run_file_are_one_line(tmp_path: Path, table: str, line: str) -> None:
    run_file = tmp_path / "bad.toml"
    run_file.write_text(f'prompts = ["hi"]\n[[mcp]]\n{table}\n[[offline.turns]]\ntext = "x"\n')
    done = agentkit("run", str(run_file))
    assert done.returncode == 2, done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert line in last, done.stderr
    assert "Traceback" not in done.stderr


def test_a_chat_keeps_its_mcp_server_for_the_whole_conversation(
    workshop: Workshop, tmp_path: Path
) -> None:
    run_file = tmp_path / "chat.toml"
    run_file.write_text(
        f"""
{workshop_mcp(workshop)}
[[offline.turns]]
calls = [{{ name = "add", args = {{ a = 1, b = 1 }} }}]
[[offline.turns]]
text = "Two."
[[offline.turns]]
calls = [{{ name = "add", args = {{ a = 2, b = 2 }} }}]
[[offline.turns]]
text = "Four."
""",
        encoding="utf-8",
    )
    chat = chat_at_terminal(run_file, tmp_path)
    try:
        chat.expect_exact("tools: add, note_write, wipe")
        chat.expect("you>")
        chat.sendline("one plus one")
        chat.expect_exact('← add {"sum": 2}')
        chat.expect_exact("model> Two.")
        chat.expect("you>")
        chat.sendline("two plus two")
        chat.expect_exact('← add {"sum": 4}')
        chat.expect("you>")
        assert len(workshop.pids) == 1 and alive(workshop.pids[0])  # one server, kept
        chat.sendeof()
        chat.expect(pexpect.EOF)
    finally:
        chat.close(force=True)
    assert chat.exitstatus == 0
    assert not alive(workshop.pids[0])


@pytest.mark.parametrize("approve", [True, False])
def test_a_served_tools_question_is_asked_like_a_confirmation(tmp_path: Path, approve: bool) -> None:
    database = tmp_path / "home.db"
    run_file = tmp_path / "home.toml"
    run_file.write_text(
        f"""
prompts = ["let my friend in"]

{served_home_mcp(database)}
[[offline.turns]]
calls = [{{ name = "unlock_door", args = {{ door = "front" }} }}]
[[offline.turns]]
text = "Done."
""",
        encoding="utf-8",
    )
    done = agentkit("run", str(run_file), *(["--approve"] if approve else []))
    assert done.returncode == 0, done.stderr
    question = 'MCP server \'home\' asks: allow unlock_door({"door": "front"})?'
    said = "approved by --approve:" if approve else "denied (not interactive; --approve allows it):"
    assert f"  {said} {question}" in done.stdout
    locked = sqlite3.connect(database).execute("SELECT locked FROM locks WHERE door = 'front'")
    assert locked.fetchone()[0] == (0 if approve else 1)


def test_a_servers_url_is_shown_without_its_secrets() -> None:
    done = agentkit("tools", "--mcp", "http://alice:hunter2@127.0.0.1:9/mcp?api_key=zzz")
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "error: MCP server 'http://***@127.0.0.1:9/mcp?…': ConnectError: All connection attempts failed"
    )
    assert "hunter2" not in done.stderr + done.stdout and "zzz" not in done.stderr + done.stdout


def test_a_batch_starts_its_mcp_server_once_for_every_row(workshop: Workshop, tmp_path: Path) -> None:
    run_file = tmp_path / "batch.toml"
    run_file.write_text(
        f"""
prompts = ["add {{a}} and one"]

{workshop_mcp(workshop)}
[[offline.turns]]
calls = [{{ name = "add", args = {{ a = 1, b = 1 }} }}]
[[offline.turns]]
text = "Two."
""",
        encoding="utf-8",
    )
    inputs = tmp_path / "inputs.jsonl"
    inputs.write_text("".join(json.dumps({"id": f"r{n}", "a": n}) + "\n" for n in range(4)))
    out = tmp_path / "out.jsonl"
    done = agentkit("batch", str(run_file), "--inputs", str(inputs), "--out", str(out), "--concurrency", "2")
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert sorted((row["id"], row["status"], row["text"]) for row in rows) == [
        (f"r{n}", "ok", "Two.") for n in range(4)
    ]
    assert workshop.calls == ["add [('a', 1), ('b', 1)]"] * 4
    assert len(workshop.pids) == 1 and not alive(workshop.pids[0])


def test_a_chat_asks_a_served_tools_question_at_the_terminal(tmp_path: Path) -> None:
    database = tmp_path / "home.db"
    run_file = tmp_path / "chat.toml"
    run_file.write_text(
        f"""
{served_home_mcp(database)}
[[offline.turns]]
calls = [{{ name = "unlock_door", args = {{ door = "front" }} }}]
[[offline.turns]]
text = "The front door is open."
""",
        encoding="utf-8",
    )
    chat = chat_at_terminal(run_file, tmp_path)
    try:
        chat.expect("you>")
        chat.sendline("let my friend in")
        chat.expect_exact("""MCP server 'home' asks: allow unlock_door({"door": "front"})? [y/N] """)
        chat.sendline("y")
        chat.expect_exact("model> The front door is open.")
        chat.expect("you>")
        chat.sendeof()
        chat.expect(pexpect.EOF)
    finally:
        chat.close(force=True)
    assert chat.exitstatus == 0
    locked = sqlite3.connect(database).execute("SELECT locked FROM locks WHERE door = 'front'")
    assert locked.fetchone()[0] == 0


def test_a_chat_fills_in_a_servers_form_field_by_field(workshop: Workshop, tmp_path: Path) -> None:
    run_file = tmp_path / "chat.toml"
    run_file.write_text(
        f"""
{workshop_mcp(workshop)}
[[offline.turns]]
calls = [{{ name = "book" }}]
[[offline.turns]]
text = "Booked."
[[offline.turns]]
calls = [{{ name = "book" }}]
[[offline.turns]]
text = "Not booked."
""",
        encoding="utf-8",
    )
    chat = chat_at_terminal(run_file, tmp_path)
    try:
        chat.expect("you>")
        chat.sendline("book a table")
        chat.expect_exact("MCP server 'workshop' asks: Book a table")
        chat.expect_exact("Name: ")
        chat.sendline("A")
        chat.expect_exact("at least 2 characters")
        chat.expect_exact("Name: ")
        chat.sendline("Ada")
        chat.expect_exact("Guests [2]: ")
        chat.sendline("")
        chat.expect_exact("Seating — 1) Inside, 2) Terrace: ")
        chat.sendline("2")
        chat.expect_exact("Date (YYYY-MM-DD): ")
        chat.sendline("tomorrow")
        chat.expect_exact("a date, like 2026-12-31")
        chat.expect_exact("Date (YYYY-MM-DD): ")
        chat.sendline("2026-12-24")
        chat.expect_exact("Newsletter [y/n] (optional): ")
        chat.sendline("")
        chat.expect_exact('← book {"output": "booked for Ada"}')
        chat.expect_exact("model> Booked.")
        chat.expect("you>")
        # Ctrl-D in the middle of a form declines all of it; the chat goes on.
        chat.sendline("book another")
        chat.expect_exact("Name: ")
        chat.sendeof()
        chat.expect_exact("denied (no answer): MCP server 'workshop' asks: Book a table")
        chat.expect_exact('← book {"output": "not booked: the person chose decline"}')
        chat.expect("you>")
        chat.sendeof()
        chat.expect(pexpect.EOF)
    finally:
        chat.close(force=True)
    assert chat.exitstatus == 0
    assert workshop.calls == [
        "book []",
        "book accept [('date', '2026-12-24'), ('guests', 2), ('name', 'Ada'), ('seating', 'out')]",
        "book []",
        "book decline []",
    ]


@pytest.mark.parametrize("approve", [True, False])
def test_an_unattended_run_declines_a_servers_form(workshop: Workshop, tmp_path: Path, approve: bool) -> None:
    turns = '[[offline.turns]]\ncalls = [{ name = "book" }]\n[[offline.turns]]\ntext = "Not booked."\n'
    run_file = workshop_run_file(tmp_path / "book.toml", workshop, turns, prompt="book a table")
    done = agentkit("run", str(run_file), *(["--approve"] if approve else []))
    assert done.returncode == 0, done.stderr
    said = (
        "declined (--approve answers yes/no questions, and this is a form):"
        if approve
        else "denied (not interactive; --approve allows it):"
    )
    assert f"  {said} MCP server 'workshop' asks: Book a table" in done.stdout
    assert workshop.calls == ["book []", "book decline []"]
