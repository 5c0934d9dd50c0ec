"""Quickstart: a Python function becomes a tool; the agent calls it and answers."""

from agentkit import Agent, tool
from agentkit.offline import live_or_scripted
from agentkit.testing import call


@tool
def get_weather(city: str) -> dict:
    """Current weather for a city.

    Args:
        city: City name, e.g. Paris.
    """
    return {"city": city, "condition": "light rain", "temp_c": 14}


SCRIPT = [
    [call("get_weather", city="Paris")],
    "It's 14 °C with light rain in Paris.",
]  # used without a key

with live_or_scripted("gemini-2.5-flash", SCRIPT) as choice:
    print(choice.banner)
    result = Agent(choice.model, tools=[get_weather]).run_sync("Is it raining in Paris?")
    print(result.text)
