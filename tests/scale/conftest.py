"""Fixtures for durable runs and queues: a throwaway Postgres cluster, the emulator serving a
run file's turns to every conversation, and helpers to read the tool's side-effect logs."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agentkit.testing.postgres import new_database, postgres_binaries, throwaway_cluster
from tests.cli.conftest import ROOT, agentkit_process, wait_until

HERE = Path(__file__).parent


@pytest.fixture(scope="session")
def postgres() -> Iterator[str]:
    """A Postgres cluster of its own on 127.0.0.1 for the session; its URL."""
    if postgres_binaries() is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed (.ci/run installs it)")
        pytest.skip("PostgreSQL is not installed")
    with throwaway_cluster() as url:
        yield url


@pytest.fixture
def fresh_database(postgres: str) -> str:
    """A database of its own for one test, on the session's cluster."""
    return new_database(postgres)


@pytest.fixture
def effects(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "effects"
    folder.mkdir()
    monkeypatch.setenv("EFFECTS_DIR", str(folder))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT), os.environ["PYTHONPATH"]]))
    return folder


def log_lines(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


def kill_hard(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)


def emulator_serving(run_file: Path) -> tuple[subprocess.Popen[str], str]:
    """``agentkit serve`` with the run file's turns for every conversation; (process, URL)."""
    process = agentkit_process(
        "serve", "--port", "0", "--script", str(run_file), "--per-conversation"
    )
    assert process.stderr is not None
    line = process.stderr.readline()
    url = next(word for word in line.split() if word.startswith("http://"))
    return process, url.rstrip(".,")


__all__ = ["HERE", "ROOT", "agentkit_process", "wait_until"]
