"""The JSON Schema generator agentkit hands to pydantic.

Pydantic's generator is written for documentation: it titles every field and serialises each
default through a fresh ``TypeAdapter`` of the default's type. Neither serves a model deciding
how to call a function, and together they cost about a fifth of building a tool. This
subclass skips titles and passes JSON-native defaults through as they are; anything else
(enums, models, dates) still goes through pydantic.

It also says what a mapping's keys may be. JSON object keys are strings, and pydantic
validates each one as the key type, so ``dict[int, str]`` accepts ``{"7": "a"}`` and refuses
``{"a": "b"}`` — yet pydantic's schema admits any key for it. Here the schema states the keys
that validate (``propertyNames``: a pattern for integers and numbers, the values for booleans
and enums), and a key type no string validates as (a tuple, ``Literal[1, 2]``) is refused.
"""

from __future__ import annotations

from typing import Any

from pydantic.errors import PydanticInvalidForJsonSchema
from pydantic.json_schema import GenerateJsonSchema, JsonRef, JsonSchemaValue

from agentkit.schema.core_to_json import Unsupported, json_default

# The key strings that validate as these types (a subset of what pydantic accepts).
_NUMBER = {"pattern": r"^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$"}
_KEY_TEXT: dict[str, dict[str, Any]] = {
    "int": {"pattern": r"^-?[0-9]+$"},
    "float": _NUMBER,
    "decimal": _NUMBER,
    "bool": {"enum": ["true", "false"]},
}


class ToolJsonSchema(GenerateJsonSchema):
    def field_title_should_be_set(self, schema: Any) -> bool:
        return False

    def encode_default(self, dft: Any) -> Any:
        try:
            return json_default(dft)
        except Unsupported:
            return super().encode_default(dft)

    # Every mapping kind pydantic knows (older versions have only dict_schema).
    def dict_schema(self, schema: Any) -> JsonSchemaValue:
        return self._with_key_names(schema, super().dict_schema(schema))

    def counter_schema(self, schema: Any) -> JsonSchemaValue:
        return self._with_key_names(schema, super().counter_schema(schema))

    def ordered_dict_schema(self, schema: Any) -> JsonSchemaValue:
        return self._with_key_names(schema, super().ordered_dict_schema(schema))

    def frozendict_schema(self, schema: Any) -> JsonSchemaValue:
        return self._with_key_names(schema, super().frozendict_schema(schema))

    def _with_key_names(self, schema: Any, json_schema: JsonSchemaValue) -> JsonSchemaValue:
        keys = schema.get("keys_schema")
        if not isinstance(keys, dict):
            return json_schema
        names = self._key_names(keys)
        if names is not None:
            json_schema = {**json_schema, "propertyNames": names}
        return json_schema

    def _key_names(self, keys: dict[str, Any]) -> dict[str, Any] | None:
        """The schema of the strings that validate as ``keys``; None when pydantic's own
        output already says it (string keys, string enums and literals, any keys)."""
        kind = keys.get("type")
        key_schema = self._resolved(self.generate_inner(keys))
        names = {k: v for k, v in key_schema.items() if k not in ("title", "description")}
        values = names.get("enum", [names["const"]] if "const" in names else None)
        if kind in ("any", "str") or names.get("type") == "string":
            return None  # a string (or anything) is validated as itself
        if isinstance(values, list) and all(isinstance(value, str) for value in values):
            return None  # string literals and enums: pydantic states them
        if kind == "enum" and keys.get("sub_type") in ("int", "float") and values:
            # An int or float enum's members validate from their values' text ("1").
            return {"enum": [str(value) for value in values]}
        if kind in ("int", "float", "decimal", "bool") and set(names) <= {"type", "anyOf"}:
            return dict(_KEY_TEXT[kind])
        if kind == "union" and any(
            branch == {"type": "string"} for branch in names.get("anyOf", [])
        ):
            return None  # a str branch takes any string
        raise PydanticInvalidForJsonSchema(
            f"a mapping's keys arrive as JSON object keys, which are strings, and the strings "
            f"that validate as its key type ({key_schema}) cannot be stated; use str, int, "
            "float, bool or enum keys"
        )

    def _resolved(self, key_schema: JsonSchemaValue) -> JsonSchemaValue:
        ref = key_schema.get("$ref")
        if isinstance(ref, str):
            target = self.get_schema_from_definitions(JsonRef(ref))
            if target is not None:
                return target
        return key_schema
