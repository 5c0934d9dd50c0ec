"""The two argument engines: the fast typed-dict one must be pydantic's output, written faster.

Three claims, each checked against pydantic itself rather than against hand-written
expectations: (1) for every annotation the fast engine accepts, its core-schema node is the
node pydantic generates; (2) both engines give the same keyword arguments, or the same errors,
for the same input; (3) everything else goes to the pydantic-model engine and still works.
"""

from __future__ import annotations

import collections.abc
import datetime
import decimal
import inspect
import types
import uuid
from typing import Annotated, Any, Literal, Optional, Union, get_args, get_origin

import annotated_types
import pytest
from pydantic import AfterValidator, BaseModel, Field, TypeAdapter, field_validator
from pydantic_core import ValidationError

from agentkit.errors import ToolDefinitionError
from agentkit.schema import clean_json_schema
from agentkit.schema.generator import ToolJsonSchema
from agentkit.tools import Tool, tool
from agentkit.tools.argument_engines import (
    REQUIRED,
    Engine,
    Parameter,
    arguments_model,
    model_engine,
    typed_dict_engine,
)

from ..schema.test_golden import CASES, one_parameter_tool
from .exotic_types import COLLECTIONS, HOOKS
from .shapes import Address, Category, DateRange, Filters, LineItem, Priority, Status
from .test_property import TYPES as PROPERTY_TYPES


class Order(BaseModel):
    """An order: models inside a model, one of them twice."""

    ship_to: Address
    bill_to: Address | None = None
    items: list[LineItem]


FAST: list[tuple[Any, Any]] = [
    (str, REQUIRED),
    (int, 3),
    (float, REQUIRED),
    (bool, False),
    (Any, REQUIRED),
    (datetime.datetime, REQUIRED),
    (datetime.date, REQUIRED),
    (datetime.time, REQUIRED),
    (uuid.UUID, REQUIRED),
    (decimal.Decimal, REQUIRED),
    (Literal["eco", "boost"], "eco"),
    (Literal[1, True, None], REQUIRED),
    (int | None, None),
    (Optional[str], REQUIRED),  # noqa: UP045 - the spelling is the point
    (str | int, REQUIRED),
    (Union[str, int, None], None),  # noqa: UP007 - the spelling is the point
    (list[str], REQUIRED),
    (list[int], [1, 2]),
    (list[Annotated[int, Field(ge=0)]], REQUIRED),
    (list[Annotated[str, annotated_types.MaxLen(3)]] | None, None),
    (list[Annotated[int, annotated_types.Le(3), Field(ge=0)]], REQUIRED),
    (dict[str, Annotated[list[int], Field(min_length=1)]], REQUIRED),
    (dict[str, float], REQUIRED),
    (dict[str, list[int]] | None, None),
    (dict[str, Any], REQUIRED),
    (Annotated[int, Field(ge=0, le=100)], 50),
    (Annotated[float, Field(gt=0, lt=1, multiple_of=0.25)], REQUIRED),
    (Annotated[str, Field(min_length=1, max_length=5, pattern="^a")], REQUIRED),
    (Annotated[list[str], Field(min_length=1, max_length=3)], REQUIRED),
    (Annotated[str, Field(description="From the annotation.")], REQUIRED),
    (Annotated[int, annotated_types.Ge(3), annotated_types.Lt(9)], REQUIRED),
    (Annotated[int, Field(ge=0)] | None, None),
    (Annotated[int | None, Field(description="Either.")], None),
    (Annotated[str, Field(description="Two fields."), Field(min_length=1)], REQUIRED),
    (Any | None, None),
    (float, 1),
    (dict[str, Address], REQUIRED),
    (Literal[-1, 0, 10**20], 0),
    (Address, REQUIRED),
    (Address | None, None),
    (list[LineItem], REQUIRED),
    (Order, REQUIRED),
]

