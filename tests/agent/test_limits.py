"""Limits end a run with a valid history: a last answer with tools off, or a typed stop."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

from agentkit import Agent, Gemini, Limits, tool
from agentkit.agent import StopReason
from agentkit.errors import ConfigurationError
from agentkit.testing.emulator import Emulator, call
from agentkit.types import GenerateContentRequest

from .home import Home


def looping_model(request: GenerateContentRequest) -> Any:
    """A model that would call tools forever, but answers when calling is switched off."""
    config = request.tool_config.function_calling_config if request.tool_config else None
    if config is not None and config.mode == "NONE":
        return "Stopping here: the thermostat reads 19."
    return [call("get_temperature")]


def modes(emulator: Emulator) -> list[str]:
    return [r.json["toolConfig"]["functionCallingConfig"]["mode"] for r in emulator.requests]


async def test_model_call_limit_ends_with_one_answer_with_tools_off(emulator: Emulator) -> None:
    emulator.respond_with(looping_model)
    agent = Agent(Gemini(base_url=emulator.url), tools=Home().tools(), limits=Limits(model_calls=3))
    result = await agent.run("Watch the temperature")
    assert result.stop_reason is StopReason.MODEL_CALL_LIMIT
    assert result.text == "Stopping here: the thermostat reads 19."
    assert modes(emulator) == ["AUTO", "AUTO", "AUTO", "NONE"]
    assert len(result.tool_calls) == 3
    assert result.history[-1] == {
        "role": "model",
        "parts": [{"text": "Stopping here: the thermostat reads 19."}],
    }
    assert emulator.rejections == []


async def test_limit_with_stop_policy_returns_at_once(emulator: Emulator) -> None:
    emulator.respond_with(looping_model)
    agent = Agent(
        Gemini(base_url=emulator.url),
        tools=Home().tools(),
        limits=Limits(model_calls=2, on_limit="stop"),
    )
    result = await agent.run("Watch")
    assert (result.stop_reason, result.text) == (StopReason.MODEL_CALL_LIMIT, None)
    assert len(emulator.requests) == 2
    assert "functionResponse" in result.history[-1]["parts"][0]  # answered, not dangling


async def test_tool_call_limit_answers_every_call_of_the_turn(emulator: Emulator) -> None:
    emulator.script(
        [
            [
                call("set_light", room=room, brightness=10)
                for room in ("kitchen", "hall", "bedroom")
            ],
            "Two lights changed; the third was refused.",
        ]
    )
    home = Home()
    agent = Agent(Gemini(base_url=emulator.url), tools=home.tools(), limits=Limits(tool_calls=2))
    result = await agent.run("All lights to 10")
    assert result.stop_reason is StopReason.TOOL_CALL_LIMIT
    assert home.lights == {"kitchen": 10, "hall": 10, "bedroom": 0}
    assert result.tool_calls[2].error == {
        "type": "limit",
        "message": "the run's tool-call limit was reached; this call was not executed",
    }
    assert modes(emulator) == ["AUTO", "NONE"]
    assert result.text == "Two lights changed; the third was refused."


async def test_token_limit(emulator: Emulator) -> None:
    emulator.script(
        [
            {
                "candidates": [
                    {
                        "content": {
                            "role": "model",
                            "parts": [{"functionCall": {"name": "get_temperature", "args": {}}}],
                        }
                    }
                ],
                "usageMetadata": {
                    "promptTokenCount": 900,
                    "candidatesTokenCount": 200,
                    "totalTokenCount": 1100,
                },
            },
            "It is 19.",
        ]
    )
    agent = Agent(
        Gemini(base_url=emulator.url), tools=Home().tools(), limits=Limits(total_tokens=1000)
    )
    result = await agent.run("Temperature")
    assert result.stop_reason is StopReason.TOKEN_LIMIT and result.text == "It is 19."
    assert modes(emulator) == ["AUTO", "NONE"]


async def test_deadline_cuts_running_tools_and_keeps_history_valid(emulator: Emulator) -> None:
    @tool
    async def long_job(seconds: float) -> str:
        await anyio.sleep(seconds)
        return "done"

    emulator.script([[call("long_job", seconds=5.0)], "never asked"])
    agent = Agent(Gemini(base_url=emulator.url), tools=[long_job], limits=Limits(deadline=0.2))
    result = await agent.run("Start the job")
    assert result.stop_reason is StopReason.DEADLINE and result.text is None
    assert result.tool_calls[0].error == {
        "type": "timeout",
        "message": "long_job did not finish before the run's deadline. It was cancelled.",
        "still_running": False,
    }
    assert len(emulator.requests) == 1
    assert result.history[-1]["parts"][0]["functionResponse"]["name"] == "long_job"


async def test_deadline_during_a_slow_model_call(emulator: Emulator) -> None:
    from agentkit.testing.emulator import Fault

    emulator.script([Fault.delay(2.0, "too late")])
    agent = Agent(Gemini(base_url=emulator.url), tools=Home().tools(), limits=Limits(deadline=0.2))
    result = await agent.run("Hi")
    assert result.stop_reason is StopReason.DEADLINE
    assert result.history == [{"role": "user", "parts": [{"text": "Hi"}]}]


async def test_per_run_limits_override_without_changing_the_agent(emulator: Emulator) -> None:
    emulator.respond_with(looping_model)
    agent = Agent(Gemini(base_url=emulator.url), tools=Home().tools(), limits=Limits(model_calls=5))
    result = await agent.run("Watch", limits=Limits(model_calls=1, on_limit="stop"))
    assert result.stop_reason is StopReason.MODEL_CALL_LIMIT and len(emulator.requests) == 1
    assert agent.limits.model_calls == 5


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"model_calls": 0}, "model_calls"),
        ({"deadline": -1}, "deadline"),
        ({"deadline": float("nan")}, "Limits.deadline must be a positive, finite number or None, got nan"),
        ({"deadline": float("inf")}, "deadline"),
        ({"model_retries": -1}, "model_retries"),
        ({"on_limit": "panic"}, "on_limit"),
    ],
)
def test_invalid_limits_are_refused(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        Limits(**options)
