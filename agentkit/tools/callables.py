"""What ``tool()`` was given: the callable behind it, its default name and its own docstring.

``tool()`` accepts anything a user may reasonably pass — functions, methods, lambdas,
builtins, classes (pydantic models and dataclasses among them), ``functools.partial``
objects, callable instances, ``staticmethod`` objects — and refuses everything else with a
``ToolDefinitionError`` saying what to pass instead. The description a tool gets must be
written for *this* callable: ``inspect.getdoc`` would give a pydantic model without a
docstring BaseModel's, a partial object ``functools.partial``'s, an instance its library
base class's; here only a callable's own docstring counts.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from agentkit.errors import ToolDefinitionError


@dataclass(frozen=True)
class Target:
    """A callable ready to become a tool.

    Attributes:
        call: what the tool calls (a ``staticmethod`` object unwrapped to its function).
        name: the name the tool gets unless one is given.
        doc: the docstring written for this callable (its raw text; None if there is none).
    """

    call: Callable[..., Any]
    name: str
    doc: object


def target_of(obj: object) -> Target:
    """The callable behind ``obj``; raises ``ToolDefinitionError`` for what cannot be one."""
    if isinstance(obj, staticmethod):
        obj = obj.__func__
    if isinstance(obj, classmethod):
        raise ToolDefinitionError(
            _label(obj.__func__),
            "a classmethod object cannot be called by itself; pass the bound method "
            "(Owner.method) to tool() instead",
        )
    if not callable(obj):
        raise ToolDefinitionError(
            _label(obj),
            f"is not callable (it is {_kind(obj)}); tool() takes a function, a method or "
            "another callable",
        )
    name = _name(obj)
    if _is_generator(obj):
        raise ToolDefinitionError(
            name,
            "is a generator function; a tool returns one result, so collect the items and "
            "return a list instead",
        )
    return Target(obj, name, _own_doc(obj))


_GENERATOR_FLAGS = inspect.CO_GENERATOR | inspect.CO_ASYNC_GENERATOR


def _label(obj: object) -> str:
    """How an error names the object: the tool's name-to-be, or a short repr."""
    if callable(obj):
        return _name(obj)
    try:
        text = repr(obj)
    except Exception:
        text = f"<{type(obj).__name__} object>"
    return text if len(text) <= 60 else text[:57] + "..."


def _kind(obj: object) -> str:
    name = type(obj).__name__
    return f"an {name}" if name[:1].lower() in "aeiou" else f"a {name}"


def _is_generator(obj: object) -> bool:
    """Generator and async generator functions, also behind partials and ``__call__``."""
    try:
        if inspect.isfunction(obj):  # the usual case, read from the code object's flags
            return bool(obj.__code__.co_flags & _GENERATOR_FLAGS)
        if inspect.isgeneratorfunction(obj) or inspect.isasyncgenfunction(obj):
            return True
        if inspect.ismethod(obj) or isinstance(obj, type):
            return False
        call = type(obj).__call__
        return inspect.isgeneratorfunction(call) or inspect.isasyncgenfunction(call)
    except Exception:  # a callable that cannot be inspected is left to the signature check
        return False


def _name(obj: object) -> str:
    while isinstance(obj, functools.partial):
        obj = obj.func
    name = None
    # A callable instance is named after its class, unless it wraps a function (then
    # functools.update_wrapper gave it that function's __name__ of its own).
    if inspect.isroutine(obj) or isinstance(obj, type) or _has_own(obj, "__name__"):
        name = _own_str(obj, "__name__")
    return name if name is not None else type(obj).__name__


def _own_doc(obj: object) -> object:
    """The docstring written for ``obj`` itself (see the module docstring)."""
    while isinstance(obj, functools.partial):
        obj = obj.func
    if isinstance(obj, type):
        return _class_doc(obj)
    if inspect.isroutine(obj) or _has_own(obj, "__doc__"):
        return _safe_getattr(obj, "__doc__")
    call = _safe_getattr(type(obj), "__call__")
    if inspect.isfunction(call) and call.__doc__:
        return call.__doc__
    return _class_doc(type(obj))


def _class_doc(cls: type) -> object:
    """A class's own docstring (never a base class's), or else its own ``__init__``'s; the
    signature text ``dataclasses`` and ``namedtuple`` write into undocumented classes does
    not count."""
    doc = cls.__dict__.get("__doc__")
    generated = dataclasses.is_dataclass(cls) or hasattr(cls, "_fields")
    if isinstance(doc, str) and generated and doc.startswith(cls.__name__ + "("):
        doc = None
    if doc:
        return doc
    init = cls.__dict__.get("__init__")
    return init.__doc__ if inspect.isfunction(init) else None


def _own_str(obj: object, attribute: str) -> str | None:
    value = _safe_getattr(obj, attribute)
    return value if isinstance(value, str) else None


def _has_own(obj: object, attribute: str) -> bool:
    try:
        return attribute in vars(obj)
    except TypeError:  # no __dict__
        return False


def _safe_getattr(obj: object, attribute: str) -> Any:
    """``getattr`` that survives objects whose attributes raise (properties, proxies)."""
    try:
        return getattr(obj, attribute, None)
    except Exception:
        return None


def is_unbound_method(fn: Callable[..., Any]) -> bool:
    """A function defined in a class body whose first parameter is an unannotated ``self``."""
    qualname = getattr(fn, "__qualname__", "")
    if not inspect.isfunction(fn) or not isinstance(qualname, str):
        return False
    if "." not in qualname.replace("<locals>.", ""):
        return False
    try:
        parameters = list(inspect.signature(fn).parameters.values())
    except Exception:  # reported by the signature check that follows
        return False
    return (
        bool(parameters)
        and parameters[0].name == "self"
        and parameters[0].annotation is inspect.Parameter.empty
    )


def is_async(fn: Callable[..., Any]) -> bool:
    if inspect.iscoroutinefunction(fn):
        return True
    if inspect.isfunction(fn) or inspect.ismethod(fn) or isinstance(fn, type):
        return False
    try:
        return inspect.iscoroutinefunction(type(fn).__call__)
    except Exception:
        return False
