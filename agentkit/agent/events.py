"""The one event union a run produces; the CLI, logs, tests and ``agent.stream`` consume it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from agentkit.types import Content, FunctionCall, UsageMetadata

if TYPE_CHECKING:
    from agentkit.agent.result import RunResult


@dataclass(frozen=True)
class TextDelta:
    step: int
    text: str
    kind: Literal["text"] = "text"


@dataclass(frozen=True)
class ThoughtDelta:
    step: int
    text: str
    kind: Literal["thought"] = "thought"


@dataclass(frozen=True)
class FunctionCallEvent:
    """The model asked for a call (emitted when its turn is complete, before execution)."""

    step: int
    call: FunctionCall
    kind: Literal["function_call"] = "function_call"


@dataclass(frozen=True)
class FunctionResultEvent:
    """A call finished; ``response`` is what the model receives (``error`` on failure).

    ``started_at`` is the wall-clock time (``time.time()``) at which the call was handed to
    its tool, None when it never ran (unknown, invalid, denied, over a limit): with
    ``duration`` it places the call on a timeline, beside the calls that ran with it."""

    step: int
    name: str
    call_id: str | None
    response: dict[str, Any]
    ok: bool
    duration: float
    started_at: float | None = None
    kind: Literal["function_result"] = "function_result"


@dataclass(frozen=True)
class CodeExecuted:
    """The model ran code with Google's code-execution tool (in its turn, on Google's
    side): the code, and its outcome (``OUTCOME_OK``...) and output."""

    step: int
    code: str
    outcome: str | None
    output: str | None
    kind: Literal["code_executed"] = "code_executed"


@dataclass(frozen=True)
class ToolProgress:
    """A running call said how far it has got (``ToolContext.report_progress``, or an MCP
    server's progress notification); only streamed runs report it, while the call runs."""

    step: int
    name: str
    call_id: str | None
    progress: float
    total: float | None
    message: str | None
    kind: Literal["tool_progress"] = "tool_progress"


@dataclass(frozen=True)
class RetryEvent:
    """Something is being tried again: an HTTP request (``source="http"``) or a model answer
    the loop could not use (``source="model"``)."""

    step: int
    source: Literal["http", "model"]
    reason: str
    attempt: int
    delay: float = 0.0
    kind: Literal["retry"] = "retry"


@dataclass(frozen=True)
class ContextCompacted:
    """The context was compacted before a request (see ``agentkit.agent.context``): older
    tool results elided, older exchanges summarised or dropped. The transcript keeps all."""

    step: int
    tokens_before: int
    tokens_after: int
    elided_results: int
    removed_exchanges: int
    summary: str | None
    kind: Literal["context_compacted"] = "context_compacted"


@dataclass(frozen=True)
class StepFinished:
    """A step is complete: its model turn and (if it called tools) their answers are in
    ``history``, which is a consistent checkpoint to save."""

    step: int
    finish_reason: str | None
    calls: int
    usage: UsageMetadata | None
    history: tuple[Content, ...] = field(default=(), repr=False, compare=False)
    # What requests send, when a context policy compacted it (None: the history).
    context: tuple[Content, ...] | None = field(default=None, repr=False, compare=False)
    kind: Literal["step_finished"] = "step_finished"


@dataclass(frozen=True)
class RunFinished:
    result: RunResult
    kind: Literal["run_finished"] = "run_finished"


Event: TypeAlias = (
    TextDelta
    | ThoughtDelta
    | FunctionCallEvent
    | FunctionResultEvent
    | ToolProgress
    | CodeExecuted
    | RetryEvent
    | ContextCompacted
    | StepFinished
    | RunFinished
)
