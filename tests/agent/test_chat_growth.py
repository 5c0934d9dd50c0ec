"""A chat's cost per message does not grow with its past: its own turns are not copied again
for every message, and only the turns added since the last run are checked — unless the
history was edited or trimmed, when all of it is checked again."""

from __future__ import annotations

from typing import Any

import pytest

from agentkit import Agent
from agentkit.errors import HistoryError
from agentkit.testing import FunctionModel
from agentkit.types import Content, GenerateContentRequest


def sent_to(model: FunctionModel) -> GenerateContentRequest:
    request: GenerateContentRequest = model.requests[-1]
    return request


async def test_a_chat_sends_its_own_turns_without_copying_them() -> None:
    model = FunctionModel(lambda request: "ok")
    chat = Agent(model).chat([Content.user("hello"), Content.model("hi")])
    await chat.send("one")
    kept = list(chat.history)
    await chat.send("two")
    sent = sent_to(model).contents
    assert [turn is earlier for turn, earlier in zip(sent, kept, strict=False)] == [True] * len(kept)
    assert [c.role for c in chat.history] == ["user", "model"] * 3


async def test_a_trimmed_or_edited_history_is_checked_again_before_it_is_sent() -> None:
    model = FunctionModel(lambda request: "ok")
    chat = Agent(model).chat()
    await chat.send("one")
    await chat.send("two")
    del chat.history[:1]  # now starts with the model's answer
    with pytest.raises(HistoryError, match="must start with a user turn"):
        await chat.send("three")
    assert len(model.requests) == 2  # refused here, not by the server


async def test_a_turn_replaced_in_the_middle_is_checked_again() -> None:
    from agentkit.types import FunctionCall, Part

    model = FunctionModel(lambda request: "ok")
    chat = Agent(model).chat()
    for message in ("one", "two", "three"):
        await chat.send(message)
    unanswered = Content(role="model", parts=[Part(function_call=FunctionCall(name="x", args={}))])
    chat.history[1] = unanswered
    with pytest.raises(HistoryError, match="not answered"):
        await chat.send("four")


async def test_results_share_the_transcript_and_keep_their_turns_when_it_is_edited() -> None:
    chat = Agent(FunctionModel(lambda request: "ok")).chat()
    for n in range(20):
        await chat.send(f"message {n}")
    transcript = chat.history
    assert all(result.history_contents._base is transcript for result in chat.results)  # type: ignore[attr-defined]
    assert [len(result.history) for result in chat.results] == [2 * (n + 1) for n in range(20)]
    assert chat.results[4].history[-2] == {"role": "user", "parts": [{"text": "message 4"}]}
    del chat.history[:10]  # the caller trims the conversation
    assert len(chat.results[19].history) == 40  # a result does not change after the fact
    assert chat.results[19].history[0] == {"role": "user", "parts": [{"text": "message 0"}]}
    await chat.send("after the trim")
    assert len(chat.history) == 32


async def test_a_long_chat_holds_its_transcript_once() -> None:
    import tracemalloc

    class Forgetful(list[Any]):
        def append(self, item: Any) -> None:  # the test model keeps no requests
            pass

    model = FunctionModel(lambda request: "ok")
    model.requests = Forgetful()
    chat = Agent(model, context=False).chat()

    async def talk(messages: int) -> None:
        for n in range(messages):
            await chat.send(f"message {n}")

    tracemalloc.start()
    try:
        await talk(300)
        at_300 = tracemalloc.get_traced_memory()[0]
        await talk(300)
        at_600 = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    # Linear: twice the turns, about twice the memory (copies per result would make it 4x).
    assert at_600 / at_300 < 2.6
    assert len(chat.results) == 600 and len(chat.history) == 1200
