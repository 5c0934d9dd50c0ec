"""Gemini's failure modes as states: bounded re-asks, typed errors that keep what was done."""

from __future__ import annotations

import pytest

from agentkit import Agent, Gemini
from agentkit.agent import RetryEvent, RunFinished, StopReason
from agentkit.errors import ModelBehaviorError, ResponseBlockedError, ServerError
from agentkit.testing.emulator import (
    Emulator,
    Fault,
    blocked_prompt,
    call,
    empty_candidate,
    malformed_function_call,
    safety_block,
    unexpected_tool_call,
)

from ..conftest import FAST_RETRY
from .home import Home


def agent_for(emulator: Emulator, **options: object) -> Agent[None]:
    return Agent(Gemini(base_url=emulator.url, retry=FAST_RETRY), tools=Home().tools(), **options)  # type: ignore[arg-type]


async def test_malformed_call_is_re_asked_with_feedback(emulator: Emulator) -> None:
    emulator.script(
        [
            malformed_function_call("Malformed function call: set_light(room=)"),
            [call("get_temperature")],
            "19.",
        ]
    )
    events = [e async for e in agent_for(emulator).stream("Temperature?")]
    retries = [e for e in events if isinstance(e, RetryEvent)]
    assert [(r.source, r.attempt) for r in retries] == [("model", 1)]
    assert "MALFORMED_FUNCTION_CALL" in retries[0].reason
    final = events[-1]
    assert isinstance(final, RunFinished) and final.result.text == "19."
    retried = emulator.requests[1].json["contents"]
    assert len(retried) == 1  # the empty turn was not appended
    assert retried[0]["parts"][1]["text"].startswith(
        "Your last reply contained a malformed function call (Malformed function call: set_light(room=))"
    )
    assert emulator.rejections == []


@pytest.mark.parametrize(
    "answer",
    [empty_candidate(), unexpected_tool_call("open_garage"), [{"text": ""}, {"text": ""}]],
    ids=["empty", "unexpected-tool", "only-empty-text"],
)
async def test_other_unusable_answers_are_re_asked(
    emulator: Emulator, answer: dict[str, object]
) -> None:
    emulator.script([answer, "Recovered."])
    result = await agent_for(emulator).run("Hi")
    assert result.text == "Recovered." and len(emulator.requests) == 2


async def test_re_asks_are_bounded_and_keep_the_partial_run(emulator: Emulator) -> None:
    emulator.script([[call("get_temperature")], *[malformed_function_call()] * 3])
    with pytest.raises(ModelBehaviorError, match="unusable after 3 tries") as caught:
        await agent_for(emulator).run("Hi")
    partial = caught.value.partial
    assert [r.name for r in partial.tool_calls] == ["get_temperature"]
    assert len(partial.history) == 3 and caught.value.finish_reason == "MALFORMED_FUNCTION_CALL"


async def test_safety_stop_raises_with_what_was_produced(emulator: Emulator) -> None:
    emulator.script(
        [[call("set_light", room="hall", brightness=10)], safety_block("Here is how to")]
    )
    with pytest.raises(ResponseBlockedError) as caught:
        await agent_for(emulator).run("Hi")
    error = caught.value
    assert (error.finish_reason, error.partial_text) == ("SAFETY", "Here is how to")
    assert error.partial.tool_calls[0].name == "set_light"
    assert error.partial.text == "Here is how to"


async def test_blocked_prompt_raises_with_the_block_reason(emulator: Emulator) -> None:
    emulator.script([blocked_prompt("PROHIBITED_CONTENT")])
    with pytest.raises(ResponseBlockedError, match="prompt was blocked") as caught:
        await agent_for(emulator).run("Hi")
    assert caught.value.block_reason == "PROHIBITED_CONTENT"


async def test_unknown_finish_reason_is_not_success(emulator: Emulator) -> None:
    emulator.script(
        [
            {
                "candidates": [
                    {
                        "content": {"role": "model", "parts": [{"text": "Partial"}]},
                        "finishReason": "SOMETHING_NEW",
                    }
                ]
            }
        ]
    )
    with pytest.raises(ModelBehaviorError, match="SOMETHING_NEW") as caught:
        await agent_for(emulator).run("Hi")
    assert caught.value.partial.text == "Partial"


async def test_max_tokens_with_text_ends_with_its_own_stop_reason(emulator: Emulator) -> None:
    emulator.script(
        [
            {
                "candidates": [
                    {
                        "content": {"role": "model", "parts": [{"text": "The answer is"}]},
                        "finishReason": "MAX_TOKENS",
                    }
                ]
            }
        ]
    )
    result = await agent_for(emulator).run("Hi")
    assert (result.stop_reason, result.text) == (StopReason.MAX_TOKENS, "The answer is")


async def test_max_tokens_with_nothing_explains_the_thinking_budget(emulator: Emulator) -> None:
    emulator.script([{"candidates": [{"content": {}, "finishReason": "MAX_TOKENS"}]}])
    with pytest.raises(ModelBehaviorError, match="maxOutputTokens"):
        await agent_for(emulator).run("Hi")


async def test_http_retries_appear_as_events(emulator: Emulator) -> None:
    emulator.script([Fault.unavailable(), "fine"])
    events = [e async for e in agent_for(emulator).stream("Hi")]
    retries = [e for e in events if isinstance(e, RetryEvent)]
    assert [(r.source, r.attempt, r.delay) for r in retries] == [("http", 1, 0.01)]
    assert "503" in retries[0].reason


async def test_a_stream_broken_part_way_restarts_the_turn(emulator: Emulator) -> None:
    emulator.script(
        [
            Fault.error_in_stream(after_chunks=1, answer="A long answer that breaks off"),
            Fault.cut_stream(after_chunks=1, answer="Another long answer that is cut"),
            "Whole answer.",
        ]
    )
    events = [e async for e in agent_for(emulator).stream("Hi")]
    retries = [e for e in events if isinstance(e, RetryEvent) and e.source == "model"]
    assert [r.reason.split(":")[0] for r in retries] == ["the stream broke", "the stream broke"]
    final = events[-1]
    assert isinstance(final, RunFinished) and final.result.text == "Whole answer."
    assert final.result.history[-1] == {"role": "model", "parts": [{"text": "Whole answer."}]}


async def test_a_stream_that_keeps_breaking_surfaces_the_typed_error(emulator: Emulator) -> None:
    emulator.script([Fault.error_in_stream(after_chunks=1, answer="A long answer that breaks off")] * 3)
    with pytest.raises(ServerError):
        async for _ in agent_for(emulator).stream("Hi"):
            pass
