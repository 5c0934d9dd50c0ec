"""Turning an HTTP error answer (or an in-stream error object) into a typed exception."""

from __future__ import annotations

import json
from typing import Any

from agentkit.errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    RateLimitError,
    ServerError,
    redact,
)
from agentkit.types import ErrorStatus


def error_class_for(status_code: int) -> type[APIError]:
    if status_code == 400:
        return BadRequestError
    if status_code in (401, 403):
        return AuthenticationError
    if status_code == 404:
        return NotFoundError
    if status_code == 429:
        return RateLimitError
    if status_code == 408 or status_code >= 500:
        return ServerError
    return APIError


def error_from_status(status_code: int, status: ErrorStatus, secrets: tuple[str, ...]) -> APIError:
    message = redact(status.message or "(no message)", secrets)
    details = _redact_details(status.details or [], secrets)
    return error_class_for(status_code)(
        status_code,
        message,
        status=status.status,
        details=details,
        retry_delay=status.retry_delay,
        quota_ids=status.quota_ids,
        reason=status.reason,
    )


def error_from_body(
    status_code: int, body: bytes, reason_phrase: str, secrets: tuple[str, ...]
) -> APIError:
    """Map an HTTP error answer. A body that is not Gemini's JSON error shape still gives a
    typed error carrying (a prefix of) the raw text."""
    parsed: Any = None
    try:
        parsed = json.loads(body)
    except ValueError:
        pass
    if isinstance(parsed, list) and parsed and isinstance(parsed[0], dict):
        parsed = parsed[0]  # some proxies wrap the status in an array
    if isinstance(parsed, dict) and isinstance(parsed.get("error"), dict):
        status = ErrorStatus.model_validate(parsed["error"])
    else:
        text = body.decode("utf-8", errors="replace").strip()[:500]
        status = ErrorStatus(message=text or reason_phrase, status=reason_phrase or None)
    return error_from_status(status_code, status, secrets)


def _redact_details(
    details: list[dict[str, Any]], secrets: tuple[str, ...]
) -> list[dict[str, Any]]:
    if not secrets:
        return details
    text = json.dumps(details)
    cleaned = redact(text, secrets)
    return details if cleaned == text else list(json.loads(cleaned))
