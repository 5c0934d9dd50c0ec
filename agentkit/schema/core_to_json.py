"""JSON Schema straight from pydantic's core schema, for the shapes tools usually have.

The argument validator of a tool is a pydantic model; its *core schema* is the definition the
validator runs on. Pydantic's own JSON Schema generator walks the same core schema but through
a general machinery (handlers, references, re-mapping, titles) that costs about half a
millisecond per tool — half of building one. This module walks the core schema directly and
produces exactly what ``clean_json_schema(pydantic's output)`` would: no titles, definitions
inlined. Every node kind it does not know — validators, recursion, custom schema hooks —
raises ``Unsupported``, and the caller uses pydantic's generator for that tool instead, so the
fast path can only be fast, never different (a test compares both on every golden type).
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Mapping
from enum import Enum
from typing import Any

from pydantic import BaseModel


class Unsupported(Exception):
    """A core-schema node this translator leaves to pydantic."""


_PYDANTIC_ENUM_HOOK = "GenerateSchema._enum_schema.<locals>.get_json_schema"
_FORMATS = {"date": "date", "datetime": "date-time", "time": "time", "uuid": "uuid"}
_SIMPLE = {"str": "string", "int": "integer", "float": "number", "bool": "boolean", "none": "null"}
_CONSTRAINTS = {
    "str": {"min_length": "minLength", "max_length": "maxLength", "pattern": "pattern"},
    "int": {
        "ge": "minimum",
        "le": "maximum",
        "gt": "exclusiveMinimum",
        "lt": "exclusiveMaximum",
        "multiple_of": "multipleOf",
    },
    "float": {
        "ge": "minimum",
        "le": "maximum",
        "gt": "exclusiveMinimum",
        "lt": "exclusiveMaximum",
        "multiple_of": "multipleOf",
    },
    "list": {"min_length": "minItems", "max_length": "maxItems"},
    "set": {"min_length": "minItems", "max_length": "maxItems"},
    "frozenset": {"min_length": "minItems", "max_length": "maxItems"},
}
# Keys of a node that carry no JSON Schema meaning in validation mode.
_IGNORED = {
    "type",
    "ref",
    "metadata",
    "serialization",
    "strict",
    "allow_inf_nan",
    "coerce_numbers_to_str",
    "strip_whitespace",
    "to_lower",
    "to_upper",
    "fail_fast",
    "microseconds_precision",
    "sub_type",
    "missing",
}


class Seen(frozenset[str]):
    """The references on the way to a node (to refuse recursion), plus the definitions that
    ``definition-ref`` nodes point to."""

    definitions: dict[str, dict[str, Any]]

    def with_ref(self, ref: str) -> Seen:
        grown = Seen(self | {ref})
        grown.definitions = self.definitions
        return grown


def core_to_json_schema(core: Mapping[str, Any]) -> dict[str, Any]:
    """The cleaned JSON Schema of a tool's argument model; raises ``Unsupported``."""
    seen = Seen()
    seen.definitions = {}
    return _node(dict(core), seen)


def _node(node: dict[str, Any], seen: Seen) -> dict[str, Any]:
    kind = node.get("type")
    if kind == "definitions":
        for definition in node["definitions"]:
            seen.definitions[definition["ref"]] = definition
        return _node(node["schema"], seen)
    if kind == "definition-ref":
        target = seen.definitions.get(node["schema_ref"])
        if target is None or set(node) - {"type", "schema_ref", "metadata"} or node.get("metadata"):
            raise Unsupported("reference to an unknown definition")
        return _node(target, seen)  # inlined, as clean_json_schema inlines $ref
    ref = node.get("ref")
    if ref is not None:
        if ref in seen:
            raise Unsupported("recursive type")
        seen = seen.with_ref(ref)
    if kind in _SIMPLE:
        return _constrained(node, {"type": _SIMPLE[kind]})
    if kind in _FORMATS:
        _only(node, set())
        return {"format": _FORMATS[kind], "type": "string"}
    if kind == "decimal":
        _only(node, set())
        return {"anyOf": [{"type": "number"}, {"type": "string"}]}
    if kind == "any":
        return {}
    if kind == "nullable":
        return {"anyOf": [_node(node["schema"], seen), {"type": "null"}]}
    if kind == "union":
        return {"anyOf": [_node(_choice(choice), seen) for choice in node["choices"]]}
    if kind == "literal":
        return _literal(node["expected"])
    if kind == "enum":
        return _enum(node)
    if kind in ("list", "set", "frozenset"):
        schema: dict[str, Any] = {"type": "array"}
        if "items_schema" in node:
            schema["items"] = _node(node["items_schema"], seen)
        if kind != "list":
            schema["uniqueItems"] = True
        return _constrained(node, schema, extra=frozenset({"items_schema"}))
    if kind == "tuple":
        return _tuple(node, seen)
    if kind == "dict":
        return _dict(node, seen)
    if kind == "model":
        return _model(node, seen)
    if kind == "dataclass":
        return _dataclass(node, seen)
    if kind == "typed-dict":
        return _fields_object(node, node["fields"], seen, _forbids(node))
    raise Unsupported(f"core schema {kind!r}")


