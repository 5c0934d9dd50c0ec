"""`agentkit serve`, run as a person runs it: a subprocess, its exit code and its stderr.

Every set-up mistake is one line on stderr and exit 2; Ctrl-C stops the server cleanly; a run
file's offline turns can be served to many runs at once.
"""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from agentkit.cli import main

from .conftest import FIXTURES, ROOT, agentkit_process, write_run_file

LISTENING = re.compile(r"^agentkit emulator listening on (http://127\.0\.0\.1:\d+)")

RUN_FILE = f"""
model = "gemini-2.5-flash"
tools = ["counting_tools.py"]
tool_paths = ["{FIXTURES}"]
prompts = ["Record the start.", "Anything else?"]
[[offline.turns]]
calls = [{{ name = "record", args = {{ label = "start" }} }}]
[[offline.turns]]
text = "Recorded the start."
[[offline.turns]]
text = "Nothing else."
"""


def finished(process: subprocess.Popen[str]) -> tuple[int, str]:
    _, err = process.communicate(timeout=60)
    return process.returncode, err


@contextmanager
def serving(*args: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """`agentkit serve --port 0 ...` until the block ends; yields the process and its URL."""
    process = agentkit_process("serve", "--port", "0", *args)
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        match = LISTENING.match(line)
        assert match, line + process.stderr.read()
        yield process, match.group(1)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            process.communicate(timeout=30)


# -- set-up mistakes: exit 2, one line --------------------------------------------------------


def test_script_mistakes_are_one_line_and_exit_2(tmp_path: Path) -> None:
    bad_json = tmp_path / "bad.json"
    bad_json.write_text('["Hi",', encoding="utf-8")
    bad_toml = write_run_file(tmp_path / "bad.toml", 'prompts = ["x"\n')
    no_turns = write_run_file(tmp_path / "no-turns.toml", 'prompts = ["x"]\n')
    missing = tmp_path / "missing.json"
    try:
        tomllib.loads('prompts = ["x"\n')
    except tomllib.TOMLDecodeError as error:
        toml_error = str(error)
    cases = {
        missing: f"error: {missing}: no such script file\n",
        bad_json: f"error: {bad_json}: not valid JSON: Expecting value: line 1 column 7 (char 6)\n",
        tmp_path: f"error: {tmp_path}: is a directory, not a script file\n",
        bad_toml: f"error: {bad_toml}: not valid TOML: {toml_error}\n",
        no_turns: f"error: {no_turns}: the run file has no [[offline.turns]] to serve\n",
    }
    # Started together (each is its own `agentkit` process, as a person would run it).
    processes = {path: agentkit_process("serve", "--script", str(path)) for path in cases}
    outcomes = {path: finished(process) for path, process in processes.items()}
    assert outcomes == {path: (2, line) for path, line in cases.items()}


@pytest.mark.parametrize(
    ("file_name", "content", "message"),
    [
        ("object.json", b'{"text": "Hi"}', "the script must be a JSON list of answers, not a dict"),
        ("answers.json", b'["Hi", 2]', "answer 2: cannot use int as a scripted model answer"),
        ("binary.toml", b"\xff\xfe\x00", "not UTF-8 text (invalid start byte)"),
        ("missing.toml", None, "no such run file"),
    ],
)
def test_more_script_mistakes(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    file_name: str,
    content: bytes | None,
    message: str,
) -> None:
    path = tmp_path / file_name
    if content is not None:
        path.write_bytes(content)
    assert main(["serve", "--script", str(path)]) == 2
    assert capsys.readouterr().err == f"error: {path}: {message}\n"


@pytest.mark.parametrize("port", ["70000", "http", "-1"])
def test_a_port_that_is_no_port(capsys: pytest.CaptureFixture[str], port: str) -> None:
    assert main(["serve", "--port", port]) == 2
    assert capsys.readouterr().err == f"error: --port {port}: a port is a number from 0 to 65535\n"


def test_a_busy_port_is_one_line_naming_it() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        outcome = finished(agentkit_process("serve", "--port", str(port)))
    assert outcome == (
        2,
        f"error: cannot listen on 127.0.0.1:{port}: the address is already in use; stop what "
        "is using it or choose another --port\n",
    )


def test_without_the_emulator_extra_serve_says_what_to_install() -> None:
    # The web server's packages made unimportable, as on an install without the extra.
    hide_extra = (
        "import runpy, sys; sys.modules['starlette'] = None; sys.modules['uvicorn'] = None; "
        "sys.argv = ['agentkit', 'serve']; runpy.run_module('agentkit.cli', run_name='__main__')"
    )
    process = subprocess.run(
        [sys.executable, "-c", hide_extra],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (process.returncode, process.stderr) == (
        2,
        "error: agentkit serve needs the emulator's web server (starlette, uvicorn): "
        "pip install 'agentkit[emulator]'\n",
    )


# -- running --------------------------------------------------------------------------------


def test_ctrl_c_stops_the_server_cleanly(tmp_path: Path) -> None:
    run_file = write_run_file(tmp_path / "talk.toml", RUN_FILE)
    with serving("--script", str(run_file)) as (process, url):
        # Answered: the server is up (and its Ctrl-C handling installed) before the signal.
        assert httpx.get(f"{url}/v1beta/models").status_code == 200
        process.send_signal(signal.SIGINT)
        returncode, err = finished(process)
    assert (returncode, err) == (0, "")


def test_runs_of_one_run_file_against_one_server_all_get_the_whole_script(
    tmp_path: Path,
) -> None:
    # Three processes here (ten conversations at once: tests/emulator/test_conversation_script).
    run_file = write_run_file(tmp_path / "talk.toml", RUN_FILE)
    count = tmp_path / "count"
    with serving("--script", str(run_file), "--per-conversation") as (_, url):
        env = {"GEMINI_API_KEY": "emulator-key", "GOOGLE_GEMINI_BASE_URL": url}
        runs = [
            agentkit_process("run", str(run_file), env={**env, "COUNT_FILE": str(count)})
            for _ in range(3)
        ]
        outputs = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0] * 3, [err for _, err in outputs]
    for out, _ in outputs:
        assert "model> Recorded the start." in out
        assert "model> Nothing else." in out
    assert count.read_text().splitlines() == ["start"] * 3
