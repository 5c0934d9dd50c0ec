"""Core schemas for the annotations tools usually have, written without pydantic's generator.

A pydantic validator is built in two stages: pydantic's Python-side generator turns
annotations into a *core schema* (plain dicts), then pydantic-core compiles that into a
validator. For a typical five-parameter tool the first stage costs about 0.3 ms (the model
class machinery, field collection, annotation handling) and the second about 0.01 ms. For
the annotations below the node pydantic would generate is small and fixed, so this module
writes it directly: ``str`` is ``{"type": "str"}``, ``list[int] | None`` is a nullable list
of ints, and so on.

The nodes are exactly the ones pydantic generates (a test builds every supported annotation
both ways and compares them). Any annotation or metadata not listed here raises
``Unsupported``, and the tool is built through a pydantic model instead — this path may only
be faster, never different.
"""

from __future__ import annotations

import datetime
import decimal
import types
import uuid
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from agentkit.schema.core_to_json import Unsupported

CoreNode = dict[str, Any]

_SCALARS: dict[Any, CoreNode] = {
    str: {"type": "str"},
    int: {"type": "int"},
    float: {"type": "float"},
    bool: {"type": "bool"},
    Any: {"type": "any"},
    datetime.datetime: {"type": "datetime", "microseconds_precision": "truncate"},
    datetime.date: {"type": "date"},
    datetime.time: {"type": "time", "microseconds_precision": "truncate"},
    uuid.UUID: {"type": "uuid"},
    decimal.Decimal: {"type": "decimal"},
}
# The constraints pydantic writes into the node itself, per node type; any other pairing
# makes pydantic wrap the node in a validator function, which is left to pydantic.
_CONSTRAINT_KEYS = {
    "str": {"min_length", "max_length", "pattern"},
    "int": {"ge", "le", "gt", "lt", "multiple_of"},
    "float": {"ge", "le", "gt", "lt", "multiple_of"},
    "list": {"min_length", "max_length"},
}
_ANNOTATED_TYPES = {
    annotated_types.Ge: "ge",
    annotated_types.Le: "le",
    annotated_types.Gt: "gt",
    annotated_types.Lt: "lt",
    annotated_types.MultipleOf: "multiple_of",
    annotated_types.MinLen: "min_length",
    annotated_types.MaxLen: "max_length",
}
_LITERAL_VALUES = (str, int, bool, type(None))


def parameter_core_schema(
    annotation: Any, definitions: dict[str, CoreNode]
) -> tuple[CoreNode, str | None]:
    """A parameter's node and the description its ``Annotated[..., Field(description=...)]``
    carries (the parameter level is the only place a description may sit)."""
    if get_origin(annotation) is Annotated:
        inner, *metadata = get_args(annotation)
        constraints, description, _ = _read_metadata(metadata, allow_description=True)
        return _constrained(core_schema_of(inner, definitions), constraints), description
    return core_schema_of(annotation, definitions), None


