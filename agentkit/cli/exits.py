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
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from agentkit.signals import join_interruptibly

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
        ConfigurationError,
        HistoryError,
        MCPServerError,
        SessionError,
        ToolDefinitionError,
    )

    if isinstance(error, BrokenPipeError):
        return Ending(EXIT_BROKEN_PIPE, None)
    if isinstance(error, KeyboardInterrupt):
        return Ending(EXIT_INTERRUPTED, "interrupted", "dim")
    if isinstance(
        error,
        UsageError
        | ConfigurationError
        | ToolDefinitionError
        | SessionError
        | HistoryError
        | MCPServerError,  # a server that cannot be started or reached is set-up too
    ):
        return Ending(EXIT_USAGE, f"error: {error}")
    if isinstance(error, AgentkitError):  # the API, the connection, the model's answers
        return Ending(EXIT_MODEL, f"{type(error).__name__}: {error}")
    if isinstance(error, OSError):  # the machine said no: a full disk, a lost permission
        where = f"{error.filename}: " if error.filename else ""
        return Ending(EXIT_USAGE, f"error: {where}{error.strerror or error}")
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


def wait_for_tool_threads(code: int, say: Callable[[str], None]) -> int:
    """Let sync tools still running in worker threads finish before the command ends.

    Python cannot stop a thread, and it waits for every non-daemon thread before the
    process ends: after Ctrl-C, or a deadline that abandoned a call, the command would hang
    without a word. So it says what it waits for, and a (second) Ctrl-C leaves at once —
    everything worth keeping (sessions, results) is already saved by then.
    """
    others = [
        thread
        for thread in threading.enumerate()
        if thread is not threading.main_thread() and not thread.daemon
    ]
    try:  # a Ctrl-C at any moment from here on leaves at once, never with a traceback
        # Idle worker threads were told to stop when the event loop ended and are on their
        # way out: a moment for them, so only threads that are really busy are announced.
        settle = time.monotonic() + 0.5
        for thread in others:
            join_interruptibly(thread, max(0.0, settle - time.monotonic()))
        busy = [thread for thread in others if thread.is_alive()]
        if not busy:
            return code
        noun = "tool" if len(busy) == 1 else "tools"
        say(
            f"waiting for {len(busy)} {noun} still running in a background thread (Python "
            "cannot stop a thread); Ctrl-C leaves without waiting"
        )
        for thread in busy:
            join_interruptibly(thread)
    except KeyboardInterrupt:
        say("left without waiting")
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(EXIT_INTERRUPTED)  # skips the interpreter's own wait for those threads
    return code
