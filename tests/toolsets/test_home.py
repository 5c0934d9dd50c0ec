"""The simulated home: state in SQLite, precise errors, atomic scenes, safe concurrency."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from agentkit import ToolContext
from agentkit.toolsets.home import SmartHome, default_path, toolset
from agentkit.toolsets.home.store import SCENES


@pytest.fixture
def home(tmp_path: Path) -> SmartHome:
    return SmartHome(tmp_path / "home.db")


def test_a_new_home_is_seeded(home: SmartHome) -> None:
    status = home.snapshot()
    assert sorted(status["lights"]) == ["bedroom", "hall", "kitchen", "living room", "office"]
    assert status["thermostat"] == {"mode": "heat", "target_celsius": 19.0, "current_celsius": 19.5}
    assert status["locks"] == {"back": True, "front": True, "garage": True}
    assert status["scenes"] == ["away", "good morning", "movie night"]
    assert home.events() == []


async def test_lights_change_and_are_logged_with_the_call(home: SmartHome) -> None:
    context = ToolContext(run_id="run-7", call_id="c1")
    result = await home.set_light.invoke(
        {"room": "kitchen", "brightness": 40, "color_temperature": "cool"}, context
    )
    assert result.response == {
        "room": "kitchen",
        "on": True,
        "brightness": 40,
        "color_temperature": "cool",
    }
    await home.set_light.invoke({"room": "kitchen", "on": False})
    assert home.snapshot()["lights"]["kitchen"] == {
        "room": "kitchen",
        "on": False,
        "brightness": 40,
        "color_temperature": "cool",
    }
    first, second = home.events()
    assert (first["tool"], first["change"], first["run_id"], first["call_id"]) == (
        "set_light",
        "kitchen light on at 40% (cool)",
        "run-7",
        "c1",
    )
    assert json.loads(first["args"]) == {
        "room": "kitchen",
        "on": None,
        "brightness": 40,
        "color_temperature": "cool",
    }
    assert second["change"] == "kitchen light off at 40% (cool)"


@pytest.mark.parametrize(
    ("tool_name", "args", "message"),
    [
        (
            "set_light",
            {"room": "garage", "on": True},
            "unknown room 'garage'; known rooms: bedroom, hall, kitchen, living room, office",
        ),
        (
            "set_light",
            {"room": "hall"},
            "nothing to change: give on, brightness or color_temperature",
        ),
        (
            "set_blinds",
            {"room": "kitchen", "position": 10},
            "unknown room 'kitchen'; known rooms with blinds: bedroom, living room, office",
        ),
        (
            "unlock_door",
            {"door": "window"},
            "unknown door 'window'; known doors: back, front, garage",
        ),
        (
            "apply_scene",
            {"name": "party"},
            "unknown scene 'party'; known scenes: away, good morning, movie night",
        ),
        (
            "read_sensor",
            {"name": "attic"},
            "unknown sensor 'attic'; known sensors: front door contact, hall motion, living room temperature, outdoor temperature",
        ),
    ],
)
async def test_errors_name_what_is_known(
    home: SmartHome, tool_name: str, args: dict[str, object], message: str
) -> None:
    result = await getattr(home, tool_name).invoke(args)
    assert result.error is not None and result.error.kind == "exception"
    assert result.error.message.endswith(f"HomeError: {message}")
    assert home.events() == []


@pytest.mark.parametrize(
    ("tool_name", "args", "path", "text"),
    [
        ("set_thermostat", {"target_celsius": 35}, "target_celsius", "less than or equal to 30"),
        (
            "set_light",
            {"room": "hall", "brightness": 120},
            "brightness",
            "less than or equal to 100",
        ),
        (
            "set_blinds",
            {"room": "office", "position": -5},
            "position",
            "greater than or equal to 0",
        ),
        ("set_thermostat", {"mode": "turbo"}, "mode", "'heat', 'cool', 'auto' or 'off'"),
    ],
)
async def test_out_of_range_values_state_the_range(
    home: SmartHome, tool_name: str, args: dict[str, object], path: str, text: str
) -> None:
    result = await getattr(home, tool_name).invoke(args)
    assert result.error is not None and result.error.kind == "invalid_arguments"
    [problem] = result.error.details["errors"]
    assert problem["path"] == path and text in problem["message"]


async def test_scenes_apply_atomically(home: SmartHome) -> None:
    result = await home.apply_scene.invoke({"name": "movie night"})
    assert result.ok
    status = home.snapshot()
    assert (
        status["lights"]["living room"]["brightness"] == 15 and status["blinds"]["living room"] == 0
    )
    assert len(home.events()) == 1

    SCENES_BROKEN = [
        {"device": "light", "room": "kitchen", "is_on": True, "brightness": 90},
        {"device": "light", "room": "cellar", "is_on": True},
    ]
    with home.store.changing("test", {}) as (db, _):
        db.execute("INSERT INTO scenes VALUES ('broken', ?)", (json.dumps(SCENES_BROKEN),))
    failed = await home.apply_scene.invoke({"name": "broken"})
    assert failed.error is not None and "unknown room 'cellar'" in failed.error.message
    assert (
        home.snapshot()["lights"]["kitchen"]["brightness"] == 0
    )  # the first change was rolled back


def test_scenes_never_unlock() -> None:
    assert all(
        change.get("locked", True)
        for changes in SCENES.values()
        for change in changes
        if change["device"] == "lock"
    )


def test_unlocking_needs_confirmation_locking_does_not(home: SmartHome) -> None:
    unlock = home.unlock_door.validate({"door": "front"})
    lock = home.lock_door.validate({"door": "front"})
    assert home.unlock_door.needs_confirmation(unlock)  # type: ignore[arg-type]
    assert not home.lock_door.needs_confirmation(lock)  # type: ignore[arg-type]


async def test_concurrent_calls_on_one_home_are_safe(tmp_path: Path) -> None:
    path = tmp_path / "home.db"
    homes = [SmartHome(path) for _ in range(4)]
    calls = [homes[i % 4].set_blinds.invoke({"room": "office", "position": i}) for i in range(40)]
    calls += [
        homes[i % 4].set_light.invoke({"room": "hall", "brightness": i + 1}) for i in range(40)
    ]
    results = await asyncio.gather(*calls)
    assert all(r.ok for r in results)
    events = homes[0].events()
    assert len(events) == 80 and [e["id"] for e in events] == list(range(1, 81))
    # The state equals the last logged change of each device.
    last_blinds = [e for e in events if e["tool"] == "set_blinds"][-1]
    assert homes[0].snapshot()["blinds"]["office"] == json.loads(last_blinds["args"])["position"]


def test_database_path_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("AGENTKIT_HOME_DB", str(tmp_path / "x" / "h.db"))
    assert default_path() == tmp_path / "x" / "h.db"
    monkeypatch.delenv("AGENTKIT_HOME_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert default_path() == tmp_path / "data" / "agentkit" / "home.db"
    assert toolset(tmp_path / "y.db").names == [
        "home_status",
        "read_sensor",
        "set_light",
        "set_thermostat",
        "lock_door",
        "unlock_door",
        "set_blinds",
        "apply_scene",
        "camera_snapshot",
    ]


async def test_the_camera_shows_the_rooms_light_and_the_model_is_shown_the_picture(
    emulator: Any, tmp_path: Path
) -> None:
    import zlib

    from agentkit import Agent, Gemini
    from agentkit.testing.emulator import call

    home = toolset(tmp_path / "cam.db")
    snapshot = home.get("camera_snapshot")
    assert snapshot is not None
    dim = (await snapshot.invoke({"room": "hall"})).parts[0].inline_data
    assert dim is not None and dim.mime_type == "image/png"
    await home.get("set_light").invoke({"room": "hall", "brightness": 100})  # type: ignore[union-attr]
    bright = (await snapshot.invoke({"room": "hall"})).parts[0].inline_data
    assert bright is not None
    grey = zlib.decompress(bright.as_bytes().split(b"IDAT")[1][:-4])[1]  # the first pixel
    assert grey == 250 and bright.data != dim.data
    unknown = await snapshot.invoke({"room": "attic"})
    assert unknown.error is not None and "unknown room 'attic'" in unknown.error.message
    emulator.script([[call("camera_snapshot", room="hall")], "The hall is brightly lit and empty."])
    agent = Agent(Gemini("gemini-3-flash-preview", base_url=emulator.url), tools=[home])
    result = await agent.run("What does the hall camera see?")
    assert result.text == "The hall is brightly lit and empty."
    answer = emulator.requests[1].json["contents"][2]["parts"][0]["functionResponse"]
    assert answer["parts"][0]["inlineData"]["mimeType"] == "image/png"
