"""Types with the shapes real APIs have, shared by the tool tests."""

from __future__ import annotations

import dataclasses
import enum
from typing import Literal

from pydantic import BaseModel, Field
from typing_extensions import TypedDict


class Status(enum.Enum):
    OPEN = "open"
    SHIPPED = "shipped"
    CANCELLED = "cancelled"


class Priority(enum.IntEnum):
    LOW = 1
    HIGH = 2


class Address(BaseModel):
    """A postal address."""

    street: str
    city: str
    postcode: str = Field(pattern=r"^[0-9A-Z -]{3,10}$")
    country: str = "NL"


class LineItem(BaseModel):
    sku: str
    quantity: int = Field(ge=1, description="How many units.")
    unit_price: float = Field(gt=0)


class Category(BaseModel):
    """A category tree (recursive)."""

    name: str
    children: list[Category] = []


@dataclasses.dataclass
class DateRange:
    start: str
    end: str | None = None


class Filters(TypedDict, total=False):
    status: Status
    min_total: float


Unit = Literal["celsius", "fahrenheit"]
