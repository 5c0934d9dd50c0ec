"""Tools with the shapes real APIs have: an order service whose methods are tools.

The model's arguments arrive as JSON; the tools receive typed objects (models, enums,
dataclasses) and change the service's state.
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from agentkit.tools import ToolContext, Toolset, tool

from .shapes import Address, DateRange, Filters, LineItem, Priority, Status, Unit


class Order(BaseModel):
    id: int
    customer: str
    shipping: Address
    items: list[LineItem]
    priority: Priority
    status: Status = Status.OPEN
    total: float


class OrderService:
    def __init__(self) -> None:
        self.orders: dict[int, Order] = {}

    @tool
    def create_order(
        self,
        customer: str,
        shipping: Address,
        items: Annotated[list[LineItem], Field(min_length=1)],
        priority: Priority = Priority.LOW,
        notes: str | None = None,
    ) -> Order:
        """Place an order.

        Args:
            customer: Customer account name.
            shipping: Where to deliver.
            items: What to deliver; at least one line.
            priority: 1 for normal, 2 for express.
            notes: Instructions for the courier.
        """
        order = Order(
            id=len(self.orders) + 1,
            customer=customer,
            shipping=shipping,
            items=items,
            priority=priority,
            total=round(sum(i.quantity * i.unit_price for i in items), 2),
        )
        self.orders[order.id] = order
        return order

    @tool
    def search_orders(
        self,
        status: Status | None = None,
        placed: DateRange | None = None,
        filters: Filters | None = None,
        limit: Annotated[int, Field(ge=1, le=100)] = 20,
    ) -> list[int]:
        """Find orders, newest first."""
        found = [o for o in self.orders.values() if status is None or o.status is status]
        if filters and "min_total" in filters:
            found = [o for o in found if o.total >= filters["min_total"]]
        return [o.id for o in reversed(found)][:limit]

    @tool(requires_confirmation=lambda args: args["status"] is Status.CANCELLED)
    def update_status(self, order_id: int, status: Status, ctx: ToolContext[str]) -> dict[str, str]:
        """Change an order's status (cancelling needs a human's approval)."""
        self.orders[order_id].status = status
        return {"order": str(order_id), "status": status.value, "by": ctx.deps}


async def test_order_flow_with_model_shaped_arguments() -> None:
    service = OrderService()
    tools = Toolset([service.create_order, service.search_orders, service.update_status])

    created = await tools.get("create_order").invoke(  # type: ignore[union-attr]
        {
            "customer": "acme",
            "shipping": {"street": "Dam 1", "city": "Amsterdam", "postcode": "1012 JS"},
            "items": [
                {"sku": "LAMP-1", "quantity": 2, "unit_price": 19.95},
                {"sku": "BULB", "quantity": 4, "unit_price": 2.5},
            ],
            "priority": 2,
        }
    )
    assert created.ok, created.response
    order = service.orders[1]
    assert isinstance(order.shipping, Address) and order.shipping.country == "NL"
    assert order.priority is Priority.HIGH and order.total == 49.9
    assert created.response["output"]["items"][0] == {
        "sku": "LAMP-1",
        "quantity": 2,
        "unit_price": 19.95,
    }

    found = await tools.get("search_orders").invoke(
        {"status": "open", "filters": {"min_total": 40}}
    )  # type: ignore[union-attr]
    assert found.response == {"output": [1]}

    cancel = tools.get("update_status")
    assert cancel is not None
    validated = cancel.validate({"order_id": 1, "status": "cancelled"})
    assert not isinstance(validated, Exception) and cancel.needs_confirmation(validated)
    assert not cancel.needs_confirmation(cancel.validate({"order_id": 1, "status": "shipped"}))  # type: ignore[arg-type]
    done = await cancel.run(validated, ToolContext(deps="ops-team"))
    assert done.response == {"order": "1", "status": "cancelled", "by": "ops-team"}
    assert service.orders[1].status is Status.CANCELLED


async def test_empty_item_list_is_rejected_with_its_path() -> None:
    service = OrderService()
    result = await service.create_order.invoke(
        {
            "customer": "acme",
            "shipping": {"street": "a", "city": "b", "postcode": "123"},
            "items": [],
        }
    )
    assert result.error is not None
    assert [e["path"] for e in result.error.details["errors"]] == ["items"]
    assert service.orders == {}


@tool
def everything(
    text: str,
    count: int,
    ratio: float,
    flag: bool,
    maybe: int | None,
    tags: list[str],
    pair: tuple[int, str],
    many: tuple[float, ...],
    unique: set[str],
    scores: dict[str, int],
    mode: Literal["fast", "safe"],
    level: Literal[1, 2, 3],
    status: Status,
    priority: Priority,
    address: Address,
    lines: list[LineItem],
    window: DateRange,
    filters: Filters,
    day: datetime.date,
    moment: datetime.datetime,
    alarm: datetime.time,
    ident: uuid.UUID,
    amount: decimal.Decimal,
    bounded: Annotated[int, Field(ge=0, le=10, description="Zero to ten.")],
    unit: Unit = "celsius",
    note: str | None = None,
) -> dict[str, str]:
    """Accept one of everything."""
    return {name: type(value).__name__ for name, value in locals().items()}


async def test_a_tool_with_every_supported_type_declares_and_accepts_arguments() -> None:
    properties = everything.declaration.to_wire()["parametersJsonSchema"]["properties"]
    assert len(properties) == 26
    result = await everything.invoke(
        {
            "text": "t",
            "count": 3,
            "ratio": 0.5,
            "flag": True,
            "maybe": None,
            "tags": ["a"],
            "pair": [1, "b"],
            "many": [1.5, 2],
            "unique": ["x", "y"],
            "scores": {"a": 1},
            "mode": "safe",
            "level": 2,
            "status": "shipped",
            "priority": 1,
            "address": {"street": "s", "city": "c", "postcode": "1234"},
            "lines": [{"sku": "k", "quantity": 1, "unit_price": 1.0}],
            "window": {"start": "2026-01-01"},
            "filters": {"status": "open"},
            "day": "2026-11-21",
            "moment": "2026-11-21T17:00:00Z",
            "alarm": "07:30:00",
            "ident": "12345678-1234-5678-1234-567812345678",
            "amount": "12.50",
            "bounded": 10,
        }
    )
    assert result.ok, result.response
    assert result.response == {
        "text": "str",
        "count": "int",
        "ratio": "float",
        "flag": "bool",
        "maybe": "NoneType",
        "tags": "list",
        "pair": "tuple",
        "many": "tuple",
        "unique": "set",
        "scores": "dict",
        "mode": "str",
        "level": "int",
        "status": "Status",
        "priority": "Priority",
        "address": "Address",
        "lines": "list",
        "window": "DateRange",
        "filters": "dict",
        "day": "date",
        "moment": "datetime",
        "alarm": "time",
        "ident": "UUID",
        "amount": "Decimal",
        "bounded": "int",
        "unit": "str",
        "note": "NoneType",
    }


def test_local_types_resolve_under_future_annotations() -> None:
    class Point(BaseModel):
        x: int
        y: int

    @tool
    def move(to: Point) -> None:
        """Move."""

    assert move.declaration.to_wire()["parametersJsonSchema"]["properties"]["to"]["required"] == [
        "x",
        "y",
    ]
