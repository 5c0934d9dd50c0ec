"""Tool modes: what is sent each step, ANY that ends by itself, impossible set-ups refused."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

from agentkit import Agent, Gemini
from agentkit.agent import StopReason
from agentkit.errors import ConfigurationError
from agentkit.testing import call
from agentkit.testing.emulator import Emulator
from agentkit.types import GenerateContentRequest

from .home import Home


def mode_of(request: dict[str, Any]) -> tuple[str, list[str] | None]:
    config = request["toolConfig"]["functionCallingConfig"]
    return config["mode"], config.get("allowedFunctionNames")


def like_gemini(request: GenerateContentRequest) -> Any:
    """Answers as Gemini would under each mode: ANY must call, AUTO answers once it has
    a result, NONE never calls."""
    config = request.tool_config.function_calling_config if request.tool_config else None
    mode = config.mode if config and config.mode else "AUTO"
    answered = any(c.function_responses for c in request.contents)
    if mode == "ANY":
        allowed = (config.allowed_function_names if config else None) or ["get_temperature"]
        if "final_answer" in allowed and answered:
            return [call("final_answer", answer="It is 19 degrees.")]
        return [call("get_temperature")]
    if mode == "NONE" or answered:
        return "It is 19 degrees."
    return [call("get_temperature")]


async def test_any_once_forces_the_first_round_then_ends_by_itself(emulator: Emulator) -> None:
    emulator.respond_with(like_gemini)
    agent = Agent(Gemini(base_url=emulator.url), tools=Home().tools(), tool_mode="any")
    result = await agent.run("Temperature?")
    assert result.text == "It is 19 degrees." and result.stop_reason is StopReason.COMPLETED
    assert [mode_of(r.json) for r in emulator.requests] == [("ANY", None), ("AUTO", None)]
    assert emulator.rejections == []


async def test_any_always_ends_through_the_final_answer_tool(emulator: Emulator) -> None:
    emulator.respond_with(like_gemini)
    agent = Agent(
        Gemini(base_url=emulator.url),
        tools=Home().tools(),
        tool_mode="any",
        any_mode="always",
        allowed_tools=["get_temperature"],
    )
    result = await agent.run("Temperature?")
    assert result.stop_reason is StopReason.FINAL_ANSWER
    assert result.text == result.output == "It is 19 degrees."
    assert [mode_of(r.json) for r in emulator.requests] == [
        ("ANY", ["get_temperature", "final_answer"]),
        ("ANY", ["get_temperature", "final_answer"]),
    ]
    declared = [d["name"] for d in emulator.requests[0].json["tools"][0]["functionDeclarations"]]
    assert declared == ["get_temperature", "final_answer"]
    # The final call is answered too: the history never ends with an unanswered call.
    assert result.history[-1]["parts"][0]["functionResponse"]["name"] == "final_answer"
    assert emulator.rejections == []


async def test_final_answer_with_invalid_arguments_is_sent_back(emulator: Emulator) -> None:
    emulator.script([[call("final_answer", reply="oops")], [call("final_answer", answer="Fine.")]])
    agent = Agent(
        Gemini(base_url=emulator.url), tools=Home().tools(), tool_mode="any", any_mode="always"
    )
    result = await agent.run("Hi")
    assert result.output == "Fine."
    error = emulator.requests[1].json["contents"][2]["parts"][0]["functionResponse"]["response"][
        "error"
    ]
    assert error["type"] == "invalid_arguments" and "unexpected arguments" in error["message"]


async def test_none_and_validated_modes_are_sent_as_such(emulator: Emulator) -> None:
    emulator.script(["No tools needed.", "Validated."])
    home = Home()
    await Agent(Gemini(base_url=emulator.url), tools=home.tools(), tool_mode="none").run("Hi")
    await Agent(
        Gemini(base_url=emulator.url),
        tools=home.tools(),
        tool_mode="validated",
        allowed_tools=["set_light"],
    ).run("Hi")
    assert mode_of(emulator.requests[0].json) == ("NONE", None)
    assert mode_of(emulator.requests[1].json) == ("VALIDATED", ["set_light"])
    assert [d["name"] for d in emulator.requests[1].json["tools"][0]["functionDeclarations"]] == [
        "set_light"
    ]


async def test_openapi_dialect_is_selectable_per_agent(emulator: Emulator) -> None:
    emulator.script(["ok"])
    await Agent(
        Gemini(base_url=emulator.url), tools=[Home().set_thermostat], schema_dialect="openapi"
    ).run("Hi")
    declaration = emulator.requests[0].json["tools"][0]["functionDeclarations"][0]
    assert declaration["parameters"] == {
        "type": "OBJECT",
        "properties": {"celsius": {"type": "NUMBER", "minimum": 10, "maximum": 30}},
        "required": ["celsius"],
    }
    assert "parametersJsonSchema" not in declaration and emulator.rejections == []


async def test_a_call_to_a_tool_outside_allowed_tools_is_refused(emulator: Emulator) -> None:
    home = Home()
    emulator.script([[call("unlock_door", door="front")], "I cannot unlock doors."])
    result = await Agent(
        Gemini(base_url=emulator.url), tools=home.tools(), allowed_tools=["set_light"]
    ).run("Open up")
    assert home.locked
    assert result.tool_calls[0].error == {
        "type": "unknown_tool",
        "message": "there is no tool named 'unlock_door'; the available tools are: set_light",
    }


class Recipe(BaseModel):
    name: str


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"tool_mode": "sometimes"}, "tool_mode must be one of"),
        ({"tool_mode": "any", "tools": []}, "needs at least one tool"),
        ({"tool_mode": "validated", "tools": []}, "needs at least one tool"),
        ({"any_mode": "always"}, "only applies with tool_mode='any'"),
        ({"any_mode": "forever", "tool_mode": "any"}, "any_mode must be"),
        ({"allowed_tools": ["open_garage"]}, "unknown tool(s) open_garage"),
        ({"tool_mode": "none", "allowed_tools": ["set_light"]}, "no effect with tool_mode='none'"),
        ({"schema_dialect": "yaml"}, "schema_dialect must be"),
        ({"thinking": {"thinkingBudget": 10, "thinkingLevel": "LOW"}}, "not both"),
    ],
)
def test_impossible_configurations_are_refused_up_front(
    options: dict[str, Any], message: str
) -> None:
    options.setdefault("tools", Home().tools())
    with pytest.raises(ConfigurationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Agent(Gemini(base_url="http://127.0.0.1:9"), **options)


def test_a_user_tool_named_like_the_final_answer_tool_is_refused() -> None:
    from agentkit import tool

    @tool
    def final_answer(text: str) -> str:
        return text

    with pytest.raises(ConfigurationError, match="built-in tool that ends the run"):
        Agent(
            Gemini(base_url="http://127.0.0.1:9"),
            tools=[final_answer],
            tool_mode="any",
            any_mode="always",
        )


def test_recursive_types_refused_for_the_openapi_dialect_when_the_agent_is_built() -> None:
    from agentkit import tool
    from agentkit.errors import ToolDefinitionError

    from ..tools.shapes import Category

    @tool
    def file(category: Category) -> None: ...

    Agent(Gemini(base_url="http://127.0.0.1:9"), tools=[file])  # the JSON dialect can say it
    with pytest.raises(ToolDefinitionError, match="recursive type"):
        Agent(Gemini(base_url="http://127.0.0.1:9"), tools=[file], schema_dialect="openapi")
