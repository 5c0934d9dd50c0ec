"""What agentkit reads of pydantic beyond its documented API, asserted exactly.

- ``core_to_json`` recognises pydantic's own enum schema hook by its qualified name (any
  other hook is a custom schema it leaves to pydantic);
- wire bodies are the bytes of ``__pydantic_serializer__.to_json`` (model_dump_json, minus a
  str round trip).

A release that changes one fails here by name; the enum hook's fallback (the name not
recognised) is forced to show that declarations stay what pydantic writes.
"""

from __future__ import annotations

import enum
from typing import Any

import pytest
from pydantic import TypeAdapter

from agentkit.schema import core_to_json
from agentkit.tools import Tool
from agentkit.tools.engine_check import fast_nodes_agree
from agentkit.types import Content, GenerateContentRequest, Part


class Speed(enum.Enum):
    """How fast the fan turns."""

    LOW = "low"
    HIGH = "high"


def fan_tool() -> Tool:
    def set_fan(speed: Speed) -> str:
        """Set the fan.

        Args:
            speed: The speed.
        """
        return speed.value

    return Tool(set_fan)


def test_pydantic_attaches_to_an_enum_the_hook_core_to_json_recognises() -> None:
    metadata = TypeAdapter(Speed).core_schema["metadata"]
    hooks: list[Any] = metadata["pydantic_js_functions"]
    assert [hook.__qualname__ for hook in hooks] == [core_to_json._PYDANTIC_ENUM_HOOK]


def test_an_enum_hook_not_recognised_leaves_the_schema_to_pydantic_unchanged(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fast_nodes_agree.cache_clear()
    recognised = fan_tool().declaration_for("json_schema")
    monkeypatch.setattr(core_to_json, "_PYDANTIC_ENUM_HOOK", "renamed.in.a.release")
    assert fan_tool().declaration_for("json_schema") == recognised
    fast_nodes_agree.cache_clear()


def test_the_serializers_bytes_are_model_dump_json() -> None:
    request = GenerateContentRequest(
        contents=[Content(role="user", parts=[Part(text="Über", thought_signature="c2ln")])]
    )
    serializer = type(request).__pydantic_serializer__
    data = serializer.to_json(request, by_alias=True, exclude_unset=True)
    assert data == request.model_dump_json(by_alias=True, exclude_unset=True).encode()
    assert b'"thoughtSignature":"c2ln"' in data and "Über".encode() in data
