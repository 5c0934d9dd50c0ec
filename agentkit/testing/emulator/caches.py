"""``cachedContents``: explicit context caches, kept by the emulator with Gemini's rules.

A cache holds a request's stable prefix (contents, system instruction, tools, tool config)
for one model until it expires. Gemini's rules, as the emulator enforces them:

- a cache must hold at least the model's minimum of tokens (1,024 for Flash, 4,096 for
  Pro), or creating it is a 400 saying how many it has and how many it needs;
- its lifetime is ``ttl`` (a duration such as ``"300s"``, one hour by default) or an
  ``expireTime``; an expired cache is gone, as if deleted;
- a generateContent request that names ``cachedContent`` must not also set
  ``systemInstruction``, ``tools`` or ``toolConfig`` (400), and must ask for the cache's
  model (400);
- the model reads the cache's contents before the request's, and the usage reports the
  cached part as ``cachedContentTokenCount`` (included in ``promptTokenCount``).

Time is the store's own clock, so a test can let a cache expire without waiting.
"""

from __future__ import annotations

import datetime
import hashlib
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from agentkit.testing.answers import estimate_tokens
from agentkit.testing.emulator.errors import Rejection

DEFAULT_TTL = 3600.0
CACHED_FIELDS = ("contents", "systemInstruction", "tools", "toolConfig")
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)s$")


def minimum_tokens(model: str) -> int:
    """The fewest tokens a cache for ``model`` may hold (Gemini's published minimums)."""
    return 4096 if "-pro" in model else 1024


@dataclass
class _Cache:
    record: dict[str, Any]
    prefix: dict[str, Any]
    tokens: int
    expires: float


