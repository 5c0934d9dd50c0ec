"""Reports of a call's progress, callable from wherever the tool runs.

An async tool reports from the event loop's thread, a sync tool from its worker thread.
Whoever listens (a streamed run, an MCP client) lives on the event loop, so a report from a
thread is handed over to the loop rather than delivered there; one that comes after the loop
has closed (an abandoned thread still going) is dropped. Reporting never blocks the tool.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading

from agentkit.tools.context import ProgressReporter


def on_the_loop(deliver: ProgressReporter) -> ProgressReporter:
    """A reporter that calls ``deliver`` on the running event loop's thread, whichever
    thread reports. Must be made on the loop."""
    loop = asyncio.get_running_loop()
    loop_thread = threading.get_ident()

    def report(progress: float, total: float | None, message: str | None) -> None:
        if threading.get_ident() == loop_thread:
            deliver(progress, total, message)
            return
        with contextlib.suppress(RuntimeError):  # the event loop has already closed
            loop.call_soon_threadsafe(deliver, progress, total, message)

    return report
