"""What became of one call of a tool: started, finished, given up on — said truthfully.

A sync tool runs in a worker thread, and Python cannot stop a thread. When the run stops
waiting for a call (its timeout, the run's deadline, a cancelled run), three cases differ
and the model is told which: the call never started (it was still waiting for a free
worker thread: nothing happened), it is still running (it may yet take effect), or it had
just finished. The thread and the run see these facts from two sides at once, so one lock
keeps them consistent: a call given up on before it began is never started later.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from agentkit.logs import get_logger

log = get_logger()


class CallFate:
    def __init__(self, tool: str) -> None:
        self.tool = tool
        self._lock = threading.Lock()
        self._since = time.perf_counter()
        self.started = False
        self.finished = False
        self.abandoned = False
        # When the run stops waiting (a tool's timeout), if known. A worker thread freed by
        # an abandoned call can be handed to a waiting call in the moment between its
        # deadline passing and its task hearing of it: past the deadline it must not start.
        self.deadline: float | None = None

    def begin(self) -> bool:
        """The call is about to run; False when the run already gave up on it."""
        with self._lock:
            if self.deadline is not None and time.monotonic() >= self.deadline:
                self.abandoned = True
            if self.abandoned:
                return False
            self.started = True
            return True

    def end(self) -> None:
        with self._lock:
            self.finished = True
            late = self.abandoned
        if late:
            # Nobody will see this result; the log says the call did finish, and when.
            log.warning(
                "tool.finished_late",
                tool=self.tool,
                after_s=round(time.perf_counter() - self._since, 3),
            )

    def abandon(self) -> bool:
        """The run stops waiting; True when the call is still running (it may complete)."""
        with self._lock:
            self.abandoned = True
            return self.started and not self.finished

    def in_thread(self, fn: Callable[..., Any], kwargs: dict[str, Any]) -> Any:
        """Run ``fn`` in the worker thread, unless the run gave up before it began."""
        if not self.begin():
            return None  # nobody waits for it, and it never started: it must not start now
        try:
            return fn(**kwargs)
        finally:
            self.end()
