"""A request's JSON, with each turn and the tool list encoded once, not once per step.

A conversation only grows: every request repeats the turns before it and the same tools.
Encoding the whole request each step made a long chat's steps cost in proportion to its
length. Here a request is joined from pieces: each turn's bytes, made the first time the
turn is sent and kept while the turn lives, and the tool list's bytes, kept for the Tool
objects in it (an agent's plan keeps the same ones for all its requests). The result is
byte for byte what pydantic writes for the whole request (``tests/models/test_encoding.py``
compares them), so the prefix Gemini's implicit cache keys on is unchanged.

Turns are treated as values: agentkit never edits one in place once it is in a history
(it replaces it), and a caller's turns are copied when a run starts. A turn edited in place
by other code after being sent would be sent as it was.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from agentkit.models.turn_memo import TurnMemo
from agentkit.types import GenerateContentRequest

_TOOL_LISTS_KEPT = 32
_KEYS = {
    name: f'"{field.alias or name}":'.encode()
    for name, field in GenerateContentRequest.model_fields.items()
}


class RequestEncoder:
    """One model's encoder: the bytes of the turns and tool lists it has sent."""

    def __init__(self) -> None:
        # Each turn's bytes, and the conversations sent, so a request that continues one
        # looks only at its new turns.
        self._turns: TurnMemo[bytes] = TurnMemo(_whole)
        # the tools' ids -> (the tools, their bytes); the tools are held, so no id is reused.
        # Keyed by the items: a request's list is a new list each time (pydantic copies it),
        # its Tool objects are the plan's own.
        self._tools: OrderedDict[tuple[int, ...], tuple[tuple[Any, ...], bytes]] = OrderedDict()

    def encode(self, request: GenerateContentRequest) -> bytes:
        """The compact JSON of ``request`` (camelCase, only the fields that were set)."""
        if request.model_extra:
            return _whole(request)  # fields agentkit does not know: written whole
        # One list of pieces joined once: the turns are most of a long request's bytes,
        # and each ``+`` of bytes would copy all of them again.
        pieces: list[bytes] = []
        for name in GenerateContentRequest.model_fields:
            if name not in request.model_fields_set:
                continue
            pieces.append(b"," + _KEYS[name] if pieces else b"{" + _KEYS[name])
            value = getattr(request, name)
            if name == "contents":
                pieces.append(b"[")
                pieces.extend(self._turns.joined(value, b","))
                pieces.append(b"]")
            elif name == "tools" and isinstance(value, list):
                pieces.append(self._tool_list(value))
            else:
                pieces.append(_whole(value))
        pieces.append(b"}" if pieces else b"{}")
        return b"".join(pieces)

    def _tool_list(self, tools: list[Any]) -> bytes:
        key = tuple(map(id, tools))
        kept = self._tools.get(key)
        if kept is not None:
            self._tools.move_to_end(key)
            return kept[1]
        data = _whole(tools)
        self._tools[key] = (tuple(tools), data)
        while len(self._tools) > _TOOL_LISTS_KEPT:
            self._tools.popitem(last=False)
        return data


def _whole(value: Any) -> bytes:
    if isinstance(value, list):
        return b"[" + b",".join(_whole(item) for item in value) + b"]"
    if value is None:
        return b"null"
    serializer = getattr(type(value), "__pydantic_serializer__", None)
    if serializer is None:
        import json

        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    data: bytes = serializer.to_json(value, by_alias=True, exclude_unset=True)
    return data
