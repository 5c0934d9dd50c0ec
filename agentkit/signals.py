"""Keeping Ctrl-C for the main thread.

Python runs signal handlers in the main thread only, but the kernel delivers a signal sent
to the process to any thread that does not block it. When it lands in a helper thread (an
emulator's server, a chat's event loop), the main thread — waiting in ``input()`` or a join —
is not woken, and Ctrl-C seems to do nothing. Threads started with SIGINT blocked inherit
that mask, so Ctrl-C always reaches the main thread.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator


@contextlib.contextmanager
def signals_to_main_thread() -> Iterator[None]:
    """Threads started inside this block never receive SIGINT (they inherit a mask that
    blocks it), so the kernel delivers Ctrl-C to the main thread. A Ctrl-C pressed inside
    the block waits and arrives as the block ends."""
    if not hasattr(signal, "pthread_sigmask") or (
        threading.current_thread() is not threading.main_thread()
    ):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
