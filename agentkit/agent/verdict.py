"""Judging a model turn: usable, worth a re-ask (with feedback for the model), or a failure.

Gemini signals most trouble through the finish reason. Blocks (safety, recitation, blocklists)
end the run with a typed error carrying what was produced; a malformed or unexpected call and
an empty answer get a bounded re-ask; an unknown reason is never taken for success.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agentkit.agent.turn import Turn
from agentkit.errors import (
    APIError,
    IncompleteStreamError,
    ModelBehaviorError,
    ResponseBlockedError,
)
from agentkit.models.retry import RETRYABLE_STATUS_CODES
from agentkit.types import FinishReason

BLOCKED = frozenset(
    {
        FinishReason.SAFETY,
        FinishReason.RECITATION,
        FinishReason.BLOCKLIST,
        FinishReason.PROHIBITED_CONTENT,
        FinishReason.SPII,
        FinishReason.IMAGE_SAFETY,
        FinishReason.IMAGE_PROHIBITED_CONTENT,
        FinishReason.IMAGE_RECITATION,
    }
)
ACCEPTED = frozenset({FinishReason.STOP, FinishReason.MAX_TOKENS})
_FEEDBACK = {
    FinishReason.MALFORMED_FUNCTION_CALL: "Your last reply contained a malformed function call "
    "({detail}). Call the declared functions with arguments that match their schemas, or answer "
    "in text.",
    FinishReason.UNEXPECTED_TOOL_CALL: "Your last reply called a function that is not available "
    "({detail}). Use only the declared functions, or answer in text.",
}
_EMPTY_FEEDBACK = "Your last reply was empty. Please answer, or call a function."

Partial = Callable[[str | None], Any]  # builds the RunResult snapshot an error carries


def assess(turn: Turn, partial: Partial) -> str | None:
    """None when the turn is usable; a description when it deserves a re-ask; raises a typed
    error when it ends the run."""
    feedback = turn.prompt_feedback
    if feedback is not None and feedback.block_reason is not None:
        ratings = _ratings(feedback.safety_ratings)
        raise ResponseBlockedError(
            f"the prompt was blocked ({feedback.block_reason}){_blocked_by(ratings)}",
            partial=partial(None),
            block_reason=feedback.block_reason,
            safety_ratings=ratings,
        )
    reason = turn.finish_reason
    if reason in BLOCKED:
        ratings = _ratings(turn.safety_ratings)
        raise ResponseBlockedError(
            f"the model stopped its answer: {reason}{_blocked_by(ratings)}",
            partial=partial(turn.text),
            finish_reason=reason,
            partial_text=turn.text,
            safety_ratings=ratings,
        )
    if reason in _FEEDBACK:
        return f"{reason}: {turn.finish_message or 'no detail given'}"
    if reason is not None and reason not in ACCEPTED:
        detail = f" ({turn.finish_message})" if turn.finish_message else ""
        raise ModelBehaviorError(
            f"the model ended its turn with {reason!s}{detail}",
            partial=partial(turn.text),
            finish_reason=reason,
        )
    if turn.content() is None or _says_nothing(turn):
        if reason == FinishReason.MAX_TOKENS:
            raise ModelBehaviorError(
                "the model hit maxOutputTokens before writing anything (thinking counts "
                "against that limit); raise max_output_tokens or lower the thinking budget",
                partial=partial(None),
                finish_reason=reason,
            )
        return "empty answer"
    return None


def _says_nothing(turn: Turn) -> bool:
    """Only empty text parts: no answer, no call, no signature worth keeping."""
    return all(
        part.model_fields_set <= {"text", "thought"} and not part.model_extra and not part.text
        for part in turn.parts
    )


def restartable(error: BaseException, turn: Turn, *, streamed: bool) -> bool:
    """Whether a failed model call may be asked again as a whole turn by the loop.

    Only a streamed turn that failed after some of it arrived: a failure before the first
    chunk was already retried, or judged final (a per-day quota, a bad request), by the
    model's own retry policy, and a plain call has no partial delivery to recover from.
    """
    if not streamed or turn.chunks == 0:
        return False
    if isinstance(error, IncompleteStreamError):
        return True
    return (
        isinstance(error, APIError)
        and error.status_code in RETRYABLE_STATUS_CODES
        and not error.is_per_day_quota
    )


def feedback_for(turn: Turn) -> str:
    """What to tell the model before asking again."""
    template = _FEEDBACK.get(turn.finish_reason) if turn.finish_reason else None
    if template is None:
        return _EMPTY_FEEDBACK
    return template.format(detail=turn.finish_message or "no detail given")


def _ratings(ratings: Any) -> list[dict[str, Any]]:
    return [rating.to_wire() for rating in ratings or ()]


def _blocked_by(ratings: list[dict[str, Any]]) -> str:
    """`` (blocked: HARM_CATEGORY_X at HIGH)``: the categories the response marked blocked,
    else those rated above NEGLIGIBLE."""
    flagged = [r for r in ratings if r.get("blocked")] or [
        r for r in ratings if r.get("probability") not in (None, "NEGLIGIBLE", "LOW")
    ]
    if not flagged:
        return ""
    named = ", ".join(f"{r.get('category')} at {r.get('probability')}" for r in flagged)
    return f" (blocked: {named})"
