"""`agentkit chat` at a real terminal ("Edges", item 3): driven through a pseudo-terminal the
way a person uses it — keystrokes in, the lines on the screen, the exit status, the home's
state and the requests the emulator recorded out."""

from __future__ import annotations

import io
import logging
import os
import platform
import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pexpect
import pytest

from agentkit.cli import main
from agentkit.cli.held_logs import held_warnings
from agentkit.cli.scripted import ScriptedTurns
from agentkit.cli.terminal import HISTORY_LIMIT, History, history_file
from agentkit.errors import APIError
from agentkit.testing.emulator import Emulator, Fault, InProcessEmulator, call
from agentkit.types import GenerateContentRequest

from .conftest import FIXTURES, ROOT, wait_until, write_run_file

OFFLINE_BANNER = re.compile(
    r"offline: no API key set — the model's turns are SCRIPTED, served by the strict emulator "
    r"at http://127\.0\.0\.1:\d+ \(turns from the run file's \[offline\] section\)"
)
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|[\x01\x02]")
HOME_TOOLS = "home_status, read_sensor, set_light, set_thermostat, lock_door, unlock_door, set_blinds, apply_scene, camera_snapshot"
UP = "\x1b[A"
# The system calls readline sleeps in while it waits for a key (select, poll and their p-forms).
WAITING_FOR_A_KEY = {"x86_64": {"7", "23", "270", "271"}, "aarch64": {"72", "73"}}.get(
    platform.machine()
)
PROMPT = re.compile(r"you>(?:\x1b\[[0-9;]*m|\x02)* ")  # with colours: "\x1b[1;36myou>\x1b[0m "
INTERRUPTED_ONE_STEP = "interrupted: turn abandoned; the conversation keeps its 1 completed step"
STILL_RUNNING = (
    "slow may still be running in a background thread (Python cannot stop a thread): it runs to "
    "its end, and its result will not reach the model"
)
DENIED = "a person declined this call to unlock_door: the user said no; it was not executed"
WAITING = "waiting for 1 tool still running in a background thread (Ctrl-C leaves without waiting)"


class Terminal:
    """``python ARGV`` (``-m agentkit chat ...``) on a pseudo-terminal, and all it showed."""

    def __init__(
        self, tmp_path: Path, argv: list[str], env: dict[str, str], term: str = "dumb"
    ) -> None:
        environment = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("GEMINI_", "GOOGLE_", "AGENTKIT_"))
        }  # PYTHONPATH stays: it carries the loopback guard into the chat
        environment.update(
            TERM=term,
            AGENTKIT_HOME_DB=str(tmp_path / "home.db"),
            AGENTKIT_SESSIONS=str(tmp_path / "sessions"),
            AGENTKIT_CHAT_HISTORY=str(tmp_path / "chat_history"),
            XDG_DATA_HOME=str(tmp_path / "data"),
            COUNT_FILE=str(tmp_path / "count"),
            RELEASE=str(tmp_path / "release"),
        )
        environment.update(env)
        self.screen = io.StringIO()
        self.child = pexpect.spawn(
            sys.executable,
            argv,
            cwd=str(ROOT),
            env=environment,
            encoding="utf-8",
            timeout=30,
            dimensions=(40, 250),
        )
        self.child.logfile_read = self.screen

    def prompt(self, timeout: float = 30) -> None:
        self.child.expect(PROMPT, timeout=timeout)

    def interrupt_at_prompt(self) -> None:
        """Ctrl-C at a prompt or a question, once the chat is waiting for a key.

        Python's readline only looks for a signal when its wait for a key is interrupted: a
        Ctrl-C that lands in the microseconds between printing the prompt and that wait is
        seen at the next key. No person is that quick; a test that presses Ctrl-C the moment
        the prompt's bytes arrive is, so it waits until the chat sleeps in that wait.
        """
        wait_until(self._waiting_for_a_key)
        self.child.sendintr()

    def _waiting_for_a_key(self) -> bool:
        task = Path(f"/proc/{self.child.pid}/task/{self.child.pid}")
        state = (task / "stat").read_text().rsplit(")", 1)[1].split()[0]
        if state != "S":
            return False
        if WAITING_FOR_A_KEY is None:  # a machine whose numbers are not listed: asleep will do
            return True
        return (task / "syscall").read_text().split()[0] in WAITING_FOR_A_KEY

    def see(self, text: str, timeout: float = 30) -> None:
        self.child.expect_exact(text, timeout=timeout)

    def say(self, text: str) -> None:
        self.child.sendline(text)

    def exchange(self, text: str, answer: str) -> None:
        """Send a line, see ``answer`` on the screen, and wait for the next prompt."""
        self.say(text)
        self.see(answer)
        self.prompt()

    def exit_status(self) -> int:
        self.child.expect(pexpect.EOF)
        self.child.close()
        assert "Traceback" not in self.screen.getvalue(), self.screen.getvalue()
        assert self.child.exitstatus is not None, "the chat was killed by a signal"
        return self.child.exitstatus

    @property
    def lines(self) -> list[str]:
        """The screen's lines, without colours or carriage returns."""
        text = ANSI.sub("", self.screen.getvalue()).replace("\r", "")
        return [line.rstrip() for line in text.split("\n")]

    def lines_from(self, first: str, count: int) -> list[str]:
        """``count`` lines of the screen, from the first line that is ``first``."""
        lines = self.lines
        at = lines.index(first)
        return lines[at : at + count]

    def close(self) -> None:
        if self.child.isalive():
            self.child.terminate(force=True)


