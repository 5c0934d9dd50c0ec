"""Copy on write, not copy always: a run shares agentkit's own turns (a result's, a chat's)
instead of copying them again, and copies everything else of the caller's; neither side's
changes reach the other, and what is sent is always what the history says."""

from __future__ import annotations

import json
from typing import Any

import pytest

from agentkit import Agent, Gemini
from agentkit.agent import Limits
from agentkit.testing.emulator import Emulator
from agentkit.testing.emulator.faults import malformed_function_call
from agentkit.types import Content, Part


def texts(body: Any) -> list[str]:
    return [part.get("text", "") for turn in body["contents"] for part in turn["parts"]]


def answering(emulator: Emulator) -> None:
    emulator.respond_with(lambda request: f"answer {len(request.contents)}")


async def test_a_results_turns_are_shared_when_passed_back_and_the_callers_are_copied(
    emulator: Emulator, gemini: Gemini
) -> None:
    answering(emulator)
    agent: Agent[None] = Agent(gemini)
    mine = [Content.user("hello"), Content.model("hi")]
    first = await agent.run("one", history=mine)
    # The caller's turns were copied: the run holds its own, the caller's list is as it was.
    assert len(mine) == 2 and all(
        a is not b for a, b in zip(first.history_contents[:2], mine, strict=True)
    )
    second = await agent.run("two", history=first.history_contents)
    # agentkit's own turns are shared, not copied again.
    assert all(
        a is b for a, b in zip(second.history_contents[:4], first.history_contents, strict=True)
    )
    assert len(first.history_contents) == 4 and len(second.history_contents) == 6
    sent = emulator.requests[-1].json
    assert texts(sent) == ["hello", "hi", "one", "answer 3", "two"]


async def test_the_callers_later_edits_of_their_own_turns_are_sent_as_edited(
    emulator: Emulator, gemini: Gemini
) -> None:
    answering(emulator)
    agent: Agent[None] = Agent(gemini)
    mine = [Content.user("hello"), Content.model("hi")]
    await agent.run("one", history=mine)
    mine[0].parts = [Part(text="hello, edited")]  # in place, on the caller's own object
    await agent.run("one", history=mine)
    assert texts(emulator.requests[-1].json) == ["hello, edited", "hi", "one"]


async def test_edits_of_a_results_list_reach_neither_the_agent_nor_other_results(
    emulator: Emulator, gemini: Gemini
) -> None:
    answering(emulator)
    agent: Agent[None] = Agent(gemini)
    first = await agent.run("one")
    kept = list(first.history_contents)
    second = await agent.run("two", history=first.history_contents)
    # The caller edits the first result's list: replaces a turn, appends one of their own.
    first.history_contents[0] = Content.user("replaced")
    extra = Content.model("my own answer")
    first.history_contents.append(Content.user("more"))
    assert list(second.history_contents[:2]) == kept
    third = await agent.run(None, history=[*first.history_contents[:2], extra, Content.user("q")])
    assert texts(emulator.requests[-1].json) == ["replaced", "answer 1", "my own answer", "q"]
    # The caller's own turn, added to a list of agentkit's, is copied: its later edits
    # are not in the result.
    assert third.history_contents[2] is not extra
    extra.parts = [Part(text="changed afterwards")]
    assert third.history_contents[2].text == "my own answer"


async def test_the_wire_history_is_the_callers_to_change(
    emulator: Emulator, gemini: Gemini
) -> None:
    answering(emulator)
    agent: Agent[None] = Agent(gemini)
    first = await agent.run("one")
    wire = first.history
    wire[0]["parts"][0]["text"] = "one, edited"
    assert first.history_contents[0].text == "one"  # the result is unchanged
    await agent.run("two", history=wire)
    assert texts(emulator.requests[-1].json) == ["one, edited", "answer 1", "two"]


