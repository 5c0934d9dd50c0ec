"""An MCP ``CallToolResult`` as the functionResponse the model reads.

Read from the result's wire form (the JSON the server sent), so the conversion does not
depend on the SDK's Python names:

- ``isError`` is a failure the model sees (``{"error": {"type": "tool_error", ...}}``), with
  the server's text as the message, or the server's own structured error when it sent one;
- ``structuredContent`` is the response when present: a dict as it is, anything else as
  ``{"output": ...}``. Servers also send it as text for older clients (serialised, or one
  of its strings); such copies are dropped, and only text that says something else is
  kept (under ``"text"``);
- otherwise the text items, joined, are ``{"output": "..."}``;
- images and audio travel as inline-data parts inside the functionResponse (when the model
  takes multimodal results), and are listed under ``"media"`` either way so the model knows
  they exist;
- resource links and embedded resources are listed under ``"resources"`` (an embedded text
  resource with its text; an embedded binary one as inline data when it is an image or
  audio, otherwise described by its size).
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from agentkit.tools.results import ToolError, ToolResult
from agentkit.types import Blob, FunctionResponsePart

_INLINE_TYPES = ("image/", "audio/")


def call_result(
    tool: str, result: dict[str, Any], *, multimodal: bool, duration: float
) -> ToolResult:
    content = [item for item in result.get("content") or [] if isinstance(item, dict)]
    texts = [str(item.get("text", "")) for item in content if item.get("type") == "text"]
    if result.get("isError"):
        return ToolResult.failure(_error(tool, texts, result.get("structuredContent")), duration)

    blobs: list[Blob] = []
    media: list[dict[str, Any]] = []
    resources: list[dict[str, Any]] = []
    for item in content:
        kind = item.get("type")
        if kind in ("image", "audio"):
            blob = _blob(item.get("mimeType"), item.get("data"))
            if blob is not None:
                blobs.append(blob)
                media.append({"mimeType": blob.mime_type, "attached": multimodal})
            else:  # the model is told it existed, rather than shown a request Gemini refuses
                media.append(
                    {
                        "mimeType": str(item.get("mimeType") or "unknown"),
                        "attached": False,
                        "problem": f"the server sent this {kind} without valid base64 data",
                    }
                )
        elif kind == "resource_link":
            resources.append(_link(item))
        elif kind == "resource":
            resource = item.get("resource")
            if isinstance(resource, dict):
                resources.append(_embedded(resource, blobs, media, multimodal))

    structured = result.get("structuredContent")
    response: dict[str, Any]
    if structured is not None:
        response = dict(structured) if isinstance(structured, dict) else {"output": structured}
        said = [text for text in texts if not _repeats(text, structured)]
        if said:
            response = _beside(response, "text", "\n".join(said))
    elif texts:
        response = {"output": "\n".join(texts)}
    else:
        response = {}
    if media:
        response = _beside(response, "media", media)
    if resources:
        response = _beside(response, "resources", resources)
    if not response:
        response = {"output": None}
    parts = tuple(FunctionResponsePart(inline_data=blob) for blob in blobs) if multimodal else ()
    return ToolResult(response, parts, None, duration)


def _error(tool: str, texts: list[str], structured: Any) -> ToolError:
    """The failure the model reads. A server that says what went wrong in a structured error
    (``{"error": {"type", "message", ...}}``, as agentkit's own server does) is passed on as
    it said it; otherwise the server's text is the message."""
    said = structured.get("error") if isinstance(structured, dict) else None
    if isinstance(said, dict) and isinstance(said.get("message"), str):
        details = {k: v for k, v in said.items() if k not in ("type", "message")}
        return ToolError(str(said.get("type") or "tool_error"), said["message"], details)
    message = "\n".join(text for text in texts if text) or "the tool reported an error"
    return ToolError("tool_error", f"{tool}: {message}")


def _beside(response: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    """Add ``key`` to the response; when the tool's own result already has one, the result
    is nested under ``"output"`` rather than overwritten."""
    if key not in response:
        return {**response, key: value}
    return {"output": response, key: value}


def _repeats(text: str, structured: Any) -> bool:
    """Whether a text item only repeats the structured result: its JSON, or one of its
    strings (a file server sends a file's text both as ``{"content": ...}`` and as text)."""
    try:
        if json.loads(text) == structured:
            return True
    except (ValueError, TypeError):
        pass
    stack = [structured]
    while stack:
        value = stack.pop()
        if isinstance(value, str) and value.strip() == text.strip():
            return True
        if isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return False


def _blob(mime_type: Any, data: Any) -> Blob | None:
    if not isinstance(data, str) or not isinstance(mime_type, str):
        return None
    try:
        base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        return None  # not base64: dropping it is better than a request Gemini refuses
    return Blob(mime_type=mime_type, data=data)


def _link(item: dict[str, Any]) -> dict[str, Any]:
    keys = ("uri", "name", "title", "description", "mimeType", "size")
    return {"type": "resource_link", **{k: item[k] for k in keys if item.get(k) is not None}}


def _embedded(
    resource: dict[str, Any],
    blobs: list[Blob],
    media: list[dict[str, Any]],
    multimodal: bool,
) -> dict[str, Any]:
    described: dict[str, Any] = {"type": "resource", "uri": resource.get("uri")}
    mime_type = resource.get("mimeType")
    if mime_type:
        described["mimeType"] = mime_type
    if "text" in resource:
        described["text"] = resource["text"]
        return described
    data = resource.get("blob")
    if isinstance(data, str):
        described["bytes"] = len(data) * 3 // 4 - data.count("=")
        blob = _blob(mime_type, data) if str(mime_type).startswith(_INLINE_TYPES) else None
        if blob is not None:
            blobs.append(blob)
            media.append({"mimeType": blob.mime_type, "attached": multimodal})
            described["attached"] = multimodal
    return described
