"""A simulated smart home whose methods are agent tools.

Rooms have lights (on/off, brightness, colour temperature); some have blinds. One thermostat,
three door locks (locking is free; unlocking needs a person's approval), read-only sensors,
and scenes that apply several changes in one transaction. Errors name what was wrong and what
is allowed, so a model can correct itself.
"""

from __future__ import annotations

import json
import os
import sqlite3
import struct
import zlib
from typing import Annotated, Any, Literal

from pydantic import Field

from agentkit import ToolContext, tool

from .store import HomeStore

ColorTemperature = Literal["daylight", "cool", "warm"]
ThermostatMode = Literal["heat", "cool", "auto", "off"]
SAFE_MIN, SAFE_MAX = 10.0, 30.0


class HomeError(ValueError):
    """A request the home cannot carry out; the message says why and what would work."""


def _call_ids(ctx: ToolContext[Any] | None) -> tuple[str | None, str | None]:
    return (ctx.run_id or None, ctx.call_id) if ctx is not None else (None, None)


class SmartHome:
    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.store = HomeStore(path)

    # -- reading ------------------------------------------------------------------------------

    @tool
    def home_status(self) -> dict[str, Any]:
        """Everything about the home right now: lights, thermostat, locks, blinds, sensors,
        and the scenes that can be applied."""
        with self.store.reading() as db:
            return _status(db)

    @tool
    def read_sensor(self, name: str) -> dict[str, Any]:
        """Read one sensor (temperature, motion or door contact).

        Args:
            name: The sensor's name, e.g. "hall motion".
        """
        with self.store.reading() as db:
            row = db.execute("SELECT * FROM sensors WHERE name = ?", (name,)).fetchone()
            if row is None:
                known = [r["name"] for r in db.execute("SELECT name FROM sensors ORDER BY name")]
                raise HomeError(f"unknown sensor {name!r}; known sensors: {', '.join(known)}")
            return {
                "name": row["name"],
                "kind": row["kind"],
                "room": row["room"],
                "value": _sensor_value(row),
            }

    # -- changing -----------------------------------------------------------------------------

    @tool
    def set_light(
        self,
        room: str,
        on: bool | None = None,
        brightness: Annotated[int, Field(ge=0, le=100)] | None = None,
        color_temperature: ColorTemperature | None = None,
        ctx: ToolContext[Any] | None = None,
    ) -> dict[str, Any]:
        """Change a room's light. Give only what should change.

        Args:
            room: The room, e.g. "living room".
            on: Switch the light on or off.
            brightness: 0 (off) to 100; a brightness above 0 also switches the light on.
            color_temperature: daylight, cool or warm.
        """
        if on is None and brightness is None and color_temperature is None:
            raise HomeError("nothing to change: give on, brightness or color_temperature")
        args = {
            "room": room,
            "on": on,
            "brightness": brightness,
            "color_temperature": color_temperature,
        }
        with self.store.changing("set_light", args, *_call_ids(ctx)) as (db, changes):
            _require_room(db, "lights", room)
            _apply_light(db, changes, room, on, brightness, color_temperature)
            return _light(db, room)

    @tool
    def set_thermostat(
        self,
        mode: ThermostatMode | None = None,
        target_celsius: Annotated[float, Field(ge=SAFE_MIN, le=SAFE_MAX)] | None = None,
        ctx: ToolContext[Any] | None = None,
    ) -> dict[str, Any]:
        """Set the thermostat's mode and/or target temperature (10 to 30 °C).

        Args:
            mode: heat, cool, auto or off.
            target_celsius: Target temperature in degrees Celsius, 10 to 30.
        """
        if mode is None and target_celsius is None:
            raise HomeError("nothing to change: give mode or target_celsius")
        args = {"mode": mode, "target_celsius": target_celsius}
        with self.store.changing("set_thermostat", args, *_call_ids(ctx)) as (db, changes):
            _apply_thermostat(db, changes, mode, target_celsius)
            return _thermostat(db)

    @tool
    def lock_door(self, door: str, ctx: ToolContext[Any] | None = None) -> dict[str, Any]:
        """Lock a door.

        Args:
            door: front, back or garage.
        """
        return self._set_lock("lock_door", door, True, ctx)

    @tool(requires_confirmation=True)
    def unlock_door(self, door: str, ctx: ToolContext[Any] | None = None) -> dict[str, Any]:
        """Unlock a door. A person must approve this before it happens.

        Args:
            door: front, back or garage.
        """
        return self._set_lock("unlock_door", door, False, ctx)

    @tool
    def set_blinds(
        self,
        room: str,
        position: Annotated[int, Field(ge=0, le=100)],
        ctx: ToolContext[Any] | None = None,
    ) -> dict[str, Any]:
        """Move a room's blinds.

        Args:
            room: A room with blinds: living room, bedroom or office.
            position: 0 (closed) to 100 (fully open).
        """
        with self.store.changing(
            "set_blinds", {"room": room, "position": position}, *_call_ids(ctx)
        ) as (db, changes):
            _require_room(db, "blinds", room)
            _apply_blinds(db, changes, room, position)
            return {"room": room, "position": position}

    @tool
    def apply_scene(self, name: str, ctx: ToolContext[Any] | None = None) -> dict[str, Any]:
        """Apply a named scene: all of its changes at once, or none of them.

        Args:
            name: The scene, e.g. "movie night".
        """
        with self.store.changing("apply_scene", {"name": name}, *_call_ids(ctx)) as (db, changes):
            row = db.execute("SELECT changes FROM scenes WHERE name = ?", (name,)).fetchone()
            if row is None:
                known = [r["name"] for r in db.execute("SELECT name FROM scenes ORDER BY name")]
                raise HomeError(f"unknown scene {name!r}; known scenes: {', '.join(known)}")
            for change in json.loads(row["changes"]):
                _apply_scene_change(db, changes, change)
            return {"scene": name, "changes": changes, "status": _status(db)}

    def _set_lock(
        self, tool_name: str, door: str, locked: bool, ctx: ToolContext[Any] | None
    ) -> dict[str, Any]:
        with self.store.changing(tool_name, {"door": door}, *_call_ids(ctx)) as (db, changes):
            _require_door(db, door)
            _apply_lock(db, changes, door, locked)
            return {"door": door, "locked": locked}

    @tool
    def camera_snapshot(self, room: str) -> bytes:
        """A still picture from a room's camera (a PNG the model can look at): as bright as
        the room's light is.

        Args:
            room: The room whose camera to read.
        """
        with self.store.reading() as db:
            _require_room(db, "lights", room)
            light = _light(db, room)
        level = light["brightness"] if light["on"] else 0
        return _png(32, 24, round(30 + 2.2 * level))

    # -- for people and tests -----------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        with self.store.reading() as db:
            return _status(db)

    def events(self) -> list[dict[str, Any]]:
        with self.store.reading() as db:
            return [dict(row) for row in db.execute("SELECT * FROM events ORDER BY id")]

    def tools(self) -> list[Any]:
        return [
            self.home_status,
            self.read_sensor,
            self.set_light,
            self.set_thermostat,
            self.lock_door,
            self.unlock_door,
            self.set_blinds,
            self.apply_scene,
            self.camera_snapshot,
        ]


