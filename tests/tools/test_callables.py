"""``tool(x)`` for any x: a Tool whose declaration is written for x, or a ToolDefinitionError.

Checked against a zoo (builtins, classes, pydantic models, dataclasses, partials, callable
instances, descriptors, generators, broken objects), each with its exact outcome, and against
every member of a set of standard-library modules: nothing raises anything else.
"""

from __future__ import annotations

import abc
import builtins
import collections
import dataclasses
import datetime
import decimal
import enum
import functools
import inspect
import itertools
import json
import logging
import math
import operator
import pathlib
import re
import types
import typing
from collections.abc import Callable
from typing import Any, NamedTuple, NoReturn, Self, TypeVar
from unittest import mock

import pytest
from pydantic import BaseModel, Field, RootModel, field_validator
from typing_extensions import TypedDict

from agentkit.errors import ToolDefinitionError
from agentkit.tools import Tool, tool


def add(a: int, b: int = 1) -> int:
    """Add two numbers.

    Args:
        a: The first.
        b: The second.
    """
    return a + b


class Plain:
    """A plain class."""

    def __init__(self, x: int) -> None:
        self.x = x


class Booking(BaseModel):
    """Book a room.

    Attributes:
        nights: How many nights.
    """

    room: str = Field(description="Which room.")
    nights: int = Field(ge=1)
    tags: list[str] = Field(default_factory=list)

    @field_validator("room")
    @classmethod
    def known(cls, value: str) -> str:
        if value not in ("blue", "red"):
            raise ValueError("unknown room")
        return value


class Undocumented(BaseModel):
    x: int


class Root(RootModel[list[int]]):
    pass


@dataclasses.dataclass
class Span:
    """A span of days."""

    start: datetime.date
    days: int = 1
    notes: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Bare:
    x: int


class Point(TypedDict):
    x: int
    y: int


class Pair(NamedTuple):
    a: int
    b: str = "x"


class Colour(enum.Enum):
    RED = "red"


class Greeter:
    """Says hello."""

    def __init__(self) -> None:
        # Attributes named like the Tool's own must not leak into it.
        self.name = "my greeter"
        self.timeout = "soon"

    def __call__(self, who: str) -> str:
        """Greet someone.

        Args:
            who: Whom to greet.
        """
        return f"hello {who}"


class Quiet:
    """Greets quietly."""

    def __call__(self, who: str) -> str:
        return who


class Base:
    def __call__(self, n: int) -> int:
        """Double n."""
        return 2 * n


class Derived(Base):
    pass


class Wrapper:
    """A decorator class: its instances wrap a function and take its name and docstring."""

    def __init__(self, fn: Callable[..., Any]) -> None:
        functools.update_wrapper(self, fn)
        self.fn = fn

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.fn(*args, **kwargs)


class Methods:
    def clone(self, n: int) -> Self:
        return self

    @classmethod
    def make(cls, n: int) -> int:
        return n

    @staticmethod
    def helper(n: int) -> int:
        """Help with n."""
        return n


def gen(n: int) -> typing.Iterator[int]:
    yield n


async def agen(n: int) -> typing.AsyncIterator[int]:
    yield n


async def coro(n: int) -> int:
    return n


class BrokenSignature:
    __signature__ = 42

    def __call__(self, x: int) -> int:
        return x


class RaisingSignature:
    @property
    def __signature__(self) -> inspect.Signature:
        raise RuntimeError("no signature today")

    def __call__(self, x: int) -> int:
        return x


class RaisingDoc:
    @property  # type: ignore[misc]
    def __doc__(self) -> str:  # type: ignore[override]
        raise RuntimeError("no doc today")

    def __call__(self, x: int) -> int:
        return x


def int_doc(x: int) -> int:
    return x


int_doc.__doc__ = 42  # type: ignore[assignment]
T = TypeVar("T")


