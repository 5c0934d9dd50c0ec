"""Ctrl-C in ``agentkit run`` while a sync tool is running: the command says it waits for the
tool's thread (Python cannot stop it) and a second Ctrl-C leaves at once — never a silent
hang, never a traceback."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from agentkit.cli.console import command_console

from .conftest import FIXTURES, ROOT, wait_until, write_run_file

WAITING = (
    "waiting for 1 tool still running in a background thread (Python cannot stop a thread); "
    "Ctrl-C leaves without waiting"
)


def _start(tmp_path: Path) -> subprocess.Popen[str]:
    run_file = write_run_file(
        tmp_path / "slow.toml",
        f'prompts = ["go"]\ntools = ["slow_tools.py"]\ntool_paths = ["{FIXTURES}"]\n'
        '[[offline.turns]]\ncalls = [{ name = "slow", args = { label = "backup" } }]\n'
        '[[offline.turns]]\ntext = "done"\n',
    )
    environment = {
        **os.environ,
        "COUNT_FILE": str(tmp_path / "count"),
        "RELEASE": str(tmp_path / "release"),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "agentkit", "run", str(run_file)],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_until(lambda: (tmp_path / "count").exists())  # the tool is running
    return process


def _err_lines(process: subprocess.Popen[str]) -> list[str]:
    assert process.stderr is not None
    return process.stderr.read().splitlines()[1:]  # after the offline banner


@pytest.mark.parametrize("then", ["second-ctrl-c", "tool-finishes"])
def test_ctrl_c_while_a_sync_tool_runs(tmp_path: Path, then: str) -> None:
    process = _start(tmp_path)
    process.send_signal(signal.SIGINT)
    assert process.stderr is not None
    lines = [process.stderr.readline().rstrip("\n") for _ in range(3)]
    assert lines[1:] == ["interrupted", WAITING]
    if then == "second-ctrl-c":
        process.send_signal(signal.SIGINT)
    else:
        (tmp_path / "release").touch()
    assert process.wait(timeout=30) == 130
    rest = process.stderr.read().splitlines()
    assert rest == (["left without waiting"] if then == "second-ctrl-c" else [])
    count = (tmp_path / "count").read_text().splitlines()
    assert count == (
        ["backup started"] if then == "second-ctrl-c" else ["backup started", "backup done"]
    )
    assert process.stdout is not None and "Traceback" not in process.stdout.read()


class _InterruptingFile(io.StringIO):
    """A terminal that gets Ctrl-C while the first line is being written to it."""

    def write(self, text: str) -> int:
        written = super().write(text)
        if self.getvalue() == text:  # the first write
            signal.raise_signal(signal.SIGINT)
        return written


def test_a_ctrl_c_during_a_print_prints_nothing_twice() -> None:
    file = _InterruptingFile()
    console = command_console(file=file)
    with pytest.raises(KeyboardInterrupt):
        console.print("waiting for 1 tool")
    console.print("left without waiting")
    assert file.getvalue() == "waiting for 1 tool\nleft without waiting\n"


def test_a_ctrl_c_during_a_print_that_fails_leaves_the_failure_to_be_reported() -> None:
    class Failing(io.StringIO):
        def write(self, text: str) -> int:
            signal.raise_signal(signal.SIGINT)
            raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space left"):
        command_console(file=Failing()).print("a line")
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
