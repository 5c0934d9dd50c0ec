"""Golden table: Python type → the exact schema emitted in each dialect.

Each case declares a one-parameter tool ``f(x: <type>)``. ``json`` is the property schema in
``parametersJsonSchema``; ``openapi`` is the property in the OpenAPI-subset ``parameters``, or
``("refused", reason)`` when the subset cannot express the type. Every emitted declaration is
also sent through the strict emulator, which must accept it.
"""

from __future__ import annotations

import collections
import datetime
import decimal
import inspect
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Optional, Union

import pytest
from pydantic import AnyUrl, Field

from agentkit.errors import ToolDefinitionError
from agentkit.models import Gemini
from agentkit.testing.emulator import Emulator
from agentkit.tools import Tool
from agentkit.types import Content, GenerateContentRequest
from agentkit.types import Tool as WireTool

from ..tools.shapes import Address, Category, DateRange, Filters, LineItem, Priority, Status

NO_DEFAULT = inspect.Parameter.empty


@dataclass(frozen=True)
class Case:
    id: str
    annotation: Any
    default: Any
    required: bool
    json: dict[str, Any]
    openapi: dict[str, Any] | tuple[str, str]
    defs: dict[str, Any] | None = None


def case(id: str, annotation: Any, default: Any, **expected: Any) -> Case:
    return Case(id, annotation, default, **expected)


def one_parameter_tool(annotation: Any, default: Any) -> Tool:
    def f(x):  # type: ignore[no-untyped-def]
        return x

    f.__annotations__ = {"x": annotation}
    if default is not NO_DEFAULT:
        f.__defaults__ = (default,)
    return Tool(f, name="f", declare_response=False)


