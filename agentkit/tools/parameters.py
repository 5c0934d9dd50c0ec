"""Reading a callable's signature into the validated-arguments engine of a tool.

The same core schema yields the JSON Schema the model sees and validates the arguments the
model sends, so what is declared is exactly what is accepted. Everything that cannot work is
found here, when the tool is defined: ``*args``/``**kwargs``, positional-only or unannotated
parameters, names Gemini refuses, annotations that do not resolve, defaults that do not fit
their annotation, types pydantic cannot handle. A return annotation is only a hint to the
model: one that does not resolve is dropped, never fatal.
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from types import UnionType
from typing import TYPE_CHECKING, Any, Union, get_args, get_origin

from agentkit.errors import ToolDefinitionError
from agentkit.logs import get_logger
from agentkit.tools.argument_engines import (
    Engine,
    Parameter,
    model_engine,
    typed_dict_engine,
)
from agentkit.tools.class_engine import class_engine, is_validated_class
from agentkit.tools.context import ToolContext
from agentkit.tools.engine_check import fast_nodes_agree

if TYPE_CHECKING:
    from agentkit.tools.docstrings import Docstring

PARAMETER_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
NO_RETURN = inspect.Signature.empty


@dataclass(frozen=True)
class Arguments:
    """The validated-arguments engine of one tool.

    Attributes:
        parameters: the model-visible parameters, in signature order.
        engine: the validator, its core schema and the parameters' JSON Schema.
        context_parameter: the parameter that receives the ``ToolContext``, if any.
        return_annotation: the function's return annotation (``inspect.Signature.empty`` if
            none, or if it could not be resolved).
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
    if is_validated_class(fn):
        assert isinstance(fn, type)
        engine, fields = class_engine(tool_name, fn, docs.parameters)
        # The result is the instance the arguments describe: nothing more to declare.
        return Arguments(fields, engine, None, NO_RETURN)
    signature = read_signature(tool_name, fn, namespace)
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
    fast = _fast_engine(tool_name, parameters) if fast_nodes_agree() else None
    engine = fast if fast is not None else model_engine(tool_name, parameters)
    return Arguments(tuple(parameters), engine, context_parameter, signature.return_annotation)


def _fast_engine(tool_name: str, parameters: list[Parameter]) -> Engine | None:
    try:
        return typed_dict_engine(tool_name, parameters)
    except ToolDefinitionError:
        raise
    except Exception:  # Unsupported, or anything the fast path did not foresee
        return None


def read_signature(
    tool_name: str, fn: Callable[..., Any], namespace: dict[str, Any] | None
) -> inspect.Signature:
    """The signature with string annotations resolved. Raises ``ToolDefinitionError`` naming
    the parameter whose annotation does not resolve; a return annotation that does not
    resolve is dropped (and logged at debug level)."""
    try:
        return inspect.signature(fn, eval_str=True, locals=namespace)
    except Exception as error:
        resolve_error = error
    try:
        raw = inspect.signature(fn)
    except Exception as error:
        raise ToolDefinitionError(
            tool_name,
            f"Python cannot read its signature ({_first_line(error)}); wrap it in a def with "
            "annotated parameters and make that the tool",
        ) from error
    scope = _globals_of(fn)
    resolved = []
    for parameter in raw.parameters.values():
        try:
            annotation = _resolve(parameter.annotation, scope, namespace)
        except Exception as error:
            raise ToolDefinitionError(
                tool_name,
                f"its annotation {parameter.annotation!r} cannot be resolved: {_first_line(error)}",
                parameter.name,
            ) from error
        resolved.append(parameter.replace(annotation=annotation))
    try:
        returns = _resolve(raw.return_annotation, scope, namespace)
    except Exception as error:
        get_logger().debug(
            "tool.return_annotation_dropped", tool=tool_name, reason=_first_line(error)
        )
        returns = NO_RETURN
    try:
        return raw.replace(parameters=resolved, return_annotation=returns)
    except Exception:
        raise ToolDefinitionError(
            tool_name, f"its annotations cannot be resolved: {_first_line(resolve_error)}"
        ) from resolve_error


def _resolve(annotation: Any, scope: dict[str, Any], namespace: dict[str, Any] | None) -> Any:
    """One string annotation resolved the way ``inspect.signature(eval_str=True)`` does."""
    if not isinstance(annotation, str):
        return annotation
    holder = _OneAnnotation(annotation)
    return inspect.get_annotations(holder, globals=scope, locals=namespace, eval_str=True)["x"]


class _OneAnnotation:
    """A callable carrying one annotation, for ``inspect.get_annotations`` to resolve."""

    def __init__(self, annotation: str) -> None:
        self.__annotations__ = {"x": annotation}

    def __call__(self) -> None: ...


def _globals_of(fn: Any) -> dict[str, Any]:
    """The module globals the callable's annotations were written in."""
    while isinstance(fn, functools.partial):
        fn = fn.func
    if isinstance(fn, type):
        fn = fn.__dict__.get("__init__", fn)
    elif not inspect.isroutine(fn):
        fn = vars(type(fn)).get("__call__", fn)
    fn = inspect.unwrap(getattr(fn, "__func__", fn))
    scope = getattr(fn, "__globals__", None)
    return scope if isinstance(scope, dict) else {}


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


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
            "remove the '/' from the signature (or, for a built-in, wrap it in a def)",
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