def _only(node: dict[str, Any], allowed: set[str]) -> None:
    unknown = set(node) - _IGNORED - allowed
    if unknown or node.get("metadata"):
        raise Unsupported(f"unhandled keys {sorted(unknown)} or metadata")


def _constrained(
    node: dict[str, Any], schema: dict[str, Any], extra: frozenset[str] = frozenset()
) -> dict[str, Any]:
    mapping = _CONSTRAINTS.get(node["type"], {})
    _only(node, set(mapping) | set(extra))
    for key, target in mapping.items():
        if key in node:
            schema[target] = node[key]
    return schema


def _choice(choice: Any) -> dict[str, Any]:
    chosen: dict[str, Any] = choice[0] if isinstance(choice, tuple) else choice
    return chosen


def _literal(expected: list[Any]) -> dict[str, Any]:
    values = [value.value if isinstance(value, Enum) else value for value in expected]
    if not all(value is None or type(value) in (str, int, float, bool) for value in values):
        raise Unsupported("literal of a non-JSON value")
    schema: dict[str, Any] = {"const": values[0]} if len(values) == 1 else {"enum": values}
    kinds = {type(value) for value in values}
    names = {str: "string", int: "integer", float: "number", bool: "boolean", type(None): "null"}
    if len(kinds) == 1:
        schema["type"] = names[kinds.pop()]
    return schema


def _enum(node: dict[str, Any]) -> dict[str, Any]:
    cls = node["cls"]
    hooks = node.get("metadata", {}).get("pydantic_js_functions", [])
    # Pydantic attaches its own hook to every enum (title and docstring); anything else is a
    # custom schema that only pydantic's generator knows how to apply.
    if any(getattr(hook, "__qualname__", "") != _PYDANTIC_ENUM_HOOK for hook in hooks):
        raise Unsupported("enum with custom schema hooks")
    values = [member.value for member in node["members"]]
    kinds = {type(value) for value in values}
    schema: dict[str, Any] = {"enum": values}
    if kinds == {str}:
        schema["type"] = "string"
    elif kinds == {int}:
        schema["type"] = "integer"
    else:
        raise Unsupported("enum of mixed or other values")
    description = inspect.cleandoc(cls.__doc__) if cls.__doc__ else None
    if description and description != "An enumeration.":  # Enum's own docstring, as pydantic
        schema["description"] = description
    return schema


def _tuple(node: dict[str, Any], seen: Seen) -> dict[str, Any]:
    _only(node, {"items_schema", "variadic_item_index", "min_length", "max_length"})
    items = node["items_schema"]
    variadic = node.get("variadic_item_index")
    if variadic is not None:
        if len(items) != 1 or variadic != 0:
            raise Unsupported("tuple with a variadic part after fixed items")
        return {"items": _node(items[0], seen), "type": "array"}
    return {
        "maxItems": len(items),
        "minItems": len(items),
        "prefixItems": [_node(item, seen) for item in items],
        "type": "array",
    }


