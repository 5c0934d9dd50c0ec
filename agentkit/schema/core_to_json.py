"""JSON Schema straight from pydantic's core schema, for the shapes tools usually have.

The argument validator of a tool is a pydantic model; its *core schema* is the definition the
validator runs on. Pydantic's own JSON Schema generator walks the same core schema but through
a general machinery (handlers, references, re-mapping, titles) that costs about half a
millisecond per tool — half of building one. This module walks the core schema directly and
produces exactly what ``clean_json_schema(pydantic's output)`` would: no titles, definitions
inlined, unions flattened as pydantic flattens them.

It may only be faster, never different. So it reads a node only when it knows every key the
node carries (``_KEYS``), and its metadata is empty or exactly pydantic's own hook for that
kind of node; a class (model, dataclass, TypedDict) only when no configuration, docstring
rule or deprecation of its own could change its schema. Anything else — validators,
recursion, custom schema hooks (``WithJsonSchema``, ``__get_pydantic_json_schema__``,
``json_schema_extra``), keys a newer pydantic adds — raises ``Unsupported``, and the caller
uses pydantic's generator instead. Tests compare both on every annotation they know.
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
_NUMBER = {
    "ge": "minimum",
    "le": "maximum",
    "gt": "exclusiveMinimum",
    "lt": "exclusiveMaximum",
    "multiple_of": "multipleOf",
}
_ITEMS = {"min_length": "minItems", "max_length": "maxItems"}
_CONSTRAINTS = {
    "str": {"min_length": "minLength", "max_length": "maxLength", "pattern": "pattern"},
    "int": _NUMBER,
    "float": _NUMBER,
    "list": _ITEMS,
    "set": _ITEMS,
    "frozenset": _ITEMS,
    "tuple": _ITEMS,
}
# Keys any node may carry that change validation or serialisation, never the JSON Schema of
# validation mode. Every other key must be one the node's kind is read with below.
_NEUTRAL = frozenset(
    "type ref metadata serialization strict allow_inf_nan coerce_numbers_to_str "
    "strip_whitespace to_lower to_upper fail_fast microseconds_precision".split()
)
_KEYS: dict[str, frozenset[str]] = {
    kind: frozenset(keys.split())
    for kind, keys in {
        "nullable": "schema",
        "union": "choices auto_collapse mode custom_error_type custom_error_message "
        "custom_error_context",
        "literal": "expected",
        "enum": "cls members sub_type missing",
        "list": "items_schema",
        "set": "items_schema",
        "frozenset": "items_schema",
        "tuple": "items_schema variadic_item_index",
        "dict": "keys_schema values_schema",
        "model": "cls schema config custom_init root_model post_init revalidate_instances "
        "generic_origin frozen",
        "model-fields": "fields model_name computed_fields",
        "dataclass": "cls schema config fields frozen post_init slots generic_origin "
        "revalidate_instances",
        "dataclass-args": "fields dataclass_name computed_fields collect_init_only",
        "typed-dict": "fields cls config computed_fields extra_behavior total generic_origin",
        "model-field": "schema validation_alias serialization_alias frozen",
        "dataclass-field": "name schema init kw_only validation_alias serialization_alias frozen",
        "typed-dict-field": "schema required validation_alias serialization_alias",
        "default": "schema default default_factory default_factory_takes_data "
        "validate_default on_error copy_default",
    }.items()
}


# Every key a node of each kind may carry (checked per node, so computed once).
_ALLOWED = {
    kind: _NEUTRAL | _KEYS.get(kind, frozenset()) | frozenset(_CONSTRAINTS.get(kind, {}))
    for kind in {*_KEYS, *_CONSTRAINTS, *_SIMPLE, *_FORMATS, "decimal", "any"}
}


_FIELD_KEYS = {
    kind: _ALLOWED[kind] for kind in ("model-field", "dataclass-field", "typed-dict-field")
}
_FIELD_METADATA = frozenset({"pydantic_js_updates"})


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
        _only(node)
        return {"format": _FORMATS[kind], "type": "string"}
    if kind == "decimal":
        _only(node)
        return {"anyOf": [{"type": "number"}, {"type": "string"}]}
    if kind == "any":
        _only(node)
        return {}
    if kind == "nullable":
        _only(node)
        inner = _node(node["schema"], seen)
        return inner if inner == {"type": "null"} else _union_of([inner, {"type": "null"}])
    if kind == "union":
        _only(node)
        choices = [_node(_choice(choice), seen) for choice in node["choices"]]
        return choices[0] if len(choices) == 1 else _union_of(choices)
    if kind == "literal":
        _only(node)
        return _literal(node["expected"])
    if kind == "enum":
        return _enum(node)
    if kind in ("list", "set", "frozenset"):
        schema: dict[str, Any] = {"type": "array"}
        schema["items"] = _node(node["items_schema"], seen) if "items_schema" in node else {}
        if kind != "list":
            schema["uniqueItems"] = True
            _require_hashable_items(node, seen)
        return _constrained(node, schema)
    if kind == "tuple":
        return _constrained(node, _tuple(node, seen))
    if kind == "dict":
        return _dict(node, seen)
    if kind == "model":
        return _model(node, seen)
    if kind == "dataclass":
        return _dataclass(node, seen)
    if kind == "typed-dict":
        return _typed_dict(node, seen)
    raise Unsupported(f"core schema {kind!r}")


def _only(node: dict[str, Any], *, metadata_read: bool = False) -> None:
    """Refuse a node carrying a key this module does not read, or any metadata (unless the
    caller has read the metadata itself)."""
    allowed = _ALLOWED.get(node["type"])
    if (
        allowed is None
        or not allowed.issuperset(node)
        or (node.get("metadata") and not metadata_read)
    ):
        raise Unsupported(f"unhandled keys or metadata in a {node['type']!r} node")


def _constrained(node: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    _only(node)
    for key, target in _CONSTRAINTS.get(node["type"], {}).items():
        if key in node:
            schema[target] = node[key]
    return schema


def _union_of(members: list[dict[str, Any]]) -> dict[str, Any]:
    """Pydantic's union: nested ``anyOf`` flattened, duplicates dropped, one member alone."""
    unique: list[dict[str, Any]] = []
    for member in members:
        for branch in member["anyOf"] if member.keys() == {"anyOf"} else [member]:
            if branch not in unique:
                unique.append(branch)
    return unique[0] if len(unique) == 1 else {"anyOf": unique}


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
    metadata = node.get("metadata") or {}
    hooks = metadata.get("pydantic_js_functions", [])
    # Pydantic attaches its own hook to every enum (title and docstring); any other hook or
    # metadata is a custom schema that only pydantic's generator knows how to apply.
    if set(metadata) - {"pydantic_js_functions"} or any(
        getattr(hook, "__qualname__", "") != _PYDANTIC_ENUM_HOOK for hook in hooks
    ):
        raise Unsupported("enum with custom schema hooks")
    _only(node, metadata_read=True)
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
    items = node["items_schema"]
    variadic = node.get("variadic_item_index")
    if variadic is not None:
        if len(items) != 1 or variadic != 0:
            raise Unsupported("tuple with a variadic part after fixed items")
        return {"items": _node(items[0], seen), "type": "array"}
    schema: dict[str, Any] = {"maxItems": len(items), "minItems": len(items), "type": "array"}
    if items:
        schema["prefixItems"] = [_node(item, seen) for item in items]
    return schema


