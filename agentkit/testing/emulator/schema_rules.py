"""The two schema dialects of function declarations and structured output.

``parameters`` / ``responseSchema`` take an OpenAPI 3.0 subset that refuses much of JSON
Schema (``additionalProperties``, ``$ref``, ``oneOf``, ``const``, type arrays...);
``parametersJsonSchema`` / ``responseJsonSchema`` take JSON Schema with Gemini's own ``$ref``
restrictions. A client that sends the wrong one gets a 400 from the real API, and from here.
"""

from __future__ import annotations

from typing import Any

from agentkit.schema.formats import ACCEPTED
from agentkit.testing.emulator.errors import Rejection
from agentkit.testing.emulator.wire_fields import as_list, get_field, known_fields, short

_SCHEMA_TYPES = frozenset(
    "TYPE_UNSPECIFIED STRING NUMBER INTEGER BOOLEAN ARRAY OBJECT NULL".split()
)
# The formats per type come from the table agentkit compiles against (agentkit.schema.formats).
# The STRING wording of the refusal is the API's own (reported verbatim, e.g.
# google-gemini/gemini-cli#2706); the NUMBER and INTEGER ones follow its pattern.
_JSON_SCHEMA_REF_SIBLINGS = frozenset({"description", "default"})


def check_subset_schema(schema: Any, path: str, request_path: str | None = None) -> None:
    """The OpenAPI subset: no additionalProperties, $ref, oneOf, const, type arrays, formats
    the type does not take...

    ``path`` names nodes as the JSON parser does (``properties[0].value``); ``request_path``
    as the request validator does (``properties[url]``), for the messages of each kind."""
    where = path if request_path is None else request_path
    known_fields(schema, "schema", path)
    kind = schema.get("type")
    if kind is not None:
        if isinstance(kind, list):
            raise Rejection(
                f"Invalid value at '{path}.type' (type.googleapis.com/google.ai."
                "generativelanguage.v1beta.Type): Proto field is not repeating, cannot start list.",
                field=f"{path}.type",
            )
        if not isinstance(kind, str) or kind.upper() not in _SCHEMA_TYPES:
            raise Rejection(
                f"Invalid value at '{path}.type' (type.googleapis.com/google.ai."
                f"generativelanguage.v1beta.Type), {short(kind)}",
                field=f"{path}.type",
            )
    _check_format(schema, kind, where)
    enum = schema.get("enum")
    if enum is not None:
        for index, value in enumerate(as_list(enum, f"{path}.enum")):
            if not isinstance(value, str):
                raise Rejection(
                    f"Invalid value at '{path}.enum[{index}]' (TYPE_STRING), {short(value)}",
                    field=f"{path}.enum[{index}]",
                )
    properties = schema.get("properties")
    if properties is not None:
        if not isinstance(properties, dict):
            raise Rejection(f"Invalid value at '{path}.properties'", field=f"{path}.properties")
        for key, value in properties.items():
            check_subset_schema(
                value, f"{path}.properties[{key!r}].value", f"{where}.properties[{key}]"
            )
    required = as_list(schema.get("required"), f"{path}.required")
    for index, key in enumerate(required):
        if properties is None or key not in properties:
            raise Rejection(
                f"* GenerateContentRequest.{path}.required[{index}]: property is not defined\n",
                field=f"{path}.required[{index}]",
            )
    if schema.get("items") is not None:
        check_subset_schema(schema["items"], f"{path}.items", f"{where}.items")
    for index, option in enumerate(as_list(get_field(schema, "anyOf"), f"{path}.any_of")):
        check_subset_schema(option, f"{path}.any_of[{index}]", f"{where}.any_of[{index}]")


def _check_format(schema: dict[str, Any], kind: Any, where: str) -> None:
    fmt = schema.get("format")
    accepted = ACCEPTED.get(kind.upper()) if isinstance(kind, str) else None
    if fmt is None or accepted is None or fmt in accepted:
        return
    named = " and ".join(f"'{name}'" for name in accepted[:2])
    raise Rejection(
        f"* GenerateContentRequest.{where}.format: only {named} are supported for "
        f"{kind.upper()} type\n",
        field=f"{where}.format",
    )


def check_json_schema(schema: Any, path: str, *, root_object: bool) -> None:
    """``parametersJsonSchema``: real JSON Schema, with Gemini's own restrictions."""
    if not isinstance(schema, dict):
        raise Rejection(
            f"Invalid value at '{path}' (type.googleapis.com/google.protobuf.Value): "
            "the schema must be a JSON object",
            field=path,
        )
    if root_object and schema.get("type", "object") != "object":
        raise Rejection(
            f"* GenerateContentRequest.{path}: parameters_json_schema must describe an object "
            f"(type 'object'), got type {schema.get('type')!r}.\n",
            field=path,
        )
    definitions = schema.get("$defs") or schema.get("definitions") or {}
    _check_json_node(schema, path, definitions)


def _check_json_node(node: Any, path: str, definitions: dict[str, Any]) -> None:
    if isinstance(node, list):
        for index, item in enumerate(node):
            _check_json_node(item, f"{path}[{index}]", definitions)
        return
    if not isinstance(node, dict):
        return
    ref = node.get("$ref")
    if isinstance(ref, str):
        extra = [k for k in node if not k.startswith("$") and k not in _JSON_SCHEMA_REF_SIBLINGS]
        if extra:
            raise Rejection(
                f"$ref '{ref}' was set alongside unsupported fields: {', '.join(sorted(extra))} "
                f"(at {path}).",
                field=path,
            )
        target = ref.rsplit("/", 1)[-1]
        if ref.startswith(("#/$defs/", "#/definitions/")) and target not in definitions:
            raise Rejection(f"$ref '{ref}' does not resolve (at {path}).", field=path)
    for key, value in node.items():
        if key in ("properties", "$defs", "definitions", "patternProperties"):
            if isinstance(value, dict):
                for name, child in value.items():
                    _check_json_node(child, f"{path}.{key}.{name}", definitions)
        elif isinstance(value, dict | list) and key not in (
            "enum",
            "const",
            "default",
            "examples",
            "example",
            "required",
        ):
            _check_json_node(value, f"{path}.{key}", definitions)
