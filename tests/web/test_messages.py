"""The page's messages from events and from saved histories, and the hub that replays them."""

from __future__ import annotations

import asyncio

from agentkit.agent import FunctionCallEvent, FunctionResultEvent, RetryEvent, StepFinished
from agentkit.pricing import call_cost
from agentkit.types import Content, FunctionCall, UsageMetadata
from agentkit.web.hub import EventHub
from agentkit.web.messages import TurnMessages, call_status, transcript_of


def test_results_without_ids_are_matched_to_their_calls_by_position() -> None:
    messages = TurnMessages("gemini-2.5-flash", turn=3)
    calls = [
        messages.of(FunctionCallEvent(1, FunctionCall(name="set_light", args={"room": "hall"}))),
        messages.of(FunctionCallEvent(1, FunctionCall(name="set_light", args={"room": "office"}))),
    ]
    assert [c["call"] for c in calls if c] == ["t3.s1c1", "t3.s1c2"]
    assert messages.confirmed_call(1, None, "1") == "t3.s1c2"
    results = [
        messages.of(FunctionResultEvent(1, "set_light", None, {"room": "hall"}, True, 0.01, 100.0)),
        messages.of(
            FunctionResultEvent(1, "set_light", None, {"error": {"type": "denied"}}, False, 0.0)
        ),
    ]
    assert [(r["call"], r["status"], r["started_at"]) for r in results if r] == [
        ("t3.s1c1", "ok", 100.0),
        ("t3.s1c2", "denied", None),
    ]


def test_calls_with_ids_keep_them_under_their_turn() -> None:
    messages = TurnMessages("gemini-2.5-flash", turn=1)
    call = messages.of(FunctionCallEvent(2, FunctionCall(id="abc", name="lock_door", args={})))
    result = messages.of(FunctionResultEvent(2, "lock_door", "abc", {"error": {"type": "x"}}, False, 0.1))
    assert call is not None and result is not None
    assert (call["call"], result["call"], result["status"]) == ("t1.abc", "t1.abc", "error")
    assert messages.confirmed_call(2, "abc", "abc") == "t1.abc"


def test_a_step_carries_its_usage_and_cost_and_a_retry_is_one_line() -> None:
    usage = UsageMetadata(prompt_token_count=1000, candidates_token_count=50, total_token_count=1050)
    step = TurnMessages("gemini-2.5-flash").of(StepFinished(1, "STOP", 0, usage))
    assert step == {
        "type": "step",
        "step": 1,
        "finish_reason": "STOP",
        "calls": 0,
        "usage": {"prompt": 1000, "output": 50, "thinking": 0, "cached": 0, "total": 1050},
        "cost_usd": call_cost("gemini-2.5-flash", usage),
    }
    retry = TurnMessages("m").of(RetryEvent(1, "http", "503 UNAVAILABLE:\n  try later", 2, 0.5))
    assert retry is not None and retry["reason"] == "503 UNAVAILABLE: try later"


def test_a_saved_history_becomes_the_same_messages() -> None:
    history = [
        Content.model_validate({"role": "user", "parts": [{"text": "Lights off"}]}),
        Content.model_validate(
            {
                "role": "model",
                "parts": [
                    {"text": "Let me see.", "thought": True},
                    {"functionCall": {"name": "set_light", "args": {"room": "hall", "on": False}}},
                    {"functionCall": {"name": "unlock_door", "args": {"door": "front"}}},
                ],
            }
        ),
        Content.model_validate(
            {
                "role": "user",
                "parts": [
                    {"functionResponse": {"name": "set_light", "response": {"on": False}}},
                    {
                        "functionResponse": {
                            "name": "unlock_door",
                            "response": {"error": {"type": "denied", "message": "no"}},
                        }
                    },
                ],
            }
        ),
        Content.model_validate({"role": "model", "parts": [{"text": "Done."}]}),
    ]
    assert transcript_of(history) == [
        {"type": "user", "text": "Lights off"},
        {"type": "thought", "step": 1, "text": "Let me see."},
        {"type": "call", "step": 1, "call": "h.s1c1", "name": "set_light",
         "args": {"room": "hall", "on": False}},
        {"type": "call", "step": 1, "call": "h.s1c2", "name": "unlock_door",
         "args": {"door": "front"}},
        {"type": "result", "step": 1, "call": "h.s1c1", "name": "set_light", "status": "ok",
         "response": {"on": False}, "duration": None, "started_at": None},
        {"type": "result", "step": 1, "call": "h.s1c2", "name": "unlock_door",
         "status": "denied", "response": {"error": {"type": "denied", "message": "no"}},
         "duration": None, "started_at": None},
        {"type": "text", "step": 2, "text": "Done."},
    ]
    assert call_status({"output": 1}) == "ok"


async def test_the_hub_replays_from_an_id_and_restarts_whole() -> None:
    hub = EventHub()
    hub.restart({"type": "session", "name": "a"})
    hub.publish({"type": "user", "text": "hi"})
    stream = hub.follow(after=1, keep_alive=5)
    first = await anext(stream)
    assert first.startswith("id: 2\ndata: ") and '"text": "hi"' in first
    waiting = asyncio.create_task(anext(stream))
    await asyncio.sleep(0)  # one turn of the loop: the reader is now waiting for news
    hub.restart({"type": "session", "name": "b"})  # ids go on: 3
    assert (await waiting).startswith('id: 3\ndata: {"id": 3, "at": ')
    assert [m["type"] for m in hub.messages()] == ["session"]
    hub.close()
    assert [chunk async for chunk in stream] == []


async def test_an_idle_stream_is_kept_alive() -> None:
    hub = EventHub()
    stream = hub.follow(after=0, keep_alive=0.01)
    assert await anext(stream) == ": keep-alive\n\n"
    hub.close()
    await stream.aclose()
