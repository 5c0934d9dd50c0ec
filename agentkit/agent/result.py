"""What a run gives back."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from agentkit.pricing import call_cost
from agentkit.types import Content, UsageMetadata
from agentkit.usage import Usage


class StopReason(StrEnum):
    COMPLETED = "completed"  # the model answered in text
    FINAL_ANSWER = "final_answer"  # the model called the built-in final-answer tool
    MAX_TOKENS = "max_tokens"  # the answer was cut at maxOutputTokens
    MODEL_CALL_LIMIT = "model_call_limit"
    TOOL_CALL_LIMIT = "tool_call_limit"
    TOKEN_LIMIT = "token_limit"
    DEADLINE = "deadline"
    PAUSED = "paused"  # waiting for confirmation decisions; see RunResult.state
    FAILED = "failed"  # the run raised an error; this result is that error's ``partial``


@dataclass(frozen=True)
class ToolCallRecord:
    step: int
    name: str
    args: dict[str, Any]
    call_id: str | None
    response: dict[str, Any]
    ok: bool
    duration: float

    @property
    def result(self) -> Any:
        return None if not self.ok else self.response.get("output", self.response)

    @property
    def error(self) -> dict[str, Any] | None:
        return None if self.ok else self.response.get("error")


@dataclass(frozen=True)
class StepRecord:
    """One model call: what it cost and how it ended, and what the response said about its
    answer (safety ratings, citations, log probabilities when asked for)."""

    step: int
    model: str
    finish_reason: str | None
    usage: UsageMetadata | None
    cost_usd: float | None
    calls: int
    response_id: str | None = None
    safety_ratings: list[dict[str, Any]] = field(default_factory=list)
    citations: list[dict[str, Any]] = field(default_factory=list)
    avg_logprobs: float | None = None
    logprobs: dict[str, Any] | None = None
    grounding: dict[str, Any] | None = None  # Google Search's groundingMetadata
    url_context: dict[str, Any] | None = None  # the pages URL context read
    code_runs: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class RunUsage(Usage):
    """Usage summed over a run's model calls, with the estimated cost."""

    cost_usd: float | None = 0.0
    cache_storage_usd: float = 0.0  # explicit caches made or extended (in cost_usd too)

    def add_call(self, model: str, metadata: UsageMetadata | None) -> float | None:
        self.add(metadata)
        cost = call_cost(model, metadata)
        # One unpriced call makes the total unknown: a partial sum would understate it.
        self.cost_usd = None if cost is None or self.cost_usd is None else self.cost_usd + cost
        return cost


@dataclass
class RunResult:
    """The outcome of a run.

    Attributes:
        text: the final answer's text (None when the run stopped without one).
        output: the parsed ``output_type`` value, or the text when there is no output type.
        history: the whole conversation as wire Content dicts (pass it back as ``history=``).
        new_messages: the part of ``history`` this run added.
        tool_calls: every call executed, in order.
        thoughts: thought summaries the model returned (``include_thoughts=True``).
        usage: tokens and estimated cost over all model calls.
        steps: one record per model call.
        stop_reason: why the run ended.
        state: when paused, the JSON-able run state to hand to ``agent.resume``.
        context: what the last request sent, when a context policy compacted the history
            (None: the whole history was sent); a chat continues from it.
    """

    run_id: str
    text: str | None
    output: Any
    history_contents: Sequence[Content]  # a chat's results share its transcript
    new_from: int
    tool_calls: list[ToolCallRecord] = field(default_factory=list)
    thoughts: list[str] = field(default_factory=list)
    usage: RunUsage = field(default_factory=RunUsage)
    steps: list[StepRecord] = field(default_factory=list)
    stop_reason: StopReason = StopReason.COMPLETED
    state: dict[str, Any] | None = None
    context_contents: list[Content] | None = None

    @property
    def context(self) -> list[dict[str, Any]] | None:
        if self.context_contents is None:
            return None
        return [content.to_wire() for content in self.context_contents]

    @property
    def history(self) -> list[dict[str, Any]]:
        return [content.to_wire() for content in self.history_contents]

    @property
    def new_messages(self) -> list[dict[str, Any]]:
        return [content.to_wire() for content in self.history_contents[self.new_from :]]

    @property
    def sources(self) -> list[dict[str, str]]:
        """The web pages the answers were grounded in (Google Search), each once, in the
        order first cited: ``{"title": ..., "uri": ...}``."""
        seen: dict[str, dict[str, str]] = {}
        for step in self.steps:
            for chunk in (step.grounding or {}).get("groundingChunks") or ():
                web = chunk.get("web") or {}
                uri = web.get("uri")
                if uri and uri not in seen:
                    seen[uri] = {"title": str(web.get("title") or uri), "uri": str(uri)}
        return list(seen.values())

    @property
    def code_runs(self) -> list[dict[str, Any]]:
        """Code the model ran (code execution), in order, with outcome and output."""
        return [run for step in self.steps for run in step.code_runs]

    @property
    def paused(self) -> bool:
        return self.stop_reason is StopReason.PAUSED
