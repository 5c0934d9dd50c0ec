"""A model that waits for a rate limiter before each call, for models with no transport of
their own to pace (the in-process scripted model of an offline batch, a test's model):
``--rpm`` then behaves offline as it does live. ``Gemini`` paces itself inside its transport,
where retries are paced too, and needs no wrapper."""

from __future__ import annotations

from collections.abc import AsyncIterator

from agentkit.models.base import Model
from agentkit.models.rate_limit import Admission, RateLimit
from agentkit.types import GenerateContentRequest, GenerateContentResponse


class PacedModel:
    """``model``, each of whose calls first takes a slot of ``limit``."""

    def __init__(self, model: Model, limit: RateLimit) -> None:
        self.model = model
        self.limit = limit

    @property
    def name(self) -> str:
        return self.model.name

    def __repr__(self) -> str:
        return f"PacedModel({self.model!r}, {self.limit!r})"

    async def generate(self, request: GenerateContentRequest) -> GenerateContentResponse:
        admission = _admission(self.limit, request)
        await admission.wait()
        response = await self.model.generate(request)
        usage = response.usage_metadata
        admission.settle(None if usage is None else usage.prompt_token_count)
        return response

    async def stream(
        self, request: GenerateContentRequest
    ) -> AsyncIterator[GenerateContentResponse]:
        admission = _admission(self.limit, request)
        await admission.wait()
        chunks = self.model.stream(request)
        try:
            async for chunk in chunks:
                if chunk.usage_metadata is not None:
                    admission.settle(chunk.usage_metadata.prompt_token_count)
                yield chunk
        finally:
            closer = getattr(chunks, "aclose", None)
            if closer is not None:
                await closer()

    async def aclose(self) -> None:
        from agentkit.models.base import close_model

        await close_model(self.model)


def _admission(limit: RateLimit, request: GenerateContentRequest) -> Admission:
    from agentkit.models.gemini import encode

    return Admission(limit, len(encode(request)))
