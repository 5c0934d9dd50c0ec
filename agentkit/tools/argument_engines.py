"""The two ways a tool's argument validator is built; the fast one is tried first.

Both give an ``Engine``: the core schema the validator runs on, the JSON Schema of the
parameters (read from that same core schema, so what is declared is what is accepted), and a
function turning the model's ``args`` into the call's keyword arguments.

- ``typed_dict_engine``: the core schema of a typed dict, written by ``annotation_core`` and
  compiled by pydantic-core directly, about 0.03 ms per tool. It declines (``Unsupported``)
  every annotation it does not know.
- ``model_engine``: a pydantic model made with ``create_model``, about 0.35 ms per tool; it
  handles everything pydantic does (validators, enums, dataclasses, recursive models, custom
  schema hooks).

Both check every default against its own annotation, which pydantic does not do by default,
and strictly (a str is not an int; an int is a float, an Enum member is its enum, None is an
Optional's): a default that is not of its parameter's type reaches the function unconverted,
so it is a bug in the tool, found when it is defined.

The model engine also closes the gaps between what JSON can carry and what Python validates
(``core_checks``): iterables are validated eagerly, and sets of unhashable items refused.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, create_model
from pydantic.fields import FieldInfo
from pydantic_core import SchemaError, SchemaValidator

from agentkit.errors import ToolDefinitionError
from agentkit.schema import clean_json_schema
from agentkit.schema.annotation_core import CoreNode, parameter_core_schema
from agentkit.schema.core_checks import eager, lazy_field, unhashable
from agentkit.schema.core_to_json import Unsupported, core_to_json_schema
from agentkit.schema.generator import ToolJsonSchema

REQUIRED = inspect.Parameter.empty


@dataclass(frozen=True)
class Parameter:
    """One parameter the model sees: its annotation, its default (``REQUIRED`` if none) and
    the docstring's description of it (a ``Field(description=...)`` in the annotation wins
    over that, in both engines)."""

    name: str
    annotation: Any
    default: Any
    description: str | None

    @property
    def required(self) -> bool:
        return self.default is REQUIRED


@dataclass(frozen=True)
class Engine:
    kind: Literal["typed_dict", "model"]
    core_schema: CoreNode
    json_schema: dict[str, Any]
    validate: Callable[[dict[str, Any]], dict[str, Any]]
    """Validates ``args`` into keyword arguments; raises pydantic's ``ValidationError``."""


# -- the typed-dict engine ----------------------------------------------------------------------


def typed_dict_engine(tool_name: str, parameters: Sequence[Parameter]) -> Engine:
    """Raises ``Unsupported`` when a parameter is beyond ``annotation_core``, or when a model
    it references has a JSON Schema only pydantic's generator can write."""
    definitions: dict[str, CoreNode] = {}
    fields: dict[str, CoreNode] = {}
    for parameter in parameters:
        node, own_description = parameter_core_schema(parameter.annotation, definitions)
        if own_description == "":
            raise Unsupported("empty description in Field()")
        description = own_description or parameter.description
        if not parameter.required:
            node = {"type": "default", "schema": node, "default": parameter.default}
        field: CoreNode = {
            "type": "typed-dict-field",
            "schema": node,
            "required": parameter.required,
        }
        if description:
            field["metadata"] = {"pydantic_js_updates": {"description": description}}
        fields[parameter.name] = field
    schema: CoreNode = {
        "type": "typed-dict",
        "fields": fields,
        "extra_behavior": "forbid",
        "config": {"title": tool_name},
    }
    if definitions:
        schema = {"type": "definitions", "schema": schema, "definitions": [*definitions.values()]}
    json_schema = core_to_json_schema(schema)
    try:
        validator = SchemaValidator(schema)
    except SchemaError as error:  # a pydantic-core that reads these nodes differently
        raise Unsupported(f"pydantic-core refused the schema: {error}") from None
    _check_typed_dict_defaults(tool_name, validator, parameters)
    return Engine("typed_dict", schema, json_schema, validator.validate_python)


def _check_typed_dict_defaults(
    tool_name: str, validator: SchemaValidator, parameters: Sequence[Parameter]
) -> None:
    """All defaults in one validation; errors about absent required parameters are noise."""
    defaults = {p.name: p.default for p in parameters if not p.required}
    if not defaults:
        return
    try:
        validator.validate_python(defaults, strict=True)
    except ValidationError as error:
        for problem in error.errors(include_url=False):
            location = problem["loc"]
            if not location or location[0] not in defaults:
                continue
            if problem["type"] == "missing" and len(location) == 1:
                continue
            name = str(location[0])
            raise _bad_default(tool_name, name, defaults[name], problem["msg"]) from None


