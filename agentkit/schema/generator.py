"""The JSON Schema generator agentkit hands to pydantic.

Pydantic's generator is written for documentation: it titles every field and serialises each
default through a fresh ``TypeAdapter`` of the default's type. Neither serves a model deciding
how to call a function, and together they cost about a fifth of building a tool. This
subclass skips titles and passes JSON-native defaults through as they are; anything else
(enums, models, dates) still goes through pydantic.
"""

from __future__ import annotations

from typing import Any

from pydantic.json_schema import GenerateJsonSchema

_JSON_SCALARS = (str, int, float, bool, type(None))


class ToolJsonSchema(GenerateJsonSchema):
    def field_title_should_be_set(self, schema: Any) -> bool:
        return False

    def encode_default(self, dft: Any) -> Any:
        if _json_native(dft):
            return dft
        return super().encode_default(dft)


def _json_native(value: Any) -> bool:
    if type(value) in _JSON_SCALARS:  # exact types: an IntEnum member is not a plain int
        return True
    if type(value) in (list, tuple):
        return all(_json_native(item) for item in value)
    if type(value) is dict:
        return all(type(key) is str and _json_native(item) for key, item in value.items())
    return False