SLOW: list[Any] = [
    Status,  # enums carry pydantic's own JSON-schema hook
    Priority,
    DateRange,  # dataclass
    Filters,  # TypedDict
    Category,  # recursive model
    tuple[int, int],
    set[int],
    frozenset[str],
    bytes,
    Literal[Status.OPEN],
    Annotated[int, AfterValidator(lambda value: value)],
    Annotated[int, Field(alias="n")],
    Annotated[int, Field(examples=[1])],
    Annotated[int | None, Field(ge=0)],  # a constraint on a union: a validator function
    Annotated[int, "a plain string as metadata"],
    list[Annotated[int, Field(description="below the parameter level")]],
    dict[int, str],
]


def parameters_of(annotation: Any, default: Any) -> list[Parameter]:
    return [Parameter("x", annotation, default, "The docstring's words.")]


def inline(node: Any, definitions: dict[str, Any]) -> Any:
    """The node with every definition reference replaced by its definition."""
    if isinstance(node, list):
        return [inline(item, definitions) for item in node]
    if not isinstance(node, dict):
        return node
    if node.get("type") == "definitions":
        definitions = {**definitions, **{d["ref"]: d for d in node["definitions"]}}
        return inline(node["schema"], definitions)
    if node.get("type") == "definition-ref":
        return inline(definitions[node["schema_ref"]], definitions)
    return {key: inline(value, definitions) for key, value in node.items()}


def pydantic_field(annotation: Any, default: Any) -> dict[str, Any]:
    model, _ = arguments_model("probe", parameters_of(annotation, default))
    return inline(model.__pydantic_core_schema__, {})["schema"]["fields"]["x"]  # type: ignore[no-any-return]


def fast_field(annotation: Any, default: Any) -> dict[str, Any]:
    engine = typed_dict_engine("probe", parameters_of(annotation, default))
    return inline(engine.core_schema, {})["fields"]["x"]  # type: ignore[no-any-return]


@pytest.mark.parametrize(("annotation", "default"), FAST, ids=[repr(a) for a, _ in FAST])
def test_fast_nodes_are_the_nodes_pydantic_generates(annotation: Any, default: Any) -> None:
    fast, slow = fast_field(annotation, default), pydantic_field(annotation, default)
    assert fast["schema"] == slow["schema"]
    assert fast.get("metadata", {}) == slow["metadata"]  # the description, wherever it came from
    assert fast["required"] is (default is REQUIRED)


def test_the_annotations_description_wins_in_both_engines() -> None:
    annotation = Annotated[str, Field(description="From the annotation.")]
    expected = {"pydantic_js_updates": {"description": "From the annotation."}}
    assert fast_field(annotation, REQUIRED)["metadata"] == expected
    assert pydantic_field(annotation, REQUIRED)["metadata"] == expected


@pytest.mark.parametrize("annotation", SLOW, ids=[repr(a) for a in SLOW])
def test_everything_else_goes_to_the_model_engine(annotation: Any) -> None:
    built = one_parameter_tool(annotation, inspect.Parameter.empty)
    assert built.arguments.engine.kind == "model"
    assert built.parameters_json_schema["required"] == ["x"]


# -- same behaviour ---------------------------------------------------------------------------

# fmt: off
JUNK: list[Any] = [
    None, True, 0, -1, 7, 10**30, 0.5, float("nan"), "", "a", "abc", "2024-02-30", "12:30",
    "2024-05-01T10:00:00", "6f1c7a52-3a55-4c3d-9d5e-0f6ad1b0b3a1", "1e3", [], [1, "x"], ["a"],
    {}, {"a": 1}, {"street": "s", "city": "c", "postcode": "1234 AB"},
    {"ship_to": {"street": "s", "city": "c", "postcode": "99"}, "items": [{"sku": "k"}]},
]
# fmt: on


def outcome(engine: Engine, args: dict[str, Any]) -> Any:
    try:
        return ("ok", engine.validate(args))
    except ValidationError as error:
        return ("error", [(e["type"], e["loc"], e["msg"]) for e in error.errors()])


def engines_for(annotation: Any, default: Any) -> tuple[Engine, Engine]:
    parameters = parameters_of(annotation, default)
    return typed_dict_engine("probe", parameters), model_engine("probe", parameters)


@pytest.mark.parametrize(("annotation", "default"), FAST, ids=[repr(a) for a, _ in FAST])
def test_both_engines_accept_and_refuse_alike(annotation: Any, default: Any) -> None:
    fast, slow = engines_for(annotation, default)
    for value in JUNK:
        for args in ({"x": value}, {"x": value, "extra": 1}):
            assert outcome(fast, args) == outcome(slow, args), (annotation, args)
    assert outcome(fast, {}) == outcome(slow, {})
    assert fast.json_schema == slow.json_schema