def _bad_default(tool_name: str, name: str, default: Any, problem: str) -> ToolDefinitionError:
    if default is None:
        reason = "defaults to None but its type does not admit None; annotate it as 'X | None'"
    else:
        reason = f"default {default!r} does not match the annotation: {problem}"
    return ToolDefinitionError(tool_name, reason, name)


# -- the pydantic-model engine ------------------------------------------------------------------

# Extra arguments are refused. Field docstrings (a docstring under a field, as PEP 257's
# "attribute docstrings") are read as pydantic reads them: when the model, dataclass or
# TypedDict opts in with ``use_attribute_docstrings=True`` in its own configuration, for all
# three alike. Turning it on here instead would read them for every TypedDict and stdlib
# dataclass (they take this configuration when they have none), at the cost of parsing
# their module's source for every tool (about a millisecond), and would still leave models
# to their own choice.
_CONFIG = ConfigDict(extra="forbid")


def model_engine(tool_name: str, parameters: Sequence[Parameter]) -> Engine:
    model, field_names = arguments_model(tool_name, parameters)
    _check_model_defaults(tool_name, model, parameters, field_names)
    core: CoreNode = dict(model.__pydantic_core_schema__)
    _refuse_unsound(tool_name, core, parameters)
    pairs = tuple(zip((p.name for p in parameters), field_names, strict=True))
    eager_core = eager(core)
    if eager_core is None:
        validator = model.__pydantic_validator__

        def validate(args: dict[str, Any]) -> dict[str, Any]:
            # Attributes, not model_dump: nested models and dataclasses reach the function
            # as the objects its annotations promise.
            validated = validator.validate_python(args)
            return {name: getattr(validated, field) for name, field in pairs}

    else:
        core = eager_core
        fields_validator = _fields_validator(core)

        def validate(args: dict[str, Any]) -> dict[str, Any]:
            values = fields_validator.validate_python(args)[0]
            return {name: values[field] for name, field in pairs}

    json_schema = _model_json_schema(tool_name, model, core, parameters)
    return Engine("model", core, json_schema, validate)


def _fields_validator(core: CoreNode) -> SchemaValidator:
    """A validator of the arguments model's fields alone. Validating the model itself would
    not do: pydantic-core reuses the class's prebuilt validator for any schema naming it."""
    model = core["schema"] if core["type"] == "definitions" else core
    fields: CoreNode = model["schema"]
    if core["type"] == "definitions":
        fields = {"type": "definitions", "schema": fields, "definitions": core["definitions"]}
    return SchemaValidator(fields, model.get("config"))


def _model_json_schema(
    tool_name: str, model: type[BaseModel], core: CoreNode, parameters: Sequence[Parameter]
) -> dict[str, Any]:
    """The parameters' JSON Schema, read from the core schema when the translator knows every
    node (exactly pydantic's output, faster), else pydantic's generator. A required
    parameter the schema leaves out (``SkipJsonSchema``) could never be sent: refused."""
    try:
        json_schema = core_to_json_schema(core)
    except Unsupported:
        try:
            raw = model.model_json_schema(schema_generator=ToolJsonSchema)
        except Exception as error:
            raise ToolDefinitionError(
                tool_name,
                f"its parameters have no JSON Schema: {_first_line(error)}",
                _json_culprit(parameters),
            ) from error
        json_schema = clean_json_schema(raw)
    properties = json_schema.get("properties", {})
    for parameter in parameters:
        misplaced = _misplaced_constraint(properties.get(parameter.name))
        if misplaced is not None:
            raise ToolDefinitionError(
                tool_name,
                f"its constraint {misplaced!r} does not apply to its type (pydantic would check "
                "it at call time and fail); constrain a type that takes it (ge on numbers, "
                "min_length on strings and lists...)",
                parameter.name,
            )
    if len(properties) < len(parameters):
        hidden = [p for p in parameters if p.required and p.name not in properties]
        if hidden:
            raise ToolDefinitionError(
                tool_name,
                "is required but left out of the JSON Schema (SkipJsonSchema?), so the model "
                "could never send it; give it a default or declare it",
                hidden[0].name,
            )
    return json_schema