async def test_a_chat_copies_turns_the_caller_appends_to_its_history(
    emulator: Emulator, gemini: Gemini
) -> None:
    answering(emulator)
    chat = Agent(gemini).chat()
    await chat.send("one")
    mine = Content.user("my note")
    chat.history.append(mine)
    chat.history.append(Content.model("noted"))
    await chat.send("two")
    assert chat.history[2] is not mine and chat.history[2].text == "my note"
    mine.parts = [Part(text="changed afterwards")]
    await chat.send("three")
    assert texts(emulator.requests[-1].json)[2] == "my note"


async def test_the_run_never_changes_the_callers_turns(emulator: Emulator, gemini: Gemini) -> None:
    # The model's first answer is a malformed call: the run tells it so on the last user
    # turn, which is a new turn, not an edit of the caller's.
    emulator.script([malformed_function_call(), "fine"])
    agent: Agent[None] = Agent(gemini)
    mine = [Content.user("hello")]
    before = [turn.to_wire() for turn in mine]
    result = await agent.run(None, history=mine)
    assert result.text == "fine"
    assert [turn.to_wire() for turn in mine] == before
    told = emulator.requests[-1].json["contents"][0]["parts"]
    assert told[0] == {"text": "hello"} and len(told) == 2  # the feedback went to the copy


async def test_a_thousand_parallel_calls_are_answered_in_one_turn_in_their_order(
    emulator: Emulator, gemini: Gemini
) -> None:
    from agentkit import tool

    @tool(blocking=False)
    def echo(n: int) -> int:
        """Echo a number.

        Args:
            n: The number.
        """
        return n

    calls = [
        {"functionCall": {"id": f"c{n}", "name": "echo", "args": {"n": n}}} for n in range(1000)
    ]
    emulator.script([{"parts": calls}, "done"])
    agent = Agent(gemini, tools=[echo], limits=Limits(tool_calls=None))
    result = await agent.run("count")
    assert result.text == "done"
    answers = emulator.requests[-1].json["contents"][2]["parts"]
    assert [a["functionResponse"]["id"] for a in answers] == [f"c{n}" for n in range(1000)]
    assert [a["functionResponse"]["response"] for a in answers] == [
        {"output": n} for n in range(1000)
    ]
    sent_calls = json.loads(emulator.requests[-1].body)["contents"][1]["parts"]
    # The model's turn goes back verbatim (with the signature the emulator added).
    assert [part["functionCall"] for part in sent_calls] == [c["functionCall"] for c in calls]


def test_a_response_answering_a_call_twice_is_refused_locally() -> None:
    from agentkit.agent.history import check_history
    from agentkit.errors import HistoryError
    from agentkit.types import FunctionCall, FunctionResponse

    calls = [FunctionCall(id=f"c{n}", name="f", args={}) for n in range(1000)]
    turn = Content(role="model", parts=[Part(function_call=call) for call in calls])

    def answering(ids: list[str]) -> Content:
        return Content(
            role="user",
            parts=[
                Part(function_response=FunctionResponse(id=i, name="f", response={"output": 1}))
                for i in ids
            ],
        )

    ids = [f"c{n}" for n in range(1000)]
    check_history([Content.user("go"), turn, answering(ids[::-1])])  # any order, each once
    ids[999] = "c0"  # the last response repeats the first one's id; c999 is unanswered
    with pytest.raises(HistoryError, match=r"history\[2\]: response 999 has id 'c0'"):
        check_history([Content.user("go"), turn, answering(ids)])


def test_a_view_slices_like_the_list_it_shows_and_copies_only_the_slice() -> None:
    from agentkit.agent.transcript import Transcript

    transcript = Transcript([Content.user(f"turn {n}") for n in range(10)])
    view = transcript.view(6)
    transcript.append(Content.model("later"))  # appended after: not in the view
    shown = list(transcript[:6])
    for index in (slice(2, None), slice(None, -2), slice(-3, None), slice(1, 5, 2), slice(8, 20)):
        assert view[index] == shown[index]
        assert all(a is b for a, b in zip(view[index], shown[index], strict=True))
    assert view[::-1] == shown[::-1]
