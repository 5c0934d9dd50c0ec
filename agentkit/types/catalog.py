"""Model metadata (``GET models``) and token counting results."""

from __future__ import annotations

from agentkit.types._wire import WireModel
from agentkit.types.response import ModalityTokenCount


class ModelInfo(WireModel):
    name: str
    base_model_id: str | None = None
    version: str | None = None
    display_name: str | None = None
    description: str | None = None
    input_token_limit: int | None = None
    output_token_limit: int | None = None
    supported_generation_methods: list[str] | None = None
    temperature: float | None = None
    max_temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    thinking: bool | None = None


class ListModelsResponse(WireModel):
    models: list[ModelInfo] | None = None
    next_page_token: str | None = None


class CountTokensResponse(WireModel):
    total_tokens: int | None = None
    cached_content_token_count: int | None = None
    prompt_tokens_details: list[ModalityTokenCount] | None = None
