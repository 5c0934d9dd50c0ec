"""Assembling one model turn from a response, or from the chunks of a stream.

A non-streamed response is one chunk, so both paths go through the same code. Parts are kept
exactly as received; the only change is that a text delta continuing the previous chunk's
text is joined to it — and never across a thought signature, a thought/answer boundary, or any
part carrying other fields (Gemini validates signatures on the exact part they came on).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from agentkit.types import (
    Candidate,
    Content,
    FinishReason,
    GenerateContentResponse,
    Part,
    PromptFeedback,
    UsageMetadata,
)

_PLAIN_TEXT_FIELDS = frozenset({"text", "thought"})


@dataclass
class Delta:
    """Text that arrived with a chunk: answer text or a thought summary."""

    text: str
    thought: bool


@dataclass
class Turn:
    parts: list[Part] = field(default_factory=list)
    role: str = "model"
    finish_reason: FinishReason | None = None
    finish_message: str | None = None
    usage: UsageMetadata | None = None
    prompt_feedback: PromptFeedback | None = None
    model_version: str | None = None
    chunks: int = 0
    _whole: Content | None = None

    def add(self, chunk: GenerateContentResponse) -> list[Delta]:
        """Take in a chunk; return the text it added (for events)."""
        self.chunks += 1
        if chunk.usage_metadata is not None:
            self.usage = chunk.usage_metadata  # only the last one is complete: never sum
        if chunk.prompt_feedback is not None:
            self.prompt_feedback = chunk.prompt_feedback
        if chunk.model_version:
            self.model_version = chunk.model_version
        candidate: Candidate | None = chunk.first_candidate
        if candidate is None:
            return []
        if candidate.finish_reason is not None:
            self.finish_reason = candidate.finish_reason
        if candidate.finish_message is not None:
            self.finish_message = candidate.finish_message
        content = candidate.content
        if content is None or not content.parts:
            return []
        self._whole = content if self.chunks == 1 else None
        if content.role:
            self.role = content.role
        deltas = []
        for index, part in enumerate(content.parts):
            if index == 0 and self.parts and _joinable(self.parts[-1], part):
                self.parts[-1] = _join(self.parts[-1], part)
            else:
                self.parts.append(part)
            if part.text:
                deltas.append(Delta(part.text, bool(part.thought)))
        return deltas

    def content(self) -> Content | None:
        """The turn for the history, or None when the model produced no parts."""
        if not self.parts:
            return None
        if self._whole is not None and self.chunks == 1:
            return self._whole  # a single response goes into history exactly as received
        return Content(role=self.role, parts=list(self.parts))

    @property
    def text(self) -> str | None:
        texts = [p.text for p in self.parts if p.text is not None and not p.thought]
        return "".join(texts) if texts else None

    @property
    def thoughts(self) -> list[str]:
        return [p.text for p in self.parts if p.thought and p.text]


def _joinable(previous: Part, part: Part) -> bool:
    return (
        previous.model_fields_set <= _PLAIN_TEXT_FIELDS
        and part.model_fields_set <= _PLAIN_TEXT_FIELDS
        and not previous.model_extra
        and not part.model_extra
        and previous.text is not None
        and part.text is not None
        and bool(previous.thought) == bool(part.thought)
    )


def _join(previous: Part, part: Part) -> Part:
    joined = Part(text=(previous.text or "") + (part.text or ""))
    if previous.thought is not None:
        joined.thought = previous.thought
    return joined