def test_every_golden_case_the_fast_engine_takes_behaves_as_pydantic() -> None:
    taken = 0
    for case in CASES:
        built = one_parameter_tool(case.annotation, case.default)
        if built.arguments.engine.kind != "typed_dict":
            continue
        taken += 1
        slow = model_engine("f", built.arguments.parameters)
        assert built.parameters_json_schema == slow.json_schema, case.id
        for value in JUNK:
            assert outcome(built.arguments.engine, {"x": value}) == outcome(slow, {"x": value})
    assert taken >= 20  # most golden types take the fast path


def test_validated_values_are_the_objects_the_annotations_name() -> None:
    def ship(order: Order, when: datetime.date, reference: uuid.UUID | None = None) -> None: ...

    built = Tool(ship)
    assert built.arguments.engine.kind == "typed_dict"
    kwargs = built.validate(
        {
            "order": {
                "ship_to": {"street": "Main 1", "city": "Utrecht", "postcode": "3511 AB"},
                "bill_to": {"street": "Side 2", "city": "Delft", "postcode": "2611 CD"},
                "items": [{"sku": "tea", "quantity": 2, "unit_price": 3.5}],
            },
            "when": "2026-11-21",
        }
    )
    assert isinstance(kwargs, dict)
    assert list(kwargs) == ["order", "when", "reference"]
    assert isinstance(kwargs["order"], Order) and isinstance(kwargs["order"].bill_to, Address)
    assert kwargs["order"].items == [LineItem(sku="tea", quantity=2, unit_price=3.5)]
    assert kwargs["when"] == datetime.date(2026, 11, 21) and kwargs["reference"] is None
    # Address is defined once although Order reaches it twice (LineItem, used once, pydantic
    # inlines into Order's own schema).
    definitions = built.arguments.engine.core_schema["definitions"]
    assert sorted(d["cls"].__name__ for d in definitions) == ["Address", "Order"]


def test_a_mutable_default_is_not_shared_between_calls() -> None:
    def tag(labels: list[str] = ["new"]) -> None: ...  # noqa: B006 - the point of the test

    built = Tool(tag)
    first, second = built.validate({}), built.validate({})
    assert isinstance(first, dict) and isinstance(second, dict)
    first["labels"].append("changed")
    assert second["labels"] == ["new"] and tag.__defaults__ == (["new"],)


# -- defaults, in both engines ----------------------------------------------------------------


# Defaults are checked strictly: a str is not an int, a tuple not a list, a value not an enum.
# fmt: off
@pytest.mark.parametrize(
    ("annotation", "default", "reason"),
    [
        (int, "high", "default 'high' does not match the annotation: Input should be a valid integer"),
        (int, "1", "default '1' does not match the annotation: Input should be a valid integer"),
        (float, "0.5", "default '0.5' does not match the annotation: Input should be a valid number"),
        (int, True, "default True does not match the annotation: Input should be a valid integer"),
        (list[int], (1, 2), "default (1, 2) does not match the annotation: Input should be a valid list"),
        (int, None, "defaults to None but its type does not admit None; annotate it as 'X | None'"),
        (Annotated[int, Field(le=100)], 150, "default 150 does not match the annotation: Input should be less than or equal to 100"),
        (list[int], ["a"], "default ['a'] does not match the annotation: Input should be a valid integer"),
        (Address, {"street": "s"}, "default {'street': 's'} does not match the annotation: Field required"),
        (Status, "nope", "default 'nope' does not match the annotation: Input should be an instance of Status"),
        (Status, "open", "default 'open' does not match the annotation: Input should be an instance of Status"),
        (datetime.date, "2026-01-01", "default '2026-01-01' does not match the annotation: Input should be a valid date"),
    ],
)
# fmt: on
def test_a_default_that_does_not_fit_is_refused_naming_the_parameter(
    annotation: Any, default: Any, reason: str
) -> None:
    def dim(level, mode):  # type: ignore[no-untyped-def]
        ...

    dim.__annotations__ = {"level": int, "mode": annotation}
    dim.__defaults__ = (default,)
    with pytest.raises(ToolDefinitionError) as caught:
        Tool(dim)
    assert caught.value.parameter == "mode"
    assert caught.value.reason == reason


