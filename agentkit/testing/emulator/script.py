"""Where the emulator's answers come from: a script of turns, or a function of the request.

A script entry may be a string (a text turn), a ``Part`` or part dict, a list of those (one
model turn with several parts), a ``Content``, a whole ``GenerateContentResponse`` (or its dict,
recognised by ``candidates`` / ``promptFeedback``), or a ``Fault``. ``call()`` builds a
functionCall part for scripts.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeAlias

from agentkit.testing.answers import call, response_dict
from agentkit.testing.emulator.errors import Rejection
from agentkit.testing.emulator.faults import Fault
from agentkit.types import GenerateContentRequest

Answer: TypeAlias = "dict[str, Any] | Fault"
Responder: TypeAlias = Callable[[GenerateContentRequest], Any | Awaitable[Any]]


def to_answer(entry: Any) -> Answer:
    """Normalise a script entry into a response dict (or a Fault)."""
    if isinstance(entry, Fault):
        return entry
    return response_dict(entry)


class Script:
    """Answers in order; running out is an error the test sees (a 400 naming the request)."""

    def __init__(self, entries: Iterable[Any] = ()) -> None:
        self._entries = [to_answer(entry) for entry in entries]
        self._next = 0
        self._lock = threading.Lock()

    def take(self) -> Answer:
        with self._lock:
            if self._next >= len(self._entries):
                raise Rejection(
                    f"emulator script exhausted: request {self._next + 1} has no scripted answer "
                    f"(the script has {len(self._entries)})",
                    status="FAILED_PRECONDITION",
                )
            entry = self._entries[self._next]
            self._next += 1
            return entry

    @property
    def remaining(self) -> int:
        with self._lock:
            return len(self._entries) - self._next


async def answer_from(responder: Responder, request: GenerateContentRequest) -> Answer:
    """Ask a Python callable (sync or async) for the answer to a request."""
    result = responder(request)
    if inspect.isawaitable(result):
        result = await result
    return to_answer(result)


__all__ = ["Answer", "Responder", "Script", "answer_from", "call", "to_answer"]
