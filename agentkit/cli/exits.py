"""How an ``agentkit`` command ends: its exit code, and the one line it prints when it fails.

Every failure a person can cause or meet is a line on stderr, never a traceback: set-up
mistakes exit 2, the model or the API failing exits 3, a run stopped at a limit exits 4,
Ctrl-C exits 130, and a closed pipe (``agentkit run FILE | head``) ends quietly with 141, as
a Unix tool killed by SIGPIPE does. Anything else is a bug in agentkit: it gets one line that
says so, and the traceback only with ``--log-level debug``.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

EXIT_OK = 0
EXIT_BUG = 1
EXIT_USAGE = 2
EXIT_MODEL = 3
EXIT_LIMIT = 4
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141


class UsageError(ValueError):
    """A mistake in how a command was called or set up (a flag, a file, a value)."""


@dataclass(frozen=True)
class Ending:
    code: int
    line: str | None  # printed on stderr; None for a quiet ending
    style: str = "bold red"


def ending_for(error: BaseException) -> Ending:
    """The exit code and line for an exception that reached the top of a command."""
    # A task group wraps what failed inside it (several workers may meet the same mistake):
    # the first failure inside is reported as itself.
    while isinstance(error, BaseExceptionGroup) and error.exceptions:
        error = error.exceptions[0]
    from agentkit.errors import (
        AgentkitError,
        APIConnectionError,
        APIError,
        ConfigurationError,
        HistoryError,
        MalformedResponseError,
        RunError,
        SessionError,
        ToolDefinitionError,
    )

    if isinstance(error, BrokenPipeError):
        return Ending(EXIT_BROKEN_PIPE, None)
    if isinstance(error, KeyboardInterrupt):
        return Ending(EXIT_INTERRUPTED, "interrupted", "dim")
    if isinstance(
        error,
        UsageError | ConfigurationError | ToolDefinitionError | SessionError | HistoryError,
    ):
        return Ending(EXIT_USAGE, f"error: {error}")
    if isinstance(error, APIError | APIConnectionError | RunError | MalformedResponseError):
        return Ending(EXIT_MODEL, f"{type(error).__name__}: {error}")
    if isinstance(error, AgentkitError):
        return Ending(EXIT_MODEL, f"{type(error).__name__}: {error}")
    return Ending(
        EXIT_BUG,
        f"internal error: {type(error).__name__}: {error} — this is a bug in agentkit; "
        "run again with --log-level debug to see where it happened",
    )


def silence_stdout() -> None:
    """After the reader of stdout went away: point stdout at /dev/null, so the interpreter's
    final flush does not fail a second time with a traceback of its own."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass
