"""How far one run may go."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from agentkit.agent.result import StopReason
from agentkit.errors import ConfigurationError


@dataclass(frozen=True)
class Limits:
    """Bounds of one run. None means unbounded (a deadline of None means no deadline).

    Attributes:
        model_calls: requests to the model, retries of malformed answers included.
        tool_calls: function calls executed.
        total_tokens: tokens summed over the run (prompt + output + thoughts + tool use).
        deadline: wall-clock seconds from the start of the run.
        on_limit: ``"answer"`` makes one last model call with tools off (mode NONE) so the run
            still ends with text; ``"stop"`` ends at once with the limit as stop reason. A
            deadline always stops at once: a last call would overrun it.
        model_retries: re-asks after a malformed call, an unexpected tool call, an empty answer,
            a stream broken part-way, or structured output that does not validate, per step.
        tool_result_chars: the largest tool result (as JSON text) sent to the model; a larger
            one is cut and marked as truncated. None sends everything.
    """

    model_calls: int | None = 25
    tool_calls: int | None = 100
    total_tokens: int | None = None
    deadline: float | None = None
    on_limit: Literal["answer", "stop"] = "answer"
    model_retries: int = 2
    tool_result_chars: int | None = 50_000

    def reached(
        self, elapsed: float, model_calls: int, tool_calls: int, total_tokens: int
    ) -> StopReason | None:
        """The limit a run with these counts has reached, if any (the deadline first)."""
        if self.deadline is not None and elapsed >= self.deadline:
            return StopReason.DEADLINE
        if self.model_calls is not None and model_calls >= self.model_calls:
            return StopReason.MODEL_CALL_LIMIT
        if self.total_tokens is not None and total_tokens >= self.total_tokens:
            return StopReason.TOKEN_LIMIT
        if self.tool_calls is not None and tool_calls >= self.tool_calls:
            return StopReason.TOOL_CALL_LIMIT
        return None

    def time_left(self, elapsed: float) -> float | None:
        return None if self.deadline is None else max(0.0, self.deadline - elapsed)

    def __post_init__(self) -> None:
        for name in ("model_calls", "tool_calls", "total_tokens", "deadline", "tool_result_chars"):
            value = getattr(self, name)
            # ``not value > 0`` also refuses NaN, which compares false with everything.
            if value is not None and (not value > 0 or value == math.inf):
                raise ConfigurationError(
                    f"Limits.{name} must be a positive, finite number or None, got {value}"
                )
        if self.model_retries < 0:
            raise ConfigurationError("Limits.model_retries must not be negative")
        if self.on_limit not in ("answer", "stop"):
            raise ConfigurationError(
                f"Limits.on_limit must be 'answer' or 'stop', got {self.on_limit!r}"
            )
