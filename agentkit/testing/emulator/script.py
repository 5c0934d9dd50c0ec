"""Where the emulator's answers come from: a script of turns, or a function of the request.

A script entry may be a string (a text turn), a ``Part`` or part dict, a list of those (one
model turn with several parts), a ``Content``, a whole ``GenerateContentResponse`` (or its dict,
recognised by ``candidates`` / ``promptFeedback``), or a ``Fault``. ``call()`` builds a
functionCall part for scripts.

A ``Script`` is consumed: each request takes the next entry. A ``ConversationScript`` is
shared: every conversation gets it from its start, the entry chosen by how many model turns
the request already holds, so many clients can run the same script against one server.
"""

from __future__ import annotations

import inspect
import json
import threading
from collections.abc import Awaitable, Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeAlias

from agentkit.errors import ConfigurationError
from agentkit.testing.answers import call, response_dict
from agentkit.testing.emulator.errors import Rejection
from agentkit.testing.emulator.faults import Fault
from agentkit.textfiles import read_text
from agentkit.types import Content, GenerateContentRequest

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

    def take(self, request: GenerateContentRequest | None = None) -> Answer:
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


class ConversationScript:
    """The same answers for every conversation: a request holding N model turns gets entry
    N + 1. Nothing is consumed, so ten clients running one script all get all of it; a fault
    entry is acted out every time a conversation reaches it (a retry meets it again)."""

    def __init__(self, entries: Iterable[Any] = ()) -> None:
        self._entries = [to_answer(entry) for entry in entries]

    def take(self, request: GenerateContentRequest | None = None) -> Answer:
        turn = model_turns(request.contents if request is not None else [])
        if turn >= len(self._entries):
            count = len(self._entries)
            raise Rejection(
                f"the offline script has {count} turn{'' if count == 1 else 's'}; this "
                f"conversation asked for turn {turn + 1}",
                status="FAILED_PRECONDITION",
            )
        return self._entries[turn]

    @property
    def remaining(self) -> int:
        """Every entry stays available: the script's length."""
        return len(self._entries)


def model_turns(contents: Sequence[Content]) -> int:
    """How many model turns a history holds. Consecutive model contents are one turn: SDKs
    append one content per streamed chunk without merging them."""
    turns = 0
    previous_was_model = False
    for content in contents:
        is_model = content.role == "model"
        if is_model and not previous_was_model:
            turns += 1
        previous_was_model = is_model
    return turns


def load_script_file(path: Path) -> list[Any]:
    """A JSON list of script entries from ``path``; every way it can be unusable raises
    ``ConfigurationError`` with one line naming the file (and the entry)."""
    text = read_text(path, "script file", ConfigurationError)
    try:
        entries = json.loads(text)
    except ValueError as error:
        raise ConfigurationError(f"{path}: not valid JSON: {error}") from None
    if not isinstance(entries, list):
        raise ConfigurationError(
            f"{path}: the script must be a JSON list of answers, not a {type(entries).__name__}"
        )
    for number, entry in enumerate(entries, 1):
        try:
            to_answer(entry)
        except TypeError as error:
            raise ConfigurationError(f"{path}: answer {number}: {error}") from None
    return entries


async def answer_from(responder: Responder, request: GenerateContentRequest) -> Answer:
    """Ask a Python callable (sync or async) for the answer to a request."""
    result = responder(request)
    if inspect.isawaitable(result):
        result = await result
    return to_answer(result)


__all__ = [
    "Answer",
    "ConversationScript",
    "Responder",
    "Script",
    "answer_from",
    "call",
    "load_script_file",
    "model_turns",
    "to_answer",
]
