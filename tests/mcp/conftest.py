from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from agentkit.mcp import MCPToolset

SERVERS = Path(__file__).parent / "servers"
WORKSHOP = SERVERS / "workshop.py"


@dataclass
class Workshop:
    """Where the test server says what it did: its pids, the calls it received."""

    root: Path

    @property
    def env(self) -> dict[str, str]:
        return {
            "WORKSHOP_PID_FILE": str(self.root / "pids"),
            "WORKSHOP_LOG": str(self.root / "calls"),
            "WORKSHOP_RELEASE": str(self.root / "release"),
            # The loopback guard of the tests, carried into the server too.
            "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
        }

    def stdio(self, **options: Any) -> MCPToolset:
        return MCPToolset.stdio(sys.executable, str(WORKSHOP), "stdio", env=self.env, **options)

    @property
    def pids(self) -> list[int]:
        path = self.root / "pids"
        return [int(line) for line in path.read_text().split()] if path.exists() else []

    @property
    def calls(self) -> list[str]:
        path = self.root / "calls"
        return path.read_text().splitlines() if path.exists() else []

    def release(self) -> None:
        (self.root / "release").touch()


@pytest.fixture
def workshop(tmp_path: Path) -> Workshop:
    return Workshop(tmp_path)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (ended, not yet reaped by its parent) has stopped running too.
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


async def eventually(condition: Any, timeout: float = 10.0) -> None:
    """Poll ``condition`` while the event loop keeps running the work that makes it true."""
    import anyio

    with anyio.fail_after(timeout):
        while not condition():
            await anyio.sleep(0.01)
