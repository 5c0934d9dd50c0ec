"""The fast path (JSON Schema read from the core schema) equals pydantic's generator, always.

For every golden type and for real tool sets the translator either gives exactly the cleaned
output of pydantic's own generator, or declines (``Unsupported``) so that generator is used.
"""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, field_validator

from agentkit.schema import clean_json_schema
from agentkit.schema.core_to_json import Unsupported, core_to_json_schema
from agentkit.schema.generator import ToolJsonSchema
from agentkit.tools import Tool, tool
from agentkit.tools.argument_engines import arguments_model

from .test_golden import CASES, one_parameter_tool


def slow_path(built: Tool) -> dict[str, Any]:
    model, _ = arguments_model(built.name, built.arguments.parameters)
    return clean_json_schema(model.model_json_schema(schema_generator=ToolJsonSchema))


def real_tools() -> list[Tool]:
    from agentkit.toolsets.calc import calculate
    from agentkit.toolsets.clock import convert_time, now
    from agentkit.toolsets.home import SmartHome

    from ..agent.home import Home
    from ..tools.test_real_tools import OrderService, everything

    orders = OrderService()
    # fmt: off
    return [
        *SmartHome(":memory:").tools(), calculate, now, convert_time, *Home().tools(),  # type: ignore[list-item]
        orders.create_order, orders.search_orders, orders.update_status, everything,
    ]
    # fmt: on


# The golden types left to pydantic's generator: recursion, and nodes or formats the
# translator does not write (non-string keys, URLs, durations, bytes).
DECLINED = {"recursive-model", "counter-int-keys", "url", "timedelta", "bytes"}


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_golden_types_translate_exactly_or_decline(case: Any) -> None:
    built = one_parameter_tool(case.annotation, case.default)
    try:
        fast = core_to_json_schema(built.arguments.engine.core_schema)
    except Unsupported:
        assert case.id in DECLINED
        return
    assert case.id not in DECLINED
    assert fast == slow_path(built)


def test_real_tool_sets_translate_exactly() -> None:
    for built in real_tools():
        fast = core_to_json_schema(built.arguments.engine.core_schema)
        assert fast == slow_path(built), built.name
        assert built.parameters_json_schema == fast


def test_validators_and_custom_schemas_fall_back_to_pydantic() -> None:
    class Booking(BaseModel):
        """A booking."""

        nights: int

        @field_validator("nights")
        @classmethod
        def positive(cls, value: int) -> int:
            return value

    class Custom(BaseModel):
        model_config = {"json_schema_extra": {"examples": [{"x": 1}]}}
        x: int

    @tool
    def book(booking: Booking, custom: Custom) -> None: ...

    with pytest.raises(Unsupported):
        core_to_json_schema(book.arguments.engine.core_schema)
    # The tool still gets pydantic's schema, examples included.
    assert book.parameters_json_schema["properties"]["custom"]["examples"] == [{"x": 1}]
