"""ScriptedModel and FunctionModel: the loop without a server."""

from __future__ import annotations

import pytest

from agentkit import Agent
from agentkit.errors import ServerError
from agentkit.testing import FunctionModel, ScriptedModel, ScriptError, call
from agentkit.types import GenerateContentRequest

from .home import Home


async def test_scripted_model_drives_the_loop() -> None:
    home = Home()
    with ScriptedModel([[call("set_light", room="hall", brightness=30)], "Hall at 30."]) as model:
        result = await Agent(model, tools=home.tools()).run("Dim the hall")
    assert result.text == "Hall at 30." and home.lights["hall"] == 30
    assert (
        len(model.requests) == 2
        and model.requests[1].contents[2].function_responses[0].name == "set_light"
    )


async def test_an_unexpected_extra_call_fails_loudly() -> None:
    model = ScriptedModel([[call("get_temperature")]])
    with pytest.raises(ScriptError, match="unexpected model call 2: the script has 1 answer"):
        await Agent(model, tools=Home().tools()).run("Temp")


def test_unconsumed_steps_fail_when_the_block_ends() -> None:
    with pytest.raises(ScriptError, match="1 scripted answer\\(s\\) were never requested"):
        with ScriptedModel(["one", "two"]) as model:
            Agent(model).run_sync("Hi")


async def test_script_entries_may_be_functions_and_exceptions() -> None:
    def answer(request: GenerateContentRequest) -> str:
        return f"You said: {request.contents[-1].text}"

    model = ScriptedModel([answer, ServerError(500, "boom")])
    agent = Agent(model)
    assert (await agent.run("ping")).text == "You said: ping"
    with pytest.raises(ServerError):
        await agent.run("again")


async def test_scripted_model_streams_in_chunks() -> None:
    model = ScriptedModel(["A reply long enough to arrive in several pieces."], chunk_chars=10)
    chunks = [chunk async for chunk in model.stream(GenerateContentRequest(contents=[]))]
    assert len(chunks) == 5 and chunks[-1].finish_reason == "STOP"


async def test_function_model() -> None:
    async def model_fn(request: GenerateContentRequest) -> object:
        if request.contents[-1].function_responses:
            return "It is 19."
        return [call("get_temperature")]

    result = await Agent(FunctionModel(model_fn), tools=Home().tools()).run("Temp")
    assert result.text == "It is 19."
