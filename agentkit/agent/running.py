"""Running the async core from anywhere: to the end, or from synchronous code.

Also the two conversions every run starts with: the caller's history into the run's own
copy, and a prompt into a user turn.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping, Sequence
from contextlib import aclosing
from typing import Any, TypeVar, cast

import anyio

from agentkit.agent.events import Event, RunFinished
from agentkit.agent.result import RunResult
from agentkit.agent.transcript import Transcript, TurnsView
from agentkit.models.base import close_model
from agentkit.signals import result_interruptibly
from agentkit.types import Content, Part

T = TypeVar("T")
Prompt = str | Content | Sequence[Part | str]


async def result_of(events: AsyncGenerator[Event, None]) -> RunResult:
    async with aclosing(events):
        async for event in events:
            if isinstance(event, RunFinished):
                return event.result
    raise AssertionError("a run ended without a RunFinished event")  # the loop always sends one


def run_blocking(
    function: Callable[..., Awaitable[T]], *args: Any, close: Any = None, **kwargs: Any
) -> T:
    """Run a coroutine function to completion from synchronous code.

    The event loop it gets ends with the call, so ``close`` (a model) has its connection
    pool closed inside that loop: connections left open would belong to a dead loop.
    """

    async def call() -> T:
        try:
            return await function(*args, **kwargs)
        finally:
            await close_model(close)

    if not _loop_running():
        return anyio.run(call)
    # A loop is running in this thread (a notebook, an async framework): blocking it to wait
    # for itself would deadlock, so the run gets a thread and a loop of its own.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return result_interruptibly(pool.submit(anyio.run, call))


def _loop_running() -> bool:
    """Asked apart from running the call: an error the run raises must not carry a "no
    running event loop" RuntimeError as its context (it would print as the first half of
    every traceback)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def copy_history(history: Sequence[Content | Mapping[str, Any]] | None) -> list[Content]:
    """The run's own list of the caller's turns: a run appends to its history, never to
    theirs (see ``own_history``)."""
    return own_history(history)[0]


def own_history(
    history: Sequence[Content | Mapping[str, Any]] | None,
) -> tuple[list[Content], int]:
    """A new list of the turns, and how many of its first turns were agentkit's own already.

    Copy on write, not copy always: agentkit never edits a turn in place, so its own turns
    (a result's ``history_contents``, a chat's history: ``owned`` says how many) are shared
    as they are, and only the caller's other turns — dicts, Content objects of their own,
    turns appended since — are copied, so a later change to them cannot reach the run.
    The turns shared were checked when their run sent them; the copies are checked again.
    """
    if history is None:
        return [], 0
    owned = getattr(history, "owned", 0) if isinstance(history, (Transcript, TurnsView)) else 0
    turns = cast(list[Content], list(history[:owned])) if owned else []
    for item in history[owned:] if owned else history:
        data = item.to_wire() if isinstance(item, Content) else dict(item)
        turns.append(Content.model_validate(data))
    return turns, owned


def prompt_content(prompt: Prompt) -> Content:
    if isinstance(prompt, str):
        return Content.user(prompt)
    if isinstance(prompt, Content):
        return Content.model_validate(prompt.to_wire())
    return Content.user(*prompt)