def callable_param(fn: Callable[[int], int]) -> None: ...
def type_param(t: type[int]) -> None: ...
def noreturn_param(n: NoReturn) -> None: ...
def typevar_param(v: T) -> None: ...
def object_param(o: object) -> None: ...
def unresolved_parameter(x: Missing) -> None: ...  # type: ignore[name-defined]  # noqa: F821
def unresolved_return(x: int) -> Missing: ...  # type: ignore[name-defined]  # noqa: F821


def unresolvable(annotation: str) -> Callable[..., None]:
    def f(x) -> None: ...  # type: ignore[no-untyped-def]

    f.__annotations__ = {"x": annotation}
    return f


POSITIONAL = (
    "positional-only parameters cannot receive the model's named arguments; remove the '/' "
    "from the signature (or, for a built-in, wrap it in a def)"
)
NOT_CALLABLE = "tool() takes a function, a method or another callable"


def no_signature(name: str, detail: str) -> str:
    return (
        f"tool {name!r}: Python cannot read its signature ({detail}); wrap it in a def with "
        "annotated parameters and make that the tool"
    )


REFUSED: dict[str, tuple[Any, str]] = {
    "builtin min": (
        min,
        no_signature("min", "no signature found for builtin <built-in function min>"),
    ),
    "builtin len": (len, f"tool 'len', parameter 'obj': {POSITIONAL}"),
    "builtin print": (
        print,
        "tool 'print', parameter 'args': *args cannot be declared to the model; name each parameter",
    ),
    "C function math.sqrt": (math.sqrt, f"tool 'sqrt', parameter 'x': {POSITIONAL}"),
    "C function operator.add": (operator.add, f"tool 'add', parameter 'a': {POSITIONAL}"),
    "method descriptor str.upper": (str.upper, f"tool 'upper', parameter 'self': {POSITIONAL}"),
    "builtin class int": (
        int,
        no_signature("int", "no signature found for builtin type <class 'int'>"),
    ),
    "builtin class datetime.date": (
        datetime.date,
        no_signature("date", "no signature found for builtin type <class 'datetime.date'>"),
    ),
    "exception class": (
        ValueError,
        no_signature("ValueError", "no signature found for builtin type <class 'ValueError'>"),
    ),
    "enum class": (
        Colour,
        "tool 'Colour', parameter 'value': has no type annotation; the schema is built from annotations",
    ),
    "RootModel class": (
        Root,
        "tool 'Root': a RootModel has no named fields to take the model's arguments; pass a function that takes the root value as a parameter instead",
    ),
    "partial of a builtin": (
        functools.partial(min, 1),
        no_signature("min", "no signature found for builtin <built-in function min>"),
    ),
    "classmethod object": (
        classmethod(add),
        "tool 'add': a classmethod object cannot be called by itself; pass the bound method (Owner.method) to tool() instead",
    ),
    "lambda": (
        lambda n: n,
        "tool '<lambda>': invalid function name '<lambda>': Gemini accepts letters, digits, '_', '.', ':' or '-', starting with a letter or '_', at most 63; give the tool a name with tool(name=...)",
    ),
    "generator function": (
        gen,
        "tool 'gen': is a generator function; a tool returns one result, so collect the items and return a list instead",
    ),
    "async generator function": (
        agen,
        "tool 'agen': is a generator function; a tool returns one result, so collect the items and return a list instead",
    ),
    "int": (42, f"tool '42': is not callable (it is an int); {NOT_CALLABLE}"),
    "str": ("text", f"tool \"'text'\": is not callable (it is a str); {NOT_CALLABLE}"),
    "list": (
        [add],
        f"tool '[<function add at 0x{id(add):x}>]': is not callable (it is a list); {NOT_CALLABLE}",
    ),
    "Mock": (
        mock.Mock(),
        "tool 'Mock', parameter 'args': *args cannot be declared to the model; name each parameter",
    ),
    "broken __signature__": (
        BrokenSignature(),
        no_signature("BrokenSignature", "unexpected object 42 in __signature__ attribute"),
    ),
    "__signature__ that raises": (
        RaisingSignature(),
        no_signature("RaisingSignature", "no signature today"),
    ),
    "Callable parameter": (
        callable_param,
        "tool 'callable_param', parameter 'fn': its parameters have no JSON Schema: Cannot generate a JsonSchema for core_schema.CallableSchema",
    ),
    "type[...] parameter": (
        type_param,
        "tool 'type_param', parameter 't': type[...] takes a class, which no JSON value is (the schema would admit anything, validation nothing); take a name or an enum and look the class up",
    ),
    "NoReturn parameter": (
        noreturn_param,
        "tool 'noreturn_param', parameter 'n': unsupported type: Unable to generate pydantic-core schema for typing.NoReturn. Set `arbitrary_types_allowed=True` in the model_config to ignore this error or implement `__get_pydantic_core_schema__` on your type to fully support it.",
    ),
    "unresolvable parameter annotation": (
        unresolved_parameter,
        "tool 'unresolved_parameter', parameter 'x': its annotation 'Missing' cannot be resolved: name 'Missing' is not defined",
    ),
    "annotation that raises when resolved": (
        unresolvable("1/0"),
        "tool 'f', parameter 'x': its annotation '1/0' cannot be resolved: division by zero",
    ),
    "annotation that is not an expression": (
        unresolvable("1 +"),
        "tool 'f', parameter 'x': its annotation '1 +' cannot be resolved: invalid syntax (<string>, line 1)",
    ),
}


