"""Gemini's implicit cache serves a request's prefix at the cached price when it is the
same as an earlier request's: the bytes of the instructions, the tools and every earlier
turn must not change from step to step. Fifty steps of one run, byte for byte."""

from __future__ import annotations

import json

from agentkit import Agent, Gemini, tool
from agentkit.agent import Limits
from agentkit.testing.emulator import Emulator, call


@tool
def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


def raw_pieces(body: bytes) -> tuple[list[bytes], bytes]:
    """The request's turns as the exact bytes sent, and everything else in the body."""
    data = json.loads(body)
    turns = [json.dumps(turn, separators=(",", ":"), ensure_ascii=False).encode() for turn in data.pop("contents")]
    return turns, json.dumps(data, separators=(",", ":"), sort_keys=True).encode()


async def test_fifty_steps_keep_their_prefix_byte_for_byte(emulator: Emulator) -> None:
    emulator.script([[call("add", a=n, b=n)] for n in range(49)] + ["Done."])
    agent = Agent(
        Gemini("gemini-2.5-flash", base_url=emulator.url),
        tools=[add],
        instructions="Add what you are asked to add.",
        limits=Limits(model_calls=60, tool_calls=60),
    )
    result = await agent.run("Add pairs until you are done.")
    assert result.text == "Done."
    bodies = [request.body for request in emulator.requests]
    assert len(bodies) == 50
    for earlier, later in zip(bodies, bodies[1:], strict=False):
        earlier_turns, earlier_rest = raw_pieces(earlier)
        later_turns, later_rest = raw_pieces(later)
        assert later_rest == earlier_rest  # instructions, tools, tool config, settings
        assert later_turns[: len(earlier_turns)] == earlier_turns  # every earlier turn as it was
        assert len(later_turns) == len(earlier_turns) + 2
        # The raw body itself: the earlier request's bytes up to its last turn begin the next.
        prefix = b'{"contents":[' + b",".join(earlier_turns)
        assert earlier.startswith(prefix) and later.startswith(prefix)


async def test_with_the_emulators_implicit_cache_each_step_reads_its_prefix_from_the_cache(
    emulator: Emulator,
) -> None:
    from agentkit.testing.emulator import EmulatorOptions

    emulator.options = EmulatorOptions(implicit_cache=True)
    emulator.script([[call("add", a=n, b=n)] for n in range(9)] + ["Done."])
    manual = "\n".join(f"Rule {n}: add the numbers you are given, exactly." for n in range(300))
    agent = Agent(Gemini("gemini-2.5-flash", base_url=emulator.url), tools=[add], instructions=manual)
    result = await agent.run("Add pairs until you are done.")
    cached = [step.usage.cached_content_token_count or 0 for step in result.steps if step.usage]
    prompts = [step.usage.prompt_token_count or 0 for step in result.steps if step.usage]
    assert cached[0] == 0  # nothing before the first request
    assert all(later > earlier for earlier, later in zip(cached[1:], cached[2:], strict=False))
    assert all(0 < hit < prompt for hit, prompt in zip(cached[1:], prompts[1:], strict=True))
    assert result.usage.cached_tokens == sum(cached)
