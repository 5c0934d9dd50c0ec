"""The emulator judges a request by the model it asks for: unknown models get Gemini's 404,
settings the model refuses and prompts over its input limit get Gemini's 400s, and bodies over
the size limit are refused before they are read.

Bodies are posted as raw JSON so that the server's checks are exercised, not the client's.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from agentkit.errors import BadRequestError, NotFoundError
from agentkit.models import Gemini
from agentkit.models.capabilities import capabilities_for
from agentkit.testing.emulator import Emulator, EmulatorOptions, InProcessEmulator
from agentkit.types import Content, GenerateContentRequest, GenerationConfig

USER = {"role": "user", "parts": [{"text": "Turn on the kitchen light"}]}


def body(**generation: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {"contents": [USER]}
    if generation:
        payload["generationConfig"] = generation
    return payload


def not_found(model: str, action: str) -> str:
    return (
        f"models/{model} is not found for API version v1beta, or is not supported for "
        f"{action}. Call ListModels to see the list of available models and their supported "
        "methods."
    )


# -- unknown models -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "action"),
    [
        ("gemini-2.5-flsh:generateContent", "generateContent"),
        ("gemini-2.5-flsh:streamGenerateContent?alt=sse", "streamGenerateContent"),
        ("gemini-2.5-flsh:countTokens", "countTokens"),
    ],
)
async def test_an_unknown_model_is_404_on_every_method(
    emulator: Emulator, path: str, action: str
) -> None:
    emulator.script(["never served"])
    payload = {"contents": [USER]}
    async with httpx.AsyncClient(base_url=emulator.url) as client:
        response = await client.post(f"/v1beta/models/{path}", json=payload)
    assert response.status_code == 404
    assert response.json() == {
        "error": {
            "code": 404,
            "message": not_found("gemini-2.5-flsh", action),
            "status": "NOT_FOUND",
        }
    }
    assert emulator.script_remaining == 1
    assert [r.rejection for r in emulator.rejections] == [not_found("gemini-2.5-flsh", action)]


async def test_models_get_of_an_unknown_model_keeps_its_wording(emulator: Emulator) -> None:
    async with httpx.AsyncClient(base_url=emulator.url) as client:
        response = await client.get("/v1beta/models/gemini-0")
    assert response.status_code == 404
    assert response.json()["error"]["message"] == not_found("gemini-0", "generateContent")


async def test_the_gemini_client_sees_the_404_as_not_found(emulator: Emulator) -> None:
    model = Gemini("gemini-2.5-flsh", base_url=emulator.url)
    with pytest.raises(NotFoundError) as caught:
        await model.generate(GenerateContentRequest(contents=[Content.user("Hi")]))
    assert caught.value.message == not_found("gemini-2.5-flsh", "generateContent")
    assert len(emulator.requests) == 1  # a 404 is not retried


async def test_an_unknown_model_on_vertex_gets_vertexs_404(emulator: Emulator) -> None:
    path = "/v1beta1/projects/p/locations/us-central1/publishers/google/models/gemini-0"
    async with httpx.AsyncClient(base_url=emulator.url) as client:
        response = await client.post(f"{path}:generateContent", json={"contents": [USER]})
    assert response.status_code == 404
    assert response.json()["error"]["message"] == (
        "Publisher Model `projects/p/locations/us-central1/publishers/google/models/gemini-0` "
        "was not found or your project does not have access to it. Please ensure you are using "
        "a valid model version. For more information, see: "
        "https://cloud.google.com/vertex-ai/generative-ai/docs/learn/model-versions"
    )


async def test_the_catalog_is_configurable(emulator: Emulator) -> None:
    flash = capabilities_for("gemini-2.5-flash")
    assert flash is not None
    emulator.options = EmulatorOptions(
        models={"my-proxy-model": flash.replace(display_name="Proxy", input_token_limit=4096)}
    )
    emulator.script(["served"])
    async with httpx.AsyncClient(base_url=emulator.url) as client:
        listed = await client.get("/v1beta/models")
        served = await client.post(
            "/v1beta/models/my-proxy-model:generateContent", json={"contents": [USER]}
        )
        gone = await client.post(
            "/v1beta/models/gemini-2.5-flash:generateContent", json={"contents": [USER]}
        )
    assert listed.json() == {
        "models": [
            {
                "name": "models/my-proxy-model",
                "baseModelId": "my-proxy-model",
                "version": "001",
                "displayName": "Proxy",
                "description": "Proxy (emulated)",
                "inputTokenLimit": 4096,
                "outputTokenLimit": 65536,
                "supportedGenerationMethods": ["generateContent", "countTokens"],
                "temperature": 1.0,
                "maxTemperature": 2.0,
                "topP": 0.95,
                "topK": 64,
                "thinking": True,
            }
        ]
    }
    assert served.status_code == 200 and served.json()["modelVersion"] == "my-proxy-model"
    assert gone.status_code == 404


# -- settings the model refuses -------------------------------------------------------------

SETTINGS: list[tuple[str, dict[str, Any], str, str]] = [
    (
        "gemini-2.5-flash",
        {"temperature": 2.1},
        "generation_config.temperature",
        "temperature must be in the range [0.0, 2.0]",
    ),
    (
        "gemini-2.5-flash",
        {"stop_sequences": ["1", "2", "3", "4", "5", "6"]},
        "generation_config.stop_sequences",
        "the number of stop_sequences must not exceed 5",
    ),
    (
        "gemini-2.5-flash",
        {"logprobs": 5},
        "generation_config.logprobs",
        "logprobs is only valid when response_logprobs is true.",
    ),
    (
        "gemini-2.5-flash",
        {"responseLogprobs": True, "logprobs": 25},
        "generation_config.logprobs",
        "logprobs must be in the range [0, 20].",
    ),
    (
        "gemini-2.5-pro",
        {"thinkingConfig": {"thinkingBudget": 0}},
        "generation_config.thinking_config.thinking_budget",
        "Budget 0 is invalid. This model only works in thinking mode.",
    ),
    (
        "gemini-2.5-flash-lite",
        {"thinkingConfig": {"thinkingBudget": 100}},
        "generation_config.thinking_config.thinking_budget",
        "The thinking budget (100) is invalid.",
    ),
    (
        "gemini-2.5-flash",
        {"thinking_config": {"thinking_level": "HIGH"}},
        "generation_config.thinking_config.thinking_level",
        "Thinking level is not supported for this model.",
    ),
    (
        "gemini-3-pro-preview",
        {"thinkingConfig": {"thinkingLevel": "MINIMAL"}},
        "generation_config.thinking_config.thinking_level",
        "thinking_level MINIMAL is not supported by this model.",
    ),
]


@pytest.mark.parametrize(
    ("model", "generation", "field", "message"),
    SETTINGS,
    ids=[f"{s[0]}-{s[2].rpartition('.')[2]}" for s in SETTINGS],
)
async def test_a_setting_the_model_refuses_is_a_400_naming_the_field(
    emulator: Emulator, model: str, generation: dict[str, Any], field: str, message: str
) -> None:
    emulator.script(["never served"])
    async with httpx.AsyncClient(base_url=emulator.url) as client:
        response = await client.post(
            f"/v1beta/models/{model}:generateContent", json=body(**generation)
        )
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": 400,
            "message": message,
            "status": "INVALID_ARGUMENT",
            "details": [
                {
                    "@type": "type.googleapis.com/google.rpc.BadRequest",
                    "fieldViolations": [{"field": field, "description": message}],
                }
            ],
        }
    }
    assert emulator.script_remaining == 1


async def test_the_same_setting_is_fine_on_a_model_that_takes_it(emulator: Emulator) -> None:
    emulator.script(["three", "flash"])
    async with httpx.AsyncClient(base_url=emulator.url) as client:
        level = await client.post(
            "/v1beta/models/gemini-3-flash-preview:generateContent",
            json=body(thinkingConfig={"thinkingLevel": "MINIMAL"}),
        )
        off = await client.post(
            "/v1beta/models/gemini-2.5-flash:generateContent",
            json=body(thinkingConfig={"thinkingBudget": 0}),
        )
    assert (level.status_code, off.status_code) == (200, 200)
    assert emulator.rejections == []


# -- input tokens ---------------------------------------------------------------------------


def small_flash(limit: int) -> EmulatorOptions:
    flash = capabilities_for("gemini-2.5-flash")
    assert flash is not None
    return EmulatorOptions(models={"gemini-2.5-flash": flash.replace(input_token_limit=limit)})


async def test_a_prompt_over_the_input_limit_is_refused_with_the_count(emulator: Emulator) -> None:
    emulator.options = small_flash(100)
    emulator.script(["never served"])
    payload = {"contents": [{"role": "user", "parts": [{"text": "x" * 400}]}]}
    async with httpx.AsyncClient(base_url=emulator.url) as client:
        counted = await client.post("/v1beta/models/gemini-2.5-flash:countTokens", json=payload)
        response = await client.post(
            "/v1beta/models/gemini-2.5-flash:generateContent", json=payload
        )
    tokens = counted.json()["totalTokens"]
    assert tokens == (len(emulator.requests[1].body) // 4) == 113
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": 400,
            "message": "The input token count (113) exceeds the maximum number of tokens "
            "allowed (100).",
            "status": "INVALID_ARGUMENT",
        }
    }


async def test_usage_count_tokens_and_the_limit_agree(emulator: Emulator, gemini: Gemini) -> None:
    request = GenerateContentRequest(contents=[Content.user("How warm is the kitchen?")])
    emulator.script(["19 degrees."])
    counted = await gemini.count_tokens(request.contents)
    response = await gemini.generate(request)
    assert response.usage_metadata is not None
    body_size = len(emulator.requests[1].body)
    assert counted.total_tokens == response.usage_metadata.prompt_token_count == body_size // 4
    assert body_size // 4 == 19

    emulator.options = small_flash(19)
    emulator.script(["fits exactly"])
    assert (await gemini.generate(request)).text == "fits exactly"
    emulator.options = small_flash(18)
    with pytest.raises(BadRequestError, match=r"input token count \(19\) exceeds .* \(18\)"):
        await gemini.generate(request)


# -- request size ---------------------------------------------------------------------------


async def test_a_body_over_the_size_limit_is_refused(emulator: Emulator) -> None:
    emulator.options = EmulatorOptions(max_request_bytes=2000)
    emulator.script(["fits"])
    fits = b'{"contents":[{"role":"user","parts":[{"text":"' + b"x" * 1948 + b'"}]}]}'
    assert len(fits) == 2000
    async with httpx.AsyncClient(base_url=emulator.url) as client:
        accepted = await client.post(
            "/v1beta/models/gemini-2.5-flash:generateContent", content=fits
        )
        refused = await client.post(
            "/v1beta/models/gemini-2.5-flash:generateContent", content=fits + b" "
        )
    assert accepted.status_code == 200
    assert refused.status_code == 400
    assert refused.json() == {
        "error": {
            "code": 400,
            "message": "Request payload size exceeds the limit: 2000 bytes.",
            "status": "INVALID_ARGUMENT",
        }
    }


def test_the_default_size_limit_is_geminis() -> None:
    assert EmulatorOptions().max_request_bytes == 104_857_600


# -- not strict, in process -----------------------------------------------------------------


async def test_without_strict_checks_only_the_model_name_is_judged(emulator: Emulator) -> None:
    emulator.options = EmulatorOptions(strict=False, max_request_bytes=10)
    emulator.script(["served anyway"])
    async with httpx.AsyncClient(base_url=emulator.url) as client:
        served = await client.post(
            "/v1beta/models/gemini-2.5-pro:generateContent",
            json=body(thinkingConfig={"thinkingBudget": 0}),
        )
        unknown = await client.post(
            "/v1beta/models/gemini-0:generateContent", json={"contents": [USER]}
        )
    assert served.status_code == 200
    assert unknown.status_code == 404


async def test_the_in_process_emulator_applies_the_same_rules() -> None:
    hello = GenerateContentRequest(contents=[Content.user("Hello")])
    unknown = InProcessEmulator(["never"], model="gemini-0")
    with pytest.raises(NotFoundError) as missing:
        await unknown.generate(hello)
    assert missing.value.message == not_found("gemini-0", "generateContent")

    pro = InProcessEmulator(["never"], model="gemini-2.5-pro")
    refused = hello.model_copy(
        update={"generation_config": GenerationConfig.model_validate({"temperature": 3})}
    )
    with pytest.raises(BadRequestError) as caught:
        await pro.generate(refused)
    assert caught.value.message == "temperature must be in the range [0.0, 2.0]"
    assert [r.rejection for r in pro.requests] == [caught.value.message]
    assert pro.requests[0].path == "/v1beta/models/gemini-2.5-pro:generateContent"

    small = InProcessEmulator(["never"], max_request_bytes=10)
    with pytest.raises(BadRequestError, match="exceeds the limit: 10 bytes"):
        async for _ in small.stream(hello):
            pass


@pytest.mark.parametrize(
    "name",
    [
        "gemini-2.0-flash-001",
        "gemini-2.5-flash-preview-05-20",
        "gemini-2.5-flash-preview-09-2025",
        "gemini-flash-latest",
    ],
)
async def test_versioned_dated_and_latest_names_are_served(emulator: Emulator, name: str) -> None:
    emulator.script(["Hi."])
    async with httpx.AsyncClient(base_url=emulator.url) as client:
        response = await client.post(
            f"/v1beta/models/{name}:generateContent", json={"contents": [USER]}
        )
    assert response.status_code == 200, response.text
    assert response.json()["modelVersion"] == name


async def test_a_typo_still_gets_the_404(emulator: Emulator) -> None:
    async with httpx.AsyncClient(base_url=emulator.url) as client:
        response = await client.post(
            "/v1beta/models/gemini-2.5-flsh:generateContent", json={"contents": [USER]}
        )
    assert response.status_code == 404
