"""``cachedContents``: an explicit context cache, as the API describes it."""

from __future__ import annotations

from agentkit.types._wire import WireModel
from agentkit.types.content import Content
from agentkit.types.tools import Tool, ToolConfig


class CacheUsage(WireModel):
    total_token_count: int | None = None


class CachedContent(WireModel):
    """A cache: its name (``cachedContents/...``), model, lifetime and size. What it holds
    (contents, instructions, tools) is sent when it is made and not returned afterwards."""

    name: str | None = None
    model: str | None = None
    display_name: str | None = None
    contents: list[Content] | None = None
    system_instruction: Content | None = None
    tools: list[Tool] | None = None
    tool_config: ToolConfig | None = None
    ttl: str | None = None
    expire_time: str | None = None
    create_time: str | None = None
    update_time: str | None = None
    usage_metadata: CacheUsage | None = None

    @property
    def tokens(self) -> int:
        usage = self.usage_metadata
        return usage.total_token_count or 0 if usage is not None else 0


class ListCachedContentsResponse(WireModel):
    cached_contents: list[CachedContent] | None = None
    next_page_token: str | None = None
