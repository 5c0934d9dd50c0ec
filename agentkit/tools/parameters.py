"""Reading a function's signature into the validated-arguments engine of a tool.

The same core schema yields the JSON Schema the model sees and validates the arguments the
model sends, so what is declared is exactly what is accepted. Everything that cannot work is
found here, when the tool is defined: ``*args``/``**kwargs``, positional-only or unannotated
parameters, names Gemini refuses, defaults that do not fit their annotation, types pydantic
cannot handle.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from types import UnionType
from typing import Any, Union, get_args, get_origin

from agentkit.errors import ToolDefinitionError
from agentkit.schema.core_to_json import Unsupported
from agentkit.tools.argument_engines import (
    Engine,
    Parameter,
    model_engine,
    typed_dict_engine,
)
from agentkit.tools.context import ToolContext
from agentkit.tools.docstrings import Docstring

PARAMETER_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")


@dataclass(frozen=True)
class Arguments:
    """The validated-arguments engine of one tool.

    Attributes:
        parameters: the model-visible parameters, in signature order.
        engine: the validator, its core schema and the parameters' JSON Schema.
        context_parameter: the parameter that receives the ``ToolContext``, if any.
        return_annotation: the function's return annotation (``inspect.Signature.empty`` if
            none).
    """

    parameters: tuple[Parameter, ...]
    engine: Engine
    context_parameter: str | None
    return_annotation: Any

    def validate(self, args: dict[str, Any]) -> dict[str, Any]:
        """The call's keyword arguments, validated: nested models and dataclasses as the
        objects their annotations name. Raises pydantic's ``ValidationError``."""
        return self.engine.validate(args)


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
    parameters: list[Parameter] = []
    context_parameter = None
    for parameter in signature.parameters.values():
        if is_context_annotation(parameter.annotation):
            context_parameter = parameter.name
            continue
        _check_parameter(tool_name, parameter)
        parameters.append(
            Parameter(
                parameter.name,
                parameter.annotation,
                parameter.default,
                docs.parameters.get(parameter.name),
            )
        )
    try:
        engine = typed_dict_engine(tool_name, parameters)
    except Unsupported:
        engine = model_engine(tool_name, parameters)
    return Arguments(tuple(parameters), engine, context_parameter, signature.return_annotation)


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