@pytest.mark.parametrize(("obj", "message"), REFUSED.values(), ids=REFUSED)
def test_what_cannot_be_a_tool_is_refused_saying_what_to_do(obj: Any, message: str) -> None:
    with pytest.raises(ToolDefinitionError) as caught:
        tool(obj)
    assert str(caught.value) == message


def one_integer(name: str) -> dict[str, Any]:
    """The parameters schema of a callable taking one required int."""
    return {
        "additionalProperties": False,
        "properties": {name: {"type": "integer"}},
        "required": [name],
        "type": "object",
    }


ADD_PARAMETERS = {
    "a": {"description": "The first.", "type": "integer"},
    "b": {"default": 1, "description": "The second.", "type": "integer"},
}
ADD = {
    "name": "add",
    "description": "Add two numbers.",
    "parametersJsonSchema": {
        "additionalProperties": False,
        "properties": ADD_PARAMETERS,
        "required": ["a"],
        "type": "object",
    },
    "responseJsonSchema": {"type": "integer"},
}
ACCEPTED: dict[str, tuple[Any, dict[str, Any]]] = {
    "bound builtin method": (
        "abc".upper,
        {
            "name": "upper",
            "description": "Return a copy of the string converted to uppercase.",
            "parametersJsonSchema": {
                "additionalProperties": False,
                "properties": {},
                "type": "object",
            },
        },
    ),
    "plain class": (
        Plain,
        {
            "name": "Plain",
            "description": "A plain class.",
            "parametersJsonSchema": one_integer("x"),
        },
    ),
    "pydantic model class": (
        Booking,
        {
            "name": "Booking",
            "description": "Book a room.",
            "parametersJsonSchema": {
                "properties": {
                    "room": {"description": "Which room.", "type": "string"},
                    "nights": {"description": "How many nights.", "minimum": 1, "type": "integer"},
                    "tags": {"items": {"type": "string"}, "type": "array"},
                },
                "required": ["room", "nights"],
                "type": "object",
            },
        },
    ),
    "undocumented model class (not BaseModel's docstring)": (
        Undocumented,
        {
            "name": "Undocumented",
            "parametersJsonSchema": {
                "properties": {"x": {"type": "integer"}},
                "required": ["x"],
                "type": "object",
            },
        },
    ),
    "dataclass with a default factory": (
        Span,
        {
            "name": "Span",
            "description": "A span of days.",
            "parametersJsonSchema": {
                "properties": {
                    "start": {"format": "date", "type": "string"},
                    "days": {"default": 1, "type": "integer"},
                    "notes": {"items": {"type": "string"}, "type": "array"},
                },
                "required": ["start"],
                "type": "object",
            },
        },
    ),
    "undocumented dataclass (not its generated signature text)": (
        Bare,
        {
            "name": "Bare",
            "parametersJsonSchema": {
                "properties": {"x": {"type": "integer"}},
                "required": ["x"],
                "type": "object",
            },
        },
    ),
    "TypedDict class": (
        Point,
        {
            "name": "Point",
            "parametersJsonSchema": {
                "properties": {"x": {"type": "integer"}, "y": {"type": "integer"}},
                "required": ["x", "y"],
                "type": "object",
            },
        },
    ),
    "NamedTuple class (not its generated docstring)": (
        Pair,
        {
            "name": "Pair",
            "parametersJsonSchema": {
                "additionalProperties": False,
                "properties": {"a": {"type": "integer"}, "b": {"default": "x", "type": "string"}},
                "required": ["a"],
                "type": "object",
            },
        },
    ),
    "partial binding a positional argument": (
        functools.partial(add, 1),
        {
            "name": "add",
            "description": "Add two numbers.",
            "parametersJsonSchema": {
                "additionalProperties": False,
                "properties": {"b": ADD_PARAMETERS["b"]},
                "type": "object",
            },
            "responseJsonSchema": {"type": "integer"},
        },
    ),
    "partial binding a keyword": (
        functools.partial(add, b=2),
        {
            "name": "add",
            "description": "Add two numbers.",
            "parametersJsonSchema": {
                "additionalProperties": False,
                "properties": {
                    "a": ADD_PARAMETERS["a"],
                    "b": {**ADD_PARAMETERS["b"], "default": 2},
                },
                "required": ["a"],
                "type": "object",
            },
            "responseJsonSchema": {"type": "integer"},
        },
    ),
    "callable instance": (
        Greeter(),
        {
            "name": "Greeter",
            "description": "Greet someone.",
            "parametersJsonSchema": {
                "additionalProperties": False,
                "properties": {"who": {"description": "Whom to greet.", "type": "string"}},
                "required": ["who"],
                "type": "object",
            },
            "responseJsonSchema": {"type": "string"},
        },
    ),
    "callable instance, undocumented __call__": (
        Quiet(),
        {
            "name": "Quiet",
            "description": "Greets quietly.",
            "parametersJsonSchema": {
                "additionalProperties": False,
                "properties": {"who": {"type": "string"}},
                "required": ["who"],
                "type": "object",
            },
            "responseJsonSchema": {"type": "string"},
        },
    ),
    "callable instance, inherited __call__": (
        Derived(),
        {
            "name": "Derived",
            "description": "Double n.",
            "parametersJsonSchema": one_integer("n"),
            "responseJsonSchema": {"type": "integer"},
        },
    ),
    "instance wrapping a function": (
        Wrapper(add),
        ADD,
    ),
    "staticmethod object": (
        staticmethod(add),
        ADD,
    ),
    "method returning Self (no response schema)": (
        Methods().clone,
        {
            "name": "clone",
            "parametersJsonSchema": one_integer("n"),
        },
    ),
    "unresolvable return annotation (no response schema)": (
        unresolved_return,
        {
            "name": "unresolved_return",
            "parametersJsonSchema": one_integer("x"),
        },
    ),
    "doc that raises": (
        RaisingDoc(),
        {
            "name": "RaisingDoc",
            "parametersJsonSchema": one_integer("x"),
            "responseJsonSchema": {"type": "integer"},
        },
    ),
    "doc that is not a string": (
        int_doc,
        {
            "name": "int_doc",
            "parametersJsonSchema": one_integer("x"),
            "responseJsonSchema": {"type": "integer"},
        },
    ),
    "object and TypeVar parameters (any value)": (
        functools.partial(typevar_param),
        {
            "name": "typevar_param",
            "parametersJsonSchema": {
                "additionalProperties": False,
                "properties": {"v": {}},
                "required": ["v"],
                "type": "object",
            },
        },
    ),
}


