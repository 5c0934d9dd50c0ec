"""The context policy: what is sent stays within budget, the transcript keeps everything.

Unit tests of each compaction step, then conversations through the strict emulator serving
a model with a small input limit: the emulator refuses, with Gemini's 400, any request over
it, so a chat that finishes proves every request fit."""

from __future__ import annotations

from typing import Any

import pytest

from agentkit import Agent, Gemini, tool
from agentkit.agent import ContextCompacted, ContextPolicy
from agentkit.agent.context import ELIDED_NOTE, SUMMARY_INSTRUCTION, compact, exchanges
from agentkit.agent.history import check_history
from agentkit.models.capabilities import capabilities_for
from agentkit.testing.emulator import Emulator, EmulatorOptions, Fault, call
from agentkit.types import Content, FunctionCall, FunctionResponse, GenerateContentRequest, Part


def user(text: str) -> Content:
    return Content.user(text)


def model(text: str) -> Content:
    return Content.model(text)


def called(name: str, **args: Any) -> Content:
    return Content(role="model", parts=[Part(function_call=FunctionCall(name=name, args=args))])


def answered(name: str, response: dict[str, Any]) -> Content:
    return Content(role="user", parts=[Part(function_response=FunctionResponse(name=name, response=response))])


def conversation() -> list[Content]:
    """Four exchanges; the second holds a call with a large result."""
    return [
        user("You manage my home. Keep the hall dim."),
        model("Understood."),
        user("What is in the fridge?"),
        called("fridge"),
        answered("fridge", {"items": ["milk"] * 2000}),
        model("Mostly milk."),
        user("Dim the hall."),
        model("Done."),
        user("And now?"),
    ]


def test_exchanges_start_at_plain_user_turns() -> None:
    assert exchanges(conversation()) == [(0, 2), (2, 6), (6, 8), (8, 9)]


async def test_large_old_tool_results_are_elided_first() -> None:
    context = conversation()
    policy = ContextPolicy(keep_last=2, elide_over=1000)
    done = await compact(context, 0, 500, policy, None)
    assert done is not None
    kept, what = done
    assert (what.elided_results, what.removed_exchanges) == (1, 0)
    response = kept[4].parts[0].function_response  # type: ignore[index]
    assert response is not None and response.name == "fridge"
    assert list(response.response) == ["elided"]
    assert response.response["elided"].endswith(f" characters of fridge's result {ELIDED_NOTE}")
    assert kept[0] is context[0] and kept[-2:] == context[-2:]  # the rest is the same turns
    assert context[4].parts[0].function_response.response["items"][0] == "milk"  # type: ignore[union-attr,index]
    assert what.tokens_after < what.tokens_before


async def test_old_exchanges_are_summarised_and_the_first_instruction_kept() -> None:
    asked: list[list[Content]] = []

    async def summarize(turns: list[Content]) -> str:
        asked.append(turns)
        return "The user asked about the fridge: mostly milk."

    context = conversation()
    done = await compact(context, 0, 60, ContextPolicy(keep_last=2), summarize)
    assert done is not None
    kept, what = done
    assert what.removed_exchanges == 2 and what.summary == "The user asked about the fridge: mostly milk."
    # The first instruction's answer and the fridge exchange (its large result elided first).
    (turns,) = asked
    assert turns[:3] == context[1:4] and "elided" in turns[3].parts[0].function_response.response  # type: ignore[index,union-attr,operator]
    assert turns[4] is context[5]
    assert [part.text for part in kept[0].parts or ()] == [
        "You manage my home. Keep the hall dim.",
        "[Earlier in this conversation, summarised to save space: The user asked about the fridge: mostly milk.]",
    ]
    assert kept[1:] == context[6:]  # the exchanges kept, verbatim
    check_history(kept)