@pytest.fixture
def terminals() -> Iterator[list[Terminal]]:
    started: list[Terminal] = []
    yield started
    for terminal in started:
        terminal.close()


@pytest.fixture
def chat_at(tmp_path: Path, terminals: list[Terminal]) -> Any:
    def start(*args: str, env: dict[str, str] | None = None, term: str = "dumb") -> Terminal:
        terminal = Terminal(tmp_path, ["-m", "agentkit", "chat", *args], env or {}, term)
        terminals.append(terminal)
        return terminal

    return start


def remote(emulator: Emulator) -> dict[str, str]:
    """Point the chat at the test's emulator, as a proxy would be (a key, another base URL)."""
    return {"GOOGLE_GEMINI_BASE_URL": emulator.url, "GEMINI_API_KEY": "test-key-not-a-secret"}


def run_file(tmp_path: Path, turns: str = "", tools: str = '"tools.home"') -> Path:
    return write_run_file(
        tmp_path / "chat.toml", f'tools = [{tools}]\ntool_paths = ["{ROOT}", "{FIXTURES}"]\n{turns}'
    )


def texts(request_json: dict[str, Any]) -> list[Any]:
    """A request's contents, each as its role and the short form of its parts."""
    shown = []
    for content in request_json["contents"]:
        parts = []
        for part in content["parts"]:
            if "text" in part:
                parts.append(part["text"])
            elif "functionCall" in part:
                parts.append(("call", part["functionCall"]["name"], part["functionCall"]["args"]))
            elif "functionResponse" in part:
                parts.append(
                    (
                        "response",
                        part["functionResponse"]["name"],
                        part["functionResponse"]["response"],
                    )
                )
        shown.append((content.get("role", "user"), parts))
    return shown


def home(tmp_path: Path, query: str) -> Any:
    """One value of the home's state, read from its SQLite database."""
    return sqlite3.connect(tmp_path / "home.db").execute(query).fetchone()[0]


def front_door_locked(tmp_path: Path) -> bool:
    return bool(home(tmp_path, "SELECT locked FROM locks WHERE door = 'front'"))


def counted(tmp_path: Path) -> list[str]:
    path = tmp_path / "count"
    return path.read_text().splitlines() if path.exists() else []


# -- a normal turn, leaving ---------------------------------------------------------------------


def test_a_turn_with_a_tool_call_and_ctrl_d_leaves(tmp_path: Path, chat_at: Any) -> None:
    chat = chat_at("examples/home.toml")
    chat.prompt()
    chat.say("Movie night, please")
    chat.prompt()
    chat.child.sendeof()
    assert chat.exit_status() == 0
    lines = chat.lines
    assert OFFLINE_BANNER.fullmatch(lines[0])
    assert lines[1:6] == [
        "9 scripted turns, served in order whatever you type; set GEMINI_API_KEY to talk to gemini-2.5-flash",
        f"tools: {HOME_TOOLS} · Ctrl-C stops a turn · exit or Ctrl-D leaves",
        "you> Movie night, please",
        '  → apply_scene({"name": "movie night"})',
        lines[5],
    ]
    assert lines[5].startswith(
        '  ← apply_scene {"scene": "movie night", "changes": ["living room light on at 15% (warm)"'
    )
    assert (
        lines[6]
        == "model> Movie night is set: the living room light is at 15% warm, the kitchen light is off and the blinds are closed."
    )
    assert lines[7].startswith("  completed · 2 model call(s) · 1 tool call(s) · ")
    assert lines[8:] == ["you>", "bye", ""]
    assert home(tmp_path, "SELECT brightness FROM lights WHERE room = 'living room'") == 15


