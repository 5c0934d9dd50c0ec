"""The loop against the strict emulator: pairing, order, concurrency, signatures, events."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from agentkit import Agent, Gemini
from agentkit.agent import (
    FunctionCallEvent,
    FunctionResultEvent,
    RunFinished,
    StepFinished,
    StopReason,
    TextDelta,
)
from agentkit.errors import HistoryError
from agentkit.testing.emulator import Emulator, call

from .home import Home


def agent_for(emulator: Emulator, home: Home, **options: Any) -> Agent[Any]:
    model = Gemini("gemini-2.5-flash", base_url=emulator.url)
    return Agent(model, tools=home.tools(), instructions="You control a home.", **options)


TWO_ROUNDS = [
    [
        call("set_light", room="kitchen", brightness=30),
        call("set_light", room="hall", brightness=40),
    ],
    [call("get_temperature"), call("set_light", room="bedroom", brightness=10)],
    "Kitchen 30, hall 40, bedroom 10; the thermostat is at 19.",
]


async def test_two_rounds_of_parallel_calls_with_zero_rejections(emulator: Emulator) -> None:
    emulator.options.assign_call_ids = True
    emulator.script(TWO_ROUNDS)
    home = Home()
    result = await agent_for(emulator, home).run("Set the lights and tell me the temperature")

    assert result.text == "Kitchen 30, hall 40, bedroom 10; the thermostat is at 19."
    assert result.stop_reason is StopReason.COMPLETED
    assert home.lights == {"kitchen": 30, "hall": 40, "bedroom": 10}
    assert emulator.rejections == []
    assert len(emulator.requests) == 3
    # The answer turn of round one, exactly as sent in the second request.
    answer_turn = emulator.requests[1].json["contents"][2]
    assert answer_turn == {
        "role": "user",
        "parts": [
            {
                "functionResponse": {
                    "id": "call-0001",
                    "name": "set_light",
                    "response": {"room": "kitchen", "brightness": 30},
                }
            },
            {
                "functionResponse": {
                    "id": "call-0002",
                    "name": "set_light",
                    "response": {"room": "hall", "brightness": 40},
                }
            },
        ],
    }
    assert [(r.step, r.name, r.call_id, r.ok) for r in result.tool_calls] == [
        (1, "set_light", "call-0001", True),
        (1, "set_light", "call-0002", True),
        (2, "get_temperature", "call-0003", True),
        (2, "set_light", "call-0004", True),
    ]
    assert result.tool_calls[2].result == 19.0
    assert len(result.history) == 6 and result.new_messages == result.history


async def test_parallel_calls_overlap_in_time(emulator: Emulator) -> None:
    emulator.script(
        [[call("set_light", room=r, brightness=50) for r in ("kitchen", "hall", "bedroom")], "done"]
    )
    home = Home()
    await agent_for(emulator, home).run("All lights to half")
    starts = [start for _, start, _ in home.log]
    ends = [end for _, _, end in home.log]
    # Every call started before any finished: they ran at the same time, not one by one.
    assert max(starts) < min(ends)


async def test_results_keep_call_order_even_when_finishing_out_of_order(emulator: Emulator) -> None:
    from agentkit import tool

    @tool
    async def wait(label: str, seconds: float) -> str:
        await asyncio.sleep(seconds)
        return label

    emulator.script(
        [[call("wait", label="slow", seconds=0.1), call("wait", label="fast", seconds=0.0)], "ok"]
    )
    agent = Agent(Gemini(base_url=emulator.url), tools=[wait])
    await agent.run("go")
    answers = emulator.requests[1].json["contents"][2]["parts"]
    assert [p["functionResponse"]["response"]["output"] for p in answers] == ["slow", "fast"]


async def test_compositional_calls_and_exact_first_request(emulator: Emulator) -> None:
    emulator.script(
        [[call("get_temperature")], [call("set_thermostat", celsius=20.0)], "Raised to 20."]
    )
    home = Home()
    result = await agent_for(emulator, home).run("Make it one degree warmer")
    assert home.thermostat == 20.0
    assert result.text == "Raised to 20."
    first = emulator.requests[0].json
    assert first["contents"] == [{"role": "user", "parts": [{"text": "Make it one degree warmer"}]}]
    assert first["systemInstruction"] == {"parts": [{"text": "You control a home."}]}
    assert first["toolConfig"] == {"functionCallingConfig": {"mode": "AUTO"}}
    names = [d["name"] for d in first["tools"][0]["functionDeclarations"]]
    assert names == [
        "set_light",
        "get_temperature",
        "set_thermostat",
        "unlock_door",
        "slow_sensor",
        "broken_camera",
    ]
    assert first["tools"][0]["functionDeclarations"][2] == {
        "name": "set_thermostat",
        "description": "Set the thermostat's target (10 to 30 degrees Celsius).",
        "parametersJsonSchema": {
            "additionalProperties": False,
            "properties": {"celsius": {"maximum": 30, "minimum": 10, "type": "number"}},
            "required": ["celsius"],
            "type": "object",
        },
        "responseJsonSchema": {"additionalProperties": {"type": "number"}, "type": "object"},
    }


async def test_thought_signatures_survive_three_steps(emulator: Emulator) -> None:
    emulator.script(
        [
            [call("get_temperature")],
            [call("set_thermostat", celsius=21.0), call("set_light", room="hall", brightness=20)],
            [call("set_light", room="kitchen", brightness=70)],
            "All set.",
        ]
    )
    result = await agent_for(emulator, Home()).run("Evening mode")
    assert result.text == "All set." and emulator.rejections == []
    served = [r for r in emulator.requests]
    signatures = [
        c["parts"][0].get("thoughtSignature")
        for c in served[-1].json["contents"]
        if c["role"] == "model"
    ]
    assert len(signatures) == 3 and all(signatures)
    # Each model turn went back byte-identical to what the emulator served.
    model_turns = [c for c in result.history if c["role"] == "model"][:3]
    assert model_turns == [c for c in served[-1].json["contents"] if c["role"] == "model"]


SIGNED_TURN = [
    {"text": "Let me check."},
    {"functionCall": {"name": "get_temperature", "args": {}}, "thoughtSignature": "c2lnLTE="},
    {"text": "", "thoughtSignature": "c2lnLTI="},
]


async def test_model_turn_goes_back_verbatim_with_signed_empty_text(emulator: Emulator) -> None:
    emulator.script([SIGNED_TURN, "19 degrees."])
    result = await agent_for(emulator, Home()).run("Temperature?")
    assert result.history[1] == {"role": "model", "parts": SIGNED_TURN}
    assert emulator.requests[1].json["contents"][1] == {"role": "model", "parts": SIGNED_TURN}
    assert emulator.rejections == []


async def test_fields_unknown_to_agentkit_are_sent_back() -> None:
    from agentkit.testing import ScriptedModel

    turn = {
        "candidates": [
            {
                "content": {
                    "role": "model",
                    "parts": [
                        {"text": "Checking.", "futureField": {"x": [1, None]}},
                        {
                            "functionCall": {"name": "get_temperature", "args": {}},
                            "partMetadata": {"k": "v"},
                        },
                    ],
                    "contentNovelty": 1,
                },
                "newCandidateField": True,
            }
        ]
    }
    with ScriptedModel([turn, "19."]) as model:
        result = await Agent(model, tools=Home().tools()).run("Temperature?")
    sent = model.requests[1].to_wire()["contents"][1]
    assert sent == {
        "role": "model",
        "parts": turn["candidates"][0]["content"]["parts"],
        "contentNovelty": 1,
    }
    assert result.history[1] == sent


async def test_streamed_run_event_sequence(emulator: Emulator) -> None:
    emulator.options.stream_chunk_chars = 8
    emulator.script([[call("set_light", room="hall", brightness=5)], "Hall dimmed to 5."])
    events = [event async for event in agent_for(emulator, Home()).stream("Dim the hall")]
    kinds = [event.kind for event in events]
    assert kinds == [
        "function_call",
        "function_result",
        "step_finished",
        "text",
        "text",
        "text",
        "step_finished",
        "run_finished",
    ]
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == "Hall dimmed to 5."
    call_event = events[0]
    assert isinstance(call_event, FunctionCallEvent) and call_event.call.arguments == {
        "room": "hall",
        "brightness": 5,
    }
    result_event = events[1]
    assert isinstance(result_event, FunctionResultEvent) and result_event.response == {
        "room": "hall",
        "brightness": 5,
    }
    assert [e.step for e in events if isinstance(e, StepFinished)] == [1, 2]
    final = events[-1]
    assert isinstance(final, RunFinished) and final.result.text == "Hall dimmed to 5."
    assert all(r.stream for r in emulator.requests)
    # The streamed text was joined back into one part in history.
    assert final.result.history[-1] == {"role": "model", "parts": [{"text": "Hall dimmed to 5."}]}
    assert emulator.rejections == []


async def test_plain_and_streamed_runs_produce_the_same_history(emulator: Emulator) -> None:
    script = [[call("set_light", room="hall", brightness=5)], "Hall dimmed."]
    emulator.options.issue_signatures = False
    emulator.script(script)
    plain = await agent_for(emulator, Home()).run("Dim")
    emulator.script(script)
    streamed = [e async for e in agent_for(emulator, Home()).stream("Dim")][-1]
    assert isinstance(streamed, RunFinished)
    assert streamed.result.history == plain.history


async def test_chat_keeps_history_between_messages(emulator: Emulator) -> None:
    emulator.script(
        [[call("set_light", room="kitchen", brightness=80)], "Kitchen at 80.", "It was 80."]
    )
    home = Home()
    chat = agent_for(emulator, home).chat()
    first = await chat.send("Kitchen to 80")
    second = await chat.send("What did you set it to?")
    assert (first.text, second.text) == ("Kitchen at 80.", "It was 80.")
    sent = emulator.requests[2].json["contents"]
    assert [c["role"] for c in sent] == ["user", "model", "user", "model", "user"]
    assert sent[-1] == {"role": "user", "parts": [{"text": "What did you set it to?"}]}
    assert second.new_messages == second.history[4:] and len(chat.history) == 6


def test_run_sync_inside_a_running_event_loop(emulator: Emulator) -> None:
    emulator.script(["from a nested run"])
    agent = agent_for(emulator, Home())

    async def notebook_cell() -> str | None:
        return agent.run_sync("hi").text  # blocking call made while a loop runs

    assert asyncio.run(notebook_cell()) == "from a nested run"


async def test_history_passed_in_is_not_modified(emulator: Emulator) -> None:
    history = [
        {"role": "user", "parts": [{"text": "Hi"}]},
        {"role": "model", "parts": [{"text": "Hello!"}]},
    ]
    before = json.dumps(history)
    emulator.script(["Sure."])
    result = await agent_for(emulator, Home()).run("Next", history=history)
    assert json.dumps(history) == before
    assert result.new_messages == [
        {"role": "user", "parts": [{"text": "Next"}]},
        {"role": "model", "parts": [{"text": "Sure."}]},
    ]


async def test_invalid_history_is_refused_before_sending(emulator: Emulator) -> None:
    emulator.script(["never"])
    dangling = [
        {"role": "user", "parts": [{"text": "Hi"}]},
        {"role": "model", "parts": [{"functionCall": {"name": "get_temperature", "args": {}}}]},
    ]
    with pytest.raises(HistoryError, match=r"history\[1\]: 1 function call\(s\) are not answered"):
        await agent_for(emulator, Home()).run("Next", history=dangling)
    assert emulator.requests == []
