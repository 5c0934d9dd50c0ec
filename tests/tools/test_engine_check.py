"""The once-per-process check that the fast argument engine's hand-written nodes are still
the nodes pydantic generates; when they are not, every tool goes through pydantic."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from agentkit.schema import annotation_core
from agentkit.tools import Tool
from agentkit.tools.engine_check import fast_nodes_agree
from agentkit.tools.results import ToolError


@pytest.fixture(autouse=True)
def _fresh_check() -> Iterator[None]:
    fast_nodes_agree.cache_clear()
    yield
    fast_nodes_agree.cache_clear()  # the next test (and tool) checks the real pydantic again


def thermostat() -> Tool:
    def set_temperature(room: str, celsius: int) -> str:
        """Set a room's temperature.

        Args:
            room: Which room.
            celsius: Degrees.
        """
        return f"{room}: {celsius}"

    return Tool(set_temperature)


def test_the_installed_pydantic_generates_the_nodes_the_fast_engine_writes() -> None:
    assert fast_nodes_agree() is True
    assert thermostat().arguments.engine.kind == "typed_dict"


def test_a_pydantic_whose_nodes_differ_turns_the_fast_engine_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fast = thermostat()
    # As if a release now generated another node for ``int`` than the one written by hand.
    monkeypatch.setitem(annotation_core._SCALARS, int, {"type": "int", "strict": False})
    fast_nodes_agree.cache_clear()
    assert fast_nodes_agree() is False
    slow = thermostat()
    assert slow.arguments.engine.kind == "model"
    assert slow.declaration_for("json_schema") == fast.declaration_for("json_schema")
    assert slow.validate({"room": "hall", "celsius": 20}) == {"room": "hall", "celsius": 20}
    refused, refused_fast = (
        tool.validate({"room": "hall", "celsius": "warm"}) for tool in (slow, fast)
    )
    assert isinstance(refused, ToolError) and refused == refused_fast