@pytest.mark.parametrize("word", ["exit", "quit"])
def test_exit_and_quit_leave(chat_at: Any, word: str) -> None:
    chat = chat_at("examples/home.toml")
    chat.prompt()
    chat.say(word)
    assert chat.exit_status() == 0
    assert chat.lines[-3:] == [f"you> {word}", "bye", ""]


# -- Ctrl-C --------------------------------------------------------------------------------------


def test_ctrl_c_at_the_prompt_drops_the_line_and_never_leaves(
    emulator: Emulator, chat_at: Any
) -> None:
    emulator.script(["Hello."])
    chat = chat_at(env=remote(emulator))
    chat.prompt()
    chat.child.send("half a thought")
    chat.see("half a thought")
    chat.interrupt_at_prompt()
    chat.prompt()
    chat.interrupt_at_prompt()  # again, at an empty prompt: still no exit
    chat.prompt()
    chat.interrupt_at_prompt()
    chat.prompt()
    assert chat.child.isalive()
    chat.exchange("hi", "model> Hello.")
    chat.say("exit")
    assert chat.exit_status() == 0
    # The dropped line was never sent: one request, carrying only "hi".
    assert [texts(r.json) for r in emulator.requests] == [[("user", ["hi"])]]


def test_ctrl_c_mid_turn_returns_at_once_and_keeps_the_completed_steps(
    tmp_path: Path, emulator: Emulator, chat_at: Any
) -> None:
    emulator.script([[call("record", label="one")], [call("slow", label="two")], "Done."])
    file = run_file(tmp_path, tools='"counting_tools.py", "slow_tools.py"')
    chat = chat_at(str(file), env=remote(emulator))
    chat.prompt()
    chat.say("first")
    chat.see('  → slow({"label": "two"})')
    wait_until(lambda: "two started" in counted(tmp_path))
    interrupted = time.monotonic()
    chat.child.sendintr()
    chat.prompt(timeout=5)
    assert time.monotonic() - interrupted < 5  # the tool blocks for 60 s: nobody waited for it
    chat.exchange("second", "model> Done.")
    # The tool thread is still running: leaving says so and waits for it.
    chat.say("exit")
    chat.see(WAITING)
    (tmp_path / "release").touch()
    chat.see("slow finished in its background thread after")
    assert chat.exit_status() == 0

    assert chat.lines_from('  → record({"label": "one"})', 7) == [
        '  → record({"label": "one"})',
        '  ← record {"output": "recorded one"}',
        '  → slow({"label": "two"})',
        "^C",  # the terminal's echo of Ctrl-C
        INTERRUPTED_ONE_STEP,
        STILL_RUNNING,
        "you> second",
    ]
    assert counted(tmp_path) == ["one", "two started", "two done"]
    # The next message carries the first turn's completed step, not the abandoned one.
    assert texts(emulator.requests[2].json) == [
        ("user", ["first"]),
        ("model", [("call", "record", {"label": "one"})]),
        ("user", [("response", "record", {"output": "recorded one"})]),
        ("user", ["second"]),
    ]


def test_ctrl_c_while_leaving_does_not_wait_for_a_tool_thread(
    tmp_path: Path, emulator: Emulator, chat_at: Any
) -> None:
    emulator.script([[call("slow", label="forever")]])
    chat = chat_at(str(run_file(tmp_path, tools='"slow_tools.py"')), env=remote(emulator))
    chat.prompt()
    chat.say("go")
    wait_until(lambda: "forever started" in counted(tmp_path))
    chat.child.sendintr()
    chat.prompt(timeout=5)
    chat.child.sendeof()
    chat.see(WAITING)
    chat.child.sendintr()
    chat.see("left without waiting")
    assert chat.exit_status() == 130
    assert counted(tmp_path) == ["forever started"]


