"""The scenario's two tools for batch run files: ``tools = ["benchmarks.batch_tools"]``.

Declared non-blocking, as a user would declare functions that return at once.
"""

from __future__ import annotations

from agentkit import tool
from benchmarks.scenario import get_time, get_weather

weather = tool(blocking=False)(get_weather)
local_time = tool(blocking=False)(get_time)