CASES = [
    case(
        "str", str, NO_DEFAULT, required=True, json={"type": "string"}, openapi={"type": "STRING"}
    ),
    case(
        "int", int, NO_DEFAULT, required=True, json={"type": "integer"}, openapi={"type": "INTEGER"}
    ),
    case(
        "float",
        float,
        NO_DEFAULT,
        required=True,
        json={"type": "number"},
        openapi={"type": "NUMBER"},
    ),
    case(
        "bool",
        bool,
        NO_DEFAULT,
        required=True,
        json={"type": "boolean"},
        openapi={"type": "BOOLEAN"},
    ),
    case(
        "optional-with-default",
        int | None,
        None,
        required=False,
        json={"anyOf": [{"type": "integer"}, {"type": "null"}], "default": None},
        openapi={"type": "INTEGER", "nullable": True, "default": None},
    ),
    case(
        "optional-required",
        Optional[str],  # noqa: UP045 (the spelling under test)
        NO_DEFAULT,
        required=True,
        json={"anyOf": [{"type": "string"}, {"type": "null"}]},
        openapi={"type": "STRING", "nullable": True},
    ),
    case(
        "list",
        list[int],
        NO_DEFAULT,
        required=True,
        json={"items": {"type": "integer"}, "type": "array"},
        openapi={"type": "ARRAY", "items": {"type": "INTEGER"}},
    ),
    case(
        "variadic-tuple",
        tuple[int, ...],
        NO_DEFAULT,
        required=True,
        json={"items": {"type": "integer"}, "type": "array"},
        openapi={"type": "ARRAY", "items": {"type": "INTEGER"}},
    ),
    case(
        "fixed-tuple",
        tuple[int, str],
        NO_DEFAULT,
        required=True,
        json={
            "maxItems": 2,
            "minItems": 2,
            "prefixItems": [{"type": "integer"}, {"type": "string"}],
            "type": "array",
        },
        openapi=("refused", "a fixed-length tuple cannot be expressed in the OpenAPI subset"),
    ),
    case(
        "set",
        set[str],
        NO_DEFAULT,
        required=True,
        json={"items": {"type": "string"}, "type": "array", "uniqueItems": True},
        openapi={
            "type": "ARRAY",
            "description": "Items must be unique.",
            "items": {"type": "STRING"},
        },
    ),
    case(
        "dict",
        dict[str, int],
        NO_DEFAULT,
        required=True,
        json={"additionalProperties": {"type": "integer"}, "type": "object"},
        openapi=(
            "refused",
            "a free-form mapping (dict with arbitrary keys) cannot be expressed in the OpenAPI "
            "subset",
        ),
    ),
    case(
        "literal-str",
        Literal["a", "b"],
        NO_DEFAULT,
        required=True,
        json={"enum": ["a", "b"], "type": "string"},
        openapi={"type": "STRING", "enum": ["a", "b"]},
    ),
    case(
        "literal-int",
        Literal[1, 2],
        NO_DEFAULT,
        required=True,
        json={"enum": [1, 2], "type": "integer"},
        openapi={"type": "INTEGER", "format": "enum", "enum": ["1", "2"]},
    ),
    case(
        "literal-float",
        Literal[0.5, 1],
        NO_DEFAULT,
        required=True,
        json={"enum": [0.5, 1]},
        openapi={"type": "NUMBER", "format": "enum", "enum": ["0.5", "1"]},
    ),
    case(
        "literal-bool",
        Literal[True],
        NO_DEFAULT,
        required=True,
        json={"const": True, "type": "boolean"},
        openapi={"type": "BOOLEAN", "description": "Must be true."},
    ),
    case(
        "literal-mixed",
        Literal["a", 1],
        NO_DEFAULT,
        required=True,
        json={"enum": ["a", 1]},
        openapi=(
            "refused",
            "an enum mixing value types (int, str) cannot be expressed in the OpenAPI subset",
        ),
    ),
    case(
        "literal-none",
        Literal["a", None],
        NO_DEFAULT,
        required=True,
        json={"enum": ["a", None]},
        openapi={"type": "STRING", "nullable": True, "enum": ["a"]},
    ),
    case(
        "str-enum",
        Status,
        NO_DEFAULT,
        required=True,
        json={"enum": ["open", "shipped", "cancelled"], "type": "string"},
        openapi={"type": "STRING", "enum": ["open", "shipped", "cancelled"]},
    ),
    case(
        "int-enum-default",
        Priority,
        Priority.LOW,
        required=False,
        json={"enum": [1, 2], "type": "integer", "default": 1},
        openapi={"type": "INTEGER", "format": "enum", "enum": ["1", "2"], "default": 1},
    ),
    case(
        "model",
        Address,
        NO_DEFAULT,
        required=True,
        json={
            "description": "A postal address.",
            "properties": {
                "street": {"type": "string"},
                "city": {"type": "string"},
                "postcode": {"pattern": "^[0-9A-Z -]{3,10}$", "type": "string"},
                "country": {"default": "NL", "type": "string"},
            },
            "required": ["street", "city", "postcode"],
            "type": "object",
        },
        openapi={
            "type": "OBJECT",
            "description": "A postal address.",
            "properties": {
                "street": {"type": "STRING"},
                "city": {"type": "STRING"},
                "postcode": {"type": "STRING", "pattern": "^[0-9A-Z -]{3,10}$"},
                "country": {"type": "STRING", "default": "NL"},
            },
            "required": ["street", "city", "postcode"],
        },
    ),
    case(
        "list-of-models",
        list[LineItem],
        NO_DEFAULT,
        required=True,
        json={
            "items": {
                "properties": {
                    "sku": {"type": "string"},
                    "quantity": {"description": "How many units.", "minimum": 1, "type": "integer"},
                    "unit_price": {"exclusiveMinimum": 0, "type": "number"},
                },
                "required": ["sku", "quantity", "unit_price"],
                "type": "object",
            },
            "type": "array",
        },
        openapi={
            "type": "ARRAY",
            "items": {
                "type": "OBJECT",
                "properties": {
                    "sku": {"type": "STRING"},
                    "quantity": {"type": "INTEGER", "description": "How many units.", "minimum": 1},
                    "unit_price": {"type": "NUMBER", "description": "Must be greater than 0."},
                },
                "required": ["sku", "quantity", "unit_price"],
            },
        },
    ),
    case(
        "recursive-model",
        Category,
        NO_DEFAULT,
        required=True,
        json={"$ref": "#/$defs/Category"},
        openapi=("refused", "recursive type (Category) cannot be expressed in the OpenAPI subset"),
        defs={
            "Category": {
                "description": "A category tree (recursive).",
                "properties": {
                    "name": {"type": "string"},
                    "children": {
                        "default": [],
                        "items": {"$ref": "#/$defs/Category"},
                        "type": "array",
                    },
                },
                "required": ["name"],
                "type": "object",
            }
        },
    ),
    case(
        "dataclass",
        DateRange,
        NO_DEFAULT,
        required=True,
        json={
            "additionalProperties": False,
            "properties": {
                "start": {"type": "string"},
                "end": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None},
            },
            "required": ["start"],
            "type": "object",
        },
        openapi={
            "type": "OBJECT",
            "properties": {
                "start": {"type": "STRING"},
                "end": {"type": "STRING", "nullable": True, "default": None},
            },
            "required": ["start"],
        },
    ),
    case(
        "typeddict",
        Filters,
        NO_DEFAULT,
        required=True,
        json={
            "additionalProperties": False,
            "properties": {
                "status": {"enum": ["open", "shipped", "cancelled"], "type": "string"},
                "min_total": {"type": "number"},
            },
            "type": "object",
        },
        openapi={
            "type": "OBJECT",
            "properties": {
                "status": {"type": "STRING", "enum": ["open", "shipped", "cancelled"]},
                "min_total": {"type": "NUMBER"},
            },
        },
    ),
    case(
        "field-range",
        Annotated[int, Field(ge=0, le=100, description="Level.")],
        NO_DEFAULT,
        required=True,
        json={"description": "Level.", "maximum": 100, "minimum": 0, "type": "integer"},
        openapi={"type": "INTEGER", "description": "Level.", "minimum": 0, "maximum": 100},
    ),
    case(
        "field-exclusive-float",
        Annotated[float, Field(gt=0, multiple_of=0.5)],
        NO_DEFAULT,
        required=True,
        json={"exclusiveMinimum": 0, "multipleOf": 0.5, "type": "number"},
        openapi={
            "type": "NUMBER",
            "description": "Must be greater than 0. Must be a multiple of 0.5.",
        },
    ),
    case(
        "field-exclusive-int",
        Annotated[int, Field(gt=0, lt=10)],
        NO_DEFAULT,
        required=True,
        json={"exclusiveMaximum": 10, "exclusiveMinimum": 0, "type": "integer"},
        openapi={"type": "INTEGER", "minimum": 1, "maximum": 9},
    ),
    case(
        "field-str",
        Annotated[str, Field(min_length=1, max_length=5, pattern="^[a-z]+$")],
        NO_DEFAULT,
        required=True,
        json={"maxLength": 5, "minLength": 1, "pattern": "^[a-z]+$", "type": "string"},
        openapi={"type": "STRING", "minLength": 1, "maxLength": 5, "pattern": "^[a-z]+$"},
    ),
    case(
        "date",
        datetime.date,
        NO_DEFAULT,
        required=True,
        json={"format": "date", "type": "string"},
        # Gemini's subset takes only 'enum' and 'date-time' as STRING formats: said in words.
        openapi={"type": "STRING", "description": "Format: date (YYYY-MM-DD)."},
    ),
    case(
        "date-described",
        Annotated[datetime.date, Field(description="First day")],
        NO_DEFAULT,
        required=True,
        json={"description": "First day", "format": "date", "type": "string"},
        openapi={"type": "STRING", "description": "First day. Format: date (YYYY-MM-DD)."},
    ),
    case(
        "datetime",
        datetime.datetime,
        NO_DEFAULT,
        required=True,
        json={"format": "date-time", "type": "string"},
        openapi={"type": "STRING", "format": "date-time"},
    ),
    case(
        "time",
        datetime.time,
        NO_DEFAULT,
        required=True,
        json={"format": "time", "type": "string"},
        openapi={
            "type": "STRING",
            "description": "Format: time (HH:MM:SS, optionally with fractions of a second and a "
            "UTC offset).",
        },
    ),
    case(
        "uuid",
        uuid.UUID,
        NO_DEFAULT,
        required=True,
        json={"format": "uuid", "type": "string"},
        openapi={
            "type": "STRING",
            "description": "Format: uuid (e.g. 123e4567-e89b-42d3-a456-426614174000).",
        },
    ),
    case(
        "url",
        AnyUrl,
        NO_DEFAULT,
        required=True,
        json={"format": "uri", "minLength": 1, "type": "string"},
        openapi={
            "type": "STRING",
            "description": "Format: uri (an absolute URI, e.g. https://example.com/page).",
            "minLength": 1,
        },
    ),
    case(
        "timedelta",
        datetime.timedelta,
        NO_DEFAULT,
        required=True,
        json={"format": "duration", "type": "string"},
        openapi={"type": "STRING", "description": "Format: duration (ISO 8601, e.g. P1DT2H30M)."},
    ),
    case(
        "bytes",
        bytes,
        NO_DEFAULT,
        required=True,
        json={"format": "binary", "type": "string"},
        openapi={"type": "STRING", "description": "Format: binary (text, passed on as bytes)."},
    ),
    case(
        "decimal",
        decimal.Decimal,
        NO_DEFAULT,
        required=True,
        json={"anyOf": [{"type": "number"}, {"type": "string"}]},
        openapi={"anyOf": [{"type": "NUMBER"}, {"type": "STRING"}]},
    ),
    case(
        "any",
        Any,
        NO_DEFAULT,
        required=True,
        json={},
        openapi=("refused", "a schema that admits any value has no OpenAPI-subset form"),
    ),
    case(
        "optional-model",
        Address | None,
        None,
        required=False,
        json={
            "anyOf": [
                {
                    "description": "A postal address.",
                    "properties": {
                        "street": {"type": "string"},
                        "city": {"type": "string"},
                        "postcode": {"pattern": "^[0-9A-Z -]{3,10}$", "type": "string"},
                        "country": {"default": "NL", "type": "string"},
                    },
                    "required": ["street", "city", "postcode"],
                    "type": "object",
                },
                {"type": "null"},
            ],
            "default": None,
        },
        openapi={
            "type": "OBJECT",
            "description": "A postal address.",
            "nullable": True,
            "properties": {
                "street": {"type": "STRING"},
                "city": {"type": "STRING"},
                "postcode": {"type": "STRING", "pattern": "^[0-9A-Z -]{3,10}$"},
                "country": {"type": "STRING", "default": "NL"},
            },
            "required": ["street", "city", "postcode"],
            "default": None,
        },
    ),
    case(
        "iterable",  # validated eagerly: the function receives a list
        Iterable[int],
        NO_DEFAULT,
        required=True,
        json={"items": {"type": "integer"}, "type": "array"},
        openapi={"type": "ARRAY", "items": {"type": "INTEGER"}},
    ),
    case(
        "counter-int-keys",  # JSON keys are strings: the schema says which ones validate
        collections.Counter[int],
        NO_DEFAULT,
        required=True,
        json={
            "additionalProperties": {"type": "integer"},
            "propertyNames": {"pattern": "^-?[0-9]+$"},
            "type": "object",
        },
        openapi=("refused", "a free-form mapping (dict with arbitrary keys) cannot be expressed"),
    ),
    case(
        "union-with-none",
        Union[str, int, None],  # noqa: UP007 (the spelling under test)
        None,
        required=False,
        json={
            "anyOf": [{"type": "string"}, {"type": "integer"}, {"type": "null"}],
            "default": None,
        },
        openapi={
            "anyOf": [{"type": "STRING"}, {"type": "INTEGER"}],
            "nullable": True,
            "default": None,
        },
    ),
    case(
        "union",
        str | int,
        NO_DEFAULT,
        required=True,
        json={"anyOf": [{"type": "string"}, {"type": "integer"}]},
        openapi={"anyOf": [{"type": "STRING"}, {"type": "INTEGER"}]},
    ),
]


