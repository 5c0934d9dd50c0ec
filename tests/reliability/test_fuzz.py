"""Fuzzed model answers: whatever the model sends, a run ends in a result or a typed agentkit
error, within its limits, with a valid history — in process and through the strict emulator."""

from __future__ import annotations

import time
from typing import Annotated, Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import Field

from agentkit import Agent, Gemini, Limits, tool
from agentkit.agent import RunResult
from agentkit.agent.history import check_history
from agentkit.errors import AgentkitError
from agentkit.testing import ScriptedModel, call
from agentkit.testing.emulator import Emulator

seen_calls: list[str] = []


@tool
async def lookup(key: str) -> str:
    """Look a key up."""
    seen_calls.append(key)
    return f"value of {key}"


@tool
def set_level(level: Annotated[int, Field(ge=0, le=10)], label: str | None = None) -> int:
    """Set a level from 0 to 10."""
    return level


LIMITS = Limits(model_calls=6, tool_calls=30, model_retries=1)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)
names = st.sampled_from(["lookup", "set_level", "Lookup", "no_such_tool", "final_answer", "a" * 70, "bad name!", "名前", ""])
arguments = st.one_of(
    st.none(),
    st.fixed_dictionaries({"key": st.text(max_size=20)}),
    st.fixed_dictionaries({"level": st.one_of(st.integers(-5, 50), st.text(max_size=5), json_values)}),
    st.dictionaries(st.text(max_size=8), json_values, max_size=4),
)
function_calls = st.builds(
    lambda name, args, call_id: {"functionCall": {"name": name, **({"args": args} if args is not None else {}), **({"id": call_id} if call_id else {})}},
    names, arguments, st.one_of(st.none(), st.text(min_size=1, max_size=8)),
)
texts = st.builds(lambda text, thought: {"text": text, **({"thought": True} if thought else {})}, st.text(max_size=40), st.booleans())
junk = st.dictionaries(st.sampled_from(["futureField", "partMetadata", "thoughtSignature", "videoMetadata"]), json_values, min_size=1, max_size=2)
parts = st.lists(st.one_of(function_calls, function_calls, texts, junk), max_size=6)
finish_reasons = st.sampled_from([None, "STOP", "STOP", "MAX_TOKENS", "SAFETY", "MALFORMED_FUNCTION_CALL", "UNEXPECTED_TOOL_CALL", "OTHER", "REASON_FROM_2030", "RECITATION"])
answers = st.one_of(
    st.builds(lambda p, reason: {"candidates": [{"content": {"role": "model", "parts": p}, **({"finishReason": reason} if reason else {})}]}, parts, finish_reasons),
    st.just({"candidates": []}),
    st.just({"candidates": [{"content": {}}]}),
    st.just({"promptFeedback": {"blockReason": "OTHER"}}),
    st.builds(lambda value: {"candidates": [{"content": {"role": "model", "parts": [{"text": value}]}}]}, json_values),  # wrong types
)
scripts = st.lists(answers, min_size=1, max_size=5)
PADDING = ["Fine, here is my answer."] * 12  # the model settles down once the script is used up


def check_outcome(outcome: RunResult | AgentkitError, requests: int) -> None:
    assert requests <= LIMITS.model_calls + 1  # at most one last call with tools off
    if isinstance(outcome, RunResult):
        check_history(outcome.history_contents)
        last = outcome.history_contents[-1]
        assert not (last.role == "model" and last.function_calls)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(script=scripts)
async def test_any_answers_through_a_scripted_model(script: list[dict[str, Any]]) -> None:
    model = ScriptedModel([*script, *PADDING])
    agent = Agent(model, tools=[lookup, set_level], limits=LIMITS)
    try:
        outcome: RunResult | AgentkitError = await agent.run("Do something")
    except AgentkitError as error:
        outcome = error
    check_outcome(outcome, len(model.requests))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(script=scripts, streamed=st.booleans())
async def test_any_answers_through_the_strict_emulator(_server: Emulator, script: list[dict[str, Any]], streamed: bool) -> None:
    _server.reset()
    _server.script([*script, *PADDING])
    model = Gemini(base_url=_server.url)
    agent = Agent(model, tools=[lookup, set_level], limits=LIMITS)
    try:
        if streamed:
            outcome: RunResult | AgentkitError = [e async for e in agent.stream("Do something")][-1].result  # type: ignore[union-attr]
        else:
            outcome = await agent.run("Do something")
    except AgentkitError as error:
        outcome = error
    finally:
        await model.aclose()
    check_outcome(outcome, len(_server.requests))


async def test_thousands_of_parallel_calls(emulator: Emulator) -> None:
    seen_calls.clear()
    keys = [f"k{n}" for n in range(2000)]
    emulator.script([[call("lookup", key=k) for k in keys], "All 2000 looked up."])
    started = time.perf_counter()
    agent = Agent(Gemini(base_url=emulator.url), tools=[lookup], limits=Limits(tool_calls=5000))
    result = await agent.run("Look up everything")
    elapsed = time.perf_counter() - started
    assert result.text == "All 2000 looked up." and sorted(seen_calls) == sorted(keys)
    answers = emulator.requests[1].json["contents"][2]["parts"]
    assert [a["functionResponse"]["response"]["output"] for a in answers] == [f"value of {k}" for k in keys]
    assert emulator.rejections == [] and elapsed < 30

    # With the default limit of 100 tool calls, the rest are answered, not run.
    seen_calls.clear()
    emulator.script([[call("lookup", key=k) for k in keys], "Stopped at the limit."])
    limited = await Agent(Gemini(base_url=emulator.url), tools=[lookup]).run("Look up everything")
    assert len(seen_calls) == 100 and len(limited.tool_calls) == 2000
    assert {c.error["type"] for c in limited.tool_calls[100:] if c.error} == {"limit"}
    assert limited.stop_reason == "tool_call_limit" and emulator.rejections == []


async def test_unicode_everywhere(emulator: Emulator) -> None:
    text = "Ünïcødé ✓ 名前 🏠 \u202e reversed \x00 nul"
    emulator.script([[call("lookup", key=text)], text])
    result = await Agent(Gemini(base_url=emulator.url), tools=[lookup]).run(text)
    assert result.text == text and result.tool_calls[0].result == f"value of {text}"
