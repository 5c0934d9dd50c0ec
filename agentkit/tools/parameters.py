"""Reading a function's signature into one pydantic model of its arguments.

The same model yields the JSON Schema the model sees and validates the arguments the model
sends, so what is declared is exactly what is accepted. Everything that cannot work is found
here, when the tool is defined: ``*args``/``**kwargs``, positional-only or unannotated
parameters, names Gemini refuses, defaults that do not fit their annotation, types pydantic
cannot handle.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, PydanticUserError, ValidationError, create_model
from pydantic.errors import PydanticSchemaGenerationError
from pydantic.fields import FieldInfo

from agentkit.errors import ToolDefinitionError
from agentkit.tools.context import ToolContext
from agentkit.tools.docstrings import Docstring

PARAMETER_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")


@dataclass(frozen=True)
class Arguments:
    """The validated-arguments engine of one tool.

    Attributes:
        model: the pydantic model of the model-visible parameters.
        fields: (parameter name, model field name) pairs; they differ where a parameter name
            would clash with pydantic (``_private``, ``model_*``, ``json``...).
        context_parameter: the parameter that receives the ``ToolContext``, if any.
        return_annotation: the function's return annotation (``inspect.Signature.empty`` if
            none).
    """

    model: type[BaseModel]
    fields: tuple[tuple[str, str], ...]
    context_parameter: str | None
    return_annotation: Any

    def to_kwargs(self, validated: BaseModel) -> dict[str, Any]:
        """The call's keyword arguments: validated objects (models, dataclasses), not dicts."""
        return {name: getattr(validated, field) for name, field in self.fields}


def is_context_annotation(annotation: Any) -> bool:
    """``ToolContext``, ``ToolContext[Deps]``, or either of them ``| None``."""
    if annotation is ToolContext or get_origin(annotation) is ToolContext:
        return True
    if get_origin(annotation) in (Union, UnionType):
        members = [a for a in get_args(annotation) if a is not type(None)]
        return len(members) == 1 and is_context_annotation(members[0])
    return False


def build_arguments(
    tool_name: str,
    fn: Callable[..., Any],
    docs: Docstring,
    namespace: dict[str, Any] | None = None,
) -> Arguments:
    try:
        signature = inspect.signature(fn, eval_str=True, locals=namespace)
    except (NameError, TypeError, SyntaxError) as error:
        raise ToolDefinitionError(
            tool_name, f"its annotations cannot be resolved: {error}"
        ) from error
    definitions: dict[str, Any] = {}
    fields: list[tuple[str, str]] = []
    context_parameter = None
    for index, parameter in enumerate(signature.parameters.values()):
        annotation = parameter.annotation
        if is_context_annotation(annotation):
            context_parameter = parameter.name
            continue
        _check_parameter(tool_name, parameter)
        field_name = _field_name(parameter.name, index)
        definitions[field_name] = (annotation, _field_info(parameter, docs))
        fields.append((parameter.name, field_name))
    model = _create_model(tool_name, definitions, fields)
    _check_defaults(tool_name, model, signature, dict(fields))
    return Arguments(model, tuple(fields), context_parameter, signature.return_annotation)


def _check_parameter(tool_name: str, parameter: inspect.Parameter) -> None:
    name = parameter.name
    if parameter.kind is inspect.Parameter.VAR_POSITIONAL:
        raise ToolDefinitionError(
            tool_name, "*args cannot be declared to the model; name each parameter", name
        )
    if parameter.kind is inspect.Parameter.VAR_KEYWORD:
        raise ToolDefinitionError(
            tool_name, "**kwargs cannot be declared to the model; name each parameter", name
        )
    if parameter.kind is inspect.Parameter.POSITIONAL_ONLY:
        raise ToolDefinitionError(
            tool_name,
            "positional-only parameters cannot receive the model's named arguments; "
            "remove the '/' from the signature",
            name,
        )
    if parameter.annotation is inspect.Parameter.empty:
        raise ToolDefinitionError(
            tool_name, "has no type annotation; the schema is built from annotations", name
        )
    if not PARAMETER_NAME.match(name):
        raise ToolDefinitionError(
            tool_name,
            "Gemini accepts parameter names of letters, digits and '_' starting with a letter "
            "or '_', at most 64 characters",
            name,
        )


def _field_name(name: str, index: int) -> str:
    """A pydantic-safe field name: leading underscores would make a private attribute, and
    some names shadow BaseModel members."""
    if name.startswith("_") or name.startswith("model_") or hasattr(BaseModel, name):
        return f"parameter_{index}"
    return name


def _field_info(parameter: inspect.Parameter, docs: Docstring) -> FieldInfo:
    """The field's default and description; a ``Field(description=...)`` in the annotation
    wins over the docstring."""
    has_default = parameter.default is not inspect.Parameter.empty
    described_in_annotation = any(
        isinstance(meta, FieldInfo) and meta.description
        for meta in (
            get_args(parameter.annotation)[1:] if _is_annotated(parameter.annotation) else ()
        )
    )
    description = None if described_in_annotation else docs.parameters.get(parameter.name)
    default = parameter.default if has_default else ...
    info: FieldInfo
    if description:
        info = Field(default, alias=parameter.name, description=description)
    else:
        info = Field(default, alias=parameter.name)
    return info


def _is_annotated(annotation: Any) -> bool:
    return get_origin(annotation) is Annotated


def _create_model(
    tool_name: str, definitions: dict[str, Any], fields: list[tuple[str, str]]
) -> type[BaseModel]:
    model_name = "".join(part.title() for part in re.split(r"[^A-Za-z0-9]+", tool_name)) or "Tool"
    try:
        return create_model(
            f"{model_name}Arguments",
            __config__=ConfigDict(extra="forbid"),
            **definitions,
        )
    except (PydanticSchemaGenerationError, PydanticUserError, TypeError) as error:
        culprit = _culprit(definitions, fields, error)
        first_line = str(error).strip().splitlines()[0]
        raise ToolDefinitionError(tool_name, f"unsupported type: {first_line}", culprit) from error


def _culprit(
    definitions: dict[str, Any], fields: list[tuple[str, str]], error: Exception
) -> str | None:
    """Find the parameter whose annotation pydantic rejected, by building each alone."""
    for name, field_name in fields:
        try:
            create_model("Probe", **{field_name: definitions[field_name]})
        except Exception:
            return name
    return None


def _check_defaults(
    tool_name: str,
    model: type[BaseModel],
    signature: inspect.Signature,
    field_names: dict[str, str],
) -> None:
    """Validate each default with the tool's own validator (pydantic does not by default)."""
    blank = model.model_construct()
    for name, field_name in field_names.items():
        default = signature.parameters[name].default
        if default is inspect.Parameter.empty:
            continue
        try:
            model.__pydantic_validator__.validate_assignment(blank, field_name, default)
        except ValidationError as error:
            if default is None:
                reason = (
                    "defaults to None but its type does not admit None; annotate it as 'X | None'"
                )
            else:
                problem = error.errors()[0]["msg"]
                reason = f"default {default!r} does not match the annotation: {problem}"
            raise ToolDefinitionError(tool_name, reason, name) from None