def test_names_that_clash_with_pydantic_work_in_the_model_engine_too() -> None:
    def query(schema: str, status: Status, _cursor: str = "", model_name: str = "m") -> None: ...

    built = Tool(query)
    assert built.arguments.engine.kind == "model"  # the enum sends it there
    assert list(built.parameters_json_schema["properties"]) == [
        "schema", "status", "_cursor", "model_name",
    ]
    assert built.validate({"schema": "s", "status": "open", "_cursor": "c"}) == {
        "schema": "s", "status": Status.OPEN, "_cursor": "c", "model_name": "m",
    }


def test_a_model_with_its_own_json_schema_sends_the_tool_to_pydantic() -> None:
    class Booking(BaseModel):
        model_config = {"json_schema_extra": {"examples": [{"nights": 2}]}}
        nights: int

    class Checked(BaseModel):
        nights: int

        @field_validator("nights")
        @classmethod
        def positive(cls, value: int) -> int:
            if value < 1:
                raise ValueError("at least one night")
            return value

    @tool
    def book(booking: Booking, checked: Checked) -> None: ...

    built = book
    assert built.arguments.engine.kind == "model"
    assert built.parameters_json_schema["properties"]["booking"]["examples"] == [{"nights": 2}]
    refused = built.validate({"booking": {"nights": 1}, "checked": {"nights": 0}})
    assert not isinstance(refused, dict) and "at least one night" in refused.message


def test_a_model_not_yet_fully_defined_is_left_to_pydantic() -> None:
    class Later(BaseModel):
        child: Undefined  # type: ignore[name-defined]  # noqa: F821

    with pytest.raises(ToolDefinitionError) as caught:

        @tool
        def use(value: Later) -> None: ...

    assert caught.value.parameter == "value"
    assert "not fully defined" in caught.value.reason


def test_type_adapter_agrees_on_a_fast_node() -> None:
    """A sanity anchor outside agentkit: pydantic's own adapter for the same annotation."""
    annotation = list[Annotated[int, Field(ge=0)]] | None
    assert fast_field(annotation, None)["schema"]["schema"] == TypeAdapter(annotation).core_schema


