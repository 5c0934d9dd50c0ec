"""A small stateful home used by the agent tests: real tools, real state changes."""

from __future__ import annotations

import threading
import time
from typing import Annotated, Literal

from pydantic import Field

from agentkit.tools import tool


class Home:
    def __init__(self) -> None:
        self.lights: dict[str, int] = {"kitchen": 0, "hall": 0, "bedroom": 0}
        self.thermostat = 19.0
        self.locked = True
        self.log: list[tuple[str, float, float]] = []  # (name, start, end) per call
        self._lock = threading.Lock()

    def _record(self, name: str, started: float) -> None:
        with self._lock:
            self.log.append((name, started, time.perf_counter()))

    @tool
    def set_light(
        self,
        room: Literal["kitchen", "hall", "bedroom"],
        brightness: Annotated[int, Field(ge=0, le=100)],
    ) -> dict[str, object]:
        """Set a room's light.

        Args:
            room: Room whose light to change.
            brightness: 0 (off) to 100.
        """
        started = time.perf_counter()
        time.sleep(0.05)  # a device round trip; lets parallel calls overlap measurably
        self.lights[room] = brightness
        self._record(f"set_light:{room}", started)
        return {"room": room, "brightness": brightness}

    @tool
    def get_temperature(self) -> float:
        """Read the thermostat's target temperature."""
        return self.thermostat

    @tool
    def set_thermostat(self, celsius: Annotated[float, Field(ge=10, le=30)]) -> dict[str, float]:
        """Set the thermostat's target (10 to 30 degrees Celsius)."""
        self.thermostat = celsius
        return {"target": celsius}

    @tool(requires_confirmation=True)
    def unlock_door(self, door: Literal["front", "back"]) -> str:
        """Unlock a door (a person must approve)."""
        self.locked = False
        return f"{door} door unlocked"

    @tool(timeout=0.05)
    async def slow_sensor(self) -> str:
        """A sensor that never answers in time."""
        import anyio

        await anyio.sleep(5)
        return "never"

    @tool
    def broken_camera(self) -> str:
        """A camera that fails."""
        raise ConnectionError("camera offline")

    def tools(self) -> list[object]:
        return [
            self.set_light,
            self.get_temperature,
            self.set_thermostat,
            self.unlock_door,
            self.slow_sensor,
            self.broken_camera,
        ]
