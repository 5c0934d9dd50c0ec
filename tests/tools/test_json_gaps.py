"""Where JSON and Python part ways, a tool still accepts exactly what it declares.

JSON object keys are strings, JSON arrays arrive as lists (unhashable), and pydantic checks
an ``Iterable`` only as it is drawn. Each gap is closed one of two ways: the schema says
what validates (and validation happens before the call), or the tool is refused when it is
defined, saying what to annotate instead.
"""

from __future__ import annotations

import collections
from collections import Counter
from collections.abc import Generator, Hashable, Iterable
from typing import Annotated, Any

import pytest
from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

from agentkit.errors import ToolDefinitionError
from agentkit.tools import Tool, tool

from .exotic_types import IntChoice


def one_parameter(annotation: Any, *default: Any) -> Tool:
    def f(x):  # type: ignore[no-untyped-def]
        return x

    f.__annotations__ = {"x": annotation}
    f.__defaults__ = default or None
    return Tool(f, name="f", declare_response=False)


def refusal(annotation: Any) -> str:
    with pytest.raises(ToolDefinitionError) as caught:
        one_parameter(annotation)
    assert caught.value.parameter == "x"
    return caught.value.reason


def errors(built: Tool, args: dict[str, Any]) -> list[dict[str, Any]]:
    refused = built.validate(args)
    assert not isinstance(refused, dict)
    problems: list[dict[str, Any]] = refused.details["errors"]
    return problems


# -- iterables are validated before the call ---------------------------------------------------


async def test_an_iterable_is_validated_eagerly_and_received_as_a_list() -> None:
    received: list[Any] = []

    @tool
    def total(values: Iterable[int]) -> int:
        received.append(values)
        return sum(values)

    refused = await total.invoke({"values": [1, "two", 3]})
    assert refused.response == {
        "error": {
            "type": "invalid_arguments",
            "message": "invalid arguments for total: values.1: Input should be a valid integer, "
            "unable to parse string as an integer",
            "errors": [
                {
                    "path": "values.1",
                    "message": "Input should be a valid integer, unable to parse string as an "
                    "integer",
                    "received": "two",
                }
            ],
        }
    }
    assert received == []  # the function never ran
    assert (await total.invoke({"values": [1, 2, 3]})).response == {"output": 6}
    assert received == [[1, 2, 3]]


@pytest.mark.parametrize(
    "annotation",
    [
        Generator[int, None, None],
        Annotated[Iterable[int], Field(min_length=1)],
        list[Iterable[int]],
    ],
    ids=["generator", "constrained", "nested"],
)
def test_every_lazy_spelling_is_made_eager(annotation: Any) -> None:
    built = one_parameter(annotation)
    value = [[1, 2]] if annotation == list[Iterable[int]] else [1, 2]
    assert built.validate({"x": value}) == {"x": value}
    assert errors(built, {"x": value, "y": 1}) == [
        {"path": "y", "message": "Extra inputs are not permitted", "received": 1}
    ]


def test_an_iterable_field_of_a_model_is_refused_with_what_to_annotate() -> None:
    class Batch(BaseModel):
        sizes: Iterable[int]

    assert refusal(Batch) == (
        "field 'sizes' of Batch is an iterable, which pydantic checks only as the tool draws "
        "its items, so a bad item would fail inside the tool after the call was accepted; "
        "annotate the field list[...] or Sequence[...]"
    )


# -- sets, and what JSON cannot make hashable --------------------------------------------------


class Loose(BaseModel):
    a: int


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)
    a: int


HASHABLE_ADVICE = "use a list, or items of a hashable type (str, int, a tuple, a frozen model)"


@pytest.mark.parametrize(
    ("annotation", "reason"),
    [
        (
            set[list[int]],
            f"a set's items must be hashable, but these arrive as lists, which are not; {HASHABLE_ADVICE}",
        ),
        (
            frozenset[dict[str, int]],
            f"a frozenset's items must be hashable, but these arrive as dicts, which are not; {HASHABLE_ADVICE}",
        ),
        (
            set[Loose],
            f"a set's items must be hashable, but these arrive as Loose objects (not frozen), which are not; {HASHABLE_ADVICE}",
        ),
        (
            set,
            f"a set's items must be hashable, but these arrive as any JSON value, arrays and objects among them, which are not; {HASHABLE_ADVICE}",
        ),
        (
            list[set[int | list[int]]],
            f"a set's items must be hashable, but these arrive as values of which some are lists or dicts, which are not; {HASHABLE_ADVICE}",
        ),
        (
            Hashable,
            "Hashable admits any JSON value, but arrays and objects arrive as lists and dicts, which are not hashable; annotate the concrete type expected",
        ),
    ],
    ids=[
        "set-of-lists",
        "frozenset-of-dicts",
        "set-of-models",
        "bare-set",
        "union-item",
        "hashable",
    ],
)
def test_items_json_cannot_make_hashable_are_refused(annotation: Any, reason: str) -> None:
    assert refusal(annotation) == reason