@pytest.mark.parametrize(("obj", "declaration"), ACCEPTED.values(), ids=ACCEPTED)
def test_every_kind_of_callable_is_declared_from_its_own_docstring(
    obj: Any, declaration: dict[str, Any]
) -> None:
    assert tool(obj).declaration.to_wire() == declaration


MODULES = [
    builtins,
    math,
    operator,
    functools,
    itertools,
    collections,
    datetime,
    decimal,
    enum,
    typing,
    dataclasses,
    abc,
    inspect,
    types,
    re,
    json,
    pathlib,
    logging,
]


@pytest.mark.filterwarnings("ignore:typing.(io|re) is deprecated:DeprecationWarning")
@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_every_member_of_a_module_gives_a_tool_or_a_tool_definition_error(
    module: types.ModuleType,
) -> None:
    outcomes = {"tool": 0, "refused": 0}
    for name in dir(module):
        member = getattr(module, name)
        if member is None:  # tool(None) is the decorator form: @tool()
            continue
        try:
            built = tool(member)
        except ToolDefinitionError:
            outcomes["refused"] += 1
            continue
        assert isinstance(built, Tool), name
        outcomes["tool"] += 1
    assert outcomes["refused"] > 0


# -- what the tools do ------------------------------------------------------------------------


async def test_a_model_class_tool_validates_with_the_class_and_returns_the_instance() -> None:
    booking = tool(Booking)
    refused = await booking.invoke({"room": "green", "nights": 0})
    assert refused.error is not None
    assert refused.error.details["errors"] == [
        {"path": "room", "message": "Value error, unknown room", "received": "green"},
        {"path": "nights", "message": "Input should be greater than or equal to 1", "received": 0},
    ]
    validated = booking.validate({"room": "blue", "nights": 2})
    assert validated == {"room": "blue", "nights": 2, "tags": []}
    result = await booking.invoke({"room": "blue", "nights": 2})
    assert result.response == {"output": {"room": "blue", "nights": 2, "tags": []}}


