"""agentkit's warnings during a chat, held until the main thread can print them.

A warning is logged by whichever thread meets it: a sync tool that a cancelled turn
abandoned logs ``tool.finished_late`` from its worker thread when it finally returns, which
is usually while the person is typing the next message. Printed there and then it would
land in the middle of their line (and without a handler of the chat's own, agentkit's
logger drops it). So while a chat runs, agentkit's warnings are queued here and the main
thread prints them between lines. With ``--log-level`` the person asked for the log as it
happens; then it is left alone.
"""

from __future__ import annotations

import contextlib
import logging
import queue
from collections.abc import Iterator

from agentkit.logs import LOGGER_NAME


class HeldLines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self._lines: queue.SimpleQueue[str] = queue.SimpleQueue()

    def emit(self, record: logging.LogRecord) -> None:
        fields = getattr(record, "agentkit", {})
        if fields.get("event") == "tool.finished_late":
            line = (
                f"{fields.get('tool')} finished in its background thread after "
                f"{fields.get('after_s')} s; its result was not used"
            )
        else:
            line = f"{record.levelname.lower()}: {record.getMessage()}"
        self._lines.put(line)

    def take(self) -> list[str]:
        lines = []
        while True:
            try:
                lines.append(self._lines.get_nowait())
            except queue.Empty:
                return lines


@contextlib.contextmanager
def held_warnings() -> Iterator[HeldLines | None]:
    """Hold agentkit's warnings for the block, unless a handler is already configured."""
    logger = logging.getLogger(LOGGER_NAME)
    if any(not isinstance(handler, logging.NullHandler) for handler in logger.handlers):
        yield None  # --log-level (or the application) shows the log as it happens
        return
    handler = HeldLines()
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
