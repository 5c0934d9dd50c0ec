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


# -- the emulator's refusals reach the SDK as its own typed errors --------------------------


def sdk_client(emulator: Emulator) -> genai.Client:
    return genai.Client(
        api_key="emulator-test-key",
        http_options=types.HttpOptions(base_url=emulator.url),
    )


def test_an_unknown_model_is_the_sdks_404(emulator: Emulator) -> None:
    emulator.script(["never served"])
    client = sdk_client(emulator)  # kept: the SDK closes its connections when collected
    with pytest.raises(genai.errors.ClientError) as caught:
        client.models.generate_content(model="gemini-2.5-flsh", contents="Hi")
    error = caught.value
    assert (error.code, error.status) == (404, "NOT_FOUND")
    # The message names the API version the SDK asked for (its default is v1 since 3.x).
    version = emulator.requests[0].path.split("/")[1]
    assert emulator.requests[0].path == f"/{version}/models/gemini-2.5-flsh:generateContent"
    assert error.message == (
        f"models/gemini-2.5-flsh is not found for API version {version}, or is not supported "
        "for generateContent. Call ListModels to see the list of available models and their "
        "supported methods."
    )


def test_an_unknown_model_is_404_for_the_sdks_count_tokens_and_stream(emulator: Emulator) -> None:
    client = sdk_client(emulator)
    with pytest.raises(genai.errors.ClientError) as counted:
        client.models.count_tokens(model="gemini-0", contents="Hi")
    with pytest.raises(genai.errors.ClientError) as streamed:
        for _ in client.models.generate_content_stream(model="gemini-0", contents="Hi"):
            pass
    assert counted.value.code == streamed.value.code == 404
    assert "or is not supported for countTokens." in str(counted.value.message)
    assert "or is not supported for streamGenerateContent." in str(streamed.value.message)


def test_too_many_stop_sequences_is_the_sdks_400(emulator: Emulator) -> None:
    emulator.script(["never served"])
    client = sdk_client(emulator)
    with pytest.raises(genai.errors.ClientError) as caught:
        client.models.generate_content(
            model="gemini-2.5-flash",
            contents="Count to ten",
            config=types.GenerateContentConfig(stop_sequences=["4", "5", "6", "7", "8", "9"]),
        )
    error = caught.value
    assert (error.code, error.status) == (400, "INVALID_ARGUMENT")
    assert error.message == "the number of stop_sequences must not exceed 5"
    [sent] = emulator.requests
    assert sent.json["generationConfig"] == {"stopSequences": ["4", "5", "6", "7", "8", "9"]}


def test_turning_off_thinking_on_pro_is_the_sdks_400(emulator: Emulator) -> None:
    client = sdk_client(emulator)
    with pytest.raises(genai.errors.ClientError) as caught:
        client.models.generate_content(
            model="gemini-2.5-pro",
            contents="Quick answer",
            config=types.GenerateContentConfig(
                thinking_config=types.ThinkingConfig(thinking_budget=0)
            ),
        )
    assert caught.value.code == 400
    assert caught.value.message == "Budget 0 is invalid. This model only works in thinking mode."


def test_the_sdk_lists_the_emulators_models(emulator: Emulator) -> None:
    client = sdk_client(emulator)
    models = list(client.models.list())
    assert [m.name for m in models][:3] == [
        "models/gemini-2.5-flash",
        "models/gemini-2.5-pro",
        "models/gemini-2.5-flash-lite",
    ]
    assert models[0].input_token_limit == 1_048_576