async def test_a_second_compaction_summarises_the_first_summary_too() -> None:
    told: list[str] = []

    async def summarize(turns: list[Content]) -> str:
        told.append(turns[0].parts[0].text or "")  # type: ignore[index]
        return f"summary {len(told)}"

    context = conversation()
    first, _ = await compact(context, 0, 60, ContextPolicy(keep_last=2), summarize)  # type: ignore[misc]
    grown = [*first, model("Fine."), user("Anything else?"), model("No."), user("Bye?")]
    second, what = await compact(grown, 0, 60, ContextPolicy(keep_last=1), summarize)  # type: ignore[misc]
    assert told[1] == "(what was summarised before) summary 1"
    assert [part.text for part in second[0].parts or ()] == [
        "You manage my home. Keep the hall dim.",
        "[Earlier in this conversation, summarised to save space: summary 2]",
    ]
    assert second[-1] is grown[-1] and what.removed_exchanges >= 1
    check_history(second)


async def test_without_a_summary_old_exchanges_are_dropped_with_a_marker_and_pairs_stay_whole() -> None:
    context = conversation()
    done = await compact(context, 0, 60, ContextPolicy(keep_last=1, summarize=False, keep_first=False), None)
    assert done is not None
    kept, what = done
    assert what.summary is None and what.removed_exchanges == 2
    assert [part.text for part in kept[0].parts or ()] == [
        "[Earlier in this conversation, 2 exchange(s) were removed to save space; the full "
        "transcript is kept outside the context.]"
    ]
    assert kept[1:] == context[6:]
    check_history(kept)


async def test_nothing_to_compact_when_only_kept_exchanges_remain() -> None:
    assert await compact(conversation(), 0, 10, ContextPolicy(keep_last=4), None) is None


def small_model(emulator: Emulator, limit: int) -> Gemini:
    flash = capabilities_for("gemini-2.5-flash")
    assert flash is not None
    emulator.options = EmulatorOptions(models={"gemini-2.5-flash": flash.replace(input_token_limit=limit)})
    return Gemini("gemini-2.5-flash", base_url=emulator.url)


def answer_or_summarise(request: GenerateContentRequest) -> str:
    first = request.contents[0].parts[0].text or ""  # type: ignore[index]
    if first.startswith(SUMMARY_INSTRUCTION):
        return "Summary: the user has been chatting about rooms."
    return "Noted: " + ("the room is fine. " * 30)


async def test_a_long_chat_through_a_small_model_never_overflows_and_keeps_everything(
    emulator: Emulator,
) -> None:
    gemini = small_model(emulator, 6000)
    emulator.respond_with(answer_or_summarise)
    chat = Agent(gemini).chat()  # the chat's default policy
    compactions: list[ContextCompacted] = []
    for turn in range(60):
        async for event in chat.stream(f"message {turn}: tell me about room {turn}"):
            if isinstance(event, ContextCompacted):
                compactions.append(event)
    assert len(chat.history) == 120 and chat.history[0].parts[0].text == "message 0: tell me about room 0"  # type: ignore[index]
    assert chat.context is not None and len(chat.context) < len(chat.history)
    assert compactions and all(c.tokens_after < c.tokens_before for c in compactions)
    assert all(c.summary == "Summary: the user has been chatting about rooms." for c in compactions if c.removed_exchanges)
    sent = [r for r in emulator.requests if r.path.endswith(":streamGenerateContent")]
    assert emulator.rejections == [] and len(sent) == 60
    # The first message is kept; the newest always goes as it was typed.
    last = sent[-1].json["contents"]
    assert last[0]["parts"][0]["text"] == "message 0: tell me about room 0"
    assert last[-1] == {"role": "user", "parts": [{"text": "message 59: tell me about room 59"}]}
    assert chat.results[-1].context == [c.to_wire() for c in chat.context]


