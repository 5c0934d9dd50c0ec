"""The emulator refuses what Gemini refuses, with Gemini-shaped 400 bodies.

Bodies are posted as raw JSON so that the tests exercise the server's checks, not the client's.
"""

from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest

from agentkit.testing.emulator import SKIP_VALIDATOR, Emulator, call

USER = {"role": "user", "parts": [{"text": "Turn on the kitchen light"}]}
CALL_TURN = {
    "role": "model",
    "parts": [{"functionCall": {"name": "set_light", "args": {"room": "kitchen"}}}],
}
ANSWER_TURN = {
    "role": "user",
    "parts": [{"functionResponse": {"name": "set_light", "response": {"output": "ok"}}}],
}
DECLARATION = {
    "name": "set_light",
    "description": "Set a light.",
    "parameters": {
        "type": "OBJECT",
        "properties": {"room": {"type": "STRING"}},
        "required": ["room"],
    },
}


def body(*contents: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"contents": list(contents), **extra}


def with_parameters(schema: dict[str, Any]) -> dict[str, Any]:
    return body(
        USER,
        tools=[{"functionDeclarations": [{"name": "f", "description": "d", "parameters": schema}]}],
    )


PARALLEL_CALLS = {
    "role": "model",
    "parts": [
        {"functionCall": {"id": "c1", "name": "set_light", "args": {"room": "a"}}},
        {"functionCall": {"id": "c2", "name": "set_light", "args": {"room": "b"}}},
    ],
}


def answers(*items: tuple[str | None, str]) -> dict[str, Any]:
    parts = []
    for call_id, name in items:
        response: dict[str, Any] = {"name": name, "response": {"output": "ok"}}
        if call_id is not None:
            response["id"] = call_id
        parts.append({"functionResponse": response})
    return {"role": "user", "parts": parts}


