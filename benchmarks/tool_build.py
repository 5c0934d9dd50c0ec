"""How long building tool declarations takes: 100 distinct tools with realistic signatures.

Each tool gets its own function object (no caching can be shared between them), with a mix of
scalars, a constrained int, a Literal, an optional filter and a nested model. Measured: the
tool and the declaration an agent sends (JSON dialect), and separately with the OpenAPI subset
as well. Run: ``python -m benchmarks.tool_build``.
"""

from __future__ import annotations

import statistics
import time
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from agentkit.tools import Tool


class Address(BaseModel):
    street: str
    city: str
    postcode: str | None = None


def _make_function(index: int) -> Any:
    def function(
        room: str,
        level: Annotated[int, Field(ge=0, le=100)],
        mode: Literal["eco", "comfort", "boost"] = "eco",
        address: Address | None = None,
        tags: list[str] | None = None,
    ) -> dict[str, Any]:
        """Do something to a room.

        Args:
            room: Which room.
            level: How much, 0 to 100.
            mode: Operating mode.
            address: Where the room is.
            tags: Labels to attach.
        """
        return {}

    function.__name__ = function.__qualname__ = f"tool_{index:03d}"
    return function


def build_tools(count: int = 100, *, both_dialects: bool = False) -> float:
    """Seconds to build ``count`` tools and their declarations (the JSON dialect an agent
    sends; with ``both_dialects`` the OpenAPI subset too)."""
    functions = [_make_function(i) for i in range(count)]
    started = time.perf_counter()
    for function in functions:
        built = Tool(function)
        built.declaration_for("json_schema")
        if both_dialects:
            built.declaration_for("openapi")
    return time.perf_counter() - started


def measure(count: int = 100, repeats: int = 5) -> dict[str, float]:
    build_tools(5)  # warm pydantic's own caches, as a long-running process would have them
    runs = [build_tools(count) for _ in range(repeats)]
    both = [build_tools(count, both_dialects=True) for _ in range(repeats)]
    best = min(runs)
    return {
        "tools": count,
        "best_ms": round(best * 1000, 2),
        "median_ms": round(statistics.median(runs) * 1000, 2),
        "per_tool_ms": round(best * 1000 / count, 3),
        "both_dialects_best_ms": round(min(both) * 1000, 2),
    }


if __name__ == "__main__":
    print(measure())