def test_ctrl_c_while_the_model_is_slow_to_answer(emulator: Emulator, chat_at: Any) -> None:
    emulator.script([Fault.delay(30, "Too late."), "Hello again."])
    chat = chat_at(env=remote(emulator))
    chat.prompt()
    chat.say("hello")
    wait_until(lambda: len(emulator.requests) == 1)
    interrupted = time.monotonic()
    chat.child.sendintr()
    chat.prompt(timeout=5)
    assert time.monotonic() - interrupted < 5
    chat.exchange("hello?", "model> Hello again.")
    chat.child.sendeof()
    assert chat.exit_status() == 0
    assert "interrupted: turn abandoned; the conversation is as it was before it" in chat.lines
    assert texts(emulator.requests[1].json) == [("user", ["hello?"])]


# -- confirmation --------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["ctrl-c", "ctrl-d"])
def test_ctrl_c_or_ctrl_d_at_the_question_denies(
    tmp_path: Path, emulator: Emulator, chat_at: Any, key: str
) -> None:
    emulator.script([[call("unlock_door", door="front")], "The front door stays locked.", "Bye!"])
    chat = chat_at(str(run_file(tmp_path)), env=remote(emulator))
    chat.prompt()
    chat.say("Let my friend in")
    chat.see('allow unlock_door({"door": "front"})? [y/N] ')
    if key == "ctrl-c":
        chat.interrupt_at_prompt()
    else:
        chat.child.sendeof()
    chat.see("model> The front door stays locked.")
    chat.prompt()
    chat.say("thanks")  # the chat goes on
    chat.see("model> Bye!")
    chat.prompt()
    chat.say("exit")
    assert chat.exit_status() == 0
    assert chat.lines_from('  → unlock_door({"door": "front"})', 5) == [
        '  → unlock_door({"door": "front"})',
        '  allow unlock_door({"door": "front"})? [y/N]',
        '  denied (no answer): unlock_door({"door": "front"})',
        f'  ✗ unlock_door {{"type": "denied", "message": "{DENIED}"}}',
        "model> The front door stays locked.",
    ]
    assert front_door_locked(tmp_path)
    # The model received the denial.
    denial = {"error": {"type": "denied", "message": DENIED}}
    assert texts(emulator.requests[1].json)[-1] == ("user", [("response", "unlock_door", denial)])


def test_yes_at_the_question_approves(tmp_path: Path, emulator: Emulator, chat_at: Any) -> None:
    emulator.script([[call("unlock_door", door="front")], "The front door is open."])
    chat = chat_at(str(run_file(tmp_path)), env=remote(emulator))
    chat.prompt()
    chat.say("Let my friend in")
    chat.see("[y/N] ")
    chat.exchange("y", "model> The front door is open.")
    chat.say("exit")
    assert chat.exit_status() == 0
    assert not front_door_locked(tmp_path)


# -- errors --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "line"),
    [
        (
            Fault.per_day_quota(),
            "RateLimitError: 429 RESOURCE_EXHAUSTED: You exceeded your current quota, please check your plan and billing details. Please retry in 30.0s.",
        ),
        (Fault.server_error(501), "ServerError: 501 UNKNOWN: Server error."),
    ],
)
def test_an_api_error_is_one_line_and_the_chat_goes_on(
    tmp_path: Path, emulator: Emulator, chat_at: Any, fault: Fault, line: str
) -> None:
    emulator.script(["Hello.", [call("record", label="two")], fault, "Back again."])
    chat = chat_at(str(run_file(tmp_path, tools='"counting_tools.py"')), env=remote(emulator))
    chat.prompt()
    chat.exchange("first", "model> Hello.")
    chat.exchange("second", line)
    chat.exchange("third", "model> Back again.")
    chat.child.sendeof()
    assert chat.exit_status() == 0
    assert chat.lines_from("you> second", 5) == [
        "you> second",
        '  → record({"label": "two"})',
        '  ← record {"output": "recorded two"}',
        line,
        "you> third",
    ]
    # The next message is sent with the same history plus the failed turn's completed step.
    assert texts(emulator.requests[-1].json) == [
        ("user", ["first"]),
        ("model", ["Hello."]),
        ("user", ["second"]),
        ("model", [("call", "record", {"label": "two"})]),
        ("user", [("response", "record", {"output": "recorded two"})]),
        ("user", ["third"]),
    ]


# -- offline -------------------------------------------------------------------------------------