@pytest.mark.parametrize("expected", CASES, ids=[c.id for c in CASES])
def test_json_schema_dialect(expected: Case) -> None:
    schema = one_parameter_tool(expected.annotation, expected.default).parameters_json_schema
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    assert schema["properties"] == {"x": expected.json}
    assert ("x" in schema.get("required", [])) is expected.required
    assert schema.get("$defs") == expected.defs


@pytest.mark.parametrize("expected", CASES, ids=[c.id for c in CASES])
def test_openapi_subset_dialect(expected: Case) -> None:
    built = one_parameter_tool(expected.annotation, expected.default)
    if isinstance(expected.openapi, tuple):
        with pytest.raises(ToolDefinitionError) as caught:
            built.declaration_for("openapi")
        assert caught.value.tool == "f"
        assert expected.openapi[1] in caught.value.reason
        assert caught.value.parameter == ("x" if expected.defs is None else None)
        return
    parameters = built.declaration_for("openapi").to_wire()["parameters"]
    assert parameters["type"] == "OBJECT"
    assert "additionalProperties" not in parameters
    assert parameters["properties"] == {"x": expected.openapi}
    assert ("x" in parameters.get("required", [])) is expected.required


async def test_the_strict_emulator_accepts_every_emitted_declaration(emulator: Emulator) -> None:
    declarations = []
    for index, expected in enumerate(CASES):
        built = one_parameter_tool(expected.annotation, expected.default).renamed(f"f{index}")
        declarations.append(built.declaration_for("json_schema"))
        if not isinstance(expected.openapi, tuple):
            declarations.append(built.renamed(f"g{index}").declaration_for("openapi"))
    emulator.script(["ok"])
    request = GenerateContentRequest(
        contents=[Content.user("hi")], tools=[WireTool(function_declarations=declarations)]
    )
    response = await Gemini(base_url=emulator.url).generate(request)
    assert response.text == "ok"
    assert emulator.rejections == []
    assert len(emulator.requests[0].json["tools"][0]["functionDeclarations"]) == len(declarations)