VIOLATIONS: list[tuple[str, dict[str, Any], str]] = [
    ("no contents", {"contents": []}, "contents is not specified"),
    (
        "history starts with the model",
        body({"role": "model", "parts": [{"text": "Hi"}]}, USER),
        "start with a user turn",
    ),
    ("call turn first", body(CALL_TURN, ANSWER_TURN), "start with a user turn"),
    (
        "unanswered call at the end",
        body(USER, CALL_TURN),
        "function response turn comes immediately after a function call turn",
    ),
    (
        "call followed by text",
        body(USER, CALL_TURN, {"role": "user", "parts": [{"text": "well?"}]}),
        "function response turn comes immediately after",
    ),
    (
        "call after a model turn",
        body(USER, {"role": "model", "parts": [{"text": "ok"}]}, CALL_TURN, ANSWER_TURN),
        "function call turn comes immediately after a user turn",
    ),
    (
        "response without a call",
        body(USER, ANSWER_TURN),
        "function response turn comes immediately after a function call turn",
    ),
    (
        "too few responses",
        body(USER, PARALLEL_CALLS, answers(("c1", "set_light"))),
        "number of function response parts is equal",
    ),
    (
        "too many responses",
        body(USER, CALL_TURN, answers((None, "set_light"), (None, "set_light"))),
        "number of function response parts is equal",
    ),
    (
        "responses split over two turns",
        body(USER, PARALLEL_CALLS, answers(("c1", "set_light")), answers(("c2", "set_light"))),
        "number of function response parts is equal",
    ),
    (
        "wrong response id",
        body(USER, PARALLEL_CALLS, answers(("c1", "set_light"), ("zz", "set_light"))),
        "does not match any function call id",
    ),
    (
        "wrong response name",
        body(USER, CALL_TURN, answers((None, "set_lamp"))),
        "matches no function call",
    ),
    (
        "response is not an object",
        body(
            USER,
            CALL_TURN,
            {
                "role": "user",
                "parts": [{"functionResponse": {"name": "set_light", "response": "ok"}}],
            },
        ),
        "google.protobuf.Struct",
    ),
    (
        "response is a list",
        body(
            USER,
            CALL_TURN,
            {
                "role": "user",
                "parts": [{"functionResponse": {"name": "set_light", "response": [1]}}],
            },
        ),
        "google.protobuf.Struct",
    ),
    ("empty parts", body({"role": "user", "parts": []}), "contents.parts must not be empty"),
    ("missing parts", body({"role": "user"}), "contents.parts must not be empty"),
    (
        "empty model turn",
        body(USER, {"role": "model", "parts": []}, USER),
        "contents.parts must not be empty",
    ),
    (
        "part with no data",
        body({"role": "user", "parts": [{"thought": True}]}),
        "required oneof field 'data'",
    ),
    (
        "part with two data fields",
        body(
            {
                "role": "user",
                "parts": [{"text": "a", "inlineData": {"mimeType": "x/y", "data": ""}}],
            }
        ),
        "oneof field 'data' is already set",
    ),
    ("invalid role", body({"role": "assistant", "parts": [{"text": "x"}]}), "valid role"),
    ("unknown top-level field", body(USER, temperature=0.5), 'Unknown name "temperature"'),
    (
        "unknown part field",
        body({"role": "user", "parts": [{"txt": "hi"}]}),
        "Unknown name \"txt\" at 'contents[0].parts[0]'",
    ),
    (
        "invalid function name",
        body(USER, tools=[{"functionDeclarations": [{**DECLARATION, "name": "set light!"}]}]),
        "Invalid function name",
    ),
    (
        "function name too long",
        body(USER, tools=[{"functionDeclarations": [{**DECLARATION, "name": "f" * 65}]}]),
        "maximum length of 64",
    ),
    (
        "function name starting with a digit",
        body(USER, tools=[{"functionDeclarations": [{**DECLARATION, "name": "1f"}]}]),
        "Invalid function name",
    ),
    (
        "duplicate declarations",
        body(USER, tools=[{"functionDeclarations": [DECLARATION, DECLARATION]}]),
        "Duplicate function declaration",
    ),
    (
        "additionalProperties in parameters",
        with_parameters({"type": "OBJECT", "properties": {}, "additionalProperties": False}),
        'Unknown name "additionalProperties"',
    ),
    (
        "$ref in parameters",
        with_parameters({"type": "OBJECT", "properties": {"a": {"$ref": "#/$defs/A"}}}),
        'Unknown name "$ref"',
    ),
    (
        "$defs in parameters",
        with_parameters({"type": "OBJECT", "$defs": {}}),
        'Unknown name "$defs"',
    ),
    (
        "oneOf in parameters",
        with_parameters({"type": "OBJECT", "properties": {"a": {"oneOf": [{"type": "STRING"}]}}}),
        'Unknown name "oneOf"',
    ),
    (
        "const in parameters",
        with_parameters({"type": "OBJECT", "properties": {"a": {"const": "x"}}}),
        'Unknown name "const"',
    ),
    (
        "type array in parameters",
        with_parameters({"type": "OBJECT", "properties": {"a": {"type": ["STRING", "NULL"]}}}),
        "cannot start list",
    ),
    (
        "unknown type in parameters",
        with_parameters({"type": "OBJECT", "properties": {"a": {"type": "DATE"}}}),
        "v1beta.Type",
    ),
    (
        "integer enum in parameters",
        with_parameters({"type": "INTEGER", "enum": [1, 2]}),
        "TYPE_STRING",
    ),
    (
        "required property not defined",
        with_parameters(
            {"type": "OBJECT", "properties": {"a": {"type": "STRING"}}, "required": ["b"]}
        ),
        "property is not defined",
    ),
    (
        "both parameter dialects",
        body(
            USER,
            tools=[
                {
                    "functionDeclarations": [
                        {**DECLARATION, "parametersJsonSchema": {"type": "object"}}
                    ]
                }
            ],
        ),
        "mutually exclusive",
    ),
    (
        "json schema that is not an object",
        body(
            USER,
            tools=[
                {
                    "functionDeclarations": [
                        {"name": "f", "parametersJsonSchema": {"type": "string"}}
                    ]
                }
            ],
        ),
        "must describe an object",
    ),
    (
        "$ref with siblings",
        body(
            USER,
            tools=[
                {
                    "functionDeclarations": [
                        {
                            "name": "f",
                            "parametersJsonSchema": {
                                "type": "object",
                                "properties": {"a": {"$ref": "#/$defs/A", "type": "object"}},
                                "$defs": {"A": {"type": "object"}},
                            },
                        }
                    ]
                }
            ],
        ),
        "alongside unsupported fields",
    ),
    (
        "dangling $ref",
        body(
            USER,
            tools=[
                {
                    "functionDeclarations": [
                        {
                            "name": "f",
                            "parametersJsonSchema": {
                                "type": "object",
                                "properties": {"a": {"$ref": "#/$defs/Missing"}},
                            },
                        }
                    ]
                }
            ],
        ),
        "does not resolve",
    ),
    (
        "allowed names with AUTO",
        body(
            USER,
            tools=[{"functionDeclarations": [DECLARATION]}],
            toolConfig={
                "functionCallingConfig": {"mode": "AUTO", "allowedFunctionNames": ["set_light"]}
            },
        ),
        "only be set when the mode is ANY",
    ),
    (
        "allowed name not declared",
        body(
            USER,
            tools=[{"functionDeclarations": [DECLARATION]}],
            toolConfig={
                "functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["open_door"]}
            },
        ),
        "is not declared",
    ),
    (
        "unknown mode",
        body(USER, toolConfig={"functionCallingConfig": {"mode": "SOMETIMES"}}),
        "FunctionCallingConfig.Mode",
    ),
    (
        "ANY without declarations",
        body(USER, toolConfig={"functionCallingConfig": {"mode": "ANY"}}),
        "requires at least one function declaration",
    ),
    (
        "budget and level together",
        body(
            USER,
            generationConfig={"thinkingConfig": {"thinkingBudget": 10, "thinkingLevel": "LOW"}},
        ),
        "not both",
    ),
    (
        "response schema without json mime",
        body(USER, generationConfig={"responseJsonSchema": {"type": "object"}}),
        "requires response_mime_type",
    ),
]


