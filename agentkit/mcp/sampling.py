"""A server's ``sampling/createMessage`` answered by a Gemini model, when the user opts in.

A server may ask its client to run a prompt on the client's model (to summarise what a tool
found, say). That spends the user's tokens on the server's text, so a toolset answers only
when it was given a model for it (``MCPToolset.stdio(..., sampling_model=...)``); otherwise the
SDK tells the server that this client does not sample. The server's messages become
Gemini contents (text and images), its system prompt the system instruction, and its
``maxTokens``, ``temperature`` and ``stopSequences`` the generation config.
"""

from __future__ import annotations

from typing import Any

import mcp_types as types

from agentkit.models.base import Model
from agentkit.types import (
    Blob,
    Content,
    GenerateContentRequest,
    GenerationConfig,
    Part,
)


def sampler(model: Model) -> Any:
    """The SDK's sampling callback, answering with ``model``."""

    async def create_message(context: Any, params: types.CreateMessageRequestParams) -> Any:
        try:
            request = sampling_request(params)
        except ValueError as error:
            return types.ErrorData(code=types.INVALID_PARAMS, message=str(error))
        try:
            response = await model.generate(request)
        except Exception as error:
            return types.ErrorData(code=types.INTERNAL_ERROR, message=f"the model failed: {error}")
        return types.CreateMessageResult(
            role="assistant",
            content=types.TextContent(type="text", text=response.text or ""),
            model=model.name,
            stop_reason="endTurn",
        )

    return create_message


def sampling_request(params: types.CreateMessageRequestParams) -> GenerateContentRequest:
    wire = params.model_dump(by_alias=True, exclude_none=True)
    contents = []
    for message in wire.get("messages", []):
        items = message.get("content")
        items = items if isinstance(items, list) else [items]
        parts = [_part(item) for item in items if isinstance(item, dict)]
        parts = [part for part in parts if part is not None]
        if not parts:
            raise ValueError("a sampling message without text or an image")
        role = "model" if message.get("role") == "assistant" else "user"
        contents.append(Content(role=role, parts=parts))
    if not contents:
        raise ValueError("a sampling request without messages")
    config: dict[str, Any] = {}
    if "maxTokens" in wire:
        config["max_output_tokens"] = int(wire["maxTokens"])
    if "temperature" in wire:
        config["temperature"] = float(wire["temperature"])
    if wire.get("stopSequences"):
        config["stop_sequences"] = list(wire["stopSequences"])
    system = wire.get("systemPrompt")
    return GenerateContentRequest(
        contents=contents,
        system_instruction=Content(parts=[Part(text=system)]) if system else None,
        generation_config=GenerationConfig(**config) if config else None,
    )


def _part(item: dict[str, Any]) -> Part | None:
    if item.get("type") == "text":
        return Part(text=str(item.get("text", "")))
    if item.get("type") in ("image", "audio") and item.get("data") and item.get("mimeType"):
        return Part(inline_data=Blob(mime_type=item["mimeType"], data=item["data"]))
    return None
