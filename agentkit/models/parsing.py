"""Reading a model's answer into the wire type, with a typed error for anything else."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from agentkit.errors import MalformedResponseError
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
