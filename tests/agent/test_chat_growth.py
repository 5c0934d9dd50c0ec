"""A chat's cost per message does not grow with its past: its own turns are not copied again
for every message, and only the turns added since the last run are checked — unless the
history was edited or trimmed, when all of it is checked again."""

from __future__ import annotations

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
