"""Gemini contents in the shape the OpenTelemetry GenAI conventions give message content.

Only used when the user opts in to recording content: a trace backend then shows the
conversation the way it shows every other provider's — roles ``user`` / ``assistant``, parts
typed ``text``, ``reasoning``, ``tool_call``, ``tool_call_response``, ``blob``, ``uri`` —
instead of Gemini's own JSON. Inline data is described (type, size), not copied: a trace is
no place for megabytes of base64.
"""

from __future__ import annotations

import json
from typing import Any

from agentkit.types import Content, FinishReason, Part

CONTENT_FILTERS = frozenset(
    {"SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY"}
)


def messages_json(contents: list[Content]) -> str:
    return json.dumps([message(content) for content in contents], ensure_ascii=False)


def instructions_json(instructions: Content) -> str:
    return json.dumps([part_of(part) for part in instructions.parts or ()], ensure_ascii=False)


def message(content: Content) -> dict[str, Any]:
    role = "assistant" if content.role == "model" else (content.role or "user")
    return {"role": role, "parts": [part_of(part) for part in content.parts or ()]}


def part_of(part: Part) -> dict[str, Any]:
    if part.function_call is not None:
        call = part.function_call
        return _with_id(
            {"type": "tool_call", "name": call.name, "arguments": call.arguments}, call.id
        )
    if part.function_response is not None:
        answer = part.function_response
        return _with_id({"type": "tool_call_response", "response": answer.response}, answer.id)
    if part.inline_data is not None:
        blob = part.inline_data
        return {
            "type": "blob",
            "mime_type": blob.mime_type,
            "modality": modality(blob.mime_type),
            "byte_size": len(blob.data or "") * 3 // 4,
        }
    if part.file_data is not None:
        data = part.file_data
        return {
            "type": "uri",
            "mime_type": data.mime_type,
            "modality": modality(data.mime_type),
            "uri": data.file_uri,
        }
    if part.text is not None:
        return {"type": "reasoning" if part.thought else "text", "content": part.text}
    return {"type": "other"}


def finish_reason(reason: FinishReason | str | None, called_tools: bool) -> str:
    """The conventions' word for why a candidate ended."""
    if called_tools:
        return "tool_call"
    name = str(reason) if reason is not None else ""
    if name == "STOP":
        return "stop"
    if name == "MAX_TOKENS":
        return "length"
    if name in CONTENT_FILTERS:
        return "content_filter"
    return name.lower() or "error"


def modality(mime_type: str | None) -> str:
    kind = (mime_type or "").split("/", 1)[0]
    return kind if kind in ("image", "video", "audio") else "document"


def _with_id(part: dict[str, Any], call_id: str | None) -> dict[str, Any]:
    return {"id": call_id, **part} if call_id is not None else part
