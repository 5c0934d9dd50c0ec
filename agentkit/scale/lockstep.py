"""Many runs of the one agent loop, held in step so their model calls can go out together.

Each run talks to a ``LockstepModel``: its ``generate`` does not send anything; it hands
the request to the ``Lockstep`` and waits. Once every run that has not finished is waiting
on its model call, ``next_round`` gives all those calls to whoever sends them (the Batch
API driver), who answers each one — with a response, or the error the run's loop should
meet. Tools run in each run's own loop as usual, between two rounds. So every run advances
one step per round, and a round is one job, however many runs there are.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import anyio

from agentkit.types import GenerateContentRequest, GenerateContentResponse


@dataclass(eq=False)
class WaitingCall:
    """A run's model call, waiting for its round to be answered."""

    run: str
    order: int  # the run's place among all runs: a round lists its calls in this order
    request: GenerateContentRequest
    answered: anyio.Event = field(default_factory=anyio.Event)
    response: GenerateContentResponse | None = None
    error: BaseException | None = None
    attempts: int = 0  # rounds that met a passing error for it (it is asked again)


class Lockstep:
    def __init__(self, runs: Sequence[str]) -> None:
        self._order = {run: index for index, run in enumerate(runs)}
        self._active = set(runs)
        self._waiting: dict[str, WaitingCall] = {}
        self._changed = anyio.Event()

    @property
    def active(self) -> int:
        """Runs not finished yet."""
        return len(self._active)

    async def ask(self, run: str, request: GenerateContentRequest) -> GenerateContentResponse:
        """``request`` answered in the next round (raising the error it met, if any)."""
        if run not in self._active:
            raise RuntimeError(f"run {run!r} is not one of this lockstep's unfinished runs")
        call = WaitingCall(run, self._order[run], request)
        self._waiting[run] = call
        self._changed.set()
        try:
            await call.answered.wait()
        finally:
            if self._waiting.get(run) is call:  # cancelled while waiting
                del self._waiting[run]
        if call.error is not None:
            raise call.error
        assert call.response is not None
        return call.response

    def leave(self, run: str) -> None:
        """``run`` has finished (or failed): no round waits for it any more."""
        self._active.discard(run)
        self._changed.set()

    async def next_round(self) -> list[WaitingCall] | None:
        """The calls of the next round, in run order, once every unfinished run waits on
        one; None once every run has finished."""
        while True:
            if not self._active:
                return None
            if len(self._waiting) == len(self._active):
                return sorted(self._waiting.values(), key=lambda call: call.order)
            self._changed = anyio.Event()
            await self._changed.wait()

    def answer(self, call: WaitingCall, response: GenerateContentResponse) -> None:
        self._settle(call)
        call.response = response
        call.answered.set()

    def fail(self, call: WaitingCall, error: BaseException) -> None:
        """The call's run raises ``error`` from its model call."""
        self._settle(call)
        call.error = error
        call.answered.set()

    def _settle(self, call: WaitingCall) -> None:
        if self._waiting.get(call.run) is call:
            del self._waiting[call.run]


class LockstepModel:
    """The ``Model`` a run in lockstep talks to: its calls are answered by the rounds.

    It stands for ``model`` (a ``Gemini``) in everything but sending: the same name (so
    prices and capabilities are that model's) and the same Files API, so media too large
    to send inline is uploaded as in any run."""

    def __init__(self, lockstep: Lockstep, run: str, model: Any) -> None:
        self._lockstep = lockstep
        self._run = run
        self._model = model

    @property
    def name(self) -> str:
        return str(self._model.name)

    @property
    def files(self) -> Any:
        return getattr(self._model, "files", None)

    @property
    def max_request_bytes(self) -> int | None:
        return getattr(self._model, "max_request_bytes", None)

    async def generate(self, request: GenerateContentRequest) -> GenerateContentResponse:
        return await self._lockstep.ask(self._run, request)

    async def stream(
        self, request: GenerateContentRequest
    ) -> AsyncIterator[GenerateContentResponse]:
        """A batch answers whole: the stream is that one response."""
        yield await self._lockstep.ask(self._run, request)

    def __repr__(self) -> str:
        return f"LockstepModel(run={self._run!r}, model={self.name!r})"
