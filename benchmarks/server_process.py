"""The benchmark emulator (``benchmarks.server``) started in its own process, as a context.

Measurements of client CPU need the server out of the measured process; this is the
start-read-URL-terminate sequence the runner does, for modules run on their own.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator


@contextlib.contextmanager
def emulator_process() -> Iterator[tuple[str, int]]:
    """Yield the base URL and the process id of an emulator serving the benchmark scenario."""
    server = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.server"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        yield server.stdout.readline().strip(), server.pid
    finally:
        server.terminate()
        server.wait(timeout=10)


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a live process has used so far: the server's share of a
    measurement, read before and after it."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