def test_a_pydantic_core_that_refuses_the_fast_schema_sends_the_tool_to_pydantic(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pydantic_core import SchemaError

    from agentkit.tools import argument_engines

    def refuse(schema: Any) -> Any:
        raise SchemaError("unknown key 'microseconds_precision'")

    monkeypatch.setattr(argument_engines, "SchemaValidator", refuse)

    def when(moment: datetime.datetime) -> None: ...

    built = Tool(when)
    assert built.arguments.engine.kind == "model"
    validated = built.validate({"moment": "2026-11-21T10:00:00"})
    assert validated == {"moment": datetime.datetime(2026, 11, 21, 10, 0)}


# -- the differential: every annotation the tests know, against pydantic ---------------------

KNOWN: list[tuple[str, Any, Any]] = [
    *((f"fast {a!r} = {d!r}", a, d) for a, d in FAST),
    *((f"slow {a!r}", a, REQUIRED) for a in SLOW),
    *((f"golden {c.id}", c.annotation, c.default) for c in CASES),
    *((f"property {t!r}", t, REQUIRED) for t in PROPERTY_TYPES),
    *((f"hooks {t!r}", t, REQUIRED) for t in HOOKS),
    *((f"collections {t!r}", t, REQUIRED) for t in COLLECTIONS),
]
MORE_JUNK: list[Any] = [
    {"1": 2},
    {"a": 1, "b": 2},
    {"true": 1},
    [[1], [2]],
    [1, 1],
    ["x", "y"],
    [{"a": 1}],
    {"a": 1, "extra": 2},
    [1, "x", 3],
]


def eager_annotation(annotation: Any) -> Any:
    """The annotation pydantic would validate as agentkit does: iterables as lists."""
    origin, arguments = get_origin(annotation), get_args(annotation)
    if origin in (collections.abc.Iterable, collections.abc.Generator):
        return list[eager_annotation(arguments[0])]  # type: ignore[misc]
    if origin in (list, dict, tuple, set, frozenset) and arguments:
        return types.GenericAlias(origin, tuple(eager_annotation(a) for a in arguments))
    return annotation


def reference_outcome(annotation: Any, default: Any, args: dict[str, Any]) -> Any:
    model, _ = arguments_model("f", parameters_of(eager_annotation(annotation), default))
    try:
        validated = model.model_validate(args)
    except ValidationError as error:
        return ("error", [(e["type"], e["loc"], e["msg"]) for e in error.errors()])
    return ("ok", {"x": validated.x})  # type: ignore[attr-defined]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize(
    ("annotation", "default"), [k[1:] for k in KNOWN], ids=[k[0] for k in KNOWN]
)
def test_what_is_declared_and_accepted_is_what_pydantic_declares_and_accepts(
    annotation: Any, default: Any
) -> None:
    """Whichever engine and translator a tool got, its JSON Schema is pydantic's generator's
    output (cleaned), and its validator's outcome on each input is pydantic's."""
    built = one_parameter_tool(annotation, default)
    model, _ = arguments_model("f", built.arguments.parameters)
    expected = clean_json_schema(model.model_json_schema(schema_generator=ToolJsonSchema))
    assert built.parameters_json_schema == expected
    for value in [*JUNK, *MORE_JUNK]:
        args = {"x": value}
        assert outcome(built.arguments.engine, args) == reference_outcome(
            annotation, default, args
        ), value
    if built.arguments.engine.kind == "typed_dict":
        fast, slow = fast_field(annotation, default), pydantic_field(annotation, default)
        assert fast["schema"] == slow["schema"]


# -- defaults are checked strictly, in both engines ------------------------------------------

ENGINES = {"typed_dict": typed_dict_engine, "model": model_engine}


@pytest.mark.parametrize("engine", ENGINES.values(), ids=ENGINES)
@pytest.mark.parametrize(
    ("annotation", "default", "reason"),
    [
        (int, "1", "default '1' does not match the annotation: Input should be a valid integer"),
        (
            float,
            "0.5",
            "default '0.5' does not match the annotation: Input should be a valid number",
        ),
        (str, 5, "default 5 does not match the annotation: Input should be a valid string"),
        (
            list[int],
            (1, 2),
            "default (1, 2) does not match the annotation: Input should be a valid list",
        ),
        (
            Literal["eco", "boost"],
            "off",
            "default 'off' does not match the annotation: Input should be 'eco' or 'boost'",
        ),
        (
            datetime.date,
            "2026-01-01",
            "default '2026-01-01' does not match the annotation: Input should be a valid date",
        ),
        (
            int | None,
            "3",
            "default '3' does not match the annotation: Input should be a valid integer",
        ),
    ],
)
def test_a_default_of_another_type_is_refused_by_either_engine(
    engine: Any, annotation: Any, default: Any, reason: str
) -> None:
    with pytest.raises(ToolDefinitionError) as caught:
        engine("probe", parameters_of(annotation, default))
    assert (caught.value.parameter, caught.value.reason) == ("x", reason)


@pytest.mark.parametrize("engine", ENGINES.values(), ids=ENGINES)
@pytest.mark.parametrize(
    ("annotation", "default"),
    [
        (float, 1),  # an int is a float
        (int | None, None),
        (Optional[str], None),  # noqa: UP045 - the spelling is the point
        (Literal["eco", "boost"], "eco"),
        (list[str], []),
    ],
)
def test_a_default_of_the_annotated_type_is_kept(
    engine: Any, annotation: Any, default: Any
) -> None:
    built = engine("probe", parameters_of(annotation, default))
    assert built.validate({}) == {"x": default}


@pytest.mark.parametrize(
    ("annotation", "default"), [(Status, Status.OPEN), (Priority, Priority.HIGH)]
)
def test_an_enum_member_default_is_kept(annotation: Any, default: Any) -> None:
    built = model_engine("probe", parameters_of(annotation, default))
    assert built.validate({}) == {"x": default}
