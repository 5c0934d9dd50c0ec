"""Assembling one model turn from a response, or from the chunks of a stream.

A non-streamed response is one chunk, so both paths go through the same code. Parts are kept
exactly as received; the only change is that a text delta continuing the previous chunk's
text is joined to it — and never across a thought signature, a thought/answer boundary, or any
part carrying other fields (Gemini validates signatures on the exact part they came on).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

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
    role: str = "model"
    finish_reason: FinishReason | None = None
    finish_message: str | None = None
    usage: UsageMetadata | None = None
    prompt_feedback: PromptFeedback | None = None
    model_version: str | None = None
    response_id: str | None = None
    # What the response said about the answer besides its parts (the last chunk that says it).
    safety_ratings: list[Any] | None = None
    citation_metadata: dict[str, Any] | None = None
    avg_logprobs: float | None = None
    logprobs_result: dict[str, Any] | None = None
    grounding_metadata: dict[str, Any] | None = None
    url_context_metadata: dict[str, Any] | None = None
    chunks: int = 0
    _whole: Content | None = None
    _closed: list[Part] = field(default_factory=list)
    # A trailing plain text part still growing: its first part as received and the text of
    # the chunks that continued it. Joining them once, when the turn is read, keeps a long
    # streamed answer linear in its size (joining on every chunk copied the text each time).
    _open: Part | None = None
    _continued: list[str] = field(default_factory=list)
    _joined: Part | None = None

    def add(self, chunk: GenerateContentResponse) -> list[Delta]:
        """Take in a chunk; return the text it added (for events)."""
        self.chunks += 1
        if chunk.usage_metadata is not None:
            self.usage = chunk.usage_metadata  # only the last one is complete: never sum
        if chunk.prompt_feedback is not None:
            self.prompt_feedback = chunk.prompt_feedback
        if chunk.model_version:
            self.model_version = chunk.model_version
        if chunk.response_id:
            self.response_id = chunk.response_id
        candidate: Candidate | None = chunk.first_candidate
        if candidate is None:
            return []
        # Each as the last chunk that says it. Only the fields the chunk set can say anything
        # (the rest are None), and most chunks set none of them.
        for name in _CANDIDATE_FIELDS & candidate.model_fields_set:
            value = getattr(candidate, name)
            if value is not None:
                setattr(self, name, value)
        content = candidate.content
        if content is None or not content.parts:
            return []
        self._whole = content if self.chunks == 1 else None
        if content.role:
            self.role = content.role
        deltas = []
        for index, part in enumerate(content.parts):
            if index == 0 and self._open is not None and _continues(self._open, part):
                self._continued.append(part.text or "")
                self._joined = None
            else:
                self._close_open()
                if _is_plain_text(part):
                    self._open = part
                else:
                    self._closed.append(part)
            if part.text:
                deltas.append(Delta(part.text, bool(part.thought)))
        return deltas

    @property
    def parts(self) -> list[Part]:
        """Every part of the turn so far, text continued across chunks joined."""
        if self._open is None:
            return self._closed
        if self._joined is None:
            self._joined = _join(self._open, self._continued)
        return [*self._closed, self._joined]

    def content(self) -> Content | None:
        """The turn for the history, or None when the model produced no parts."""
        if self._whole is not None and self.chunks == 1:
            whole = self._whole  # a single response goes into history exactly as received,
            if whole.role == "model":  # except that it is the model's turn, always: a
                return whole  # content without a role would read as the user's
            return whole.model_copy(update={"role": "model"})
        parts = self.parts
        if not parts:
            return None
        return Content(role="model", parts=list(parts))

    @property
    def code_runs(self) -> list[dict[str, Any]]:
        """Code the model ran with the code-execution tool, each with its outcome and
        output (the result part follows the code part it belongs to)."""
        runs: list[dict[str, Any]] = []
        for part in self.parts:
            if part.executable_code is not None:
                runs.append(
                    {"code": part.executable_code.code, "language": part.executable_code.language}
                )
            elif part.code_execution_result is not None and runs:
                result = part.code_execution_result
                runs[-1].update(outcome=result.outcome, output=result.output)
        return runs

    @property
    def text(self) -> str | None:
        texts = [p.text for p in self.parts if p.text is not None and not p.thought]
        return "".join(texts) if texts else None

    @property
    def thoughts(self) -> list[str]:
        return [p.text for p in self.parts if p.thought and p.text]

    def _close_open(self) -> None:
        if self._open is not None:
            self._closed.append(_join(self._open, self._continued))
            self._open, self._continued, self._joined = None, [], None


def _is_plain_text(part: Part) -> bool:
    return (
        part.text is not None
        and part.model_fields_set <= _PLAIN_TEXT_FIELDS
        and not part.model_extra
    )


def _continues(open_part: Part, part: Part) -> bool:
    """Whether ``part`` continues the open part's text (which is plain text: it is open)."""
    return _is_plain_text(part) and bool(open_part.thought) == bool(part.thought)


def _join(first: Part, continued: list[str]) -> Part:
    """The part as received when nothing continued it; otherwise one part with all the text."""
    if not continued:
        return first
    joined = Part(text=(first.text or "") + "".join(continued))
    if first.thought is not None:
        joined.thought = first.thought
    return joined


# What a candidate says about its answer besides the parts, kept on the turn.
_CANDIDATE_FIELDS = frozenset(
    {
        "finish_reason",
        "finish_message",
        "safety_ratings",
        "citation_metadata",
        "avg_logprobs",
        "logprobs_result",
        "grounding_metadata",
        "url_context_metadata",
    }
)