# -- state changes (inside a transaction) -------------------------------------------------------


def _require_room(db: sqlite3.Connection, table: str, room: str) -> None:
    if db.execute(f"SELECT 1 FROM {table} WHERE room = ?", (room,)).fetchone() is None:
        known = [r["room"] for r in db.execute(f"SELECT room FROM {table} ORDER BY room")]
        what = "rooms with blinds" if table == "blinds" else "rooms"
        raise HomeError(f"unknown room {room!r}; known {what}: {', '.join(known)}")


def _require_door(db: sqlite3.Connection, door: str) -> None:
    if db.execute("SELECT 1 FROM locks WHERE door = ?", (door,)).fetchone() is None:
        known = [r["door"] for r in db.execute("SELECT door FROM locks ORDER BY door")]
        raise HomeError(f"unknown door {door!r}; known doors: {', '.join(known)}")


def _apply_light(
    db: sqlite3.Connection,
    changes: list[str],
    room: str,
    on: bool | None,
    brightness: int | None,
    color_temperature: str | None,
) -> None:
    current = _light(db, room)
    if brightness is not None and on is None:
        on = brightness > 0
    is_on = current["on"] if on is None else on
    level = current["brightness"] if brightness is None else brightness
    if is_on and level == 0:
        level = 100 if brightness is None else level  # switching on at 0 % would stay dark
    color = color_temperature or current["color_temperature"]
    db.execute(
        "UPDATE lights SET is_on = ?, brightness = ?, color_temperature = ? WHERE room = ?",
        (int(is_on), level, color, room),
    )
    changes.append(f"{room} light {'on' if is_on else 'off'} at {level}% ({color})")


