"""Every kind of tool failure reaches the model as data, and the model recovers."""

from __future__ import annotations

from typing import Any

from agentkit import Agent, Gemini
from agentkit.testing.emulator import Emulator, call

from .home import Home


def response_sent(emulator: Emulator, request: int, position: int = 0) -> dict[str, Any]:
    answer_turn = emulator.requests[request].json["contents"][-1]
    response: dict[str, Any] = answer_turn["parts"][position]["functionResponse"]["response"]
    return response


async def test_each_error_kind_reaches_the_model_and_the_run_recovers(emulator: Emulator) -> None:
    emulator.script(
        [
            [
                call("set_light", room="garage", brightness=120),  # invalid arguments
                call("open_garage"),  # unknown tool
                call("broken_camera"),  # exception
                call("slow_sensor"),  # timeout
                call("set_light", room="kitchen", brightness=60),  # fine
            ],
            [call("set_light", room="hall", brightness=100)],  # the model corrects itself
            "Kitchen 60, hall 100. The camera is offline and the sensor did not answer.",
        ]
    )
    home = Home()
    agent = Agent(Gemini(base_url=emulator.url), tools=home.tools())
    result = await agent.run("Lights on, check the camera and the sensor")

    assert result.text.startswith("Kitchen 60, hall 100.")  # type: ignore[union-attr]
    assert home.lights == {"kitchen": 60, "hall": 100, "bedroom": 0}
    invalid = response_sent(emulator, 1, 0)["error"]
    assert invalid["type"] == "invalid_arguments"
    assert [(e["path"], e["received"]) for e in invalid["errors"]] == [
        ("room", "garage"),
        ("brightness", 120),
    ]
    assert response_sent(emulator, 1, 1) == {
        "error": {
            "type": "unknown_tool",
            "message": "there is no tool named 'open_garage'; the available tools are: broken_camera, get_temperature, set_light, set_thermostat, slow_sensor, unlock_door",
        }
    }
    assert response_sent(emulator, 1, 2) == {
        "error": {
            "type": "exception",
            "message": "broken_camera raised ConnectionError: camera offline",
            "exception": "ConnectionError",
        }
    }
    assert response_sent(emulator, 1, 3) == {
        "error": {
            "type": "timeout",
            "message": "slow_sensor did not finish within 0.05 s. It was cancelled.",
            "still_running": False,
        }
    }
    assert response_sent(emulator, 1, 4) == {"room": "kitchen", "brightness": 60}
    assert [r.ok for r in result.tool_calls] == [False, False, False, False, True, True]
    assert result.tool_calls[0].error is not None and result.tool_calls[4].error is None
    assert emulator.rejections == []


async def test_error_responses_never_carry_tracebacks(emulator: Emulator) -> None:
    emulator.script([[call("broken_camera")], "Offline."])
    await Agent(Gemini(base_url=emulator.url), tools=Home().tools()).run("Camera?")
    assert "Traceback" not in emulator.requests[1].body.decode()
    assert "home.py" not in emulator.requests[1].body.decode()
