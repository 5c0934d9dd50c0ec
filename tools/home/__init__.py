"""A simulated smart home for agents: ``toolset()`` gives its tools over a SQLite database.

The database path comes from the argument, else ``AGENTKIT_HOME_DB``, else the user's data
directory. Unlocking a door requires a person's approval.
"""

from __future__ import annotations

import os

from agentkit import Toolset

from .smart_home import HomeError, SmartHome
from .store import default_path

__all__ = ["HomeError", "SmartHome", "default_path", "toolset"]


def toolset(path: str | os.PathLike[str] | None = None) -> Toolset:
    return Toolset(SmartHome(path).tools())
