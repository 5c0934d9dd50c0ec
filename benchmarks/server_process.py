"""The benchmark emulator (``benchmarks.server``) started in its own process, as a context.

Measurements of client CPU need the server out of the measured process; this is the
start-read-URL-terminate sequence the runner does, for modules run on their own.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Iterator


@contextlib.contextmanager
def emulator_process() -> Iterator[str]:
    """Yield the base URL of an emulator serving the benchmark scenario."""
    server = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.server"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        yield server.stdout.readline().strip()
    finally:
        server.terminate()
        server.wait(timeout=10)
