"""Structured output, thinking, usage and cost, logging."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest
from pydantic import BaseModel

from agentkit import Agent, Gemini
from agentkit.agent import RunFinished, ThoughtDelta
from agentkit.errors import OutputValidationError
from agentkit.models.capabilities import ModelCapabilities
from agentkit.pricing import call_cost, price_for
from agentkit.testing.emulator import Emulator, EmulatorOptions, call
from agentkit.types import ThinkingConfig, UsageMetadata

from .home import Home


class Scene(BaseModel):
    name: str
    brightness: int


async def test_native_structured_output(emulator: Emulator) -> None:
    emulator.script(['{"name": "movie night", "brightness": 15}'])
    result = await Agent(Gemini(base_url=emulator.url), output_type=Scene).run("Suggest a scene")
    assert result.output == Scene(name="movie night", brightness=15)
    config = emulator.requests[0].json["generationConfig"]
    assert config == {
        "responseMimeType": "application/json",
        "responseJsonSchema": {
            "properties": {"name": {"type": "string"}, "brightness": {"type": "integer"}},
            "required": ["name", "brightness"],
            "type": "object",
        },
    }


async def test_invalid_json_is_re_asked_then_given_up(emulator: Emulator) -> None:
    emulator.script(['{"name": "x"}', '{"name": "reading", "brightness": 70}'])
    result = await Agent(Gemini(base_url=emulator.url), output_type=Scene).run("Suggest")
    assert result.output == Scene(name="reading", brightness=70)
    feedback = emulator.requests[1].json["contents"][-1]["parts"][0]["text"]
    assert feedback.startswith(
        "Your answer does not match the required JSON schema (brightness: Field required)"
    )

    emulator.script(["not json", "still not", "nope"])
    with pytest.raises(OutputValidationError, match="after 3 tries") as caught:
        await Agent(Gemini(base_url=emulator.url), output_type=Scene).run("Suggest")
    assert caught.value.partial.text == "nope"


async def test_structured_output_with_tools_ends_through_the_final_answer_tool(
    emulator: Emulator,
) -> None:
    emulator.script(
        [
            [call("get_temperature")],
            [call("final_answer", {"name": "warm evening", "brightness": 40})],
        ]
    )
    result = await Agent(
        Gemini(base_url=emulator.url), tools=Home().tools(), output_type=Scene
    ).run("Plan a scene")
    assert result.output == Scene(name="warm evening", brightness=40)
    declarations = emulator.requests[0].json["tools"][0]["functionDeclarations"]
    assert declarations[-1]["name"] == "final_answer"
    assert "responseJsonSchema" not in emulator.requests[0].json.get("generationConfig", {})


async def test_output_types_that_are_not_models(emulator: Emulator) -> None:
    emulator.script(["[3, 1, 2]"])
    result = await Agent(Gemini(base_url=emulator.url), output_type=list[int]).run("Numbers")
    assert result.output == [3, 1, 2]


async def test_thoughts_are_events_and_results_but_never_tool_input(emulator: Emulator) -> None:
    seen: list[Any] = []

    from agentkit import tool

    @tool
    def note(text: str) -> str:
        seen.append(text)
        return "noted"

    emulator.script(
        [
            [
                {"text": "**Planning** I should take a note.", "thought": True},
                call("note", text="buy milk"),
            ],
            [{"text": "Done thinking.", "thought": True}, "Noted."],
        ]
    )
    agent = Agent(
        Gemini(base_url=emulator.url),
        tools=[note],
        thinking=ThinkingConfig(thinking_budget=512, include_thoughts=True),
    )
    events = [e async for e in agent.stream("Remember milk")]
    thought_text = {
        step: "".join(e.text for e in events if isinstance(e, ThoughtDelta) and e.step == step)
        for step in (1, 2)
    }
    assert thought_text == {1: "**Planning** I should take a note.", 2: "Done thinking."}
    result = events[-1].result  # type: ignore[union-attr]
    assert result.thoughts == ["**Planning** I should take a note.", "Done thinking."]
    assert result.text == "Noted." and seen == ["buy milk"]
    assert emulator.requests[0].json["generationConfig"] == {
        "thinkingConfig": {"thinkingBudget": 512, "includeThoughts": True}
    }
    assert emulator.rejections == []


def usage(prompt: int, output: int, thoughts: int = 0, cached: int = 0) -> dict[str, int]:
    return {
        "promptTokenCount": prompt,
        "candidatesTokenCount": output,
        "thoughtsTokenCount": thoughts,
        "cachedContentTokenCount": cached,
        "totalTokenCount": prompt + output + thoughts,
    }


async def test_usage_and_cost_are_summed_over_every_call(emulator: Emulator) -> None:
    emulator.script(
        [
            {
                "candidates": [{"content": {"role": "model", "parts": [call("get_temperature")]}}],
                "usageMetadata": usage(1000, 50, 200),
            },
            {
                "candidates": [{"content": {"role": "model", "parts": [{"text": "19."}]}}],
                "usageMetadata": usage(1300, 10, 0, cached=1000),
            },
        ]
    )
    result = await Agent(
        Gemini("gemini-2.5-flash", base_url=emulator.url), tools=Home().tools()
    ).run("Temp?")
    totals = result.usage
    assert (
        totals.requests,
        totals.prompt_tokens,
        totals.candidates_tokens,
        totals.thoughts_tokens,
        totals.cached_tokens,
        totals.total_tokens,
    ) == (2, 2300, 60, 200, 1000, 2560)
    # gemini-2.5-flash: $0.30 in, $2.50 out (thinking included), $0.075 cached, per 1M tokens.
    first = (1000 * 0.30 + 250 * 2.50) / 1e6
    second = (300 * 0.30 + 1000 * 0.075 + 10 * 2.50) / 1e6
    assert totals.cost_usd == pytest.approx(first + second)
    assert [s.cost_usd for s in result.steps] == [pytest.approx(first), pytest.approx(second)]
    assert [s.usage.total_token_count for s in result.steps if s.usage] == [1250, 1310]


async def test_streamed_usage_takes_the_last_chunk_not_the_sum(emulator: Emulator) -> None:
    emulator.options.stream_chunk_chars = 5
    emulator.script(
        [
            {
                "candidates": [
                    {"content": {"role": "model", "parts": [{"text": "twenty characters ok"}]}}
                ],
                "usageMetadata": usage(100, 7),
            }
        ]
    )
    events = [e async for e in Agent(Gemini(base_url=emulator.url)).stream("Hi")]
    final = events[-1]
    assert isinstance(final, RunFinished)
    assert (final.result.usage.prompt_tokens, final.result.usage.total_tokens) == (100, 107)


def test_pricing_tiers_and_unknown_models() -> None:
    small = UsageMetadata(prompt_token_count=100_000, candidates_token_count=1000)
    large = UsageMetadata(prompt_token_count=300_000, candidates_token_count=1000)
    assert call_cost("gemini-2.5-pro", small) == pytest.approx((100_000 * 1.25 + 1000 * 10) / 1e6)
    assert call_cost("gemini-2.5-pro", large) == pytest.approx((300_000 * 2.50 + 1000 * 15) / 1e6)
    assert call_cost("models/gemini-2.5-flash-001", small) == pytest.approx(
        (100_000 * 0.30 + 1000 * 2.5) / 1e6
    )
    assert price_for("gemini-2.5-flash-lite-preview-06-17") == price_for("gemini-2.5-flash-lite")
    assert call_cost("gemini-3-ultra", small) is None


async def test_unknown_model_gives_no_cost_not_a_wrong_one(emulator: Emulator) -> None:
    # A server that serves a model agentkit's price table has never heard of.
    emulator.options = EmulatorOptions(
        models={"gemini-9-experimental": ModelCapabilities("Gemini 9 Experimental")}
    )
    emulator.script(["hi"])
    result = await Agent(Gemini("gemini-9-experimental", base_url=emulator.url)).run("Hi")
    assert result.usage.cost_usd is None and result.usage.total_tokens > 0


async def test_log_events_carry_run_id_and_step(
    emulator: Emulator, agentkit_logs: Callable[[], list[dict[str, Any]]]
) -> None:
    emulator.script([[call("get_temperature")], "19."])
    result = await Agent(Gemini(base_url=emulator.url), tools=Home().tools()).run("Temp?")
    events = agentkit_logs()
    assert [e["event"] for e in events] == [
        "model.request",
        "model.response",
        "tool.call",
        "tool.result",
        "model.request",
        "model.response",
    ]
    assert {e["run_id"] for e in events} == {result.run_id}
    assert [e["step"] for e in events] == [1, 1, 1, 1, 2, 2]


async def test_nothing_is_logged_at_info_for_a_streamed_run(
    emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="agentkit")
    emulator.options.stream_chunk_chars = 2
    emulator.script([[call("get_temperature")], "A long streamed answer in many small pieces."])
    async for _ in Agent(Gemini(base_url=emulator.url), tools=Home().tools()).stream("Temp?"):
        pass
    assert caplog.records == []
