"""The Model protocol: what the agent loop needs from any model backend."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol, runtime_checkable

from agentkit.types import GenerateContentRequest, GenerateContentResponse


@runtime_checkable
class Model(Protocol):
    """A backend the agent loop can talk to: Gemini over REST, Vertex AI, a scripted model.

    ``generate`` returns one complete response. ``stream`` yields response chunks, each carrying
    only the parts new since the previous chunk; the last chunk has the complete usage. Both
    raise ``agentkit.errors`` types, never transport-library exceptions.
    """

    @property
    def name(self) -> str: ...

    async def generate(self, request: GenerateContentRequest) -> GenerateContentResponse: ...

    def stream(self, request: GenerateContentRequest) -> AsyncIterator[GenerateContentResponse]: ...


async def close_model(model: object) -> None:
    """Close a model's connections if it has any (``aclose``); scripted models have none."""
    closer = getattr(model, "aclose", None)
    if closer is not None:
        await closer()
