"""Streamed answers over the wire, cut into reads anywhere: what the user sees is exact.

The emulator re-cuts its SSE bytes into writes of a few bytes, each its own HTTP chunk, so
the client's reads end inside a UTF-8 character, between a CR and its LF, inside
``data:``: every boundary the one-event-per-read fast path does not take. The deltas must
still add up to exactly the final text, thoughts stay thoughts, signatures stay on the part
they came with, and the history holds the same turn as when events arrive whole.
"""

from __future__ import annotations

from typing import Any

import pytest

from agentkit import Agent, Gemini
from agentkit.agent import RunFinished, TextDelta, ThoughtDelta
from agentkit.errors import IncompleteStreamError, MalformedResponseError
from agentkit.models.parsing import parse_event, parse_response
from agentkit.models.rest import _may_hold_error
from agentkit.testing.emulator import Emulator

THOUGHT = "Le café coûte 3 €; ☃ → 雪だるま. Thinking it over\u2026"
ANSWER = "Réponse: naïve façade, 𝄞 music, 中文, and a plain ASCII tail."
SIGNATURE = "c2lnbmF0dXJlLW9mLXRoZS1wYXJ0"

ANSWER_WITH_THOUGHTS: dict[str, Any] = {
    "candidates": [
        {
            "content": {
                "role": "model",
                "parts": [
                    {"text": THOUGHT, "thought": True},
                    {"text": ANSWER, "thoughtSignature": SIGNATURE},
                    {"text": " And more after the signed part."},
                ],
            },
            "finishReason": "STOP",
        }
    ],
    "usageMetadata": {"promptTokenCount": 5, "candidatesTokenCount": 40, "totalTokenCount": 45},
}


async def _streamed(emulator: Emulator, write_bytes: int | None) -> tuple[list[Any], Any]:
    emulator.options.stream_chunk_chars = 7
    emulator.options.stream_write_bytes = write_bytes
    emulator.script([ANSWER_WITH_THOUGHTS])
    events = [event async for event in Agent(Gemini(base_url=emulator.url)).stream("Hi")]
    final = events[-1]
    assert isinstance(final, RunFinished)
    return events, final.result


@pytest.mark.parametrize("write_bytes", [1, 2, 3, 5, 13, 4096])
async def test_deltas_add_up_exactly_however_the_stream_is_cut(
    emulator: Emulator, write_bytes: int
) -> None:
    events, result = await _streamed(emulator, write_bytes)
    thoughts = "".join(e.text for e in events if isinstance(e, ThoughtDelta))
    texts = "".join(e.text for e in events if isinstance(e, TextDelta))
    whole_answer = ANSWER + " And more after the signed part."
    assert thoughts == THOUGHT
    assert texts == whole_answer == result.text
    # The thought arrived in 7-character pieces and is joined; the signed part is kept whole
    # and apart, with its signature; the text after it is joined on its own.
    turn = result.history[-1]
    assert turn == {
        "role": "model",
        "parts": [
            {"text": THOUGHT, "thought": True},
            {"text": ANSWER, "thoughtSignature": SIGNATURE},
            {"text": " And more after the signed part."},
        ],
    }


async def test_cut_and_whole_streams_give_the_same_events(emulator: Emulator) -> None:
    whole_events, whole = await _streamed(emulator, None)
    cut_events, cut = await _streamed(emulator, 1)

    def shown(events: list[Any]) -> list[tuple[str, str]]:
        return [
            (type(e).__name__, e.text) for e in events if isinstance(e, TextDelta | ThoughtDelta)
        ]

    assert shown(cut_events) == shown(whole_events)
    assert len(shown(whole_events)) > 10  # many chunks, not one
    assert cut.history[-1] == whole.history[-1]
    assert cut.usage.total_tokens == whole.usage.total_tokens == 45


def test_a_payload_is_parsed_from_bytes_as_from_its_json() -> None:
    payload = (
        '{"candidates": [{"content": {"role": "model", "parts": [{"text": "caf\\u00e9 ☃",'
        ' "thoughtSignature": "c2ln"}]}, "finishReason": "STOP", "newField": 1}],'
        ' "modelVersion": "m"}'
    ).encode()
    import json

    assert parse_event(payload) == parse_response(json.loads(payload))


def test_payloads_that_fail_raise_what_they_always_raised() -> None:
    with pytest.raises(IncompleteStreamError, match="not valid JSON"):
        parse_event(b'{"candidates": [')
    with pytest.raises(MalformedResponseError, match="not a JSON object"):
        parse_event(b"[1, 2]")
    with pytest.raises(MalformedResponseError, match=r"candidates\.0\.index"):
        parse_event(b'{"candidates": [{"index": "first"}]}')
    # Bytes that are not UTF-8 are replaced, as the reader always did, not fatal.
    chunk = parse_event(b'{"candidates": [{"content": {"parts": [{"text": "a\xffb"}]}}]}')
    assert chunk.text == "a\ufffdb"


def test_any_spelling_of_an_error_key_is_looked_at() -> None:
    assert _may_hold_error(b'{"error": {"code": 500}}')
    assert _may_hold_error(b'{"\\u0065rror": {"code": 500}}')
    assert _may_hold_error(b'{"err\\u006fr": {"code": 500}}')
    assert not _may_hold_error(b'{"candidates": [{"content": {"parts": [{"text": "an error"}]}}]}')
