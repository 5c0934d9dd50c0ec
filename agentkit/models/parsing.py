"""Reading a model's answer into the wire type, with a typed error for anything else."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from agentkit.errors import MalformedResponseError
from agentkit.models.sse import decode_event
from agentkit.types import GenerateContentResponse


def parse_response(data: bytes | dict[str, Any]) -> GenerateContentResponse:
    """A GenerateContentResponse from JSON bytes or a decoded object.

    Unknown fields are fine (they are kept); known fields of the wrong type are not, and
    become ``MalformedResponseError`` instead of pydantic's own exception, so an odd answer
    can never end a run with an untyped error.
    """
    try:
        if isinstance(data, bytes | bytearray):
            return GenerateContentResponse.model_validate_json(data)
        return GenerateContentResponse.model_validate(data)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top)"
        raw = (bytes(data) if isinstance(data, bytes | bytearray) else repr(data).encode())[:300]
        raise MalformedResponseError(
            f"the model's answer is not a valid GenerateContentResponse ({where}: {first['msg']})",
            raw=raw.decode("utf-8", errors="replace"),
        ) from None


def parse_event(event: bytes | Any) -> GenerateContentResponse:
    """One streamed chunk from its SSE payload (bytes) or its decoded JSON.

    The bytes are validated straight into the wire type, as a whole response is: a stream
    is thousands of small events, and decoding each to a dict first, then validating the
    dict, walked every event twice. Bytes that fail go the decoded way, so what is raised
    for them (not JSON, not an object, a field of the wrong type) is what it always was.
    """
    if isinstance(event, bytes):
        try:
            return GenerateContentResponse.model_validate_json(event)
        except ValidationError:
            event = decode_event(event)
    if not isinstance(event, dict):
        raise MalformedResponseError(f"a stream event is not a JSON object: {event!r:.100}")
    return parse_response(event)