def test_offline_scripted_turns_used_up(tmp_path: Path, chat_at: Any) -> None:
    turns = '[[offline.turns]]\ncalls = [{ name = "record", args = { label = "one" } }]\n[[offline.turns]]\ntext = "Recorded."\n'
    chat = chat_at(str(run_file(tmp_path, turns, tools='"counting_tools.py"')))
    chat.prompt()
    chat.say("record something")
    chat.see("model> Recorded.")
    for message in ("and another thing", "hello?"):
        chat.prompt()
        chat.say(message)
    chat.prompt()
    chat.say("exit")
    assert chat.exit_status() == 0
    used_up = (
        "offline, answers are scripted and the script's 2 turns are used up, so this message "
        "was not sent; set GEMINI_API_KEY to talk to gemini-2.5-flash (or type exit)"
    )
    scripted = "2 scripted turns, served in order whatever you type; set GEMINI_API_KEY to talk to gemini-2.5-flash"
    assert chat.lines[1] == scripted
    assert chat.lines_from("you> and another thing", 5) == [
        "you> and another thing",
        used_up,
        "you> hello?",
        used_up,
        "you> exit",
    ]
    assert counted(tmp_path) == ["one"]


def test_offline_script_running_out_mid_answer(tmp_path: Path, chat_at: Any) -> None:
    turns = '[[offline.turns]]\ncalls = [{ name = "record", args = { label = "one" } }]\n'
    chat = chat_at(str(run_file(tmp_path, turns, tools='"counting_tools.py"')))
    chat.prompt()
    chat.say("record something")
    chat.prompt()
    chat.say("more")
    chat.prompt()
    chat.child.sendeof()
    assert chat.exit_status() == 0
    assert chat.lines_from("you> record something", 6) == [
        "you> record something",
        '  → record({"label": "one"})',
        '  ← record {"output": "recorded one"}',
        "offline, answers are scripted and the script's 1 turn ran out in the middle of this answer; set GEMINI_API_KEY to talk to gemini-2.5-flash (or type exit)",
        "you> more",
        "offline, answers are scripted and the script's 1 turn is used up, so this message was not sent; set GEMINI_API_KEY to talk to gemini-2.5-flash (or type exit)",
    ]
    assert "emulator script exhausted" not in chat.screen.getvalue()


def test_no_run_file_offline_says_so_before_the_prompt(chat_at: Any) -> None:
    chat = chat_at()
    assert chat.exit_status() == 2
    assert chat.lines == [
        "error: no GEMINI_API_KEY or GOOGLE_API_KEY is set, so no model can answer: offline, a "
        "chat's answers are scripted by a run file's [[offline.turns]] (e.g. agentkit chat "
        "examples/home.toml); set GEMINI_API_KEY to talk to gemini-2.5-flash",
        "",
    ]


# -- the line editor -----------------------------------------------------------------------------


def test_history_is_recalled_with_the_up_arrow_in_the_next_chat(
    tmp_path: Path, emulator: Emulator, chat_at: Any
) -> None:
    emulator.script([[call("unlock_door", door="front")], "It stays locked.", "Still locked."])
    file = str(run_file(tmp_path))
    first = chat_at(file, env=remote(emulator))
    first.prompt()
    first.say("Let my friend in")
    first.see("[y/N] ")
    first.say("n")  # an answer, not a message: it stays out of the history
    first.prompt()
    first.say("exit")
    assert first.exit_status() == 0

    second = chat_at(file, env=remote(emulator))
    second.prompt()
    second.child.send(UP + UP)  # "exit", then the message before it
    second.see("Let my friend in")
    second.child.send("\r")
    second.see("model> Still locked.")
    second.prompt()
    second.child.sendeof()
    assert second.exit_status() == 0
    assert texts(emulator.requests[-1].json) == [("user", ["Let my friend in"])]
    assert (tmp_path / "chat_history").read_text().splitlines() == [
        "Let my friend in",
        "exit",
        "Let my friend in",
    ]
    assert (tmp_path / "chat_history").stat().st_mode & 0o777 == 0o600


