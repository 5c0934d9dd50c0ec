"""Types whose JSON Schema pydantic shapes through hooks, configuration or docstrings, and the
collections whose validation differs from what their JSON admits: the annotations on which
a fast path could quietly part from pydantic's generator."""

from __future__ import annotations

import collections
import dataclasses
import enum
from collections.abc import Iterable, Mapping, Sequence
from typing import Annotated, Any, Counter, DefaultDict, Deque, Literal, Union  # noqa: UP035 - the aliases are under test

import pydantic
from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema
from pydantic.json_schema import Examples
from typing_extensions import TypedDict, deprecated


def described_as(text: str) -> Any:
    """A ``__get_pydantic_json_schema__`` hook adding a description: a class's own schema."""

    def hook(cls: type, core: Any, handler: Any) -> Any:
        schema = handler(core)
        schema["description"] = text
        return schema

    return classmethod(hook)


class Inner(BaseModel):
    a: int


class WithJsonSchemaField(BaseModel):
    inner: Annotated[Inner, WithJsonSchema({"type": "object", "description": "Replaced."})]


class WithJsonSchemaList(BaseModel):
    items: list[Annotated[Inner, WithJsonSchema({"type": "object", "description": "Each."})]]


class WithExamples(BaseModel):
    inner: Annotated[Inner, Examples([{"a": 1}])]


class OwnHook(BaseModel):
    a: int
    __get_pydantic_json_schema__ = described_as("From the hook.")


class ExtraAllowed(BaseModel):
    model_config = ConfigDict(extra="allow")
    a: int


@deprecated("use Inner")
class Old(BaseModel):
    a: int


class FixedTupleField(BaseModel):
    pair: Annotated[tuple[int, ...], Field(min_length=2)]


class HookedEnum(enum.Enum):
    A = "a"
    __get_pydantic_json_schema__ = described_as("Hooked enum.")


class HookedEnumField(BaseModel):
    e: HookedEnum


@dataclasses.dataclass
class DocumentedDataclass:
    """A documented dataclass."""

    a: int


@dataclasses.dataclass
class HookedDataclass:
    a: int
    __get_pydantic_json_schema__ = described_as("Hooked dataclass.")


@pydantic.dataclasses.dataclass(config=ConfigDict(json_schema_extra={"examples": [{"a": 1}]}))
class ConfiguredDataclass:
    a: int


@pydantic.with_config(ConfigDict(json_schema_extra={"examples": [{"a": 1}]}))
class ConfiguredTypedDict(TypedDict):
    a: int


class DocumentedTypedDict(TypedDict):
    """A documented typed dict."""

    a: int


class Holder(BaseModel):
    """Holds one of each, inside a model (where the fast path reads them)."""

    documented: DocumentedDataclass
    hooked: HookedDataclass
    configured: ConfiguredDataclass
    typed: ConfiguredTypedDict
    described: DocumentedTypedDict


HOOKS: list[Any] = [
    WithJsonSchemaField,
    WithJsonSchemaList,
    WithExamples,
    OwnHook,
    ExtraAllowed,
    Old,
    FixedTupleField,
    HookedEnumField,
    Holder,
    Annotated[int, WithJsonSchema({"type": "string"})],
    list[Annotated[Inner, WithJsonSchema({"type": "object"})]],
    Union[str, int, None],  # noqa: UP007 - nested anyOf, flattened by pydantic
    int | Annotated[str | None, Field(description="Either.")],
    str | Annotated[str, Field(min_length=1)],
    Literal["a"] | Literal["b"],
]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)
    a: int


class IntChoice(enum.IntEnum):
    ONE = 1
    TWO = 2


COLLECTIONS: list[Any] = [
    Iterable[int],
    list[Iterable[str]],
    Sequence[int],
    Mapping[str, int],
    collections.deque[int],
    Deque[str],  # noqa: UP006
    DefaultDict[str, list[int]],  # noqa: UP006
    collections.OrderedDict[str, int],
    Counter[str],
    Counter[int],
    dict[int, str],
    dict[float, int],
    dict[bool, int],
    dict[IntChoice, int],
    dict[Literal["a", "b"], int],
    frozenset[int],
    set[Frozen],
    set[tuple[int, ...]],
    tuple[int, str],
    tuple[()],
]
