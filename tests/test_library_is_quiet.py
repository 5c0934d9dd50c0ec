"""A program that configured no logging hears nothing from agentkit on stderr, even when a
retry or a late tool logs a warning; one that configures logging gets them."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROGRAM = textwrap.dedent(
    """
    import logging, sys
    from agentkit import Agent, Gemini
    from agentkit.models import RetryPolicy
    from agentkit.testing.emulator import Emulator, Fault

    if sys.argv[1] == "configured":
        logging.basicConfig(format="%(levelname)s %(message)s")
    retry = RetryPolicy(initial_delay=0.01, jitter=0.0)
    with Emulator(script=[Fault.rate_limited(retry_delay=0.01), "Hello."]) as emulator:
        result = Agent(Gemini(base_url=emulator.url, retry=retry)).run_sync("Hi")
    print(result.text)
    """
)


@pytest.mark.parametrize("logging_set_up", ["unconfigured", "configured"])
def test_warnings_reach_stderr_only_when_logging_is_configured(logging_set_up: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM, logging_set_up],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "Hello.\n"
    if logging_set_up == "unconfigured":
        assert done.stderr == ""
    else:
        assert done.stderr.startswith("WARNING retry operation='generateContent' attempt=1")
