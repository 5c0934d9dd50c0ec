"""Inline media that would make a request too large go through the Files API instead.

Gemini refuses a request body over its limit, and the loop knows that limit before sending
(the model's ``max_request_bytes``). When the images, documents or recordings inline in the
conversation — a prompt's attachments, the images a tool returned — would take the request
past it, the largest are uploaded and the turns that held them are replaced by turns that
reference the uploaded files (``fileData``). The replacement is made in the transcript too,
once: the next request does not upload the same bytes again. A video is used once the
Files API has processed it.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from agentkit.agent.context_size import PerTurn
from agentkit.logs import get_logger
from agentkit.types import Content, FileData, FunctionResponse, FunctionResponsePart, Part

log = get_logger()
# What the rest of a request (JSON, text, tools) may take beside the inline media.
HEADROOM = 0.9


@dataclass(frozen=True)
class _Inline:
    turn: int
    part: int
    nested: int | None  # the index inside a functionResponse's parts, if it is there
    size: int


def turn_media_bytes(turn: Content) -> int:
    """The bytes of media inline in one turn (its parts and its function responses')."""
    return sum(item.size for item in _inline_items([turn]))


async def upload_if_too_large(
    history: list[Content], sent: list[Content], model: Any, media_bytes: PerTurn
) -> int | None:
    """Upload what would take the next request (``sent``) past the model's size limit and
    put the references in its place, in ``sent`` and in ``history`` alike; the first index
    of ``sent`` that changed, or None when nothing needed to."""
    limit = getattr(model, "max_request_bytes", None)
    files = getattr(model, "files", None)
    if not limit or files is None or media_bytes.total(sent) <= limit * HEADROOM:
        return None
    changed = await upload_large_inline(sent, files, limit)
    for index, replacement in changed.items():
        before = sent[index]
        sent[index] = replacement
        if sent is not history:
            for place in range(len(history) - 1, -1, -1):
                if history[place] is before:
                    history[place] = replacement
                    break
    return min(changed) if changed else None


async def upload_large_inline(turns: list[Content], files: Any, limit: int) -> dict[int, Content]:
    """Upload the largest inline media until the rest fit ``limit``; the turns that change,
    by index (nothing when everything fits)."""
    items = sorted(_inline_items(turns), key=lambda item: item.size, reverse=True)
    total = sum(item.size for item in items)
    allowed = int(limit * HEADROOM)
    chosen: list[_Inline] = []
    for item in items:
        if total <= allowed:
            break
        chosen.append(item)
        total -= item.size
    if not chosen:
        return {}
    changed: dict[int, Content] = {}
    for item in chosen:
        turn = changed.get(item.turn, turns[item.turn])
        changed[item.turn] = await _uploaded(turn, item, files)
    return changed


async def _uploaded(turn: Content, item: _Inline, files: Any) -> Content:
    parts = list(turn.parts or [])
    part = parts[item.part]
    if item.nested is None:
        blob = part.inline_data
        assert blob is not None
        reference = await _upload(files, blob.data or "", blob.mime_type)
        parts[item.part] = part.model_copy(update={"inline_data": None, "file_data": reference})
        parts[item.part] = _without_unset_inline(parts[item.part])
    else:
        answer = part.function_response
        assert answer is not None and answer.parts is not None
        nested = list(answer.parts)
        blob = nested[item.nested].inline_data
        assert blob is not None
        reference = await _upload(files, blob.data or "", blob.mime_type)
        nested[item.nested] = FunctionResponsePart(file_data=reference)
        replaced = FunctionResponse.model_validate(
            {**answer.to_wire(), "parts": [p.to_wire() for p in nested]}
        )
        parts[item.part] = part.model_copy(update={"function_response": replaced})
    return turn.model_copy(update={"parts": parts})


async def _upload(files: Any, data: str, mime_type: str | None) -> FileData:
    uploaded = await files.upload(base64.b64decode(data), mime_type=mime_type)
    if uploaded.state != "ACTIVE":
        uploaded = await files.wait_active(uploaded)
    log.info("file.uploaded", name=uploaded.name, bytes=uploaded.size_bytes)
    return FileData(file_uri=uploaded.uri, mime_type=uploaded.mime_type)


def _without_unset_inline(part: Part) -> Part:
    """The part as it would have been made with a file reference only (no null field)."""
    wire = part.to_wire()
    wire.pop("inlineData", None)
    return Part.model_validate(wire)


def _inline_items(turns: list[Content]) -> list[_Inline]:
    found = []
    for index, turn in enumerate(turns):
        for position, part in enumerate(turn.parts or ()):
            if part.inline_data is not None:
                found.append(_Inline(index, position, None, len(part.inline_data.data or "")))
            answer = part.function_response
            for nested, piece in enumerate(answer.parts or () if answer is not None else ()):
                if piece.inline_data is not None:
                    found.append(
                        _Inline(index, position, nested, len(piece.inline_data.data or ""))
                    )
    return found