@dataclass
class CacheStore:
    clock: Callable[[], float] = time.time
    _caches: dict[str, _Cache] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    offset: float = 0.0  # added to the clock: ``advance`` moves time on for tests

    def now(self) -> float:
        return self.clock() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds

    # -- the resource ---------------------------------------------------------------------

    def create(self, body: Any, model_is_served: Callable[[str], None]) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise Rejection("Invalid JSON payload received. Expected an object.")
        model = body.get("model")
        if not isinstance(model, str) or not model:
            raise Rejection(
                "* CreateCachedContentRequest.cached_content.model: model is required\n"
            )
        if not model.startswith("models/"):
            model = f"models/{model}"
        model_is_served(model.removeprefix("models/"))
        unknown = sorted(set(body) - {*CACHED_FIELDS, "model", "ttl", "expireTime", "displayName"})
        if unknown:
            raise Rejection(
                f'Invalid JSON payload received. Unknown name "{unknown[0]}": Cannot find field.'
            )
        prefix = {key: body[key] for key in CACHED_FIELDS if key in body}
        compact = json.dumps(prefix, ensure_ascii=False, separators=(",", ":")).encode()
        tokens = estimate_tokens(len(compact)) if prefix else 0
        least = minimum_tokens(model)
        if tokens < least:
            raise Rejection(
                f"Cached content is too small. total_token_count={tokens}, "
                f"min_total_token_count={least}"
            )
        name = f"cachedContents/emu{next(self._ids):06d}"
        now = self.now()
        record = {
            "name": name,
            "model": model,
            "createTime": _stamp(now),
            "updateTime": _stamp(now),
            "usageMetadata": {"totalTokenCount": tokens},
        }
        if "displayName" in body:
            record["displayName"] = body["displayName"]
        cache = _Cache(record, prefix, tokens, now + DEFAULT_TTL)
        self._set_expiry(cache, body, now)
        self._caches[name] = cache
        return dict(cache.record)

    def get(self, name: str) -> dict[str, Any]:
        return dict(self._live(name).record)

    def list(self, page_size: int | None, page_token: str | None) -> dict[str, Any]:
        live = [self._live(name).record for name in list(self._caches) if self._alive(name)]
        start = int(page_token or 0)
        size = page_size or 100
        page: dict[str, Any] = {"cachedContents": [dict(r) for r in live[start : start + size]]}
        if start + size < len(live):
            page["nextPageToken"] = str(start + size)
        return page

    def update(self, name: str, body: Any) -> dict[str, Any]:
        cache = self._live(name)
        if not isinstance(body, dict) or not ({"ttl", "expireTime"} & set(body)):
            raise Rejection(
                "* UpdateCachedContentRequest: only ttl or expire_time can be updated\n"
            )
        extra = sorted(set(body) - {"ttl", "expireTime", "name"})
        if extra:
            raise Rejection(f"* UpdateCachedContentRequest: {extra[0]} cannot be updated\n")
        now = self.now()
        self._set_expiry(cache, body, now)
        cache.record["updateTime"] = _stamp(now)
        return dict(cache.record)

    def delete(self, name: str) -> None:
        self._live(name)
        del self._caches[name]

    # -- use in generateContent -----------------------------------------------------------

    def expand(self, payload: dict[str, Any], model: str) -> tuple[dict[str, Any], int]:
        """The request the model reads (the cache's prefix, then the request) and how many
        of its tokens came from the cache. Raises Gemini's 400 for what it refuses."""
        name = payload.get("cachedContent")
        if not isinstance(name, str):
            raise Rejection("* GenerateContentRequest.cached_content: must be a string\n")
        clashing = [key for key in ("systemInstruction", "tools", "toolConfig") if key in payload]
        if clashing:
            raise Rejection(
                "CachedContent can not be used with GenerateContent request setting "
                "system_instruction, tools or tool_config.\n\nProposed fix: move those values "
                "to CachedContent from GenerateContent request."
            )
        cache = self._live(name)
        asked = model if model.startswith("models/") else f"models/{model}"
        if cache.record["model"] != asked:
            raise Rejection(
                f"Model used by GenerateContent request ({asked}) and CachedContent "
                f"({cache.record['model']}) has to be the same."
            )
        expanded = {key: value for key, value in payload.items() if key != "cachedContent"}
        expanded.update({k: v for k, v in cache.prefix.items() if k != "contents"})
        expanded["contents"] = [*cache.prefix.get("contents", []), *payload.get("contents", [])]
        return expanded, cache.tokens

    # -- internals ------------------------------------------------------------------------

    def _alive(self, name: str) -> bool:
        cache = self._caches.get(name)
        if cache is not None and cache.expires <= self.now():
            del self._caches[name]  # expired: gone, as Gemini deletes it
            return False
        return cache is not None

    def _live(self, name: str) -> _Cache:
        if not self._alive(name):
            raise Rejection(
                "CachedContent not found (or permission denied)",
                code=403,
                status="PERMISSION_DENIED",
            )
        return self._caches[name]

    def _set_expiry(self, cache: _Cache, body: dict[str, Any], now: float) -> None:
        if "ttl" in body:
            found = _DURATION.match(str(body["ttl"]))
            if found is None:
                raise Rejection(
                    "Invalid value at 'cached_content.ttl' "
                    f'(type.googleapis.com/google.protobuf.Duration), "{body["ttl"]}"'
                )
            cache.expires = now + float(found.group(1))
        elif "expireTime" in body:
            try:
                moment = datetime.datetime.fromisoformat(
                    str(body["expireTime"]).replace("Z", "+00:00")
                )
            except ValueError:
                raise Rejection(
                    "Invalid value at 'cached_content.expire_time' "
                    f'(type.googleapis.com/google.protobuf.Timestamp), "{body["expireTime"]}"'
                ) from None
            cache.expires = moment.timestamp()
        cache.record["expireTime"] = _stamp(cache.expires)


def _stamp(moment: float) -> str:
    when = datetime.datetime.fromtimestamp(moment, tz=datetime.UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class ImplicitCache:
    """Gemini's implicit caching, simulated: a request whose beginning (instructions,
    tools, tool config and its first turns) repeats an earlier request's is reported with
    that beginning as cached tokens, when it is at least the model's minimum. Prefixes are
    compared a whole turn at a time, as the bytes of their compact JSON."""

    remembered: int = 10_000  # prefixes kept, oldest forgotten first
    _seen: dict[str, None] = field(default_factory=dict)

    def cached_tokens(self, payload: dict[str, Any], model: str) -> int:
        head = {
            key: payload[key]
            for key in ("systemInstruction", "tools", "toolConfig")
            if key in payload
        }
        digest = hashlib.sha256(model.encode())
        digest.update(json.dumps(head, sort_keys=True, separators=(",", ":")).encode())
        size = len(json.dumps(head, separators=(",", ":")))
        prefixes: list[tuple[str, int]] = []
        for content in payload.get("contents") or ():
            encoded = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            digest.update(encoded.encode())
            size += len(encoded)
            prefixes.append((digest.copy().hexdigest(), size))
        hit = 0
        # The request's own last turn is new by definition: only what came before can hit.
        for key, prefix_size in prefixes[:-1]:
            if key in self._seen:
                hit = prefix_size
        for key, _ in prefixes:
            self._seen[key] = None
        while len(self._seen) > self.remembered:
            self._seen.pop(next(iter(self._seen)))
        tokens = estimate_tokens(hit) if hit else 0
        return tokens if tokens >= minimum_tokens(model) else 0
