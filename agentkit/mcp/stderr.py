"""What a stdio server writes on stderr: kept, not printed over the user's terminal.

Servers log to stderr ("Secure MCP Filesystem Server running on stdio"); printed as they
come they would cut through a chat's prompt. Each connection's stderr goes to a temporary
file instead, and when the server fails to start, or dies, the last lines go into the error:
they are usually the reason (a missing module, a bad argument). Give ``stderr=sys.stderr``
to see everything as it comes.
"""

from __future__ import annotations

import tempfile
from typing import TextIO

TAIL_LINES = 5
TAIL_CHARS = 600


class ServerStderr:
    """The stderr file of the current connection."""

    def __init__(self) -> None:
        self._file: TextIO | None = None

    def fresh(self) -> TextIO:
        """A new file for a new connection (the last one's lines no longer apply)."""
        self.close()
        self._file = tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace")
        return self._file

    def tail(self) -> str:
        """The last lines written, joined with " | "; empty when there are none."""
        if self._file is None:
            return ""
        try:
            self._file.flush()
            self._file.seek(0)
            lines = [line.strip() for line in self._file.read().splitlines() if line.strip()]
        except (OSError, ValueError):
            return ""
        said = " | ".join(lines[-TAIL_LINES:])
        return said if len(said) <= TAIL_CHARS else "…" + said[-TAIL_CHARS:]

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
