"""MCP call results as the functionResponse the model reads (from their wire form)."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from agentkit.mcp.results import call_result

PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 8).decode()


def _read(result: dict[str, Any], multimodal: bool = True) -> tuple[dict[str, Any], list[str]]:
    converted = call_result("tool", result, multimodal=multimodal, duration=0.0)
    return converted.response, [p.inline_data.mime_type for p in converted.parts if p.inline_data]


@pytest.mark.parametrize(
    ("result", "response"),
    [
        # The text copy of the structured result (serialised, or one of its strings) is dropped.
        ({"content": [{"type": "text", "text": '{"sum": 5}'}], "structuredContent": {"sum": 5}}, {"sum": 5}),
        ({"content": [{"type": "text", "text": "buy milk\n"}], "structuredContent": {"content": "buy milk\n"}}, {"content": "buy milk\n"}),
        # Other text is kept beside it; a structured result that has a "text" is nested.
        (
            {"content": [{"type": "text", "text": "note"}], "structuredContent": {"text": "x"}},
            {"output": {"text": "x"}, "text": "note"},
        ),
        ({"content": [], "structuredContent": [1, 2]}, {"output": [1, 2]}),
        ({"content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]}, {"output": "a\nb"}),
        ({"content": []}, {"output": None}),
        ({"content": "not a list"}, {"output": None}),
        ({"content": [{"type": "resource", "resource": "not a dict"}]}, {"output": None}),
    ],
)
def test_text_and_structured_results(result: dict[str, Any], response: dict[str, Any]) -> None:
    assert _read(result)[0] == response


def test_images_travel_as_parts_and_are_listed_either_way() -> None:
    result = {"content": [{"type": "image", "data": PNG, "mimeType": "image/png"}]}
    assert _read(result) == ({"media": [{"mimeType": "image/png", "attached": True}]}, ["image/png"])
    assert _read(result, multimodal=False) == (
        {"media": [{"mimeType": "image/png", "attached": False}]},
        [],
    )


def test_an_image_without_valid_data_is_reported_not_dropped() -> None:
    result = {"content": [{"type": "image", "data": "%%%", "mimeType": "image/png"}]}
    assert _read(result) == (
        {
            "media": [
                {
                    "mimeType": "image/png",
                    "attached": False,
                    "problem": "the server sent this image without valid base64 data",
                }
            ]
        },
        [],
    )


def test_errors_use_the_servers_structured_error_when_there_is_one() -> None:
    plain = call_result("tool", {"isError": True, "content": [{"type": "text", "text": "disk full"}]}, multimodal=True, duration=0)
    assert plain.response == {"error": {"type": "tool_error", "message": "tool: disk full"}}
    structured = call_result(
        "tool",
        {
            "isError": True,
            "content": [{"type": "text", "text": "x"}],
            "structuredContent": {"error": {"type": "timeout", "message": "too slow", "still_running": True}},
        },
        multimodal=True,
        duration=0,
    )
    assert structured.response == {"error": {"type": "timeout", "message": "too slow", "still_running": True}}
