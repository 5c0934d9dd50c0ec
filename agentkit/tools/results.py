"""What a tool call produced, in the shape a functionResponse needs.

Success: a dict result is the response as it is; anything else (models, dataclasses, lists,
scalars) is made JSON-able and wrapped as ``{"output": ...}``; bytes and images travel as
inline-data parts nested in the functionResponse. Failure: ``{"error": {"type", "message",
...}}``, a value the model can read and act on, never an exception for the loop.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from pydantic_core import PydanticSerializationError, to_jsonable_python

from agentkit.tools.invocation import CallFate
from agentkit.types import Blob, FunctionResponsePart, Part

RECEIVED_LIMIT = 200  # characters of a rejected value echoed back to the model


@dataclass(frozen=True)
class ToolError:
    """A structured failure. ``kind`` is one of: ``invalid_arguments``, ``unknown_tool``,
    ``exception``, ``timeout``, ``denied``, ``invalid_result``."""

    kind: str
    message: str
    details: dict[str, Any] = field(default_factory=dict)

    def to_response(self) -> dict[str, Any]:
        return {"error": {"type": self.kind, "message": self.message, **self.details}}


@dataclass(frozen=True)
class ToolResult:
    """The outcome of one call: ``response`` is the functionResponse's ``response`` object."""

    response: dict[str, Any]
    parts: tuple[FunctionResponsePart, ...] = ()
    error: ToolError | None = None
    duration: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None

    @classmethod
    def failure(cls, error: ToolError, duration: float = 0.0) -> ToolResult:
        return cls(error.to_response(), (), error, duration)


def invalid_arguments(tool: str, error: ValidationError) -> ToolError:
    problems = []
    for item in error.errors(include_url=False):
        path = ".".join(str(p) for p in item["loc"]) or "(arguments)"
        problem: dict[str, Any] = {"path": path, "message": item["msg"]}
        if item["type"] != "missing":
            problem["received"] = _truncate(item.get("input"))
        problems.append(problem)
    return argument_problems(tool, problems)


def argument_problems(tool: str, problems: list[dict[str, Any]]) -> ToolError:
    """The error for arguments that did not validate; each problem has a path and message
    (whichever validator found them: pydantic's for Python tools, JSON Schema's for MCP)."""
    summary = "; ".join(f"{p['path']}: {p['message']}" for p in problems)
    return ToolError(
        "invalid_arguments", f"invalid arguments for {tool}: {summary}", {"errors": problems}
    )


def _truncate(value: Any) -> Any:
    """Echo small JSON values as they are; shorten anything long to a marked prefix."""
    try:
        text = repr(value)
    except Exception:  # a broken __repr__ must not break the error report
        text = f"<{type(value).__name__}>"
    if isinstance(value, str | int | float | bool) and len(text) <= RECEIVED_LIMIT:
        return value
    return text if len(text) <= RECEIVED_LIMIT else text[:RECEIVED_LIMIT] + "…(truncated)"


def exception_error(tool: str, error: Exception) -> ToolError:
    # Type and message only: a traceback would leak source paths and cost tokens.
    return ToolError(
        "exception",
        f"{tool} raised {type(error).__name__}: {error}",
        {"exception": type(error).__name__},
    )


def timeout_error(tool: str, seconds: float, fate: CallFate) -> ToolError:
    """What the model is told about a call that overran its timeout: whether it ran at all,
    and whether it may still take effect (a sync tool's thread cannot be stopped)."""
    return _overran(tool, f"did not finish within {seconds:g} s", fate)


def deadline_error(tool: str, fate: CallFate) -> ToolError:
    return _overran(tool, "did not finish before the run's deadline", fate)


def _overran(tool: str, what: str, fate: CallFate) -> ToolError:
    still_running = fate.abandon()
    if not fate.started:
        fate_said = "It had not started (it was waiting for a free worker thread) and was not run."
    elif still_running:
        fate_said = (
            "It could not be stopped and may still complete (its effects may still happen); "
            "its result will not be reported."
        )
    else:
        fate_said = "It was cancelled."
    return ToolError("timeout", f"{tool} {what}. {fate_said}", {"still_running": still_running})


def to_result(tool: str, value: Any, *, multimodal: bool, duration: float) -> ToolResult:
    """Convert a tool's return value; a value that cannot become JSON is an error result."""
    # Only a dict the tool itself returned is the response as it is; a model or dataclass
    # also becomes a dict when made JSON-able, but is wrapped like every other value.
    as_is = isinstance(value, dict)
    media, rest = _split_media(value)
    parts: tuple[FunctionResponsePart, ...] = ()
    if media:
        if multimodal:
            parts = tuple(FunctionResponsePart(inline_data=blob) for blob in media)
        described = [{"mimeType": blob.mime_type, "attached": multimodal} for blob in media]
        value = rest if rest is not None else {"media": described}
    try:
        jsonable = to_jsonable_python(value)
    except PydanticSerializationError:
        error = ToolError(
            "invalid_result",
            f"{tool} ran, but its result (a {type(value).__name__}) cannot be converted to JSON",
        )
        return ToolResult.failure(error, duration)
    response = jsonable if as_is and isinstance(jsonable, dict) else {"output": jsonable}
    return ToolResult(response, parts, None, duration)


def _split_media(value: Any) -> tuple[list[Blob], Any]:
    """Pull bytes, Blobs and inline-data Parts out of a result (alone or in a list)."""
    items = value if isinstance(value, list) else [value]
    media = [blob for item in items if (blob := _as_blob(item)) is not None]
    if not media:
        return [], value
    rest = [item for item in items if _as_blob(item) is None]
    return media, (rest if rest else None)


def _as_blob(item: Any) -> Blob | None:
    if isinstance(item, Blob):
        return item
    if isinstance(item, Part) and item.inline_data is not None:
        return item.inline_data
    if isinstance(item, bytes | bytearray):
        data = bytes(item)
        return Blob(mime_type=sniff_mime_type(data), data=base64.b64encode(data).decode("ascii"))
    return None


def capped(result: ToolResult, limit: int | None) -> ToolResult:
    """A result whose JSON exceeds ``limit`` characters, cut to that length and marked.

    The model still gets a JSON object: the start of the JSON text under ``output`` and a
    ``truncated`` marker saying how much was left out, so it can ask for less (a filter, a
    page) instead of reasoning over half a value it cannot see is incomplete.
    """
    if limit is None:
        return result
    text = json.dumps(result.response, ensure_ascii=False)
    if len(text) <= limit:
        return result
    marker = {
        "shown_chars": limit,
        "total_chars": len(text),
        "note": "the result was too large and was cut; ask for less",
    }
    return ToolResult(
        {"output": text[:limit], "truncated": marker}, result.parts, result.error, result.duration
    )


def sniff_mime_type(data: bytes) -> str:
    """The type bytes a tool returned show (``application/octet-stream`` when none)."""
    from agentkit.types.media import sniffed

    return sniffed(data) or "application/octet-stream"
