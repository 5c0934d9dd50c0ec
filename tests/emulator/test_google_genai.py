"""Google's own SDK, pointed at the emulator, runs an automatic-function-calling exchange.

This proves the emulator speaks the real protocol well enough for a third-party client, and
that the SDK's requests (camelCase, signatures echoed, function responses) pass its checks.
"""

from __future__ import annotations

import pytest

from agentkit.testing.emulator import Emulator, call

genai = pytest.importorskip("google.genai")
from google.genai import types  # noqa: E402

thermostat_calls: list[tuple[str, float]] = []


def set_thermostat(room: str, celsius: float) -> dict[str, object]:
    """Set a room's target temperature.

    Args:
        room: Room whose thermostat to set.
        celsius: Target temperature in degrees Celsius.
    """
    thermostat_calls.append((room, celsius))
    return {"room": room, "target": celsius, "status": "heating"}


def test_google_genai_automatic_function_calling(emulator: Emulator) -> None:
    thermostat_calls.clear()
    emulator.script(
        [
            [call("set_thermostat", room="bedroom", celsius=19.5)],
            "The bedroom is heating to 19.5 °C.",
        ]
    )
    client = genai.Client(
        api_key="emulator-test-key",
        http_options=types.HttpOptions(base_url=emulator.url),
    )
    response = client.models.generate_content(
        model="gemini-2.5-flash",
        contents="Make the bedroom 19.5 degrees",
        config=types.GenerateContentConfig(tools=[set_thermostat]),
    )

    assert response.text == "The bedroom is heating to 19.5 °C."
    assert thermostat_calls == [("bedroom", 19.5)]
    assert emulator.rejections == []
    first, second = (r.json for r in emulator.requests)
    declaration = first["tools"][0]["functionDeclarations"][0]
    assert declaration["name"] == "set_thermostat"
    # The SDK echoed the emulator's signature and answered in one user turn.
    model_turn, answer_turn = second["contents"][1], second["contents"][2]
    assert model_turn["role"] == "model"
    # google-genai decodes signatures to bytes and re-encodes them URL-safe; the API compares
    # bytes, so the emulator does too.
    echoed = model_turn["parts"][0]["thoughtSignature"]
    assert echoed == emulator_signature(emulator).replace("+", "-").replace("/", "_")
    assert answer_turn["role"] == "user"
    assert answer_turn["parts"][0]["functionResponse"]["name"] == "set_thermostat"
    assert answer_turn["parts"][0]["functionResponse"]["response"] == {
        "result": {"room": "bedroom", "target": 19.5, "status": "heating"}
    }
    assert emulator.requests[0].headers["x-goog-api-key"] == "emulator-test-key"


def emulator_signature(emulator: Emulator) -> str:
    return emulator.signatures.sign(
        {"name": "set_thermostat", "args": {"room": "bedroom", "celsius": 19.5}}
    )
