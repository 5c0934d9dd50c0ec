"""Assembling a streamed turn: the joining rules, and a cost linear in the answer's size."""

from __future__ import annotations

import time
from typing import Any

from agentkit.agent.turn import Turn
from agentkit.types import GenerateContentResponse


def chunk(*parts: dict[str, Any], finish: str | None = None) -> GenerateContentResponse:
    candidate: dict[str, Any] = {"content": {"role": "model", "parts": list(parts)}}
    if finish:
        candidate["finishReason"] = finish
    return GenerateContentResponse.model_validate({"candidates": [candidate]})


def assembled(*chunks: GenerateContentResponse) -> list[dict[str, Any]]:
    turn = Turn()
    for item in chunks:
        turn.add(item)
    content = turn.content()
    assert content is not None
    return content.to_wire()["parts"]


def test_text_continued_across_chunks_becomes_one_part() -> None:
    parts = assembled(chunk({"text": "Hel"}), chunk({"text": "lo, "}), chunk({"text": "world"}))
    assert parts == [{"text": "Hello, world"}]


def test_never_joined_across_a_signature_a_thought_boundary_or_inside_a_chunk() -> None:
    parts = assembled(
        chunk({"text": "thinking ", "thought": True}),
        chunk({"text": "more", "thought": True}),
        chunk({"text": "Answer"}),
        chunk({"text": " signed", "thoughtSignature": "c2ln"}),
        chunk({"text": " after"}),
        chunk({"text": "a"}, {"text": "b"}),
        chunk({"text": "c"}, finish="STOP"),
    )
    assert parts == [
        {"text": "thinking more", "thought": True},
        {"text": "Answer"},
        {"text": " signed", "thoughtSignature": "c2ln"},
        {"text": " aftera"},
        {"text": "bc"},
    ]


def test_a_part_nothing_continued_is_kept_as_received() -> None:
    turn = Turn()
    first = chunk({"text": "only", "thought": False})
    turn.add(first)
    turn.add(chunk({"functionCall": {"name": "f", "args": {}}}))
    assert turn.parts[0] is first.candidates[0].content.parts[0]  # type: ignore[index,union-attr]
    assert turn.text == "only"


def test_reading_mid_stream_then_continuing() -> None:
    turn = Turn()
    turn.add(chunk({"text": "ab"}))
    assert turn.text == "ab"
    turn.add(chunk({"text": "cd"}))
    assert turn.text == "abcd" and len(turn.parts) == 1


def test_a_long_answer_costs_in_proportion_to_its_size() -> None:
    """100,000 chunks (4 MB): rebuilding the text on every chunk would copy ~200 GB and take
    minutes; joining once takes well under a second. The bound is generous on purpose."""
    piece = chunk({"text": "x" * 40})  # Turn never changes a chunk: one object serves them all
    turn = Turn()
    started = time.perf_counter()
    for _ in range(100_000):
        turn.add(piece)
    text = turn.text
    elapsed = time.perf_counter() - started
    assert text is not None and len(text) == 4_000_000
    assert elapsed < 5.0
