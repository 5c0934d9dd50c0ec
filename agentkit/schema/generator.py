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

from agentkit.schema.core_to_json import Unsupported, json_default


class ToolJsonSchema(GenerateJsonSchema):
    def field_title_should_be_set(self, schema: Any) -> bool:
        return False

    def encode_default(self, dft: Any) -> Any:
        try:
            return json_default(dft)
        except Unsupported:
            return super().encode_default(dft)
