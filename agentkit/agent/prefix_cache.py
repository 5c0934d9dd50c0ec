"""``Agent(cache=ContextCache(...))``: the stable prefix of every request in an explicit cache.

What does not change between requests — the instructions, the tools and their tool config,
and optionally a long document (a home inventory, a manual) — is put into a
``cachedContents`` cache once; requests then send ``cachedContent`` and not those fields, and
the model reads the cache first. Gemini's rules shape it:

- a request that names a cache must not also send ``systemInstruction``, ``tools`` or
  ``toolConfig``: so a cache holds one tool config, and a step with another one (the forced
  first round of ``tool_mode="any"``, the last tools-off call at a limit) is sent whole;
- a cache smaller than the model's minimum is refused: such a prefix is sent whole too;
- a cache lives for its TTL: one in use is extended before it runs out, and one that is
  gone anyway (deleted elsewhere, expired) is made again;
- caches cost storage per hour: the agent deletes those it made on ``agent.aclose()`` or
  when the last ``async with agent:`` block ends; otherwise their TTL ends them.

The document is the first turn of the cache's contents, so it is read before the
conversation and never counted against the context policy's budget twice.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from agentkit.errors import AgentkitError, APIError
from agentkit.logs import get_logger
from agentkit.pricing import cache_storage_cost
from agentkit.types import Content, Tool, ToolConfig

if TYPE_CHECKING:
    from agentkit.agent.settings import RunSettings

log = get_logger()


@dataclass(frozen=True)
class ContextCache:
    """Attributes:
    ttl: seconds a cache lives; extended when less than half of it is left.
    document: text (or a Content) to cache ahead of every conversation.
    """

    ttl: float = 3600.0
    document: str | Content | None = None


@dataclass
class _Made:
    name: str | None  # None: this prefix is sent whole (too small, or no caching here)
    tokens: int = 0
    expires: float = 0.0


@dataclass
class PrefixCaches:
    """An agent's caches, one per (model, tool config), made on first use."""

    policy: ContextCache
    made: dict[tuple[str, str], _Made] = field(default_factory=dict)

    def document(self) -> Content | None:
        document = self.policy.document
        if document is None:
            return None
        return document if isinstance(document, Content) else Content.user(document)

    async def name_for(
        self,
        model: Any,
        instructions: Content | None,
        tools: list[Tool] | None,
        tool_config: ToolConfig | None,
        usage: Any,
    ) -> str | None:
        """The cache to send for this prefix, made or extended as needed; None to send the
        prefix whole. ``usage`` (the run's) is charged the storage of what is made."""
        caches = getattr(model, "caches", None)
        if caches is None:
            return None
        key = (str(model.name), _key(tool_config))
        known = self.made.get(key)
        now = time.time()
        if known is not None and known.name is None:
            return None
        if known is not None and known.expires - now > self.policy.ttl / 2:
            return known.name
        if known is not None:
            try:
                extended = await caches.update(known.name, ttl=self.policy.ttl)
                known.expires = now + self.policy.ttl
                _charge(usage, model.name, extended.tokens or known.tokens, self.policy.ttl)
                return known.name
            except AgentkitError:
                del self.made[key]  # gone already, or not reachable: made again below
        return await self._make(caches, model, key, instructions, tools, tool_config, usage)

    def forget(self, model: Any, tool_config: ToolConfig | None) -> None:
        """The API said the cache is gone: the next request makes a new one."""
        self.made.pop((str(model.name), _key(tool_config)), None)

    async def _make(
        self,
        caches: Any,
        model: Any,
        key: tuple[str, str],
        instructions: Content | None,
        tools: list[Tool] | None,
        tool_config: ToolConfig | None,
        usage: Any,
    ) -> str | None:
        document = self.document()
        try:
            made = await caches.create(
                contents=[document] if document is not None else None,
                system_instruction=instructions,
                tools=tools,
                tool_config=tool_config,
                ttl=self.policy.ttl,
                display_name="agentkit prefix",
            )
        except APIError as error:
            if error.status_code == 400:
                # Too small for the model's minimum, or not cacheable there: sent whole.
                log.info("cache.not_made", model=model.name, reason=str(error)[:200])
                self.made[key] = _Made(None)
                return None
            log.warning("cache.not_made", model=model.name, reason=str(error)[:200])
            return None  # a cache is an economy, not a need: this request goes whole
        except AgentkitError as error:  # unreachable now: tried again with the next request
            log.warning("cache.not_made", model=model.name, reason=str(error)[:200])
            return None
        self.made[key] = _Made(made.name, made.tokens, time.time() + self.policy.ttl)
        _charge(usage, model.name, made.tokens, self.policy.ttl)
        log.info("cache.made", model=model.name, name=made.name, tokens=made.tokens)
        name: str | None = made.name
        return name

    async def delete_all(self, model: Any) -> None:
        caches = getattr(model, "caches", None)
        made, self.made = self.made, {}
        for entry in made.values():
            if entry.name is not None and caches is not None:
                try:
                    await caches.delete(entry.name)
                except AgentkitError as error:  # its TTL ends it anyway
                    log.warning("cache.delete_failed", name=entry.name, error=str(error))


async def cache_for_request(
    settings: RunSettings, forced_round_done: bool, tools_off: bool, usage: Any
) -> str | None:
    """The cache the next request names, when the agent caches its prefix and the step's
    tool config is the steady one a cache holds; None to send the prefix whole."""
    cache = settings.cache
    if cache is None or tools_off:
        return None
    steady = _steady_config(settings)
    if settings.wire_tools is not None and steady != settings.plan.config(
        forced_round_done=forced_round_done, tools_off=False
    ):
        return None  # a forced round: its own config, sent whole rather than cached
    return await cache.name_for(
        settings.model, settings.instructions, settings.wire_tools, steady, usage
    )


def cache_gone(settings: RunSettings, error: APIError) -> bool:
    """Whether ``error`` says the cache a request named is gone (then it is forgotten, and
    the next request makes a new one)."""
    cache = settings.cache
    if cache is None or error.status_code != 403 or "CachedContent" not in str(error):
        return False
    cache.forget(settings.model, _steady_config(settings))
    return True


def _steady_config(settings: RunSettings) -> ToolConfig | None:
    if settings.wire_tools is None:
        return None
    return settings.plan.config(forced_round_done=True, tools_off=False)


def _key(tool_config: ToolConfig | None) -> str:
    return json.dumps(tool_config.to_wire() if tool_config else None, sort_keys=True)


def _charge(usage: Any, model: str, tokens: int, seconds: float) -> None:
    cost = cache_storage_cost(model, tokens, seconds)
    if cost is not None and usage.cost_usd is not None:
        usage.cost_usd += cost
    usage.cache_storage_usd = (usage.cache_storage_usd or 0.0) + (cost or 0.0)
