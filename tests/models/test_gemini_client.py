"""The Gemini REST client against the strict emulator over loopback."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import pytest

from agentkit.errors import (
    APIConnectionError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    IncompleteStreamError,
    NotFoundError,
    RateLimitError,
    ServerError,
)
from agentkit.models import Gemini, RetryPolicy
from agentkit.testing.emulator import Emulator, EmulatorOptions, Fault, call
from agentkit.types import Content, GenerateContentRequest, GenerationConfig, Part

from ..conftest import FAST_RETRY

HELLO = GenerateContentRequest(contents=[Content.user("Hello")])


async def test_generate_sends_exact_bytes_headers_and_path(emulator: Emulator) -> None:
    emulator.script(["Hi there!"])
    model = Gemini("gemini-2.5-flash", api_key="test-key-0123456789", base_url=emulator.url)
    request = GenerateContentRequest(
        contents=[Content.user("Hello")],
        system_instruction=Content(parts=[Part(text="Be brief.")]),
        generation_config=GenerationConfig(temperature=0.2),
    )
    response = await model.generate(request)

    assert response.text == "Hi there!"
    [sent] = emulator.requests
    assert sent.method == "POST"
    assert sent.path == "/v1beta/models/gemini-2.5-flash:generateContent"
    assert sent.body == (
        b'{"contents":[{"role":"user","parts":[{"text":"Hello"}]}],'
        b'"systemInstruction":{"parts":[{"text":"Be brief."}]},'
        b'"generationConfig":{"temperature":0.2}}'
    )
    assert sent.headers["x-goog-api-key"] == "test-key-0123456789"
    assert sent.headers["content-type"] == "application/json"
    assert sent.headers["x-goog-api-client"].startswith("agentkit/")
    assert sent.headers["x-server-timeout"] == "120"
    assert "key=" not in sent.query


async def test_stream_yields_chunks_and_the_final_usage(gemini: Gemini, emulator: Emulator) -> None:
    emulator.options.stream_chunk_chars = 10
    emulator.script(["The living room is now dimmed to 30 percent."])
    chunks = [chunk async for chunk in gemini.stream(HELLO)]

    assert "".join(c.text or "" for c in chunks) == "The living room is now dimmed to 30 percent."
    assert len(chunks) == 5
    assert [c.finish_reason for c in chunks] == [None, None, None, None, "STOP"]
    usage = chunks[-1].usage_metadata
    assert usage is not None and usage.candidates_token_count is not None
    [sent] = emulator.requests
    assert sent.path.endswith(":streamGenerateContent") and sent.query == "alt=sse"


async def test_parallel_calls_round_trip_with_signature(gemini: Gemini, emulator: Emulator) -> None:
    emulator.options.assign_call_ids = True
    emulator.script(
        [[call("get_weather", city="Paris"), call("get_weather", city="Tokyo")], "Rain and sun."]
    )
    first = await gemini.generate(HELLO)
    assert first.content is not None and first.content.parts is not None
    signed, unsigned = first.content.parts
    assert signed.thought_signature is not None and unsigned.thought_signature is None
    assert [c.id for c in first.function_calls] == ["call-0001", "call-0002"]

    answers = Content(
        role="user",
        parts=[
            Part.from_function_response(c.name, {"output": "ok"}, id=c.id)
            for c in first.function_calls
        ],
    )
    second = await gemini.generate(
        GenerateContentRequest(contents=[*HELLO.contents, first.content, answers])
    )
    assert second.text == "Rain and sun."
    assert emulator.rejections == []


async def test_count_tokens_list_and_get_models(gemini: Gemini, emulator: Emulator) -> None:
    counted = await gemini.count_tokens([Content.user("How many tokens is this?")])
    assert counted.total_tokens is not None and counted.total_tokens > 0
    whole = await gemini.count_tokens(HELLO)
    assert whole.total_tokens is not None
    assert emulator.requests[1].json == {
        "generateContentRequest": {
            "contents": [{"role": "user", "parts": [{"text": "Hello"}]}],
            "model": "models/gemini-2.5-flash",
        }
    }

    page = await gemini.list_models(page_size=2)
    assert page.models is not None and [m.name for m in page.models] == [
        "models/gemini-2.5-flash",
        "models/gemini-2.5-pro",
    ]
    assert page.next_page_token == "2"
    rest = await gemini.list_models(page_size=100, page_token="2")
    assert rest.models is not None and rest.next_page_token is None
    assert [m.name for m in rest.models] == [
        "models/gemini-2.5-flash-lite",
        "models/gemini-3-flash-preview",
        "models/gemini-3-pro-preview",
        "models/gemini-3.1-pro-preview",
        "models/gemini-2.0-flash",
        "models/gemini-2.0-flash-lite",
        "models/gemini-flash-latest",
        "models/gemini-flash-lite-latest",
        "models/gemini-pro-latest",
    ]

    info = await gemini.get_model()
    assert info.input_token_limit == 1_048_576
    with pytest.raises(NotFoundError, match="models/gemini-0 is not found"):
        await gemini.get_model("gemini-0")


# -- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "error_type"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, AuthenticationError),
        (404, NotFoundError),
    ],
)
async def test_client_errors_are_typed_and_not_retried(
    gemini: Gemini, emulator: Emulator, status: int, error_type: type[Exception]
) -> None:
    emulator.script([Fault.http_error(status, "nope"), "never served"])
    with pytest.raises(error_type) as caught:
        await gemini.generate(HELLO)
    assert caught.value.status_code == status  # type: ignore[attr-defined]
    assert caught.value.message == "nope"  # type: ignore[attr-defined]
    assert len(emulator.requests) == 1


async def test_strict_rejection_arrives_as_bad_request(gemini: Gemini, emulator: Emulator) -> None:
    emulator.script(["unused"])
    bad = GenerateContentRequest(contents=[Content.model("I start the conversation")])
    with pytest.raises(BadRequestError, match="start with a user turn") as caught:
        await gemini.generate(bad)
    assert caught.value.status == "INVALID_ARGUMENT"
    assert caught.value.details[0]["@type"] == "type.googleapis.com/google.rpc.BadRequest"


# -- retries --------------------------------------------------------------------------------


async def test_503_then_success_is_retried_once_and_logged_once(
    gemini: Gemini, emulator: Emulator, agentkit_logs: Callable[[], list[dict[str, Any]]]
) -> None:
    emulator.script([Fault.unavailable(), "recovered"])
    response = await gemini.generate(HELLO)
    logs = agentkit_logs()
    assert response.text == "recovered"
    assert len(emulator.requests) == 2
    retries = [entry for entry in logs if entry["event"] == "retry"]
    assert retries == [
        {
            "event": "retry",
            "operation": "generateContent",
            "attempt": 1,
            "delay": 0.01,
            "error": "ServerError",
            "status": 503,
            "message": "503 UNAVAILABLE: The model is overloaded. Please try again later.",
        }
    ]


async def test_429_waits_at_least_the_server_retry_delay(
    gemini: Gemini, emulator: Emulator, agentkit_logs: Callable[[], list[dict[str, Any]]]
) -> None:
    emulator.script([Fault.rate_limited(retry_delay=0.15), "after the wait"])
    started = time.monotonic()
    response = await gemini.generate(HELLO)
    logs = agentkit_logs()
    elapsed = time.monotonic() - started
    assert response.text == "after the wait"
    assert [entry["delay"] for entry in logs if entry["event"] == "retry"] == [0.15]
    assert elapsed >= 0.15


async def test_per_day_quota_is_not_retried(gemini: Gemini, emulator: Emulator) -> None:
    emulator.script([Fault.per_day_quota(), "never"])
    with pytest.raises(RateLimitError) as caught:
        await gemini.generate(HELLO)
    assert caught.value.is_per_day_quota
    assert caught.value.quota_ids == ["GenerateRequestsPerDayPerProjectPerModel-FreeTier"]
    assert caught.value.retry_delay == 30.0
    assert len(emulator.requests) == 1


async def test_attempts_run_out_with_the_last_error(gemini: Gemini, emulator: Emulator) -> None:
    emulator.script([Fault.server_error(500)] * 3 + ["too late"])
    with pytest.raises(ServerError, match="500 INTERNAL"):
        await gemini.generate(HELLO)
    assert len(emulator.requests) == 3


async def test_deadline_stops_retrying(emulator: Emulator) -> None:
    policy = RetryPolicy(initial_delay=0.01, jitter=0.0, deadline=0.5)
    model = Gemini("gemini-2.5-flash", base_url=emulator.url, retry=policy)
    emulator.script([Fault.rate_limited(retry_delay=5.0), "never"])
    with pytest.raises(RateLimitError):
        await model.generate(HELLO)
    assert len(emulator.requests) == 1


async def test_dropped_connection_is_retried(gemini: Gemini, emulator: Emulator) -> None:
    emulator.script([Fault.drop_connection(), "second try"])
    assert (await gemini.generate(HELLO)).text == "second try"
    assert len(emulator.requests) == 2


async def test_slow_answer_past_the_timeout_is_a_connection_error(emulator: Emulator) -> None:
    model = Gemini("gemini-2.5-flash", base_url=emulator.url, timeout=0.2, retry=RetryPolicy.none())
    emulator.script([Fault.delay(1.0, "too slow")])
    with pytest.raises(APIConnectionError, match="timed out"):
        await model.generate(HELLO)


async def test_delay_within_the_timeout_still_answers(gemini: Gemini, emulator: Emulator) -> None:
    emulator.script([Fault.delay(0.05, "slowly")])
    assert (await gemini.generate(HELLO)).text == "slowly"


# -- stream failures ------------------------------------------------------------------------

LONG = "A sentence long enough to be streamed in several separate chunks."


async def test_stream_failing_before_any_chunk_is_retried(
    gemini: Gemini, emulator: Emulator
) -> None:
    emulator.script([Fault.cut_stream(after_chunks=0, answer=LONG), LONG])
    chunks = [c async for c in gemini.stream(HELLO)]
    assert "".join(c.text or "" for c in chunks) == LONG
    assert len(emulator.requests) == 2


async def test_stream_cut_after_a_chunk_is_not_retried(gemini: Gemini, emulator: Emulator) -> None:
    emulator.script([Fault.cut_stream(after_chunks=1, answer=LONG), LONG])
    seen: list[str] = []
    with pytest.raises(IncompleteStreamError) as caught:
        async for chunk in gemini.stream(HELLO):
            seen.append(chunk.text or "")
    assert seen == [LONG[:24]]
    assert caught.value.received == 1
    assert len(emulator.requests) == 1


async def test_error_object_inside_a_200_stream(gemini: Gemini, emulator: Emulator) -> None:
    emulator.script([Fault.error_in_stream(after_chunks=2, answer=LONG)])
    seen = 0
    with pytest.raises(ServerError, match="500 INTERNAL: An internal error has occurred."):
        async for _ in gemini.stream(HELLO):
            seen += 1
    assert seen == 2
    assert len(emulator.requests) == 1


async def test_error_object_as_first_stream_event_is_retried(
    gemini: Gemini, emulator: Emulator
) -> None:
    emulator.script([Fault.error_in_stream(after_chunks=0, answer=LONG), "fine"])
    chunks = [c async for c in gemini.stream(HELLO)]
    assert [c.text for c in chunks] == ["fine"]


async def test_stream_ending_cleanly_without_finish_reason_is_incomplete(
    gemini: Gemini, emulator: Emulator
) -> None:
    emulator.script([Fault.end_stream(after_chunks=2, answer=LONG)])
    with pytest.raises(IncompleteStreamError, match="without a finish reason") as caught:
        async for _ in gemini.stream(HELLO):
            pass
    assert caught.value.received == 2


async def test_blocked_prompt_stream_counts_as_finished(gemini: Gemini, emulator: Emulator) -> None:
    from agentkit.testing.emulator import blocked_prompt

    emulator.script([blocked_prompt()])
    [chunk] = [c async for c in gemini.stream(HELLO)]
    assert chunk.prompt_feedback is not None and chunk.prompt_feedback.block_reason == "SAFETY"
    assert chunk.candidates is None


# -- credentials ----------------------------------------------------------------------------

SENTINEL = "AIzaSy-SENTINEL-never-print-me-0042"


def _all_text(error: BaseException) -> str:
    return f"{error!s} {error!r} {getattr(error, 'details', '')} {getattr(error, 'message', '')}"


async def test_wrong_key_error_never_contains_the_key(emulator: Emulator) -> None:
    emulator.options = EmulatorOptions(api_key="the-right-key-123456")
    model = Gemini("gemini-2.5-flash", api_key=SENTINEL, base_url=emulator.url, retry=FAST_RETRY)
    with pytest.raises(BadRequestError) as caught:
        await model.generate(HELLO)
    assert caught.value.reason == "API_KEY_INVALID"
    assert SENTINEL not in _all_text(caught.value)
    assert SENTINEL not in repr(model)


async def test_a_key_echoed_by_the_server_is_redacted_everywhere(
    emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG", logger="agentkit")
    model = Gemini("gemini-2.5-flash", api_key=SENTINEL, base_url=emulator.url, retry=FAST_RETRY)
    echo = f"key {SENTINEL} rejected"
    details = [{"@type": "type.googleapis.com/google.rpc.LocalizedMessage", "message": echo}]
    emulator.script(
        [Fault.http_error(503, echo, details=details), Fault.http_error(400, echo, details=details)]
    )
    with pytest.raises(BadRequestError) as caught:
        await model.generate(HELLO)
    assert "key [REDACTED] rejected" in caught.value.message
    assert SENTINEL not in _all_text(caught.value)
    assert len(caplog.records) == 1 and "[REDACTED]" in caplog.text
    assert SENTINEL not in caplog.text
    assert SENTINEL not in repr([r.__dict__ for r in caplog.records])


async def test_missing_key_for_google_is_a_configuration_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("GEMINI_API_KEY", raising=False)
    monkeypatch.delenv("GOOGLE_API_KEY", raising=False)
    model = Gemini("gemini-2.5-flash")
    assert not model.has_api_key
    with pytest.raises(ConfigurationError, match="GEMINI_API_KEY"):
        await model.generate(HELLO)


async def test_google_api_key_wins_over_gemini_api_key(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GEMINI_API_KEY", "gemini-key-000000")
    monkeypatch.setenv("GOOGLE_API_KEY", "google-key-111111")
    emulator.script(["ok"])
    await Gemini(base_url=emulator.url).generate(HELLO)
    assert emulator.requests[0].headers["x-goog-api-key"] == "google-key-111111"


def test_one_model_object_serves_several_event_loops(emulator: Emulator) -> None:
    emulator.script(["one", "two"])
    model = Gemini(base_url=emulator.url)
    first = asyncio.run(model.generate(HELLO))
    second = asyncio.run(model.generate(HELLO))
    assert (first.text, second.text) == ("one", "two")


# -- model-level failure answers arrive intact, in both modes -------------------------------

from agentkit.testing.emulator import (  # noqa: E402
    empty_candidate,
    malformed_function_call,
    no_candidates,
    safety_block,
    unexpected_tool_call,
)


@pytest.mark.parametrize(
    ("answer", "finish_reason", "finish_message", "text"),
    [
        (
            malformed_function_call("Malformed function call: set_light(room=)"),
            "MALFORMED_FUNCTION_CALL",
            "Malformed function call: set_light(room=)",
            None,
        ),
        (
            unexpected_tool_call("open_garage"),
            "UNEXPECTED_TOOL_CALL",
            "Unexpected tool call: open_garage",
            None,
        ),
        (empty_candidate(), "STOP", None, None),
        (safety_block("Here is how to"), "SAFETY", None, "Here is how to"),
        (no_candidates(), None, None, None),
    ],
    ids=["malformed", "unexpected-tool", "empty-candidate", "safety", "no-candidates"],
)
@pytest.mark.parametrize("streamed", [False, True], ids=["generate", "stream"])
async def test_failure_answers_are_parsed_not_raised(
    gemini: Gemini,
    emulator: Emulator,
    answer: dict[str, object],
    finish_reason: str | None,
    finish_message: str | None,
    text: str | None,
    streamed: bool,
) -> None:
    emulator.script([answer])
    if streamed:
        if finish_reason is None:  # nothing marks the end: a stream like this is incomplete
            with pytest.raises(IncompleteStreamError):
                [c async for c in gemini.stream(HELLO)]
            return
        chunks = [c async for c in gemini.stream(HELLO)]
        response = chunks[-1]
        assert "".join(c.text or "" for c in chunks) == (text or "")
    else:
        response = await gemini.generate(HELLO)
        assert response.text == text
    assert response.finish_reason == finish_reason
    candidate = response.first_candidate
    assert (candidate.finish_message if candidate else None) == finish_message
