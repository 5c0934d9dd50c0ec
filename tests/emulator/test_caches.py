"""``cachedContents`` in the emulator, with Gemini's rules, driven by Google's own SDK
unchanged: create, get, list, update the TTL, use in generateContent (the cached tokens in
the usage), expiry, delete; and the refusals Gemini gives."""

from __future__ import annotations

import pytest

from agentkit.testing.emulator import Emulator

genai = pytest.importorskip("google.genai")
from google.genai import errors, types  # noqa: E402

INVENTORY = "\n".join(f"Shelf {n}: {n % 7} jars of jam, {n % 5} tins of beans." for n in range(400))


def client(emulator: Emulator) -> genai.Client:
    return genai.Client(api_key="emulator-key", http_options=types.HttpOptions(base_url=emulator.url))


def test_google_genai_creates_uses_updates_and_deletes_a_cache(emulator: Emulator) -> None:
    emulator.script(["There are 3 jars on shelf 3."])
    sdk = client(emulator)
    cache = sdk.caches.create(
        model="gemini-2.5-flash",
        config=types.CreateCachedContentConfig(
            display_name="pantry",
            system_instruction="You answer questions about the pantry.",
            contents=[types.Content(role="user", parts=[types.Part(text=INVENTORY)])],
            ttl="300s",
        ),
    )
    assert cache.name is not None and cache.name.startswith("cachedContents/")
    assert cache.model == "models/gemini-2.5-flash" and cache.display_name == "pantry"
    assert cache.usage_metadata is not None and cache.usage_metadata.total_token_count > 1024
    answer = sdk.models.generate_content(
        model="gemini-2.5-flash",
        contents="How many jars on shelf 3?",
        config=types.GenerateContentConfig(cached_content=cache.name),
    )
    assert answer.text == "There are 3 jars on shelf 3."
    usage = answer.usage_metadata
    assert usage is not None and usage.cached_content_token_count == cache.usage_metadata.total_token_count
    assert usage.prompt_token_count is not None and usage.prompt_token_count > usage.cached_content_token_count
    # What the model read: the cache's prefix, then the request.
    sent = emulator.requests[-1].json
    assert sent["cachedContent"] == cache.name and "systemInstruction" not in sent
    assert [c.name for c in sdk.caches.list()] == [cache.name]
    assert sdk.caches.get(name=cache.name).expire_time == cache.expire_time
    longer = sdk.caches.update(name=cache.name, config=types.UpdateCachedContentConfig(ttl="7200s"))
    assert longer.expire_time is not None and cache.expire_time is not None
    assert 6800 < (longer.expire_time - cache.expire_time).total_seconds() <= 7200
    sdk.caches.delete(name=cache.name)
    with pytest.raises(errors.ClientError) as gone:
        sdk.caches.get(name=cache.name)
    assert gone.value.code == 403 and "CachedContent not found" in str(gone.value)


def test_gemini_refuses_what_it_refuses(emulator: Emulator) -> None:
    sdk = client(emulator)
    with pytest.raises(errors.ClientError, match=r"Cached content is too small. total_token_count=\d+, min_total_token_count=1024"):
        sdk.caches.create(model="gemini-2.5-flash", config=types.CreateCachedContentConfig(contents=["tiny"]))
    cache = sdk.caches.create(
        model="gemini-2.5-flash",
        config=types.CreateCachedContentConfig(contents=[INVENTORY], ttl="60s"),
    )
    with pytest.raises(errors.ClientError, match="CachedContent can not be used with GenerateContent request setting system_instruction, tools or tool_config"):
        sdk.models.generate_content(
            model="gemini-2.5-flash", contents="hi",
            config=types.GenerateContentConfig(cached_content=cache.name, system_instruction="Be brief."),
        )
    with pytest.raises(errors.ClientError, match=r"has to be the same"):
        sdk.models.generate_content(
            model="gemini-2.5-pro", contents="hi", config=types.GenerateContentConfig(cached_content=cache.name)
        )
    emulator.caches.advance(61)  # the cache's TTL runs out
    with pytest.raises(errors.ClientError, match="CachedContent not found"):
        sdk.models.generate_content(
            model="gemini-2.5-flash", contents="hi", config=types.GenerateContentConfig(cached_content=cache.name)
        )
    assert list(sdk.caches.list()) == []
