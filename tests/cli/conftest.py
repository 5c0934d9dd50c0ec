"""CLI tests run `agentkit` in process (main) or as a subprocess, always offline."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    monkeypatch.delenv("GEMINI_API_KEY", raising=False)
    monkeypatch.delenv("GOOGLE_API_KEY", raising=False)
    monkeypatch.setenv("AGENTKIT_HOME_DB", str(tmp_path / "home.db"))
    monkeypatch.setenv("AGENTKIT_SESSIONS", str(tmp_path / "sessions"))
    monkeypatch.chdir(ROOT)
    yield


def agentkit_process(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    environment = {
        k: v for k, v in os.environ.items() if k not in ("GEMINI_API_KEY", "GOOGLE_API_KEY")
    }
    environment.update(env or {})
    return subprocess.Popen(
        [sys.executable, "-m", "agentkit.cli", *args],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def write_run_file(path: Path, body: str) -> Path:
    path.write_text(body, encoding="utf-8")
    return path


def wait_until(condition: Callable[[], bool], seconds: float = 60) -> None:
    """Poll a condition the test is waiting on (bounded), instead of sleeping a fixed time."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.02)


def chat_on_pty(args: list[str], tmp_path: Path, env: dict[str, str] | None = None) -> Any:
    """``agentkit chat ARGS`` on a pseudo-terminal, offline (the developer's keys and OTEL
    settings left out; PYTHONPATH kept: it carries the loopback guard)."""
    import pexpect

    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("GEMINI_", "GOOGLE_", "OTEL_"))
    }
    environment.update(TERM="dumb", AGENTKIT_CHAT_HISTORY=str(tmp_path / "history"))
    environment.update(env or {})
    return pexpect.spawn(
        sys.executable, ["-m", "agentkit", "chat", *args], cwd=str(ROOT),
        env=environment, encoding="utf-8", timeout=30, dimensions=(40, 200),
    )
