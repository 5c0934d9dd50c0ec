"""The main thread's waits see a Ctrl-C that arrives when no wait can be woken by it.

``_thread.interrupt_main()`` does what a signal landing just before a blocking wait does: it
sets the interpreter's flag and wakes nothing. A plain ``queue.get()`` then sleeps until its
item comes (here, the fallback after ``LATE`` seconds); each helper must raise
``KeyboardInterrupt`` within a few of its polls.
"""

from __future__ import annotations

import _thread
import concurrent.futures
import queue
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from agentkit.signals import (
    POLL_SECONDS,
    get_interruptibly,
    join_interruptibly,
    result_interruptibly,
    wait_interruptibly,
)

LATE = 5.0  # when the awaited thing happens anyway, so a broken helper fails, not hangs


@pytest.fixture
def release() -> Iterator[threading.Event]:
    """Set ``LATE`` seconds in, or at the end of the test."""
    done = threading.Event()
    yield done
    done.set()


def _waits(name: str, release: threading.Event) -> Callable[[], object]:
    if name == "queue":
        inbox: queue.SimpleQueue[str] = queue.SimpleQueue()
        threading.Thread(target=lambda: (release.wait(LATE), inbox.put("late"))).start()
        return lambda: get_interruptibly(inbox)
    if name == "thread":
        thread = threading.Thread(target=lambda: release.wait(LATE))
        thread.start()
        return lambda: join_interruptibly(thread)
    if name == "event":
        event = threading.Event()
        threading.Thread(target=lambda: (release.wait(LATE), event.set())).start()
        return lambda: wait_interruptibly(event)
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    future = pool.submit(release.wait, LATE)
    pool.shutdown(wait=False)
    return lambda: result_interruptibly(future)


@pytest.mark.parametrize("name", ["queue", "thread", "event", "future"])
def test_a_ctrl_c_that_wakes_nothing_still_ends_the_wait(
    name: str, release: threading.Event
) -> None:
    wait = _waits(name, release)
    threading.Timer(0.05, _thread.interrupt_main).start()
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        wait()
    assert time.monotonic() - started < 0.05 + 5 * POLL_SECONDS


def test_what_the_awaited_call_raised_is_raised_even_when_it_is_a_timeout() -> None:
    future: concurrent.futures.Future[None] = concurrent.futures.Future()
    future.set_exception(TimeoutError("the device did not answer"))
    with pytest.raises(TimeoutError, match="the device did not answer"):
        result_interruptibly(future)


def test_a_join_with_a_timeout_returns_when_it_is_up() -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    started = time.monotonic()
    join_interruptibly(thread, 0.25)
    took = time.monotonic() - started
    assert thread.is_alive() and 0.24 <= took < 0.25 + POLL_SECONDS
    stop.set()
    join_interruptibly(thread)
    assert not thread.is_alive()
