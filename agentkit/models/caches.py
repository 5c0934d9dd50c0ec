"""The ``cachedContents`` resource, on the model's own transport (``Gemini(...).caches``).

Create a cache of a request's stable prefix — instructions, tools, tool config, a long
document — then send ``cachedContent`` instead of them; the model reads the cache first and
the cached tokens are billed at the cache price (plus storage per hour). A cache lives for
its TTL; ``update`` extends it, ``delete`` ends it and its storage cost.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING, Any

from agentkit.models.paging import every_item
from agentkit.types import CachedContent, Content, ListCachedContentsResponse, Tool, ToolConfig

if TYPE_CHECKING:
    from agentkit.models.gemini import Gemini


class Caches:
    def __init__(self, model: Gemini) -> None:
        self._model = model

    async def create(
        self,
        *,
        contents: Sequence[Content] | None = None,
        system_instruction: Content | None = None,
        tools: Sequence[Tool] | None = None,
        tool_config: ToolConfig | None = None,
        ttl: float = 3600.0,
        display_name: str | None = None,
    ) -> CachedContent:
        """A new cache for this model, living ``ttl`` seconds. Gemini refuses one smaller
        than the model's minimum (1,024 tokens for Flash, 4,096 for Pro)."""
        fields: dict[str, Any] = {"model": f"models/{self._model.model}", "ttl": _duration(ttl)}
        if contents is not None:
            fields["contents"] = list(contents)
        if system_instruction is not None:
            fields["system_instruction"] = system_instruction
        if tools is not None:
            fields["tools"] = list(tools)
        if tool_config is not None:
            fields["tool_config"] = tool_config
        if display_name is not None:
            fields["display_name"] = display_name
        body = await self._send("POST", "cachedContents", CachedContent(**fields), "createCache")
        return CachedContent.model_validate_json(body)

    async def get(self, name: str) -> CachedContent:
        body = await self._send("GET", _resource(name), None, "getCache")
        return CachedContent.model_validate_json(body)

    def list(self, page_size: int = 100) -> AsyncIterator[CachedContent]:
        """Every cache of this API key, page by page."""

        async def page(path: str) -> tuple[list[CachedContent], str | None]:
            body = await self._send("GET", path, None, "listCaches")
            listed = ListCachedContentsResponse.model_validate_json(body)
            return listed.cached_contents or [], listed.next_page_token

        return every_item("cachedContents", page_size, page)

    async def update(self, name: str, *, ttl: float) -> CachedContent:
        """Let the cache live ``ttl`` seconds from now."""
        body = await self._send(
            "PATCH", _resource(name), CachedContent(ttl=_duration(ttl)), "updateCache"
        )
        return CachedContent.model_validate_json(body)

    async def delete(self, name: str) -> None:
        await self._send("DELETE", _resource(name), None, "deleteCache")

    async def _send(self, method: str, path: str, payload: Any, operation: str) -> bytes:
        from agentkit.models.gemini import encode

        url = self._model._collection_url(path)
        body = encode(payload) if payload is not None else None
        return await self._model._transport.request(method, url, body, operation)


def _resource(name: str) -> str:
    return name if name.startswith("cachedContents/") else f"cachedContents/{name}"


def _duration(seconds: float) -> str:
    return f"{seconds:g}s"