# Pydantic's names for constraints; in a JSON Schema they mean a constraint pydantic could
# not attach to the type and checks with a Python function instead (``ge`` on a str).
_CONSTRAINT_NAMES = frozenset(
    "ge gt le lt multiple_of min_length max_length max_digits decimal_places".split()
)


def _misplaced_constraint(schema: Any) -> str | None:
    stack: list[Any] = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            for key, value in node.items():
                if key in _CONSTRAINT_NAMES:
                    return str(key)
                if key == "properties" and isinstance(value, dict):
                    stack.extend(value.values())
                elif key not in ("enum", "const", "default", "examples", "example"):
                    stack.append(value)
    return None


def _refuse_unsound(tool_name: str, core: CoreNode, parameters: Sequence[Parameter]) -> None:
    """Sets of unhashable items, and iterables a class validates lazily (``core_checks``)."""
    problem = unhashable(core) or lazy_field(core, outermost=False)
    if problem is None:
        return
    culprit = None
    for parameter in parameters:
        alone: CoreNode = dict(TypeAdapter(parameter.annotation).core_schema)
        if unhashable(alone) or lazy_field(alone):
            culprit = parameter.name
            break
    raise ToolDefinitionError(tool_name, problem, culprit)


def _json_culprit(parameters: Sequence[Parameter]) -> str | None:
    for parameter in parameters:
        try:
            TypeAdapter(parameter.annotation).json_schema(schema_generator=ToolJsonSchema)
        except Exception:
            return parameter.name
    return None


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def arguments_model(
    tool_name: str, parameters: Sequence[Parameter]
) -> tuple[type[BaseModel], list[str]]:
    """The pydantic model of the parameters, and each parameter's field name in it."""
    field_names = [_field_name(p.name, index) for index, p in enumerate(parameters)]
    definitions: dict[str, Any] = {
        field: (p.annotation, _field_info(p))
        for p, field in zip(parameters, field_names, strict=True)
    }
    model_name = "".join(part.title() for part in re.split(r"[^A-Za-z0-9]+", tool_name)) or "Tool"
    try:
        model = create_model(f"{model_name}Arguments", __config__=_CONFIG, **definitions)
    except Exception as error:  # pydantic's errors, and whatever exotic types raise
        raise ToolDefinitionError(
            tool_name,
            f"unsupported type: {_first_line(error)}",
            _culprit(definitions, parameters),
        ) from error
    if not model.__pydantic_complete__:
        # Pydantic defers a model naming a type not defined yet; a tool cannot wait for it.
        raise ToolDefinitionError(
            tool_name,
            "its type is not fully defined (a forward reference pydantic cannot resolve); "
            "define every type it names before the tool",
            _culprit(definitions, parameters),
        )
    return model, field_names


def _field_name(name: str, index: int) -> str:
    """A pydantic-safe field name: leading underscores would make a private attribute, and
    some names shadow BaseModel members. The parameter's own name stays its alias."""
    if name.startswith("_") or name.startswith("model_") or hasattr(BaseModel, name):
        return f"parameter_{index}"
    return name


def _field_info(parameter: Parameter) -> FieldInfo:
    default = ... if parameter.required else parameter.default
    info: FieldInfo
    if parameter.description and not _describes_itself(parameter.annotation):
        info = Field(default, alias=parameter.name, description=parameter.description)
    else:
        info = Field(default, alias=parameter.name)
    return info


def _describes_itself(annotation: Any) -> bool:
    """``Annotated[..., Field(description=...)]``: that description wins over the docstring."""
    return get_origin(annotation) is Annotated and any(
        isinstance(meta, FieldInfo) and meta.description for meta in get_args(annotation)[1:]
    )


def _culprit(definitions: dict[str, Any], parameters: Sequence[Parameter]) -> str | None:
    """Find the parameter whose annotation pydantic rejected, by building each alone."""
    for parameter, definition in zip(parameters, definitions.values(), strict=True):
        try:
            if not create_model("Probe", x=definition).__pydantic_complete__:
                return parameter.name
        except Exception:
            return parameter.name
    return None


def _check_model_defaults(
    tool_name: str,
    model: type[BaseModel],
    parameters: Sequence[Parameter],
    field_names: list[str],
) -> None:
    blank = model.model_construct()
    for parameter, field in zip(parameters, field_names, strict=True):
        if parameter.required:
            continue
        try:
            model.__pydantic_validator__.validate_assignment(
                blank, field, parameter.default, strict=True
            )
        except ValidationError as error:
            problem = error.errors()[0]["msg"]
            raise _bad_default(tool_name, parameter.name, parameter.default, problem) from None