@pytest.mark.parametrize(
    ("payload", "message"), [(v[1], v[2]) for v in VIOLATIONS], ids=[v[0] for v in VIOLATIONS]
)
async def test_violation_gets_a_gemini_shaped_400(
    emulator: Emulator, payload: dict[str, Any], message: str
) -> None:
    emulator.script(["must not be served"])
    async with httpx.AsyncClient(base_url=emulator.url) as client:
        response = await client.post(
            "/v1beta/models/gemini-2.5-flash:generateContent", json=payload
        )
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == 400
    assert error["status"] == "INVALID_ARGUMENT"
    assert message in error["message"]
    assert emulator.script_remaining == 1
    assert [r.rejection for r in emulator.rejections] == [error["message"]]


VALID: list[tuple[str, dict[str, Any]]] = [
    ("plain question", body(USER)),
    ("answered call", body(USER, CALL_TURN, ANSWER_TURN)),
    (
        "answered parallel calls by id",
        body(USER, PARALLEL_CALLS, answers(("c2", "set_light"), ("c1", "set_light"))),
    ),
    ("legacy function role", body(USER, CALL_TURN, {**ANSWER_TURN, "role": "function"})),
    (
        "snake_case field names",
        {
            "contents": [USER],
            "system_instruction": {"parts": [{"text": "x"}]},
            "generation_config": {"max_output_tokens": 5},
        },
    ),
    (
        "json schema with everything",
        body(
            USER,
            tools=[
                {
                    "functionDeclarations": [
                        {
                            "name": "f",
                            "description": "d",
                            "parametersJsonSchema": {
                                "type": "object",
                                "properties": {
                                    "a": {"$ref": "#/$defs/A", "description": "an A"},
                                    "b": {"type": ["string", "null"]},
                                    "c": {"anyOf": [{"type": "integer"}, {"const": "x"}]},
                                },
                                "additionalProperties": False,
                                "$defs": {
                                    "A": {
                                        "type": "object",
                                        "properties": {"n": {"type": "integer", "enum": [1, 2]}},
                                    }
                                },
                            },
                        }
                    ]
                }
            ],
        ),
    ),
    (
        "subset schema with nullable and anyOf",
        with_parameters(
            {
                "type": "OBJECT",
                "properties": {
                    "a": {"type": "STRING", "nullable": True, "format": "date-time"},
                    "b": {"anyOf": [{"type": "INTEGER"}, {"type": "STRING"}]},
                    "c": {
                        "type": "ARRAY",
                        "items": {"type": "STRING", "enum": ["x"]},
                        "minItems": "1",
                    },
                },
                "required": ["a"],
                "propertyOrdering": ["a", "b", "c"],
            }
        ),
    ),
    (
        "ANY with allowed names",
        body(
            USER,
            tools=[{"functionDeclarations": [DECLARATION]}],
            toolConfig={
                "functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["set_light"]}
            },
        ),
    ),
    (
        "structured output",
        body(
            USER,
            generationConfig={
                "responseMimeType": "application/json",
                "responseJsonSchema": {"type": "object"},
            },
        ),
    ),
    (
        # Beside function declarations only Gemini 3 takes it (tests/agent/test_builtin_tools.py).
        "built-in tool alone",
        body(USER, tools=[{"googleSearch": {}}]),
    ),
    (
        "name with dots colons dashes",
        body(
            USER, tools=[{"functionDeclarations": [{**DECLARATION, "name": "_home.lights:set-1"}]}]
        ),
    ),
]


