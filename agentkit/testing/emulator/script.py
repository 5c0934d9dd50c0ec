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

from agentkit.testing.emulator.errors import Rejection
from agentkit.testing.emulator.faults import Fault
from agentkit.types import Content, GenerateContentRequest, GenerateContentResponse, Part

Answer: TypeAlias = "dict[str, Any] | Fault"
Responder: TypeAlias = Callable[[GenerateContentRequest], Any | Awaitable[Any]]


def call(
    name: str, args: dict[str, Any] | None = None, *, id: str | None = None, **kwargs: Any
) -> dict[str, Any]:
    """A functionCall part for a script: ``call("set_light", room="kitchen")``."""
    function_call: dict[str, Any] = {"name": name, "args": {**(args or {}), **kwargs}}
    if id is not None:
        function_call = {"id": id, **function_call}
    return {"functionCall": function_call}


def to_answer(entry: Any) -> Answer:
    """Normalise a script entry into a response dict (or a Fault)."""
    if isinstance(entry, Fault):
        return entry
    if isinstance(entry, GenerateContentResponse):
        return entry.to_wire()
    if isinstance(entry, Content):
        return _response_of_parts(entry.to_wire().get("parts") or [])
    if isinstance(entry, str):
        return _response_of_parts([{"text": entry}])
    if isinstance(entry, Part):
        return _response_of_parts([entry.to_wire()])
    if isinstance(entry, dict):
        if entry.keys() & {"candidates", "promptFeedback", "usageMetadata"}:
            return dict(entry)
        if "parts" in entry:
            return _response_of_parts(list(entry["parts"]))
        return _response_of_parts([entry])
    if isinstance(entry, list | tuple):
        parts = [
            p.to_wire() if isinstance(p, Part) else ({"text": p} if isinstance(p, str) else p)
            for p in entry
        ]
        return _response_of_parts(parts)
    raise TypeError(f"cannot use {type(entry).__name__} as an emulator script entry")


def _response_of_parts(parts: list[dict[str, Any]]) -> dict[str, Any]:
    return {"candidates": [{"content": {"role": "model", "parts": parts}}]}


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
