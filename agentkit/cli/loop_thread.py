"""The chat's event loop in a thread of its own, so the main thread can own the terminal.

Python runs signal handlers in the main thread only: Ctrl-C is a ``KeyboardInterrupt``
wherever the main thread happens to be. Were the event loop in the main thread and the
terminal read in a worker thread, Ctrl-C would land inside the loop (ending the whole chat,
or nothing useful) while the worker stayed blocked in a read no one can interrupt. So the
roles are the other way round:

- the main thread reads the terminal, prints the transcript and asks the questions; Ctrl-C
  reaches it in ``input()`` or while it waits for a turn;
- one event loop runs in a second thread for the whole chat (an anyio blocking portal), so
  the model's connections are reused from one message to the next;
- each turn is started in that loop and the main thread waits for it, taking what the turn
  sends it in order: events to show, confirmation questions to answer, and the end. Ctrl-C
  during the wait cancels the turn in the loop and returns at once; the loop closes the
  model's stream on its own time.

Sync tools run in worker threads of the loop, and Python cannot stop a thread: a cancelled
turn abandons them (``abandon_on_cancel``) and they run to their end unobserved. Threads
started here block SIGINT, so the kernel always delivers Ctrl-C to the main thread; one
delivered to another thread would only set a flag the blocked main thread never looks at.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import queue
import signal
import threading
import time
from collections.abc import AsyncGenerator, Callable, Iterator
from contextlib import aclosing
from dataclasses import dataclass
from types import TracebackType
from typing import Any, cast

import anyio
from anyio.from_thread import BlockingPortal, start_blocking_portal

from agentkit.agent import ConfirmationRequest, Decision, Event
from agentkit.signals import (
    get_interruptibly,
    join_interruptibly,
    result_interruptibly,
    signals_to_main_thread,
    wait_interruptibly,
)


@dataclass(frozen=True)
class Question:
    """A confirmation question from the loop thread; the main thread sets ``reply``."""

    request: ConfirmationRequest
    reply: concurrent.futures.Future[Decision]


@dataclass(frozen=True)
class _Ended:
    error: Exception | None


@contextlib.contextmanager
def interrupts_held() -> Iterator[None]:
    """Ctrl-C pressed inside the block is ignored: a second Ctrl-C while the first one is
    being dealt with (the turn cancelled, the line printed) must not cut that in half."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, lambda number, frame: None)
    try:
        yield
    finally:
        # None: the handler was not set from Python; Python's own is the one to restore.
        signal.signal(
            signal.SIGINT, previous if previous is not None else signal.default_int_handler
        )


class LoopThread:
    """The event loop of one chat, with turns run from the main thread."""

    def __init__(self) -> None:
        self._stack = contextlib.ExitStack()
        self._portal: BlockingPortal | None = None
        self._before: set[threading.Thread] = set()
        self._inbox: queue.SimpleQueue[object] | None = None
        self._unwound = threading.Event()  # the last turn's task has finished
        self._unwound.set()

    def __enter__(self) -> LoopThread:
        self._before = set(threading.enumerate())
        with signals_to_main_thread():
            self._portal = self._stack.enter_context(start_blocking_portal())
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._portal = None
        self._stack.__exit__(exc_type, exc, traceback)

    @property
    def portal(self) -> BlockingPortal:
        if self._portal is None:
            raise RuntimeError("the chat's event loop is not running")
        return self._portal

    def call(self, function: Callable[..., Any], *args: Any) -> Any:
        """Run ``function`` (sync or async) in the loop and wait for it."""
        return result_interruptibly(self.portal.start_task_soon(function, *args))

    async def confirm(self, request: ConfirmationRequest) -> Decision:
        """The agent's confirmation callback. It runs in the loop thread, inside a turn, and
        hands the question to the main thread, which owns the terminal; the turn waits for
        the answer (and is cancelled, question and all, by a Ctrl-C in the main thread)."""
        inbox = self._inbox
        if inbox is None:  # only turns ask, and every turn has an inbox
            return Decision(False, "no one was there to approve it")
        reply: concurrent.futures.Future[Decision] = concurrent.futures.Future()
        inbox.put(Question(request, reply))
        return await asyncio.wrap_future(reply)

    def turn(
        self,
        events: Callable[[], AsyncGenerator[Event, None]],
        show: Callable[[Event], None],
        ask: Callable[[ConfirmationRequest], Decision],
    ) -> Exception | None:
        """Run one turn in the loop; return the error that ended it, None when it finished.

        ``show`` and ``ask`` are called here, in the calling (main) thread, in the order the
        turn produced them, so a question never lands in the middle of printed text. Any
        exception raised while waiting — ``KeyboardInterrupt`` above all — cancels the turn
        and propagates at once, without waiting for the turn's task to unwind.
        """
        # A cancelled turn's clean-up (closing a stream) takes moments.
        wait_interruptibly(self._unwound)
        inbox: queue.SimpleQueue[object] = queue.SimpleQueue()
        unwound = threading.Event()
        self._inbox, self._unwound = inbox, unwound
        future: concurrent.futures.Future[None] | None = None
        try:
            future = self.portal.start_task_soon(self._drive, events, inbox, unwound)
            while True:
                item = get_interruptibly(inbox)
                if isinstance(item, _Ended):
                    return item.error
                if isinstance(item, Question):
                    decision = ask(item.request)
                    if not item.reply.done():
                        item.reply.set_result(decision)
                else:
                    show(cast(Event, item))
        except BaseException:
            if future is not None:
                future.cancel()
            else:
                unwound.set()
            raise

    @staticmethod
    async def _drive(
        events: Callable[[], AsyncGenerator[Event, None]],
        inbox: queue.SimpleQueue[object],
        unwound: threading.Event,
    ) -> None:
        try:
            async with aclosing(events()) as stream:
                async for event in stream:
                    inbox.put(event)
        except anyio.get_cancelled_exc_class():
            raise
        except Exception as error:
            inbox.put(_Ended(error))
        except BaseException as error:
            # Never let the turn end without telling the main thread, which waits for it:
            # whatever ended the turn is reported there, as a failure of the turn.
            inbox.put(_Ended(RuntimeError(f"{type(error).__name__}: {error}")))
        else:
            inbox.put(_Ended(None))
        finally:
            unwound.set()

    def threads_left(self) -> list[threading.Thread]:
        """Threads this chat started that still run now that its loop has ended: the sync
        tools a cancelled turn abandoned. Idle worker threads are given a moment to end."""
        # Worker threads are daemons (they inherit it from the loop's thread): the interpreter
        # would not wait for them, it would cut the tool off at exit.
        started = [
            thread
            for thread in threading.enumerate()
            if thread not in self._before and thread.is_alive()
        ]
        deadline = time.monotonic() + 0.5
        for thread in started:
            join_interruptibly(thread, max(0.0, deadline - time.monotonic()))
        return [thread for thread in started if thread.is_alive()]