def core_schema_of(annotation: Any, definitions: dict[str, CoreNode]) -> CoreNode:
    """The node pydantic would generate for ``annotation``; models referenced from it are
    added to ``definitions`` by reference. Raises ``Unsupported``."""
    # 1. Scalars, by identity: a subclass of str is not str to pydantic either.
    try:
        scalar = _SCALARS.get(annotation)
    except TypeError:  # unhashable metadata somewhere inside
        raise Unsupported("unhashable annotation") from None
    if scalar is not None:
        return dict(scalar)
    origin = get_origin(annotation)
    arguments = get_args(annotation)
    # 2. Constraints inside a container: Annotated[int, Field(ge=0)] as a list item. Pydantic
    #    marks a node that had a Field() below the parameter level with empty metadata.
    if origin is Annotated:
        inner, *metadata = arguments
        constraints, _, had_field = _read_metadata(metadata, allow_description=False)
        node = _constrained(core_schema_of(inner, definitions), constraints)
        return {**node, "metadata": {}} if had_field else node
    # 3. Literal values JSON can carry; enum members are left to pydantic.
    if origin is Literal:
        if not all(type(value) in _LITERAL_VALUES for value in arguments):
            raise Unsupported("literal of other values")
        return {"type": "literal", "expected": list(arguments)}
    # 4. Unions: None makes the rest nullable; more than one remaining member is a union.
    if origin is Union or origin is types.UnionType:
        members = [member for member in arguments if member is not type(None)]
        if len(members) == 1:
            node = core_schema_of(members[0], definitions)
        else:
            node = {
                "type": "union",
                "choices": [core_schema_of(member, definitions) for member in members],
            }
        return {"type": "nullable", "schema": node} if len(members) < len(arguments) else node
    # 5. Parameterised lists and string-keyed dicts.
    if origin is list and len(arguments) == 1:
        return {"type": "list", "items_schema": core_schema_of(arguments[0], definitions)}
    if origin is dict and len(arguments) == 2 and arguments[0] is str:
        return {
            "type": "dict",
            "keys_schema": {"type": "str"},
            "values_schema": core_schema_of(arguments[1], definitions),
        }
    # 6. Complete pydantic models, by reference to the schema the model already built.
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _model_reference(annotation, definitions)
    raise Unsupported(f"annotation {annotation!r}")


def _read_metadata(
    metadata: list[Any], *, allow_description: bool
) -> tuple[dict[str, Any], str | None, bool]:
    """Constraints (node keys), a description, and whether a ``Field()`` was among the
    ``Annotated`` metadata."""
    constraints: dict[str, Any] = {}
    description = None
    had_field = False
    for item in metadata:
        if isinstance(item, FieldInfo):
            had_field = True
            # Only a description and constraints: aliases, defaults, examples, strictness and
            # the rest change the node or the field in ways left to pydantic.
            if set(getattr(item, "_attributes_set", {"?": None})) - {"description"}:
                raise Unsupported("Field() with more than a description and constraints")
            if item.description is not None:
                if not allow_description:
                    raise Unsupported("description below the parameter level")
                description = item.description
            items: list[Any] = list(item.metadata)
        else:
            items = [item]
        for constraint in items:
            key, value = _constraint(constraint)
            if key in constraints:
                raise Unsupported(f"{key} given twice")
            constraints[key] = value
    return constraints, description, had_field


def _constraint(item: Any) -> tuple[str, Any]:
    key = _ANNOTATED_TYPES.get(type(item))
    if key is not None:
        return key, getattr(item, key)
    # Field(pattern=...) is kept as pydantic's general metadata holding only that key.
    if type(item).__name__ == "_PydanticGeneralMetadata":
        settings = vars(item)
        if set(settings) == {"pattern"} and isinstance(settings["pattern"], str):
            return "pattern", settings["pattern"]
    raise Unsupported(f"metadata {item!r}")


def _constrained(node: CoreNode, constraints: dict[str, Any]) -> CoreNode:
    if not constraints:
        return node
    if set(constraints) - _CONSTRAINT_KEYS.get(node["type"], set()):
        raise Unsupported(f"constraints {sorted(constraints)} on {node['type']}")
    return {**node, **constraints}


def _model_reference(model: type[BaseModel], definitions: dict[str, CoreNode]) -> CoreNode:
    if not model.__pydantic_complete__:
        raise Unsupported(f"model {model.__name__} is not fully defined")
    schema: CoreNode = dict(model.__pydantic_core_schema__)
    if schema.get("type") == "definitions":
        for definition in schema["definitions"]:
            definitions.setdefault(definition["ref"], definition)
        schema = schema["schema"]
    ref = schema.get("ref")
    if schema.get("type") != "model" or not isinstance(ref, str):
        raise Unsupported(f"model {model.__name__} without a plain model schema")
    definitions.setdefault(ref, schema)
    return {"type": "definition-ref", "schema_ref": ref}
