"""``Agent(cache=ContextCache(...))`` against the emulator's ``cachedContents`` (Gemini's
rules): the prefix goes into a cache once, requests name it instead of sending it, the
cached tokens are billed at the cache price, and the agent deletes what it made."""

from __future__ import annotations

import time
from typing import Any

from agentkit import Agent, Gemini, tool
from agentkit.agent import ContextCache
from agentkit.testing.emulator import Emulator, call

INVENTORY = "\n".join(f"Shelf {n}: {n % 7} jars of jam, {n % 5} tins of beans." for n in range(400))


@tool
def count_jars(shelf: int) -> int:
    """How many jars stand on a shelf."""
    return shelf % 7


def agent_for(emulator: Emulator, **options: Any) -> Agent[Any]:
    return Agent(
        Gemini("gemini-2.5-flash", base_url=emulator.url),
        tools=[count_jars],
        instructions="You answer questions about the pantry.",
        **options,
    )


def made(emulator: Emulator) -> list[Any]:
    return [r for r in emulator.requests if r.method == "POST" and r.path.endswith("/cachedContents")]


def generated(emulator: Emulator) -> list[dict[str, Any]]:
    return [r.json for r in emulator.requests if ":generateContent" in r.path]


async def test_the_prefix_is_cached_once_and_named_by_every_request(emulator: Emulator) -> None:
    emulator.script([[call("count_jars", shelf=3)], "Three jars.", "Still three."])
    agent = agent_for(emulator, cache=ContextCache(ttl=600, document=INVENTORY))
    async with agent:
        first = await agent.run("Jars on shelf 3?")
        second = await agent.run("And now?", history=first.history)
        (cache,) = [c async for c in agent.model.caches.list()]  # type: ignore[attr-defined]
    (creation,) = made(emulator)
    assert creation.json["model"] == "models/gemini-2.5-flash" and creation.json["ttl"] == "600s"
    assert creation.json["systemInstruction"] == {"parts": [{"text": "You answer questions about the pantry."}]}
    assert creation.json["contents"] == [{"role": "user", "parts": [{"text": INVENTORY}]}]
    assert [d["name"] for d in creation.json["tools"][0]["functionDeclarations"]] == ["count_jars"]
    assert creation.json["toolConfig"] == {"functionCallingConfig": {"mode": "AUTO"}}
    requests = generated(emulator)
    assert len(requests) == 3
    for sent in requests:
        assert sent["cachedContent"] == cache.name
        assert not {"systemInstruction", "tools", "toolConfig"} & set(sent)
        assert sent["contents"][0] == {"role": "user", "parts": [{"text": "Jars on shelf 3?"}]}
    assert first.usage.cached_tokens == 2 * cache.tokens and second.usage.cached_tokens == cache.tokens
    assert first.usage.cache_storage_usd > 0
    # Leaving the block deletes the cache the agent made.
    assert [r.method for r in emulator.requests if "/cachedContents/" in r.path] == ["DELETE"]
    assert list(emulator.caches.list(None, None)["cachedContents"]) == []
    assert emulator.rejections == []


async def test_a_cached_run_costs_less_than_the_same_run_sent_whole(emulator: Emulator) -> None:
    emulator.script([[call("count_jars", shelf=3)], "Three jars."], per_conversation=True)
    plain = await Agent(
        Gemini("gemini-2.5-flash", base_url=emulator.url), tools=[count_jars],
        instructions="You answer questions about the pantry.\n" + INVENTORY,
    ).run("Jars on shelf 3?")
    agent = agent_for(emulator, cache=ContextCache(document=INVENTORY))
    cached = await agent.run("Jars on shelf 3?")
    await agent.aclose()
    assert plain.usage.cost_usd is not None and cached.usage.cost_usd is not None
    tokens_cost = cached.usage.cost_usd - cached.usage.cache_storage_usd
    assert tokens_cost < plain.usage.cost_usd * 0.5


async def test_a_prefix_below_the_minimum_is_sent_whole(emulator: Emulator) -> None:
    emulator.script(["Three jars."])
    result = await agent_for(emulator, cache=ContextCache()).run("Jars on shelf 3?")
    assert result.text == "Three jars."
    (sent,) = generated(emulator)
    assert "cachedContent" not in sent and "systemInstruction" in sent and "tools" in sent
    assert [r.rejection for r in made(emulator)][0].startswith("Cached content is too small")


async def test_a_forced_first_round_is_sent_whole_and_the_rest_cached(emulator: Emulator) -> None:
    emulator.script([[call("count_jars", shelf=1)], "One jar."])
    agent = agent_for(emulator, cache=ContextCache(document=INVENTORY), tool_mode="any")
    await agent.run("Jars on shelf 1?")
    await agent.aclose()
    forced, relaxed = generated(emulator)
    assert forced["toolConfig"]["functionCallingConfig"]["mode"] == "ANY" and "cachedContent" not in forced
    assert forced["contents"][0] == {"role": "user", "parts": [{"text": INVENTORY}]}  # the document, uncached
    assert "cachedContent" in relaxed and "toolConfig" not in relaxed
    (creation,) = made(emulator)
    assert creation.json["toolConfig"] == {"functionCallingConfig": {"mode": "AUTO"}}


async def test_a_cache_near_its_end_is_extended_and_one_gone_is_made_again(emulator: Emulator) -> None:
    emulator.script(["One.", "Two.", "Three."])
    agent = agent_for(emulator, cache=ContextCache(ttl=600, document=INVENTORY))
    await agent.run("one")
    assert agent.cache is not None
    (entry,) = agent.cache.made.values()
    entry.expires = time.time() + 60  # less than half the TTL left
    await agent.run("two")
    assert [r.method for r in emulator.requests if "/cachedContents/" in r.path] == ["PATCH"]
    emulator.caches.advance(10_000)  # gone on the server while the agent thinks it lives
    entry.expires = time.time() + 600
    third = await agent.run("three")
    assert third.text == "Three."
    assert len(made(emulator)) == 2  # made again after the 403
    assert [r.status_code for r in emulator.requests if ":generateContent" in r.path] == [200, 200, 403, 200]
    await agent.aclose()
