"""Compiling a (cleaned) JSON Schema into Gemini's OpenAPI 3.0 subset (``parameters``).

The subset has no ``$ref``, ``oneOf``, ``const``, type arrays, ``additionalProperties``
schemas, ``prefixItems`` or ``uniqueItems``, and only string enums. Each node is compiled in
these steps:

1. A ``$ref`` left in a cleaned schema means recursion: refused.
2. Nullability: ``anyOf`` with ``{"type": "null"}`` or a type array containing ``"null"``
   becomes ``nullable: true`` on what remains.
3. Composition: ``oneOf`` becomes ``anyOf`` (pydantic emits it for discriminated unions, whose
   branches are disjoint, so the meaning is the same); a one-branch ``allOf`` is merged; any
   other ``allOf`` and every ``not`` is refused.
4. Enumerations: ``const`` becomes a one-value ``enum``. String enums pass; integer and number
   enums become ``{"type": "INTEGER"|"NUMBER", "format": "enum", "enum": ["1", "2"]}`` so the
   model still sends numbers; boolean enums become a BOOLEAN with the allowed value stated;
   enums mixing types are refused.
5. Types: upper-cased; a type array with several non-null types becomes an ``anyOf``.
6. Children: ``properties``, ``items`` and ``anyOf`` branches are compiled the same way.
   ``additionalProperties: false`` is dropped because a subset object has only its declared
   properties anyway; a schema or ``true`` there (a free-form dict) is refused, as are
   ``prefixItems`` (fixed-length tuples) and a schema that admits anything.
7. Assertions the subset lacks but the argument validator enforces are translated exactly
   where possible (``exclusiveMinimum: 0`` on an integer is ``minimum: 1``), otherwise stated in
   the description, so the model is told and nothing is lost silently. The same goes for a
   ``format`` the API does not accept for the node's type (``date``, ``uuid``, ``uri``...):
   it is stated in words (``Format: date (YYYY-MM-DD).``).
8. Whatever keyword is left must be one the subset knows; anything else is refused.

Refusals raise ``SchemaDialectError`` with the path of the offending node.
"""

from __future__ import annotations

from typing import Any

from agentkit.errors import SchemaDialectError
from agentkit.schema.formats import format_note, is_accepted

SUBSET_KEYWORDS = frozenset(
    "type format title description nullable enum items minItems maxItems properties required "
    "minProperties maxProperties minLength maxLength pattern minimum maximum anyOf "
    "propertyOrdering default example".split()
)
_JSON_TO_SUBSET_TYPE = {
    "string": "STRING",
    "number": "NUMBER",
    "integer": "INTEGER",
    "boolean": "BOOLEAN",
    "array": "ARRAY",
    "object": "OBJECT",
}
_USE_JSON_DIALECT = "use the JSON Schema dialect (parametersJsonSchema), which can express it"