@pytest.mark.parametrize("payload", [v[1] for v in VALID], ids=[v[0] for v in VALID])
async def test_valid_requests_are_served(emulator: Emulator, payload: dict[str, Any]) -> None:
    emulator.script(["served"])
    async with httpx.AsyncClient(base_url=emulator.url) as client:
        response = await client.post(
            "/v1beta/models/gemini-2.5-flash:generateContent", json=payload
        )
    assert response.status_code == 200, response.text
    assert response.json()["candidates"][0]["content"]["parts"] == [{"text": "served"}]
    assert emulator.rejections == []


# -- thought signatures ---------------------------------------------------------------------


async def _signed_call_turn(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.post(
        "/v1beta/models/gemini-3-flash-preview:generateContent", json=body(USER)
    )
    assert response.status_code == 200
    content: dict[str, Any] = response.json()["candidates"][0]["content"]
    return content


async def _send_back(client: httpx.AsyncClient, model_turn: dict[str, Any]) -> httpx.Response:
    answer = answers(
        *((None, p["functionCall"]["name"]) for p in model_turn["parts"] if "functionCall" in p)
    )
    return await client.post(
        "/v1beta/models/gemini-3-flash-preview:generateContent", json=body(USER, model_turn, answer)
    )


async def test_only_the_first_parallel_call_is_signed_and_echo_is_accepted(
    emulator: Emulator,
) -> None:
    emulator.script([[call("set_light", room="a"), call("set_light", room="b")], "done"])
    async with httpx.AsyncClient(base_url=emulator.url) as client:
        turn = await _signed_call_turn(client)
        assert "thoughtSignature" in turn["parts"][0]
        assert "thoughtSignature" not in turn["parts"][1]
        response = await _send_back(client, turn)
    assert response.status_code == 200
    assert emulator.rejections == []


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        (lambda turn: turn["parts"][0].pop("thoughtSignature"), "missing a thought_signature"),
        (
            lambda turn: turn["parts"][0].update(
                thoughtSignature="AAAA" + turn["parts"][0]["thoughtSignature"][4:]
            ),
            "Corrupted thought signature",
        ),
        (
            lambda turn: turn["parts"][0]["functionCall"]["args"].update(room="garage"),
            "Corrupted thought signature",
        ),
        (
            lambda turn: turn["parts"][1].update(
                thoughtSignature=turn["parts"][0].pop("thoughtSignature")
            ),
            "missing a thought_signature",
        ),
    ],
    ids=["dropped", "altered", "call-edited", "moved-to-another-part"],
)
async def test_tampered_signatures_are_rejected(
    emulator: Emulator, tamper: Any, message: str
) -> None:
    emulator.script([[call("set_light", room="a"), call("set_light", room="b")], "never"])
    async with httpx.AsyncClient(base_url=emulator.url) as client:
        turn = copy.deepcopy(await _signed_call_turn(client))
        tamper(turn)
        response = await _send_back(client, turn)
    assert response.status_code == 400
    assert message in response.json()["error"]["message"]


