"""The model's answer: candidates, finish reasons, safety feedback, token usage."""

from __future__ import annotations

from typing import Any

from agentkit.types._wire import OpenEnum, WireModel
from agentkit.types.content import Content, FunctionCall


class FinishReason(OpenEnum):
    FINISH_REASON_UNSPECIFIED = "FINISH_REASON_UNSPECIFIED"
    STOP = "STOP"
    MAX_TOKENS = "MAX_TOKENS"
    SAFETY = "SAFETY"
    RECITATION = "RECITATION"
    LANGUAGE = "LANGUAGE"
    OTHER = "OTHER"
    BLOCKLIST = "BLOCKLIST"
    PROHIBITED_CONTENT = "PROHIBITED_CONTENT"
    SPII = "SPII"
    MALFORMED_FUNCTION_CALL = "MALFORMED_FUNCTION_CALL"
    IMAGE_SAFETY = "IMAGE_SAFETY"
    UNEXPECTED_TOOL_CALL = "UNEXPECTED_TOOL_CALL"
    TOO_MANY_TOOL_CALLS = "TOO_MANY_TOOL_CALLS"
    IMAGE_PROHIBITED_CONTENT = "IMAGE_PROHIBITED_CONTENT"
    NO_IMAGE = "NO_IMAGE"
    IMAGE_RECITATION = "IMAGE_RECITATION"
    IMAGE_OTHER = "IMAGE_OTHER"


class BlockReason(OpenEnum):
    BLOCK_REASON_UNSPECIFIED = "BLOCK_REASON_UNSPECIFIED"
    SAFETY = "SAFETY"
    OTHER = "OTHER"
    BLOCKLIST = "BLOCKLIST"
    PROHIBITED_CONTENT = "PROHIBITED_CONTENT"
    IMAGE_SAFETY = "IMAGE_SAFETY"


class SafetyRating(WireModel):
    category: str | None = None
    probability: str | None = None
    blocked: bool | None = None


class Candidate(WireModel):
    """One candidate. ``content`` may be missing or ``{}`` (MAX_TOKENS while thinking,
    MALFORMED_FUNCTION_CALL, an occasional empty STOP)."""

    content: Content | None = None
    finish_reason: FinishReason | None = None
    finish_message: str | None = None
    index: int | None = None
    safety_ratings: list[SafetyRating] | None = None
    citation_metadata: dict[str, Any] | None = None
    grounding_metadata: dict[str, Any] | None = None
    url_context_metadata: dict[str, Any] | None = None
    token_count: int | None = None
    avg_logprobs: float | None = None
    logprobs_result: dict[str, Any] | None = None


class PromptFeedback(WireModel):
    """Present with ``block_reason`` when the prompt itself was blocked (then no candidates)."""

    block_reason: BlockReason | None = None
    block_reason_message: str | None = None
    safety_ratings: list[SafetyRating] | None = None


class ModalityTokenCount(WireModel):
    modality: str | None = None
    token_count: int | None = None


class UsageMetadata(WireModel):
    """Token counts of one call. In a stream only the last chunk's values are complete."""

    prompt_token_count: int | None = None
    cached_content_token_count: int | None = None
    candidates_token_count: int | None = None
    thoughts_token_count: int | None = None
    tool_use_prompt_token_count: int | None = None
    total_token_count: int | None = None
    prompt_tokens_details: list[ModalityTokenCount] | None = None
    cache_tokens_details: list[ModalityTokenCount] | None = None
    candidates_tokens_details: list[ModalityTokenCount] | None = None
    tool_use_prompt_tokens_details: list[ModalityTokenCount] | None = None
    traffic_type: str | None = None


class GenerateContentResponse(WireModel):
    candidates: list[Candidate] | None = None
    prompt_feedback: PromptFeedback | None = None
    usage_metadata: UsageMetadata | None = None
    model_version: str | None = None
    response_id: str | None = None
    model_status: dict[str, Any] | None = None

    @property
    def first_candidate(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None

    @property
    def content(self) -> Content | None:
        candidate = self.first_candidate
        return candidate.content if candidate is not None else None

    @property
    def text(self) -> str | None:
        """Non-thought text of the first candidate, or None when it has none."""
        content = self.content
        return content.text if content is not None else None

    @property
    def function_calls(self) -> list[FunctionCall]:
        content = self.content
        return content.function_calls if content is not None else []

    @property
    def finish_reason(self) -> FinishReason | None:
        candidate = self.first_candidate
        return candidate.finish_reason if candidate is not None else None
