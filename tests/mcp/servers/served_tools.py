"""Tools served by ``agentkit mcp serve`` in the tests: typed results (so each declares an
``outputSchema``) and a sync tool that reports its progress from its worker thread."""

from __future__ import annotations

from pydantic import BaseModel
from typing_extensions import TypedDict  # pydantic reads typing.TypedDict only from 3.12

from agentkit import ToolContext, tool


class Reading(BaseModel):
    room: str
    celsius: float


class Tally(TypedDict):
    rooms: int
    warmest: str


@tool
def measure(ctx: ToolContext, rooms: list[str]) -> list[Reading]:
    """Read each room's temperature, saying how far it has got."""
    readings = []
    for done, room in enumerate(rooms, start=1):
        readings.append(Reading(room=room, celsius=20.0 + done))
        ctx.report_progress(done, len(rooms), f"read {room}")
    return readings


@tool
def tally(rooms: list[str]) -> Tally:
    """Count rooms and name the warmest (the last one)."""
    return {"rooms": len(rooms), "warmest": rooms[-1]}


@tool
def double(n: int) -> int:
    """Twice n."""
    return 2 * n
