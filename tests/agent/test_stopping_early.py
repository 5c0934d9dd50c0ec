"""Stopping a stream early is quiet and clean; a failed run keeps what it did (items 2, 7)."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import textwrap
from pathlib import Path

import anyio
import httpx
import pytest

from agentkit import Agent, Gemini
from agentkit.agent import FunctionResultEvent, RunFinished, StepFinished, StopReason, TextDelta
from agentkit.errors import APIConnectionError, ConfigurationError, RateLimitError
from agentkit.models import RetryPolicy
from agentkit.testing.emulator import Emulator, Fault, call

from ..conftest import FAST_RETRY
from .home import Home

ROOT = Path(__file__).resolve().parents[2]

# One script per way a person stops reading; each ends by running the agent again over a
# client that has ONE connection: it completes only if the stopped stream gave it back.
SCENARIO = textwrap.dedent(
    """
    import asyncio, contextlib, sys
    import httpx
    from agentkit import Agent, Gemini, tool
    from agentkit.testing.emulator import Emulator, call

    @tool
    def ping(x: int) -> int:
        \"\"\"Answer with x.\"\"\"
        return x

    async def main(how):
        long_text = "word " * 400
        with Emulator(script=[[call("ping", x=1)], long_text, "again"]) as emulator:
            client = httpx.AsyncClient(limits=httpx.Limits(max_connections=1),
                                       timeout=httpx.Timeout(5.0))
            agent = Agent(Gemini(base_url=emulator.url, http_client=client), tools=[ping])
            if how == "break":
                async for event in agent.stream("go"):
                    if event.kind == "text":
                        break
            elif how == "aclosing":
                async with contextlib.aclosing(agent.stream("go")) as events:
                    async for event in events:
                        if event.kind == "text":
                            break
            elif how == "raise":
                try:
                    async for event in agent.stream("go"):
                        if event.kind == "text":
                            raise LookupError("the consumer failed")
                except LookupError as error:
                    print("consumer saw", type(error).__name__)
            elif how == "chat":
                chat = agent.chat()
                async for event in chat.stream("go"):
                    if event.kind == "text":
                        break
                print("chat history", len(chat.history))
            result = await agent.run("once more")
            print("next run", result.stop_reason, result.text)
            await client.aclose()

    asyncio.run(main(sys.argv[1]))
    """
)


@pytest.mark.parametrize("how", ["break", "aclosing", "raise", "chat"])
def test_stopping_a_stream_early_prints_nothing_and_frees_the_connection(
    how: str, tmp_path: Path
) -> None:
    script = tmp_path / "scenario.py"
    script.write_text(SCENARIO, encoding="utf-8")
    completed = subprocess.run(
        [sys.executable, str(script), how], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert completed.stderr == ""
    assert completed.returncode == 0
    expected = ["next run completed again"]
    if how == "raise":
        expected.insert(0, "consumer saw LookupError")
    if how == "chat":
        expected.insert(0, "chat history 3")  # the step whose tool ran is kept
    assert completed.stdout.splitlines() == expected


async def test_the_consumers_exception_reaches_it_unchanged(
    emulator: Emulator, model: Gemini
) -> None:
    emulator.script(["A long answer " * 20])
    agent = Agent(model)
    with pytest.raises(KeyError, match="mine"):
        async with contextlib.aclosing(agent.stream("Hi")) as events:
            async for event in events:
                if isinstance(event, TextDelta):
                    raise KeyError("mine")
    assert len(emulator.requests) == 1 and emulator.rejections == []


# -- typed errors carry the partial run -------------------------------------------------------


@pytest.fixture
def model(emulator: Emulator) -> Gemini:
    return Gemini(base_url=emulator.url, retry=FAST_RETRY)


def _home_agent(model: Gemini, home: Home) -> Agent[None]:
    return Agent(model, tools=home.tools())


@pytest.mark.parametrize("stream", [False, True], ids=["generate", "stream"])
async def test_an_api_error_after_tools_ran_carries_the_partial_run(
    emulator: Emulator, stream: bool, model: Gemini
) -> None:
    home = Home()
    emulator.script([[call("set_thermostat", celsius=21.5)], Fault.per_day_quota()])
    agent = _home_agent(model, home)
    with pytest.raises(RateLimitError) as caught:
        if stream:
            async for _ in agent.stream("Warmer please"):
                pass
        else:
            await agent.run("Warmer please")
    partial = caught.value.partial
    assert partial.stop_reason is StopReason.FAILED
    assert [(c.name, c.args, c.result) for c in partial.tool_calls] == [
        ("set_thermostat", {"celsius": 21.5}, {"target": 21.5})
    ]
    assert [c["role"] for c in partial.history] == ["user", "model", "user"]
    assert partial.history[2]["parts"][0]["functionResponse"]["response"] == {"target": 21.5}
    assert partial.usage.requests == 1 and len(partial.steps) == 1
    assert home.thermostat == 21.5


async def test_a_connection_error_carries_the_partial_run(emulator: Emulator) -> None:
    home = Home()
    emulator.script([[call("get_temperature")], Fault.drop_connection()])
    agent = _home_agent(Gemini(base_url=emulator.url, retry=RetryPolicy.none()), home)
    with pytest.raises(APIConnectionError) as caught:
        await agent.run("Temperature?")
    assert str(caught.value).startswith(
        f"request to {emulator.url}/v1beta/models/gemini-2.5-flash:generateContent failed: "
    )
    assert [c.name for c in caught.value.partial.tool_calls] == ["get_temperature"]


async def test_a_partial_never_ends_with_an_unanswered_call(
    emulator: Emulator, model: Gemini
) -> None:
    emulator.script([[call("unlock_door", door="front")]])
    agent = Agent(
        model,
        tools=Home().tools(),
        confirm=lambda request: "yes",  # type: ignore[arg-type,return-value]
    )
    with pytest.raises(ConfigurationError, match="must be a bool or a Decision") as caught:
        await agent.run("Let her in")
    partial = caught.value.partial
    assert [c["role"] for c in partial.history] == ["user"]  # the call never ran
    assert partial.tool_calls == []


# -- a chat keeps what a failed turn did -------------------------------------------------------


@pytest.mark.parametrize("stream", [False, True], ids=["send", "stream"])
async def test_a_failed_chat_turn_keeps_its_executed_calls(
    emulator: Emulator, stream: bool, model: Gemini
) -> None:
    home = Home()
    emulator.script(
        [
            [call("set_light", room="kitchen", brightness=40)],
            Fault.per_day_quota(),
            "Kitchen at 40%.",
        ]
    )
    chat = _home_agent(model, home).chat()
    with pytest.raises(RateLimitError):
        if stream:
            async for _ in chat.stream("Kitchen to 40"):
                pass
        else:
            await chat.send("Kitchen to 40")
    assert [c.role for c in chat.history] == ["user", "model", "user"]
    assert home.log and len(home.log) == 1
    result = await chat.send("Kitchen to 40")  # the person tries again
    assert result.text == "Kitchen at 40%." and len(home.log) == 1  # not run a second time
    sent = emulator.requests[-1].json["contents"]
    assert [c.get("role") for c in sent] == ["user", "model", "user", "user"]
    assert sent[2]["parts"][0]["functionResponse"]["name"] == "set_light"
    assert emulator.rejections == []


async def test_an_abandoned_chat_stream_keeps_completed_steps_only(
    emulator: Emulator, model: Gemini
) -> None:
    home = Home()
    emulator.script([[call("get_temperature")], "It is nineteen degrees " * 10])
    chat = _home_agent(model, home).chat()
    seen = []
    async with contextlib.aclosing(chat.stream("Temperature?")) as events:
        async for event in events:
            seen.append(event)
            if isinstance(event, TextDelta):
                break
    assert any(isinstance(e, FunctionResultEvent) for e in seen)
    assert any(isinstance(e, StepFinished) for e in seen)
    assert not any(isinstance(e, RunFinished) for e in seen)
    assert [c.role for c in chat.history] == ["user", "model", "user"]
    assert chat.results == []


async def test_a_chat_turn_that_fails_before_any_step_leaves_history_alone(
    emulator: Emulator, model: Gemini
) -> None:
    emulator.script(["Hello.", Fault.per_day_quota()])
    chat = _home_agent(model, Home()).chat()
    await chat.send("Hi")
    before = [c.to_wire() for c in chat.history]
    with pytest.raises(RateLimitError):
        await chat.send("And again")
    assert [c.to_wire() for c in chat.history] == before


def test_one_connection_client_is_enough_for_a_plain_run(emulator: Emulator) -> None:
    """The scenario above relies on a one-connection client working at all."""
    emulator.script(["ok"])

    async def run() -> str | None:
        async with httpx.AsyncClient(limits=httpx.Limits(max_connections=1)) as client:
            agent = Agent(Gemini(base_url=emulator.url, http_client=client))
            return (await agent.run("hi")).text

    import anyio

    assert anyio.run(run) == "ok"


@pytest.mark.parametrize("how", ["break", "aclosing", "raise", "cancel"])
async def test_a_chat_stopped_right_after_its_tools_ran_keeps_them(
    emulator: Emulator, model: Gemini, how: str
) -> None:
    """Stopped at the first result, before the step's end was even announced."""
    home = Home()
    emulator.script([[call("set_thermostat", celsius=22.0)], "Done.", "Still 22."])
    chat = _home_agent(model, home).chat()

    async def read_until_a_result() -> None:
        if how == "break":
            async for event in chat.stream("Warmer"):
                if isinstance(event, FunctionResultEvent):
                    break
            return
        with anyio.CancelScope() as scope:
            async with contextlib.aclosing(chat.stream("Warmer")) as events:
                async for event in events:
                    if isinstance(event, FunctionResultEvent):
                        if how == "raise":
                            raise LookupError("the consumer failed")
                        if how == "cancel":
                            scope.cancel()  # the task is cancelled where it next waits
                            await anyio.sleep(0)
                        break

    with contextlib.suppress(LookupError):
        await read_until_a_result()
    assert home.thermostat == 22.0
    assert [c.role for c in chat.history] == ["user", "model", "user"]
    assert chat.history[2].function_responses[0].response == {"target": 22.0}
    result = await chat.send("And now?")
    assert len(emulator.requests) == 2  # the tool did not run again; its answer went along
    assert [c.get("role") for c in emulator.requests[-1].json["contents"]] == [
        "user",
        "model",
        "user",
        "user",
    ]
    assert result.text == "Done."


@pytest.mark.parametrize("calls", [1, 2], ids=["one-call", "parallel-calls"])
async def test_a_tool_that_exits_stops_the_run_with_a_typed_error(
    emulator: Emulator, model: Gemini, calls: int
) -> None:
    import sys

    from agentkit import tool
    from agentkit.errors import ToolExitError

    @tool
    def shut_down(code: int) -> str:
        """Shut the hub down (wraps a script that ends with sys.exit)."""
        sys.exit(code)

    emulator.script([[call("shut_down", code=3 + n) for n in range(calls)], "never"])
    with pytest.raises(ToolExitError) as caught:
        await Agent(model, tools=[shut_down]).run("Shut down")
    assert str(caught.value) == "tool 'shut_down' called sys.exit(3); the run stopped there"
    assert caught.value.code == 3
    assert [c["role"] for c in caught.value.partial.history] == ["user"]  # no call answered