async def test_skip_validator_sentinel_is_accepted_for_synthetic_calls(emulator: Emulator) -> None:
    emulator.script(["ok"])
    synthetic = {
        "role": "model",
        "parts": [
            {"functionCall": {"name": "set_light", "args": {}}, "thoughtSignature": SKIP_VALIDATOR}
        ],
    }
    async with httpx.AsyncClient(base_url=emulator.url) as client:
        response = await client.post(
            "/v1beta/models/gemini-2.5-flash:generateContent",
            json=body(USER, synthetic, ANSWER_TURN),
        )
    assert response.status_code == 200


async def test_earlier_turns_are_not_signature_checked(emulator: Emulator) -> None:
    """Gemini validates only the current turn (since the last user text)."""
    emulator.script([[call("set_light", room="a")], "done", "next answer"])
    async with httpx.AsyncClient(base_url=emulator.url) as client:
        turn = await _signed_call_turn(client)
        turn["parts"][0].pop("thoughtSignature")
        history = [
            USER,
            turn,
            answers((None, "set_light")),
            {"role": "model", "parts": [{"text": "done"}]},
            USER,
        ]
        emulator.script(["next answer"])
        response = await client.post(
            "/v1beta/models/gemini-2.5-flash:generateContent", json=body(*history)
        )
    assert response.status_code == 200


# -- other endpoints and auth ---------------------------------------------------------------


async def test_api_key_is_required_when_configured(emulator: Emulator) -> None:
    from agentkit.testing.emulator import EmulatorOptions

    emulator.options = EmulatorOptions(api_key="k-1234567890")
    emulator.script(["a", "b"])
    async with httpx.AsyncClient(base_url=emulator.url) as client:
        missing = await client.post(
            "/v1beta/models/gemini-2.5-flash:generateContent", json=body(USER)
        )
        query = await client.post(
            "/v1beta/models/gemini-2.5-flash:generateContent?key=k-1234567890", json=body(USER)
        )
        header = await client.post(
            "/v1beta/models/gemini-2.5-flash:generateContent",
            json=body(USER),
            headers={"x-goog-api-key": "k-1234567890"},
        )
    assert missing.status_code == 403 and missing.json()["error"]["status"] == "PERMISSION_DENIED"
    assert (query.status_code, header.status_code) == (200, 200)


async def test_count_tokens_requires_exactly_one_form(emulator: Emulator) -> None:
    async with httpx.AsyncClient(base_url=emulator.url) as client:
        both = await client.post(
            "/v1beta/models/gemini-2.5-flash:countTokens",
            json={"contents": [USER], "generateContentRequest": body(USER)},
        )
        neither = await client.post("/v1beta/models/gemini-2.5-flash:countTokens", json={})
    assert both.status_code == neither.status_code == 400


async def test_unknown_method_is_404(emulator: Emulator) -> None:
    async with httpx.AsyncClient(base_url=emulator.url) as client:
        response = await client.post("/v1beta/models/gemini-2.5-flash:embedEverything", json={})
    assert response.status_code == 404 and response.json()["error"]["status"] == "NOT_FOUND"


async def test_invalid_json_body_is_400(emulator: Emulator) -> None:
    async with httpx.AsyncClient(base_url=emulator.url) as client:
        response = await client.post(
            "/v1beta/models/gemini-2.5-flash:generateContent", content=b"{not json"
        )
    assert (
        response.status_code == 400
        and "Invalid JSON payload" in response.json()["error"]["message"]
    )


async def test_exhausted_script_is_reported_and_not_retryable(emulator: Emulator) -> None:
    emulator.script([])
    async with httpx.AsyncClient(base_url=emulator.url) as client:
        response = await client.post(
            "/v1beta/models/gemini-2.5-flash:generateContent", json=body(USER)
        )
    assert response.status_code == 400
    assert response.json()["error"]["status"] == "FAILED_PRECONDITION"
    assert "script exhausted" in response.json()["error"]["message"]