def _dict(node: dict[str, Any], seen: Seen) -> dict[str, Any]:
    _only(node)
    keys = node.get("keys_schema", {"type": "any"})
    if keys.get("type") not in ("str", "any") or len(keys) > 1:
        raise Unsupported("dict with non-string keys")
    values = node.get("values_schema", {"type": "any"})
    values_schema = _node(values, seen)
    return {"additionalProperties": values_schema or True, "type": "object"}


def _require_hashable_items(node: dict[str, Any], seen: Seen) -> None:
    """A set whose items may be lists, dicts or unhashable objects is the model engine's to
    refuse (``core_checks``); here only item kinds that are plainly hashable pass."""
    items = node.get("items_schema", {"type": "any"})
    if items.get("type") not in ("str", "int", "float", "bool", "literal", "enum", "uuid"):
        raise Unsupported("set of items that may not be hashable")


# -- classes ------------------------------------------------------------------------------------


def _model(node: dict[str, Any], seen: Seen) -> dict[str, Any]:
    cls = node["cls"]
    metadata = node.get("metadata") or {}
    hooks = metadata.get("pydantic_js_functions", [])
    if (
        not isinstance(cls, type)
        or not issubclass(cls, BaseModel)
        or node.get("root_model")
        or set(metadata) - {"pydantic_js_functions"}
        or not all(_is_models_own_hook(hook, cls) for hook in hooks)
        or _overrides_json_schema(cls)
        or cls.model_config.get("json_schema_extra") is not None
        or "__deprecated__" in cls.__dict__
    ):
        raise Unsupported("model with custom JSON schema")
    _only(node, metadata_read=True)
    inner = node["schema"]
    if inner.get("type") != "model-fields" or inner.get("computed_fields"):
        raise Unsupported("model without plain fields")
    _only(inner)
    schema = _fields_object(inner["fields"], seen, _extra(node), total=True)
    docstring = cls.__doc__
    if docstring:
        schema["description"] = inspect.cleandoc(docstring)
    return schema