def test_a_long_line_and_a_resize_while_typing(
    tmp_path: Path, emulator: Emulator, chat_at: Any
) -> None:
    emulator.script(["Got it."])
    chat = chat_at(env=remote(emulator), term="xterm-256color")
    chat.prompt()
    long_line = " ".join(f"word{n}" for n in range(600))  # ~4,400 characters, many screen rows
    half = len(long_line) // 2
    chat.child.send(long_line[:half])
    chat.see(long_line[half - 20 : half])
    chat.child.setwinsize(20, 60)  # SIGWINCH in the middle of the line
    chat.child.send(long_line[half:])
    chat.see(long_line[-20:])
    chat.child.send("\r")
    chat.see("Got it.")
    chat.prompt()
    chat.child.sendeof()
    assert chat.exit_status() == 0
    assert texts(emulator.requests[0].json) == [("user", [long_line])]


# -- not a terminal ------------------------------------------------------------------------------


def test_piped_stdin_is_a_conversation_that_ends_0(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GEMINI_", "GOOGLE_"))}
    env["AGENTKIT_HOME_DB"] = str(tmp_path / "home.db")
    done = subprocess.run(
        [sys.executable, "-m", "agentkit", "chat", "examples/home.toml"],
        cwd=ROOT,
        env=env,
        input="hi\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[:2] == ["you> hi", '  → apply_scene({"name": "movie night"})']
    assert (
        lines[3]
        == "model> Movie night is set: the living room light is at 15% warm, the kitchen light is off and the blinds are closed."
    )
    assert lines[5:] == ["you> "]
    assert done.stderr.splitlines()[-1] == "bye"
    assert "Traceback" not in done.stderr


def test_piped_answers_and_the_end_of_input_at_a_question(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    turns = (
        '[[offline.turns]]\ncalls = [{ name = "unlock_door", args = { door = "front" } }]\n'
        '[[offline.turns]]\ntext = "The front door is open."\n'
        '[[offline.turns]]\ncalls = [{ name = "lock_door", args = { door = "front" } }]\n'
        '[[offline.turns]]\ntext = "Locked again."\n'
        '[[offline.turns]]\ncalls = [{ name = "unlock_door", args = { door = "front" } }]\n'
        '[[offline.turns]]\ntext = "It stays locked."\n'
    )
    monkeypatch.setattr("sys.stdin", io.StringIO("Let my friend in\ny\nLock it\nOnce more\n"))
    assert main(["chat", str(run_file(tmp_path, turns))]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[:4] == [
        "you> Let my friend in",
        '  → unlock_door({"door": "front"})',
        '  allow unlock_door({"door": "front"})? [y/N] y',
        '  ← unlock_door {"door": "front", "locked": false}',
    ]
    assert "model> The front door is open." in out and "model> Locked again." in out
    # The input ended at the second question: that is a no, and the chat ends 0.
    at = out.index("you> Once more")
    assert out[at + 2 : at + 4] == [
        '  allow unlock_door({"door": "front"})? [y/N] ',
        '  denied (no answer): unlock_door({"door": "front"})',
    ]
    assert "model> It stays locked." in out
    assert front_door_locked(tmp_path)


def test_the_home_assistant_example_is_the_same_terminal_chat(
    tmp_path: Path, terminals: list[Terminal]
) -> None:
    chat = Terminal(tmp_path, ["examples/home_assistant.py"], {})
    terminals.append(chat)
    chat.prompt()
    chat.interrupt_at_prompt()
    chat.prompt()
    chat.exchange("movie night", "model> Movie night is on")
    chat.say("let my friend in")
    chat.see("[y/N] ")
    chat.interrupt_at_prompt()
    chat.see("model> Done.")
    chat.prompt()
    chat.say("anything else?")
    chat.prompt()
    chat.child.sendeof()
    assert chat.exit_status() == 0
    assert (
        "offline, answers are scripted and the script's 4 turns are used up, so this message was not sent; set GEMINI_API_KEY to talk to gemini-2.5-flash (or type exit)"
        in chat.lines
    )
    assert front_door_locked(tmp_path)


# -- the history file ----------------------------------------------------------------------------


def test_where_the_history_lives(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("AGENTKIT_CHAT_HISTORY", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert history_file() == tmp_path / "xdg" / "agentkit" / "chat_history"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert history_file() == tmp_path / "home" / ".local" / "share" / "agentkit" / "chat_history"
    monkeypatch.setenv("AGENTKIT_CHAT_HISTORY", str(tmp_path / "mine"))
    assert history_file() == tmp_path / "mine"
    monkeypatch.setenv("AGENTKIT_CHAT_HISTORY", "")
    assert history_file() is None  # an empty value keeps no file


@pytest.fixture
def readline_history() -> Iterator[Any]:
    readline = pytest.importorskip("readline")
    readline.clear_history()
    yield readline
    readline.clear_history()
    readline.set_history_length(-1)


def test_the_history_file_is_appended_to_and_trimmed(tmp_path: Path, readline_history: Any) -> None:
    path = tmp_path / "deep" / "chat_history"
    history = History.load(path)
    assert history is not None and path.stat().st_mode & 0o777 == 0o600
    for line in ["one", "two", "two", "three"]:
        history.add(line)
    assert path.read_text().splitlines() == ["one", "two", "three"]  # a repeat is kept once

    path.write_text("".join(f"line {n}\n" for n in range(HISTORY_LIMIT + 50)))
    readline_history.clear_history()
    History.load(path)
    lines = path.read_text().splitlines()
    assert len(lines) == HISTORY_LIMIT and lines[-1] == f"line {HISTORY_LIMIT + 49}"


def test_a_history_file_that_cannot_be_written_is_given_up_quietly(
    tmp_path: Path, readline_history: Any
) -> None:
    blocker = tmp_path / "a file"
    blocker.write_text("")
    history = History.load(blocker / "chat_history")  # its folder cannot be made
    assert history is not None and history.path is None
    history.add("still remembered")
    assert (
        readline_history.get_history_item(readline_history.get_current_history_length())
        == "still remembered"
    )


def test_no_readline_means_no_line_editing_not_a_failure(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "readline", None)  # import readline now raises ImportError
    assert History.load(tmp_path / "chat_history") is None


# -- the pieces ----------------------------------------------------------------------------------


async def test_the_in_process_emulator_running_out_is_recognised_too() -> None:
    """Without the emulator's web server (no `emulator` extra) the script is served in
    process; its refusal of one request too many is recognised as the script running out."""
    emulator = InProcessEmulator([[call("record", label="one")]])
    script = ScriptedTurns(1, lambda: emulator.script_remaining, "gemini-2.5-flash")
    request = GenerateContentRequest.model_validate(
        {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}
    )
    await emulator.generate(request)
    assert script.used_up()
    with pytest.raises(APIError) as refused:
        await emulator.generate(request)
    assert script.ran_out(refused.value)
    assert not script.ran_out(APIError(500, "An internal error has occurred.", status="INTERNAL"))


def test_warnings_wait_for_the_main_thread(caplog: pytest.LogCaptureFixture) -> None:
    log = logging.getLogger("agentkit")
    with held_warnings() as held:
        assert held is not None
        log.warning(
            "x", extra={"agentkit": {"event": "tool.finished_late", "tool": "slow", "after_s": 2.5}}
        )
        log.warning("retry attempt=2")
        log.info("not a warning")
        assert held.take() == [
            "slow finished in its background thread after 2.5 s; its result was not used",
            "warning: retry attempt=2",
        ]
        assert held.take() == []
    assert held not in log.handlers
    # Someone asked for the log as it happens (--log-level): it is not held.
    log.addHandler(handler := logging.StreamHandler(io.StringIO()))
    try:
        with held_warnings() as none:
            assert none is None
    finally:
        log.removeHandler(handler)


@pytest.mark.parametrize("key", ["ctrl-d", "n"])
def test_a_runs_question_at_a_terminal_takes_ctrl_d_as_no(tmp_path: Path, key: str) -> None:
    """``agentkit run`` asks at a terminal too; Ctrl-D there is no answer, a denial."""
    terminal = Terminal(tmp_path, ["-m", "agentkit", "run", "examples/home.toml"], {})
    terminal.child.expect_exact('allow unlock_door({"door": "front"})? [y/N] ')
    if key == "ctrl-d":
        terminal.child.sendeof()
        terminal.child.expect_exact('denied (no answer): unlock_door({"door": "front"})')
    else:
        terminal.child.sendline("n")
    terminal.child.expect(pexpect.EOF)
    terminal.child.close()
    assert terminal.child.exitstatus == 0, terminal.screen.getvalue()
    assert "Traceback" not in terminal.screen.getvalue()
    assert DENIED in terminal.screen.getvalue()
    locked = sqlite3.connect(tmp_path / "home.db").execute(
        "SELECT locked FROM locks WHERE door = 'front'"
    )
    assert locked.fetchone()[0] == 1