async def test_a_dataclass_tool_returns_the_instance_its_factory_filled() -> None:
    span = tool(Span)
    assert span.validate({"start": "2026-11-21"}) == {
        "start": datetime.date(2026, 11, 21),
        "days": 1,
        "notes": [],
    }
    result = await span.invoke({"start": "2026-11-21", "days": 3})
    assert result.response == {"output": {"start": "2026-11-21", "days": 3, "notes": []}}


async def test_partials_and_instances_are_called_with_the_validated_arguments() -> None:
    assert (await tool(functools.partial(add, 40)).invoke({"b": 2})).response == {"output": 42}
    greeter = Greeter()
    built = tool(greeter)
    assert (await built.invoke({"who": "Ada"})).response == {"output": "hello Ada"}
    assert (built.name, built.timeout) == (
        "Greeter",
        None,
    )  # the instance's attributes stay its own
    assert (await tool(staticmethod(add)).invoke({"a": 1})).response == {"output": 2}


async def test_an_async_callable_instance_is_awaited() -> None:
    class Doubler:
        async def __call__(self, n: int) -> int:
            return 2 * n

    built = tool(Doubler())
    assert built.is_async
    assert (await built.invoke({"n": 21})).response == {"output": 42}


def test_dropped_return_annotations_are_logged_at_debug_level(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.DEBUG, logger="agentkit"):
        tool(unresolved_return)
        tool(Methods().clone)
    messages = [record.getMessage() for record in caplog.records]
    assert messages[0] == (
        "tool.return_annotation_dropped tool='unresolved_return' "
        "reason=\"name 'Missing' is not defined\""
    )
    assert messages[1] == (
        "tool.response_schema_omitted tool='clone' annotation='typing.Self' "
        "reason='`typing.Self` is invalid in this context'"
    )


def test_a_tuple_return_is_declared_as_fixed_items() -> None:
    def span(days: int) -> tuple[datetime.date, int]: ...

    declaration = tool(span).declaration.to_wire()
    assert declaration["responseJsonSchema"] == {
        "maxItems": 2,
        "minItems": 2,
        "prefixItems": [{"format": "date", "type": "string"}, {"type": "integer"}],
        "type": "array",
    }
    assert "response" not in tool(span).declaration_for("openapi").to_wire()  # the subset cannot
