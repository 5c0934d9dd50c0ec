"""Parallel calls: the model asks for several functions at once; they run concurrently and
are answered in one turn, in the order asked."""

import time

import anyio

from agentkit import Agent, tool
from agentkit.offline import live_or_scripted
from agentkit.testing import call

CITIES = ["Paris", "Tokyo", "Lima"]


@tool
async def get_weather(city: str) -> dict:
    """Current weather for a city (each lookup takes half a second)."""
    await anyio.sleep(0.5)
    return {"city": city, "temp_c": {"Paris": 14, "Tokyo": 22, "Lima": 19}.get(city, 20)}


SCRIPT = [
    [call("get_weather", city=c) for c in CITIES],
    "Tokyo is warmest at 22 °C, then Lima (19 °C) and Paris (14 °C).",
]

with live_or_scripted("gemini-2.5-flash", SCRIPT) as choice:
    print(choice.banner)
    started = time.perf_counter()
    result = Agent(choice.model, tools=[get_weather]).run_sync(
        f"Which is warmest: {', '.join(CITIES)}?"
    )
    elapsed = time.perf_counter() - started
    print(result.text)
    calls = [c for c in result.tool_calls if c.name == "get_weather"]
    print(
        f"{len(calls)} lookups of 0.5 s each took {elapsed:.2f} s in total: "
        "they ran at the same time"
    )
