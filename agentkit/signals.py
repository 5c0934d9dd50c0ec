"""Keeping Ctrl-C for the main thread.

Python runs signal handlers in the main thread only, but the kernel delivers a signal sent
to the process to any thread that does not block it. When it lands in a helper thread (an
emulator's server, a chat's event loop), the main thread — waiting in ``input()`` or a join —
is not woken, and Ctrl-C seems to do nothing. Threads started with SIGINT blocked inherit
that mask, so Ctrl-C always reaches the main thread.

And even there a Ctrl-C can be missed: the interpreter looks for signals between bytecodes,
so one that arrives after its last look but before a wait (a queue, a lock, a join) has
gone to sleep wakes nothing, and the wait goes on until what it waits for happens — for a
tool that blocks a minute, a minute of a Ctrl-C that seems ignored. The main thread's waits
therefore return to Python every ``POLL_SECONDS``: a Ctrl-C is acted on within that.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import queue
import signal
import threading
import time
from collections.abc import Iterator
from typing import TypeVar

T = TypeVar("T")

POLL_SECONDS = 0.1


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


@contextlib.contextmanager
def interrupts_deferred() -> Iterator[None]:
    """A Ctrl-C pressed inside the block is raised as ``KeyboardInterrupt`` when it ends.

    For work that must not be cut in half: rich writes a line to the file and only then
    clears its buffer, so an interrupt landing between the two prints that line again with
    the next one. Only in the main thread (the only one Python runs handlers in), and only
    while Python's own handler is in place — a block that ignores Ctrl-C keeps ignoring it.
    """
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGINT) is not signal.default_int_handler
    ):
        yield
        return
    pressed: list[int] = []
    signal.signal(signal.SIGINT, lambda number, frame: pressed.append(number))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    if pressed:  # only when the block ended normally: its own error is the one to report
        raise KeyboardInterrupt


def get_interruptibly(inbox: queue.SimpleQueue[T]) -> T:
    """``inbox.get()``, in waits short enough that a Ctrl-C is never left waiting."""
    while True:
        try:
            return inbox.get(timeout=POLL_SECONDS)
        except queue.Empty:
            continue


def join_interruptibly(thread: threading.Thread, timeout: float | None = None) -> None:
    """``thread.join(timeout)``, in waits short enough that a Ctrl-C is never left waiting."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while thread.is_alive():
        left = POLL_SECONDS if deadline is None else min(POLL_SECONDS, deadline - time.monotonic())
        if left <= 0:
            return
        thread.join(left)


def wait_interruptibly(event: threading.Event) -> None:
    """``event.wait()``, in waits short enough that a Ctrl-C is never left waiting."""
    while not event.wait(POLL_SECONDS):
        continue


def result_interruptibly(future: concurrent.futures.Future[T]) -> T:
    """``future.result()``, in waits short enough that a Ctrl-C is never left waiting."""
    while True:
        try:
            return future.result(timeout=POLL_SECONDS)
        except concurrent.futures.TimeoutError:
            if future.done():  # what the call itself raised
                raise
