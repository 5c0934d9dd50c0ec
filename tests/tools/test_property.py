"""Property: whatever value a declared type admits, the tool's validator accepts as JSON and
gives back equal.

For each type, hypothesis generates Python values, they are serialised to JSON the way the
model would send them, and the tool must accept them and hand the function an equal value.
"""

from __future__ import annotations

import datetime
import decimal
import enum
import os
import uuid
from typing import Any, Literal

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from agentkit.tools import Tool

from .shapes import DateRange, Priority, Status


def identity_tool(annotation: Any) -> Tool:
    def f(x):  # type: ignore[no-untyped-def]
        return x

    f.__annotations__ = {"x": annotation}
    return Tool(f, name="f", declare_response=False)


TYPES: list[Any] = [
    str,
    int,
    float,
    bool,
    int | None,
    list[int],
    tuple[int, ...],
    tuple[int, str],
    set[str],
    dict[str, float],
    Literal["a", "b", 3],
    Status,
    Priority,
    DateRange,
    datetime.date,
    datetime.datetime,
    datetime.time,
    uuid.UUID,
    decimal.Decimal,
    list[Status] | None,
]
TOOLS = {repr(t): (t, identity_tool(t), TypeAdapter(t)) for t in TYPES}


def finite(annotation: Any) -> st.SearchStrategy[Any]:
    """Values of the type; floats and decimals kept finite (JSON has no NaN or infinity)."""
    return st.from_type(annotation).filter(lambda v: _finite(v))


def _finite(value: Any) -> bool:
    if isinstance(value, float):
        return value == value and abs(value) != float("inf")
    if isinstance(value, decimal.Decimal):
        return value.is_finite()
    if isinstance(value, list | tuple | set):
        return all(_finite(v) for v in value)
    if isinstance(value, dict):
        return all(_finite(v) for v in value.values())
    return True


@settings(max_examples=int(os.environ.get("PROPERTY_EXAMPLES", "25")), deadline=None)
@given(data=st.data())
def test_every_admitted_value_round_trips(data: st.DataObject) -> None:
    for annotation, tool, adapter in TOOLS.values():
        value = data.draw(finite(annotation), label=repr(annotation))
        if isinstance(value, enum.Enum) and type(value) not in (Status, Priority):
            continue
        sent = adapter.dump_python(value, mode="json")  # what the model would send
        validated = tool.validate({"x": sent})
        assert not isinstance(validated, Exception), (annotation, value, validated)
        received = validated["x"]
        assert received == value, (annotation, value, received)