def _is_models_own_hook(hook: Any, cls: type) -> bool:
    """The hook pydantic attaches to every model: the class's inherited
    ``BaseModel.__get_pydantic_json_schema__``, bound to the class."""
    return (
        getattr(hook, "__self__", None) is cls
        and getattr(hook, "__func__", None) is _BASE_MODEL_HOOK
    )


_BASE_MODEL_HOOK = BaseModel.__get_pydantic_json_schema__.__func__  # type: ignore[attr-defined]


def _overrides_json_schema(cls: type) -> bool:
    own_hook = getattr(cls, "__get_pydantic_json_schema__", None)
    return getattr(own_hook, "__func__", None) is not _BASE_MODEL_HOOK


def _dataclass(node: dict[str, Any], seen: Seen) -> dict[str, Any]:
    cls = node.get("cls")
    arguments = node["schema"]
    if (
        arguments.get("type") != "dataclass-args"
        or not dataclasses.is_dataclass(cls)
        or not isinstance(cls, type)
        or getattr(cls, "__pydantic_config__", None)
        or "__deprecated__" in cls.__dict__
        or arguments.get("computed_fields")
    ):
        raise Unsupported("dataclass with a configuration or a schema of its own")
    _only(node)
    _only(arguments)
    fields = {field["name"]: field for field in arguments["fields"]}
    schema = _fields_object(fields, seen, _extra(node), total=True)
    # As pydantic: the signature text ``dataclasses`` writes into an undocumented stdlib
    # dataclass is no description; a pydantic dataclass's docstring is used as it is.
    docstring = cls.__doc__
    stdlib = not hasattr(cls, "__pydantic_validator__")
    if docstring and not (stdlib and docstring.startswith(f"{cls.__name__}(")):
        schema["description"] = inspect.cleandoc(docstring)
    return schema


def _typed_dict(node: dict[str, Any], seen: Seen) -> dict[str, Any]:
    """A TypedDict class, or (without a class) the arguments of a typed-dict-engine tool."""
    cls = node.get("cls")
    if cls is not None and (
        getattr(cls, "__pydantic_config__", None)
        or "__deprecated__" in getattr(cls, "__dict__", {})
        or node.get("computed_fields")
    ):
        raise Unsupported("TypedDict with a configuration of its own")
    _only(node)
    schema = _fields_object(node["fields"], seen, _extra(node), total=node.get("total", True))
    docstring = getattr(cls, "__doc__", None)
    if docstring:
        schema["description"] = inspect.cleandoc(docstring)
    return schema


def _extra(node: dict[str, Any]) -> bool:
    """Whether extra keys are forbidden; allowing them (a schema pydantic would state as
    ``additionalProperties``) is left to pydantic."""
    config = node.get("config") or {}
    behaviour = node.get("extra_behavior") or config.get("extra_fields_behavior")
    if behaviour not in (None, "ignore", "forbid"):
        raise Unsupported(f"extra fields {behaviour}")
    return behaviour == "forbid"


def _fields_object(
    fields: dict[str, Any], seen: Seen, forbid: bool, *, total: bool
) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    required: list[str] = []
    for name, field in fields.items():
        kind = field.get("type")
        allowed = _FIELD_KEYS.get(kind)
        if allowed is None or not allowed.issuperset(field):
            raise Unsupported(f"{kind!r} field with keys of its own")
        if kind == "dataclass-field" and field.get("init") is False:
            raise Unsupported("a dataclass field outside __init__")
        metadata = field.get("metadata")
        if metadata and not _FIELD_METADATA.issuperset(metadata):
            raise Unsupported("field with schema hooks")
        alias = field.get("validation_alias", name)
        if not isinstance(alias, str):
            raise Unsupported("alias path")
        schema, has_default = _field_schema(field["schema"], seen)
        if metadata and "pydantic_js_updates" in metadata:
            schema = {**schema, **metadata["pydantic_js_updates"]}
        properties[alias] = schema
        if field.get("required", total) if kind == "typed-dict-field" else not has_default:
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
    _only(node)
    if node.get("default_factory_takes_data"):
        raise Unsupported("default factory taking the validated data")
    schema = _node(node["schema"], seen)
    if "default_factory" in node:
        return schema, True
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