def test_hashable_items_are_accepted() -> None:
    assert one_parameter(set[Frozen]).validate({"x": [{"a": 1}, {"a": 1}]}) == {"x": {Frozen(a=1)}}
    assert one_parameter(set[tuple[int, ...]]).validate({"x": [[1, 2]]}) == {"x": {(1, 2)}}


# -- mapping keys -----------------------------------------------------------------------------


def test_integer_keys_are_declared_and_validated_as_strings_of_digits() -> None:
    built = one_parameter(Counter[int])
    assert built.parameters_json_schema["properties"]["x"] == {
        "additionalProperties": {"type": "integer"},
        "propertyNames": {"pattern": "^-?[0-9]+$"},
        "type": "object",
    }
    assert built.validate({"x": {"7": 2, "-1": 1}}) == {"x": collections.Counter({7: 2, -1: 1})}
    assert errors(built, {"x": {"seven": 2}}) == [
        {
            "path": "x.seven.[key]",
            "message": "Input should be a valid integer, unable to parse string as an integer",
            "received": "seven",
        }
    ]


@pytest.mark.parametrize(
    ("annotation", "names", "key"),
    [
        (dict[float, str], {"pattern": "^-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?$"}, 2.5),
        (dict[bool, str], {"enum": ["true", "false"]}, True),
        (dict[IntChoice, str], {"enum": ["1", "2"]}, IntChoice.TWO),
    ],
    ids=["float", "bool", "int-enum"],
)
def test_other_key_types_say_which_strings_validate(annotation: Any, names: Any, key: Any) -> None:
    built = one_parameter(annotation)
    assert built.parameters_json_schema["properties"]["x"]["propertyNames"] == names
    text = {2.5: "2.5", True: "true", IntChoice.TWO: "2"}[key]
    assert built.validate({"x": {text: "v"}}) == {"x": {key: "v"}}


@pytest.mark.parametrize(
    ("annotation", "key_schema"),
    [
        (
            dict[tuple[int, int], str],
            "{'type': 'array', 'prefixItems': [{'type': 'integer'}, {'type': 'integer'}], 'minItems': 2, 'maxItems': 2}",
        ),
        (dict[Annotated[int, Field(ge=0)], str], "{'type': 'integer', 'minimum': 0}"),
        (dict[int | None, str], "{'anyOf': [{'type': 'integer'}, {'type': 'null'}]}"),
    ],
    ids=["tuple", "constrained-int", "optional-int"],
)
def test_keys_no_set_of_strings_can_describe_are_refused(annotation: Any, key_schema: str) -> None:
    assert refusal(annotation) == (
        "its parameters have no JSON Schema: a mapping's keys arrive as JSON object keys, which "
        f"are strings, and the strings that validate as its key type ({key_schema}) cannot be "
        "stated; use str, int, float, bool or enum keys"
    )


# -- declared but not accepted, or accepted but not declared -------------------------------------


def test_a_constraint_pydantic_cannot_attach_to_the_type_is_refused() -> None:
    assert refusal(Annotated[str, Field(ge=0)]) == (
        "its constraint 'ge' does not apply to its type (pydantic would check it at call time "
        "and fail); constrain a type that takes it (ge on numbers, min_length on strings and "
        "lists...)"
    )


def test_a_required_parameter_hidden_from_the_schema_is_refused() -> None:
    assert refusal(SkipJsonSchema[int]) == (
        "is required but left out of the JSON Schema (SkipJsonSchema?), so the model could "
        "never send it; give it a default or declare it"
    )
    hidden_with_default = one_parameter(SkipJsonSchema[int], 3)
    assert hidden_with_default.parameters_json_schema["properties"] == {}
    assert hidden_with_default.validate({}) == {"x": 3}


async def test_a_validator_that_raises_something_else_is_reported_not_raised() -> None:
    def broken(value: int) -> int:
        raise KeyError("lookup table missing")

    built = one_parameter(Annotated[int, AfterValidator(broken)])
    result = await built.invoke({"x": 1})
    assert result.response == {
        "error": {
            "type": "exception",
            "message": "f raised KeyError: 'lookup table missing'",
            "exception": "KeyError",
        }
    }
