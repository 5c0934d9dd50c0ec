"""The body of ``generateContent`` / ``streamGenerateContent`` and ``countTokens``."""

from __future__ import annotations

from agentkit.types._wire import WireModel
from agentkit.types.config import GenerationConfig, SafetySetting
from agentkit.types.content import Content
from agentkit.types.tools import Tool, ToolConfig


class GenerateContentRequest(WireModel):
    contents: list[Content]
    system_instruction: Content | None = None
    tools: list[Tool] | None = None
    tool_config: ToolConfig | None = None
    safety_settings: list[SafetySetting] | None = None
    generation_config: GenerationConfig | None = None
    cached_content: str | None = None
    service_tier: str | None = None
    # Only inside countTokens' ``generateContentRequest`` wrapper.
    model: str | None = None


class CountTokensRequest(WireModel):
    """Either ``contents`` or ``generate_content_request``, never both."""

    contents: list[Content] | None = None
    generate_content_request: GenerateContentRequest | None = None