def _apply_thermostat(
    db: sqlite3.Connection, changes: list[str], mode: str | None, target: float | None
) -> None:
    if target is not None and not SAFE_MIN <= target <= SAFE_MAX:
        raise HomeError(
            f"target {target} °C is outside the safe range {SAFE_MIN:g} to {SAFE_MAX:g} °C"
        )
    current = _thermostat(db)
    new_mode = mode or current["mode"]
    new_target = current["target_celsius"] if target is None else float(target)
    db.execute("UPDATE thermostat SET mode = ?, target = ? WHERE id = 1", (new_mode, new_target))
    changes.append(f"thermostat {new_mode} at {new_target:g} °C")


def _apply_lock(db: sqlite3.Connection, changes: list[str], door: str, locked: bool) -> None:
    db.execute("UPDATE locks SET locked = ? WHERE door = ?", (int(locked), door))
    changes.append(f"{door} door {'locked' if locked else 'unlocked'}")


def _apply_blinds(db: sqlite3.Connection, changes: list[str], room: str, position: int) -> None:
    db.execute("UPDATE blinds SET position = ? WHERE room = ?", (position, room))
    changes.append(f"{room} blinds at {position}%")


def _apply_scene_change(db: sqlite3.Connection, changes: list[str], change: dict[str, Any]) -> None:
    device = change["device"]
    if device == "light":
        _require_room(db, "lights", change["room"])
        _apply_light(
            db,
            changes,
            change["room"],
            change.get("is_on"),
            change.get("brightness"),
            change.get("color_temperature"),
        )
    elif device == "blinds":
        _require_room(db, "blinds", change["room"])
        _apply_blinds(db, changes, change["room"], change["position"])
    elif device == "thermostat":
        _apply_thermostat(db, changes, change.get("mode"), change.get("target"))
    elif device == "lock":
        if not change["locked"]:
            raise HomeError("a scene may lock doors but never unlock them")
        _require_door(db, change["door"])
        _apply_lock(db, changes, change["door"], True)
    else:
        raise HomeError(f"scene change for unknown device {device!r}")


# -- reading rows -----------------------------------------------------------------------------


def _png(width: int, height: int, grey: int) -> bytes:
    """A plain grey PNG (written here: the home needs no imaging library for its camera)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes([grey, grey, grey]) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def _light(db: sqlite3.Connection, room: str) -> dict[str, Any]:
    row = db.execute("SELECT * FROM lights WHERE room = ?", (room,)).fetchone()
    return {
        "room": room,
        "on": bool(row["is_on"]),
        "brightness": row["brightness"],
        "color_temperature": row["color_temperature"],
    }


def _thermostat(db: sqlite3.Connection) -> dict[str, Any]:
    row = db.execute("SELECT * FROM thermostat WHERE id = 1").fetchone()
    return {"mode": row["mode"], "target_celsius": row["target"], "current_celsius": row["current"]}


def _sensor_value(row: sqlite3.Row) -> Any:
    if row["kind"] == "temperature":
        return float(row["value"])
    if row["kind"] == "motion":
        return row["value"] == "true"
    return row["value"]


def _status(db: sqlite3.Connection) -> dict[str, Any]:
    return {
        "lights": {
            r["room"]: _light(db, r["room"])
            for r in db.execute("SELECT room FROM lights ORDER BY room")
        },
        "thermostat": _thermostat(db),
        "locks": {
            r["door"]: bool(r["locked"]) for r in db.execute("SELECT * FROM locks ORDER BY door")
        },
        "blinds": {
            r["room"]: r["position"] for r in db.execute("SELECT * FROM blinds ORDER BY room")
        },
        "sensors": {
            r["name"]: _sensor_value(r) for r in db.execute("SELECT * FROM sensors ORDER BY name")
        },
        "scenes": [r["name"] for r in db.execute("SELECT name FROM scenes ORDER BY name")],
    }