async def test_a_refusal_for_length_compacts_and_sends_once_more(emulator: Emulator) -> None:
    emulator.respond_with(answer_or_summarise)
    agent = Agent(Gemini("gemini-2.5-flash", base_url=emulator.url), context=ContextPolicy(keep_last=1, summarize=False))
    history = [c.to_wire() for c in conversation()[:-1]]
    emulator.inject(Fault.http_error(400, "The input token count (9000) exceeds the maximum number of tokens allowed (300)."))
    events = [event async for event in agent.stream("And now?", history=history)]
    (compacted,) = [e for e in events if isinstance(e, ContextCompacted)]
    assert compacted.removed_exchanges >= 1
    result = events[-1].result  # type: ignore[union-attr]
    assert result.text.startswith("Noted")
    assert len(result.history) == 10  # nothing lost
    model_requests = [r for r in emulator.requests if ":streamGenerateContent" in r.path]
    assert len(model_requests) == 2 and len(model_requests[1].json["contents"]) < 9


async def test_runs_send_everything_unless_given_a_policy(emulator: Emulator) -> None:
    gemini = small_model(emulator, 300)
    emulator.respond_with(answer_or_summarise)
    history = [c.to_wire() for c in conversation()[:-1]]
    with pytest.raises(Exception, match="exceeds the maximum number of tokens allowed"):
        await Agent(gemini).run("And now?", history=history)
    result = await Agent(gemini, context=ContextPolicy(keep_last=1)).run("And now?", history=history)
    assert result.text is not None and len(result.history) == 10 and result.context is not None


async def test_old_tool_results_are_elided_in_a_run_with_tools(emulator: Emulator) -> None:
    @tool
    def inventory() -> dict[str, Any]:
        """Everything in the house."""
        return {"things": [f"thing {n}" for n in range(800)]}

    gemini = small_model(emulator, 6000)
    script = [[call("inventory")], "Lots of things."] + [f"Answer {n}." for n in range(6)]
    emulator.script(script)
    policy = ContextPolicy(max_tokens=1500, keep_last=2, elide_over=500)
    chat = Agent(gemini, tools=[inventory], context=policy).chat()
    for n in range(7):
        await chat.send(f"question {n}")
    transcript_result = chat.history[2].parts[0].function_response  # type: ignore[index]
    assert transcript_result is not None and len(transcript_result.response["things"]) == 800
    assert chat.context is not None
    sent = chat.context[2].parts[0].function_response  # type: ignore[index]
    assert sent is not None and "elided" in sent.response
    assert emulator.rejections == []


class CountingModel:
    """A model whose countTokens answers ``counted``; its answers are plain text."""

    def __init__(self, counted: int) -> None:
        from agentkit.testing import FunctionModel

        self._inner = FunctionModel(lambda request: "ok", name="gemini-2.5-flash")
        self.name = "gemini-2.5-flash"
        self.counted = counted
        self.counts = 0

    async def generate(self, request: GenerateContentRequest) -> Any:
        return await self._inner.generate(request)

    def stream(self, request: GenerateContentRequest) -> Any:
        return self._inner.stream(request)

    async def count_tokens(self, request: GenerateContentRequest) -> Any:
        from agentkit.types import CountTokensResponse

        self.counts += 1
        return CountTokensResponse(total_tokens=self.counted)


@pytest.mark.parametrize(("counted", "compacts"), [(100, False), (100_000, True)])
async def test_an_estimate_a_little_over_budget_is_checked_with_count_tokens(counted: int, compacts: bool) -> None:
    from agentkit.agent.context_size import content_tokens

    history = conversation()[:-1]
    estimate = sum(content_tokens(c) for c in [*history, Content.user("And now?")])
    counting = CountingModel(counted)
    agent = Agent(counting, context=ContextPolicy(max_tokens=int(estimate / 1.1), keep_last=1, summarize=False))  # type: ignore[arg-type]
    result = await agent.run("And now?", history=[c.to_wire() for c in history])
    assert counting.counts == 1
    assert (result.context is not None) is compacts
