"""Models for tests that need no server: a script of answers, or a Python function.

Both implement the ``Model`` protocol, so the agent loop runs unchanged against them (and the
emulator can serve them: ``emulator.respond_with(model.generate)``).
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from types import TracebackType
from typing import Any

from agentkit.errors import AgentkitError
from agentkit.models.gemini import encode
from agentkit.models.parsing import parse_response
from agentkit.testing.answers import complete, response_dict, stream_events
from agentkit.types import GenerateContentRequest, GenerateContentResponse

Responder = Callable[[GenerateContentRequest], Any | Awaitable[Any]]


class ScriptError(AgentkitError, AssertionError):
    """The script and the run disagree: an unexpected request, or steps left unused."""


class _AnswerModel:
    """Shared by both models: turn an answer into a response, whole or in chunks."""

    name: str
    chunk_chars: int
    requests: list[GenerateContentRequest]

    async def _answer(self, request: GenerateContentRequest) -> dict[str, Any]:
        raise NotImplementedError

    async def generate(self, request: GenerateContentRequest) -> GenerateContentResponse:
        self.requests.append(request)
        answer = await self._answer(request)
        return parse_response(answer)

    async def stream(
        self, request: GenerateContentRequest
    ) -> AsyncIterator[GenerateContentResponse]:
        self.requests.append(request)
        answer = await self._answer(request)
        for event in stream_events(answer, self.chunk_chars):
            yield parse_response(event)

    def _completed(self, entry: Any, request: GenerateContentRequest) -> dict[str, Any]:
        if isinstance(entry, BaseException):
            raise entry  # a script may fail a step on purpose, e.g. with an APIError
        answer = copy.deepcopy(response_dict(entry))
        return complete(answer, self.name, len(encode(request)))


class ScriptedModel(_AnswerModel):
    """Answers from a list, in order. An entry may also be a function of the request, or an
    exception to raise. Asking for more than the script holds raises ``ScriptError``; so does
    ``assert_consumed()`` (and leaving a ``with`` block) with entries left over.
    """

    def __init__(
        self, script: Iterable[Any], *, name: str = "scripted-model", chunk_chars: int = 24
    ) -> None:
        self.script = list(script)
        self.name = name
        self.chunk_chars = chunk_chars
        self.requests = []
        self._next = 0

    @property
    def remaining(self) -> int:
        return len(self.script) - self._next

    async def _answer(self, request: GenerateContentRequest) -> dict[str, Any]:
        if self._next >= len(self.script):
            raise ScriptError(
                f"unexpected model call {self._next + 1}: the script has {len(self.script)} "
                f"answer(s); the last request ended with {_last_turn(request)}"
            )
        entry = self.script[self._next]
        self._next += 1
        if callable(entry) and not isinstance(entry, type):
            entry = entry(request)
            if inspect.isawaitable(entry):
                entry = await entry
        return self._completed(entry, request)

    def assert_consumed(self) -> None:
        if self.remaining:
            raise ScriptError(f"{self.remaining} scripted answer(s) were never requested")

    def __enter__(self) -> ScriptedModel:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.assert_consumed()


class FunctionModel(_AnswerModel):
    """Answers by calling ``fn(request)`` (sync or async); any script entry form is accepted."""

    def __init__(
        self, fn: Responder, *, name: str = "function-model", chunk_chars: int = 24
    ) -> None:
        self.fn = fn
        self.name = name
        self.chunk_chars = chunk_chars
        self.requests = []

    async def _answer(self, request: GenerateContentRequest) -> dict[str, Any]:
        entry = self.fn(request)
        if inspect.isawaitable(entry):
            entry = await entry
        return self._completed(entry, request)


def _last_turn(request: GenerateContentRequest) -> str:
    last = request.contents[-1] if request.contents else None
    if last is None:
        return "nothing"
    kinds = [next(iter(p.model_fields_set), "?") for p in last.parts or ()]
    return f"a {last.role or 'user'} turn with {', '.join(kinds)}"
