"""Token usage summed over the model calls of a run."""

from __future__ import annotations

from dataclasses import dataclass

from agentkit.types import UsageMetadata


@dataclass
class Usage:
    """Token counts added up across model calls (each call's final usage counted once).

    ``total_tokens`` follows the API's definition: prompt + candidates + thoughts + tool-use
    prompt tokens. Cached tokens are part of the prompt count, reported separately because
    they are billed at a lower price.
    """

    requests: int = 0
    prompt_tokens: int = 0
    candidates_tokens: int = 0
    thoughts_tokens: int = 0
    cached_tokens: int = 0
    tool_use_prompt_tokens: int = 0
    total_tokens: int = 0

    def add(self, metadata: UsageMetadata | None) -> None:
        """Count one model call. ``None`` (a response without usage) still counts a request."""
        self.requests += 1
        if metadata is None:
            return
        prompt = metadata.prompt_token_count or 0
        candidates = metadata.candidates_token_count or 0
        thoughts = metadata.thoughts_token_count or 0
        tool_use = metadata.tool_use_prompt_token_count or 0
        self.prompt_tokens += prompt
        self.candidates_tokens += candidates
        self.thoughts_tokens += thoughts
        self.cached_tokens += metadata.cached_content_token_count or 0
        self.tool_use_prompt_tokens += tool_use
        self.total_tokens += metadata.total_token_count or (
            prompt + candidates + thoughts + tool_use
        )

    def __iadd__(self, other: Usage) -> Usage:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        return self
