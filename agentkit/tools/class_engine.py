"""A class pydantic validates as a whole (a model, a dataclass, a TypedDict) passed as a tool.

Calling such a class with keyword arguments *is* validating them: its field constraints,
validators and default factories all run then. So the class is its own argument validator:
the tool declares the class's JSON Schema, validates the model's arguments with the class's
own validator, and its result is the instance that validation built. Reading the class's
``__init__`` signature instead would lose the constraints and validators (pydantic's
signature carries neither), and arguments the declaration admits would then fail inside the
"call".
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, TypeAdapter
from pydantic.fields import FieldInfo
from typing_extensions import is_typeddict

from agentkit.errors import ToolDefinitionError
from agentkit.schema import clean_json_schema
from agentkit.schema.core_checks import lazy_field, unhashable
from agentkit.schema.core_to_json import Unsupported, core_to_json_schema
from agentkit.schema.generator import ToolJsonSchema
from agentkit.tools.argument_engines import REQUIRED, Engine, Parameter


class ValidatedInstance(dict[str, Any]):
    """A class tool's validated arguments (its fields' values, for confirmation rules and
    logs) and the instance validation built, which is the tool's result."""

    def __init__(self, values: dict[str, Any], instance: Any) -> None:
        super().__init__(values)
        self.instance = instance


def is_validated_class(obj: object) -> bool:
    return isinstance(obj, type) and (
        issubclass(obj, BaseModel) or dataclasses.is_dataclass(obj) or is_typeddict(obj)
    )


def class_engine(
    tool_name: str, cls: type, descriptions: dict[str, str]
) -> tuple[Engine, tuple[Parameter, ...]]:
    """The engine of a class tool; ``descriptions`` (from the class's docstring) describe the
    fields that do not describe themselves."""
    # Only when pydantic's RootModel was ever loaded can ``cls`` be one; importing it here
    # would build its schema at agentkit's import.
    root_model = sys.modules.get("pydantic.root_model")
    if root_model is not None and issubclass(cls, root_model.RootModel):
        raise ToolDefinitionError(
            tool_name,
            "a RootModel has no named fields to take the model's arguments; pass a function "
            "that takes the root value as a parameter instead",
        )
    try:
        adapter: TypeAdapter[Any] = TypeAdapter(cls)
        try:
            schema = core_to_json_schema(adapter.core_schema)
        except Unsupported:
            schema = clean_json_schema(adapter.json_schema(schema_generator=ToolJsonSchema))
    except Exception as error:
        first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise ToolDefinitionError(tool_name, f"unsupported type: {first_line}") from error
    problem = unhashable(dict(adapter.core_schema)) or lazy_field(dict(adapter.core_schema))
    if problem is not None:
        raise ToolDefinitionError(tool_name, problem)
    properties = schema.get("properties")
    if schema.get("type") != "object" or not isinstance(properties, dict):
        raise ToolDefinitionError(tool_name, "its JSON Schema is not an object with named fields")
    schema.pop("description", None)  # the class's docstring: the tool's description already
    for name, field in properties.items():
        if name in descriptions and isinstance(field, dict) and "description" not in field:
            field["description"] = descriptions[name]
    values = _values_reader(cls)

    def validate(args: dict[str, Any]) -> dict[str, Any]:
        instance = adapter.validate_python(args)
        return ValidatedInstance(values(instance), instance)

    engine = Engine("model", dict(adapter.core_schema), schema, validate)
    return engine, _parameters(cls, properties)


def _values_reader(cls: type) -> Callable[[Any], dict[str, Any]]:
    if issubclass(cls, BaseModel):
        names = list(cls.model_fields)
        return lambda instance: {
            **{name: getattr(instance, name) for name in names},
            **(instance.__pydantic_extra__ or {}),
        }
    if dataclasses.is_dataclass(cls):
        fields = [f.name for f in dataclasses.fields(cls)]
        return lambda instance: {name: getattr(instance, name) for name in fields}
    return dict  # a TypedDict: the instance is the dict of values


def _parameters(cls: type, properties: dict[str, Any]) -> tuple[Parameter, ...]:
    """The fields as parameters (for listings; validation is the class's own)."""
    fields: dict[str, FieldInfo] = cls.model_fields if issubclass(cls, BaseModel) else {}
    parameters = []
    for name, schema in properties.items():
        info = fields.get(name)
        annotation = info.annotation if info is not None else Any
        default = schema.get("default", REQUIRED) if isinstance(schema, dict) else REQUIRED
        description = schema.get("description") if isinstance(schema, dict) else None
        parameters.append(Parameter(name, annotation, default, description))
    return tuple(parameters)