def _dict(node: dict[str, Any], seen: Seen) -> dict[str, Any]:
    _only(node, {"keys_schema", "values_schema"})
    keys = node.get("keys_schema", {"type": "any"})
    if keys.get("type") not in ("str", "any") or len(keys) > 1:
        raise Unsupported("dict with non-string keys")
    values = node.get("values_schema", {"type": "any"})
    return {
        "additionalProperties": _node(values, seen) if values.get("type") != "any" else True,
        "type": "object",
    }


def _model(node: dict[str, Any], seen: Seen) -> dict[str, Any]:
    cls = node["cls"]
    hooks = node.get("metadata", {}).get("pydantic_js_functions", [])
    own_hook = getattr(cls, "__get_pydantic_json_schema__", None)
    if (
        not isinstance(cls, type)
        or not issubclass(cls, BaseModel)
        or getattr(own_hook, "__func__", None)
        is not BaseModel.__get_pydantic_json_schema__.__func__  # type: ignore[attr-defined]
        or len(hooks) > 1
        or cls.model_config.get("json_schema_extra") is not None
        or node.get("root_model")
    ):
        raise Unsupported("model with custom JSON schema")
    inner = node["schema"]
    if inner.get("type") != "model-fields" or inner.get("computed_fields"):
        raise Unsupported("model without plain fields")
    schema = _fields_object(inner, inner["fields"], seen, _forbids(node))
    docstring = cls.__doc__
    if docstring:
        schema["description"] = inspect.cleandoc(docstring)
    return schema


def _dataclass(node: dict[str, Any], seen: Seen) -> dict[str, Any]:
    cls = node.get("cls")
    arguments = node["schema"]
    if arguments.get("type") != "dataclass-args" or not dataclasses.is_dataclass(cls):
        raise Unsupported("dataclass without plain fields")
    fields = {field["name"]: field for field in arguments["fields"]}
    return _fields_object(arguments, fields, seen, _forbids(node))


def _forbids(node: dict[str, Any]) -> bool:
    config = node.get("config") or {}
    return config.get("extra_fields_behavior") == "forbid" or node.get("extra_behavior") == "forbid"


def _fields_object(
    owner: dict[str, Any], fields: dict[str, Any], seen: Seen, forbid: bool
) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    required: list[str] = []
    for name, field in fields.items():
        if field.get("type") not in ("model-field", "dataclass-field", "typed-dict-field"):
            raise Unsupported(f"field kind {field.get('type')!r}")
        if field.get("init_only") or field.get("exclude") or field.get("serialization_exclude"):
            raise Unsupported("field with special handling")
        alias = field.get("validation_alias", name)
        if not isinstance(alias, str):
            raise Unsupported("alias path")
        inner = field["schema"]
        schema, has_default = _field_schema(inner, seen)
        metadata = field.get("metadata") or {}
        if set(metadata) - {"pydantic_js_updates"}:
            raise Unsupported("field with schema hooks")
        schema = {**schema, **metadata.get("pydantic_js_updates", {})}
        properties[alias] = schema
        is_required = (
            field.get("required", not has_default)
            if field["type"] == "typed-dict-field"
            else not has_default
        )
        if is_required:
            required.append(alias)
    result: dict[str, Any] = {"properties": properties}
    if required:
        result["required"] = required
    result["type"] = "object"
    if forbid:
        result = {"additionalProperties": False, **result}
    return result


def _field_schema(node: dict[str, Any], seen: Seen) -> tuple[dict[str, Any], bool]:
    """A field's schema and whether it has a default (which makes it optional)."""
    if node.get("type") != "default":
        return _node(node, seen), False
    schema = _node(node["schema"], seen)
    if "default_factory" in node:
        return schema, True
    if set(node) - {"type", "schema", "default", "validate_default", "metadata", "ref"}:
        raise Unsupported("default with extra settings")
    return {**schema, "default": json_default(node["default"])}, True


def json_default(value: Any) -> Any:
    """A default as plain JSON (enums by value); anything else is ``Unsupported``."""
    if isinstance(value, Enum):
        return json_default(value.value)
    if value is None or type(value) in (str, int, float, bool):
        return value
    if type(value) in (list, tuple):
        return [json_default(item) for item in value]
    if type(value) is dict and all(type(key) is str for key in value):
        return {key: json_default(item) for key, item in value.items()}
    raise Unsupported("default that is not plain JSON")
