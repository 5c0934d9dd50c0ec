"""The benchmark's workload, identical for every contender.

A prompt; the model answers with two parallel calls; the client runs both and answers; the
model calls two more; the client answers; the model replies in text. Three model calls per
run, two of which execute two tools. The emulator decides its answer from the request alone
(how many function-response turns it holds), so any number of runs can be in flight.
"""

from __future__ import annotations

from typing import Any

PROMPT = "Compare the weather and local time in Paris and Tokyo."
FINAL_TEXT = "Paris: 14 °C, light rain, 18:00. Tokyo: 22 °C, clear, 02:00."
CITIES = ("Paris", "Tokyo")


def get_weather(city: str) -> dict[str, Any]:
    """Current weather for a city.

    Args:
        city: City name, e.g. Paris.
    """
    return {"city": city, "temp_c": 14 if city == "Paris" else 22, "condition": "light rain"}


def get_time(city: str) -> dict[str, Any]:
    """Local time in a city.

    Args:
        city: City name, e.g. Tokyo.
    """
    return {"city": city, "time": "18:00" if city == "Paris" else "02:00"}


FUNCTIONS = {"get_weather": get_weather, "get_time": get_time}

DECLARATIONS: list[dict[str, Any]] = [
    {
        "name": name,
        "description": function.__doc__.split("\n")[0] if function.__doc__ else name,
        "parametersJsonSchema": {
            "type": "object",
            "properties": {"city": {"type": "string", "description": "City name."}},
            "required": ["city"],
        },
    }
    for name, function in FUNCTIONS.items()
]


LONG_ANSWER = "Answer in this many characters: "  # a prompt asking for a long text answer


def long_text(size: int) -> str:
    return ("word " * (size // 5 + 1))[:size]


def answer(request: Any) -> Any:
    """The emulated model: rounds 1 and 2 call two functions each, round 3 answers. A prompt
    starting with ``LONG_ANSWER`` gets a text of the size it names (the streaming benchmark)."""
    prompt = request.contents[-1].text or ""
    if prompt.startswith(LONG_ANSWER):
        return long_text(int(prompt[len(LONG_ANSWER) :]))
    rounds = sum(1 for content in request.contents if content.function_responses)
    if rounds < 2:
        name = "get_weather" if rounds == 0 else "get_time"
        return [{"functionCall": {"name": name, "args": {"city": city}}} for city in CITIES]
    return FINAL_TEXT
