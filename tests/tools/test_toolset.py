"""Toolsets: duplicate names refused; filter, prefix and rename as wrappers."""

from __future__ import annotations

import pytest

from agentkit.errors import ToolDefinitionError
from agentkit.tools import Toolset, tool


@tool
def lights_on(room: str) -> str:
    """Turn a light on."""
    return f"{room} on"


@tool
def lights_off(room: str) -> str:
    """Turn a light off."""
    return f"{room} off"


def read_sensor(sensor: str) -> float:
    """Read a sensor."""
    return 21.0


def test_toolset_accepts_tools_plain_functions_and_other_toolsets() -> None:
    inner = Toolset([read_sensor])
    toolset = Toolset([lights_on, lights_off, inner])
    assert toolset.names == ["lights_on", "lights_off", "read_sensor"]
    assert "read_sensor" in toolset and "nope" not in toolset
    assert toolset.get("lights_on") is lights_on
    assert [d.name for d in toolset.declarations()] == toolset.names


def test_duplicate_names_are_refused() -> None:
    with pytest.raises(ToolDefinitionError, match="already in the toolset") as caught:
        Toolset([lights_on, tool(name="lights_on")(read_sensor)])
    assert caught.value.tool == "lights_on"


def test_filter_prefix_rename_compose_without_touching_the_source() -> None:
    base = Toolset([lights_on, lights_off, read_sensor])
    lights = base.filter(lambda t: t.name.startswith("lights_"))
    prefixed = lights.prefixed("home.")
    renamed = prefixed.renamed({"home.lights_off": "home.dark"})

    assert lights.names == ["lights_on", "lights_off"]
    assert prefixed.names == ["home.lights_on", "home.lights_off"]
    assert renamed.names == ["home.lights_on", "home.dark"]
    assert [d.name for d in renamed.declarations("openapi")] == ["home.lights_on", "home.dark"]
    assert base.names == ["lights_on", "lights_off", "read_sensor"]
    assert lights_on.name == "lights_on"  # the original tool is not renamed
    assert prefixed.tools()[0] is prefixed.tools()[0]  # renamed copies are cached


async def test_renamed_tools_still_call_the_same_function() -> None:
    dark = Toolset([lights_off]).renamed({"lights_off": "dark"}).get("dark")
    assert dark is not None
    assert (await dark.invoke({"room": "attic"})).response == {"output": "attic off"}
    assert dark.declaration.description == "Turn a light off."


def test_wrappers_see_changes_to_their_source() -> None:
    base = Toolset([lights_on])
    view = base.prefixed("x_")
    base.add(lights_off)
    assert view.names == ["x_lights_on", "x_lights_off"]


def test_bad_renames_and_prefixes_are_refused() -> None:
    base = Toolset([lights_on])
    with pytest.raises(ToolDefinitionError, match="no such tool"):
        base.renamed({"lights_of": "x"})
    with pytest.raises(ToolDefinitionError, match="invalid function name"):
        base.prefixed("9").tools()


def test_a_prefix_collision_is_reported_by_lookup() -> None:
    a = Toolset([lights_on]).prefixed("x_")
    b = Toolset([tool(name="x_lights_on")(read_sensor)])
    combined = Toolset()
    combined.add(a)
    with pytest.raises(ToolDefinitionError):
        combined.add(b)