def to_openapi_subset(schema: dict[str, Any]) -> dict[str, Any]:
    """Compile a cleaned JSON Schema (see ``clean_json_schema``); refuse what cannot be said."""
    if schema.get("$defs"):
        names = ", ".join(sorted(schema["$defs"]))
        raise SchemaDialectError(
            f"recursive type ({names}) cannot be expressed in the OpenAPI subset; "
            + _USE_JSON_DIALECT,
            "$defs",
        )
    return _compile(schema, "")


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _compile(raw: Any, path: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise SchemaDialectError(f"expected a schema object, got {raw!r}", path)
    node: dict[str, Any] = dict(raw)
    notes: list[str] = []

    # 1. recursion
    if "$ref" in node:
        raise SchemaDialectError(
            f"recursive reference {node['$ref']!r} cannot be expressed in the OpenAPI subset; "
            + _USE_JSON_DIALECT,
            path,
        )

    # 2. nullability
    nullable = _take_null(node, path)

    # 3. composition
    if "oneOf" in node:
        node["anyOf"] = node.pop("oneOf")
        nullable = _take_null(node, path) or nullable
    if "allOf" in node:
        branches = node.pop("allOf")
        if len(branches) != 1:
            raise SchemaDialectError("allOf with several branches cannot be expressed", path)
        node = {**branches[0], **node}
    if "not" in node:
        raise SchemaDialectError("'not' cannot be expressed in the OpenAPI subset", path)
    if "anyOf" in node and len(node["anyOf"]) == 1:
        only = node.pop("anyOf")[0]
        node = {**only, **node}

    # 4. enumerations
    if "const" in node:
        node["enum"] = [node.pop("const")]
    if "enum" in node:
        _compile_enum(node, path, notes)

    # 5. types
    kind = node.get("type")
    if isinstance(kind, list):
        if len(kind) == 1:
            kind = node["type"] = kind[0]
        else:
            del node["type"]
            node["anyOf"] = [{"type": k} for k in kind]
    if isinstance(kind, str) and kind in _JSON_TO_SUBSET_TYPE:
        node["type"] = _JSON_TO_SUBSET_TYPE[kind]
    elif isinstance(kind, str) and kind not in _JSON_TO_SUBSET_TYPE.values():
        raise SchemaDialectError(f"unknown type {kind!r}", path)

    # 6. children
    _compile_children(node, path)

    # 7. assertions the subset lacks
    _translate_assertions(node, notes)
    if nullable:
        node["nullable"] = True
    if notes:
        node["description"] = _described(node.get("description"), notes)

    # 8. nothing unknown may remain
    unknown = sorted(set(node) - SUBSET_KEYWORDS)
    if unknown:
        raise SchemaDialectError(
            f"{', '.join(unknown)} cannot be expressed in the OpenAPI subset; " + _USE_JSON_DIALECT,
            path,
        )
    if not node.keys() & {"type", "anyOf", "enum"}:
        raise SchemaDialectError(
            "a schema that admits any value has no OpenAPI-subset form; give the parameter a "
            "concrete type, or " + _USE_JSON_DIALECT,
            path,
        )
    return node


def _take_null(node: dict[str, Any], path: str) -> bool:
    """Remove a null alternative from anyOf / a type array; report whether there was one."""
    found = False
    if isinstance(node.get("anyOf"), list):
        branches = [b for b in node["anyOf"] if b != {"type": "null"}]
        found = len(branches) != len(node["anyOf"])
        node["anyOf"] = branches
    if isinstance(node.get("type"), list) and "null" in node["type"]:
        node["type"] = [t for t in node["type"] if t != "null"]
        found = True
    if node.get("type") == "null":
        raise SchemaDialectError("a value that can only be null cannot be expressed", path)
    return found


def _compile_enum(node: dict[str, Any], path: str, notes: list[str]) -> None:
    values = [v for v in node["enum"] if v is not None]
    if len(values) != len(node["enum"]):
        node["enum"] = values
        node["nullable"] = True
    kinds = {type(v) for v in values}
    if kinds <= {str}:
        node.setdefault("type", "string")
    elif kinds <= {bool}:
        node.pop("enum")
        node["type"] = "boolean"
        notes.append("Must be " + " or ".join(str(v).lower() for v in values) + ".")
    elif kinds <= {int}:
        node.update(type="integer", format="enum", enum=[str(v) for v in values])
    elif kinds <= {int, float}:
        node.update(type="number", format="enum", enum=[str(v) for v in values])
    else:
        raise SchemaDialectError(
            f"an enum mixing value types ({', '.join(sorted(k.__name__ for k in kinds))}) "
            "cannot be expressed in the OpenAPI subset; " + _USE_JSON_DIALECT,
            path,
        )


def _compile_children(node: dict[str, Any], path: str) -> None:
    if "properties" in node:
        node["properties"] = {
            name: _compile(child, _join(path, f"properties.{name}"))
            for name, child in node["properties"].items()
        }
    if "items" in node:
        node["items"] = _compile(node["items"], _join(path, "items"))
    if "anyOf" in node:
        node["anyOf"] = [
            _compile(branch, _join(path, f"anyOf[{index}]"))
            for index, branch in enumerate(node["anyOf"])
        ]
    extra = node.pop("additionalProperties", False)
    if extra is not False:
        raise SchemaDialectError(
            "a free-form mapping (dict with arbitrary keys) cannot be expressed in the OpenAPI "
            "subset; use a model with named fields, or " + _USE_JSON_DIALECT,
            path,
        )
    if "prefixItems" in node:
        raise SchemaDialectError(
            "a fixed-length tuple cannot be expressed in the OpenAPI subset; use a list or a "
            "model, or " + _USE_JSON_DIALECT,
            path,
        )


def _described(description: Any, notes: list[str]) -> str:
    """The description followed by the notes, as sentences."""
    text = " ".join(notes)
    if not isinstance(description, str) or not description.strip():
        return text
    description = description.rstrip()
    separator = " " if description.endswith((".", "!", "?")) else ". "
    return f"{description}{separator}{text}"


def _translate_assertions(node: dict[str, Any], notes: list[str]) -> None:
    if "format" in node and not is_accepted(node.get("type"), node["format"]):
        notes.append(format_note(node.pop("format")))
    integer = node.get("type") == "INTEGER"
    if "exclusiveMinimum" in node:
        bound = node.pop("exclusiveMinimum")
        if integer and isinstance(bound, int):
            node["minimum"] = bound + 1
        else:
            notes.append(f"Must be greater than {bound}.")
    if "exclusiveMaximum" in node:
        bound = node.pop("exclusiveMaximum")
        if integer and isinstance(bound, int):
            node["maximum"] = bound - 1
        else:
            notes.append(f"Must be less than {bound}.")
    if "multipleOf" in node:
        notes.append(f"Must be a multiple of {node.pop('multipleOf')}.")
    if node.pop("uniqueItems", False):
        notes.append("Items must be unique.")
