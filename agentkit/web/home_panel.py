"""The home's state beside the chat, for an agent that has the home toolset (``tools.home``).

The panel reads the home the way its own tests and people do — ``SmartHome.snapshot()``,
one read transaction on its SQLite database — from the object the agent's home tools are
bound to, so it shows exactly the home those tools change, wherever its database lives.
It is read when a session opens and after each tool result, in a worker thread (SQLite
may wait on a writer), and sent to the page only when something changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import anyio

from agentkit.tools import Tool

# The home toolset's reading tool; the object it is bound to can give a snapshot.
_STATUS_TOOL = "home_status"
PANEL_PARTS = ("lights", "thermostat", "locks", "blinds")


class HomePanel:
    """Reads the home's lights, thermostat, locks and blinds; remembers the last reading."""

    def __init__(self, snapshot: Callable[[], dict[str, Any]]) -> None:
        self._snapshot = snapshot
        self.last: dict[str, Any] | None = None

    @classmethod
    def find(cls, tools: Iterable[Tool]) -> HomePanel | None:
        """The panel for the home these tools act on, or None when they have no home."""
        for tool in tools:
            owner = getattr(tool.fn, "__self__", None)
            snapshot = getattr(owner, "snapshot", None)
            if tool.name == _STATUS_TOOL and callable(snapshot):
                return cls(snapshot)
        return None

    async def read(self) -> dict[str, Any]:
        state = await anyio.to_thread.run_sync(self._snapshot)
        return {part: state.get(part) for part in PANEL_PARTS}

    async def changed(self) -> tuple[dict[str, Any], list[str]] | None:
        """The state and what changed in it (``lights.kitchen``, ``locks.front``...) since
        the last reading; None when nothing did."""
        state = await self.read()
        before, self.last = self.last, state
        if before == state:
            return None
        return state, _differences(before or {}, state)


def _differences(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    changed = []
    for part, value in after.items():
        old = before.get(part)
        if isinstance(value, dict) and isinstance(old, dict) and part != "thermostat":
            changed += [f"{part}.{name}" for name in value if value[name] != old.get(name)]
        elif value != old:
            changed.append(part)
    return changed if before else []
