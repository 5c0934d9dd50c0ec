"""What a tool may learn about the run that called it, and how it learns it should stop."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeAlias, TypeVar

from agentkit.usage import Usage

DepsT = TypeVar("DepsT")
# Told a call's progress: (progress so far, the total if known, a message).
ProgressReporter: TypeAlias = Callable[[float, "float | None", "str | None"], None]


@dataclass(frozen=True)
class ToolContext(Generic[DepsT]):
    """Injected into a tool parameter annotated ``ToolContext`` (never shown to the model).

    Attributes:
        run_id: identifies the agent run (also on every log line of it).
        step: the loop step whose calls are being executed (1 for the first model call).
        deps: the object given as ``Agent(deps=...)`` or ``run(..., deps=...)``: database
            handles, API clients, the user's identity.
        usage: tokens used by the run so far.
        tool_name: the name the model called.
        call_id: the call's ``id`` when the model gave one.
        idempotency_key: ``"{run_id}:{step}:{call_id}"`` (``#position`` in the turn when the
            call has no id): unique to this call in this run, and the same when a durable
            run executes the call again after a crash. A tool with an effect that must
            happen once passes it on (an ``Idempotency-Key`` header, a unique column) or
            checks it before acting. In a plain run the run id is new each run, so the key
            only tells calls apart.
        agent: the agent running the tool.

    A sync tool runs in a worker thread, and Python cannot stop a thread: when the call
    overruns its ``timeout`` (or the run's deadline, or the run is cancelled) the model is
    told so at once, but the function keeps running until it returns. A long sync tool that
    should stop instead checks ``cancelled`` between pieces of work, or waits with
    ``sleep()``, which returns early (True) once the call is abandoned. An async tool needs
    neither: it is cancelled at its next ``await``.

    A long call can say how far it has got with ``report_progress``: a streamed run turns
    each report into a ``ToolProgress`` event (the terminal shows it), a served tool sends it
    to its MCP client as a progress notification, and otherwise it costs nothing.
    """

    run_id: str = ""
    step: int = 0
    deps: DepsT = None  # type: ignore[assignment]
    usage: Usage = field(default_factory=Usage)
    tool_name: str = ""
    call_id: str | None = None
    idempotency_key: str = ""
    agent: Any = None
    _abandoned: threading.Event = field(default_factory=threading.Event, repr=False)
    _progress: ProgressReporter | None = field(default=None, repr=False)

    @property
    def cancelled(self) -> bool:
        """True once nobody waits for this call's result any more."""
        return self._abandoned.is_set()

    def sleep(self, seconds: float) -> bool:
        """Wait up to ``seconds`` in a sync tool; True (at once) if the call is abandoned."""
        return self._abandoned.wait(seconds)

    @property
    def progress_reporter(self) -> ProgressReporter | None:
        """Where reports go, when anyone listens (an MCP tool asks its server for progress
        only then)."""
        return self._progress

    def report_progress(
        self, progress: float, total: float | None = None, message: str | None = None
    ) -> None:
        """Say how far the call has got (from an async tool or a sync one in its thread).

        ``progress`` should grow with each report; ``total`` is what it grows towards, when
        known. Never raises and never waits: a report nobody listens to is dropped."""
        reporter = self._progress
        if reporter is None or self._abandoned.is_set():
            return
        reporter(float(progress), None if total is None else float(total), message)

    def abandon(self) -> None:
        """Called by agentkit when the call's result is no longer awaited."""
        self._abandoned.set()
