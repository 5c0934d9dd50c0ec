"""Wire types parse real-shaped JSON and give back exactly the same JSON."""

from __future__ import annotations

import json
from typing import Any

import pytest

from agentkit.types import (
    Content,
    ErrorBody,
    FinishReason,
    FunctionCallingMode,
    GenerateContentRequest,
    GenerateContentResponse,
    ListModelsResponse,
    Part,
    ToolConfig,
)

PARALLEL_CALLS_GEMINI_3: dict[str, Any] = {
    "candidates": [
        {
            "content": {
                "role": "model",
                "parts": [
                    {
                        "functionCall": {
                            "id": "a1b2c3d4",
                            "name": "get_weather",
                            "args": {"city": "Paris"},
                        },
                        "thoughtSignature": "EqkDCqYDAdHtim9xyz==",
                    },
                    {
                        "functionCall": {
                            "id": "e5f6g7h8",
                            "name": "get_weather",
                            "args": {"city": "Tokyo"},
                        }
                    },
                ],
            },
            "finishReason": "STOP",
            "index": 0,
        }
    ],
    "usageMetadata": {
        "promptTokenCount": 120,
        "candidatesTokenCount": 40,
        "thoughtsTokenCount": 210,
        "toolUsePromptTokenCount": 12,
        "cachedContentTokenCount": 64,
        "totalTokenCount": 382,
        "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 120}],
    },
    "modelVersion": "gemini-3-flash-preview",
    "responseId": "q2X5aNLxKbWvz7IP",
}

THOUGHTS_AND_TEXT: dict[str, Any] = {
    "candidates": [
        {
            "content": {
                "role": "model",
                "parts": [
                    {"text": "**Checking**\n\nThe user wants the weather.", "thought": True},
                    {"text": "It is raining in Paris."},
                    {"text": "", "thoughtSignature": "CtwBAVSoXO6t=="},
                ],
            },
            "finishReason": "STOP",
            "index": 0,
            "safetyRatings": [
                {"category": "HARM_CATEGORY_HARASSMENT", "probability": "NEGLIGIBLE"}
            ],
            "citationMetadata": {
                "citationSources": [{"startIndex": 1, "endIndex": 5, "uri": "https://example.org"}]
            },
        }
    ],
    "usageMetadata": {
        "promptTokenCount": 91,
        "candidatesTokenCount": 22,
        "totalTokenCount": 231,
        "thoughtsTokenCount": 118,
    },
    "modelStatus": {"modelStage": "PREVIEW", "retirementTime": "2027-01-01T00:00:00Z"},
}

FUTURE_FIELDS: dict[str, Any] = {
    "candidates": [
        {
            "content": {
                "role": "model",
                "parts": [
                    {"text": "hi", "brandNewPartField": {"nested": [1, 2.5, None]}},
                    {"toolCall": {"id": "t1", "toolType": "GOOGLE_SEARCH", "args": {"q": "x"}}},
                ],
            },
            "finishReason": "SOME_REASON_ADDED_IN_2027",
            "index": 0,
            "newCandidateField": True,
        }
    ],
    "promptFeedback": {"blockReason": "NEW_BLOCK_REASON"},
    "usageMetadata": {"promptTokenCount": 3, "trafficType": "ON_DEMAND", "futureCount": 7},
    "topLevelNovelty": "kept",
}

BLOCKED_PROMPT: dict[str, Any] = {
    "promptFeedback": {
        "blockReason": "SAFETY",
        "safetyRatings": [
            {"category": "HARM_CATEGORY_HARASSMENT", "probability": "HIGH", "blocked": True}
        ],
    },
    "usageMetadata": {"promptTokenCount": 8, "totalTokenCount": 8},
}

MALFORMED: dict[str, Any] = {
    "candidates": [
        {
            "content": {},
            "finishReason": "MALFORMED_FUNCTION_CALL",
            "finishMessage": "Malformed function call: print(x",
            "index": 0,
        }
    ]
}


@pytest.mark.parametrize(
    "payload",
    [PARALLEL_CALLS_GEMINI_3, THOUGHTS_AND_TEXT, FUTURE_FIELDS, BLOCKED_PROMPT, MALFORMED],
    ids=["parallel-calls", "thoughts-and-text", "future-fields", "blocked-prompt", "malformed"],
)
def test_response_round_trips_exactly(payload: dict[str, Any]) -> None:
    parsed = GenerateContentResponse.model_validate(payload)
    assert parsed.to_wire() == payload
    # And through JSON text, as the client reads it off the wire.
    assert GenerateContentResponse.model_validate_json(json.dumps(payload)).to_wire() == payload


def test_response_helpers_read_calls_text_and_reason() -> None:
    parallel = GenerateContentResponse.model_validate(PARALLEL_CALLS_GEMINI_3)
    assert [(c.id, c.name, c.args) for c in parallel.function_calls] == [
        ("a1b2c3d4", "get_weather", {"city": "Paris"}),
        ("e5f6g7h8", "get_weather", {"city": "Tokyo"}),
    ]
    assert parallel.text is None
    assert parallel.finish_reason is FinishReason.STOP
    assert parallel.usage_metadata is not None
    assert parallel.usage_metadata.thoughts_token_count == 210
    assert parallel.usage_metadata.tool_use_prompt_token_count == 12

    thoughts = GenerateContentResponse.model_validate(THOUGHTS_AND_TEXT)
    assert thoughts.text == "It is raining in Paris."  # thought summaries are not the answer


def test_unknown_enum_values_are_kept_and_marked() -> None:
    parsed = GenerateContentResponse.model_validate(FUTURE_FIELDS)
    reason = parsed.finish_reason
    assert reason == "SOME_REASON_ADDED_IN_2027"
    assert reason is not None and not reason.is_known
    assert FinishReason.STOP.is_known
    assert parsed.prompt_feedback is not None
    assert parsed.prompt_feedback.block_reason == "NEW_BLOCK_REASON"


def test_request_round_trips_with_every_section() -> None:
    payload: dict[str, Any] = {
        "contents": [
            {
                "role": "user",
                "parts": [
                    {"text": "Dim the lights"},
                    {"inlineData": {"mimeType": "image/png", "data": "iVBORw0KGgo="}},
                ],
            },
            {
                "role": "model",
                "parts": [
                    {
                        "functionCall": {"name": "set_light", "args": {"room": "kitchen"}},
                        "thoughtSignature": "sig",
                    }
                ],
            },
            {
                "role": "user",
                "parts": [
                    {
                        "functionResponse": {
                            "name": "set_light",
                            "response": {"output": {"ok": True}},
                        }
                    }
                ],
            },
        ],
        "systemInstruction": {"parts": [{"text": "You control a home."}]},
        "tools": [
            {
                "functionDeclarations": [
                    {
                        "name": "set_light",
                        "description": "Set a light.",
                        "parametersJsonSchema": {
                            "type": "object",
                            "properties": {"room": {"type": "string"}},
                            "required": ["room"],
                            "additionalProperties": False,
                        },
                    },
                    {
                        "name": "get_rooms",
                        "description": "List rooms.",
                        "parameters": {
                            "type": "OBJECT",
                            "properties": {
                                "floor": {"type": "INTEGER", "nullable": True, "minimum": 0}
                            },
                        },
                    },
                ]
            },
            {"googleSearch": {}},
        ],
        "toolConfig": {
            "functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["set_light"]}
        },
        "safetySettings": [
            {"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_ONLY_HIGH"}
        ],
        "generationConfig": {
            "temperature": 0.2,
            "maxOutputTokens": 4096,
            "thinkingConfig": {"thinkingBudget": 1024, "includeThoughts": True},
            "responseMimeType": "application/json",
            "responseJsonSchema": {"type": "object"},
        },
        "cachedContent": "cachedContents/abc",
        "serviceTier": "flex",
    }
    parsed = GenerateContentRequest.model_validate(payload)
    assert parsed.to_wire() == payload
    config = parsed.tool_config
    assert isinstance(config, ToolConfig) and config.function_calling_config is not None
    assert config.function_calling_config.mode is FunctionCallingMode.ANY


def test_python_construction_emits_only_what_was_set() -> None:
    request = GenerateContentRequest(
        contents=[
            Content.user("hi"),
            Content.model(Part.from_function_call("f", {"a": 1}, id="c1")),
            Content(role="user", parts=[Part.from_function_response("f", {"output": 3}, id="c1")]),
        ],
    )
    assert request.to_wire() == {
        "contents": [
            {"role": "user", "parts": [{"text": "hi"}]},
            {
                "role": "model",
                "parts": [{"functionCall": {"id": "c1", "name": "f", "args": {"a": 1}}}],
            },
            {
                "role": "user",
                "parts": [
                    {"functionResponse": {"id": "c1", "name": "f", "response": {"output": 3}}}
                ],
            },
        ]
    }


def test_part_helpers() -> None:
    image = Part.from_bytes(b"\x89PNG\r\n", "image/png")
    assert image.to_wire() == {"inlineData": {"mimeType": "image/png", "data": "iVBORw0K"}}
    assert image.inline_data is not None and image.inline_data.as_bytes() == b"\x89PNG\r\n"
    assert Part.from_uri("https://files/x", "application/pdf").to_wire() == {
        "fileData": {"fileUri": "https://files/x", "mimeType": "application/pdf"}
    }
    assert Part.from_function_call("noargs").to_wire() == {
        "functionCall": {"name": "noargs", "args": {}}
    }
    with pytest.raises(TypeError, match="must be a dict"):
        Part.from_function_response("f", ["not", "a", "dict"])  # type: ignore[arg-type]


def test_url_safe_base64_is_decoded() -> None:
    part = Part.model_validate({"inlineData": {"mimeType": "x/y", "data": "-_8"}})
    assert part.inline_data is not None and part.inline_data.as_bytes() == b"\xfb\xff"


def test_error_body_exposes_retry_delay_quota_and_reason() -> None:
    body = ErrorBody.model_validate(
        {
            "error": {
                "code": 429,
                "message": "quota",
                "status": "RESOURCE_EXHAUSTED",
                "details": [
                    {
                        "@type": "type.googleapis.com/google.rpc.QuotaFailure",
                        "violations": [
                            {"quotaId": "GenerateRequestsPerDayPerProjectPerModel-FreeTier"}
                        ],
                    },
                    {
                        "@type": "type.googleapis.com/google.rpc.RetryInfo",
                        "retryDelay": "53.016342224s",
                    },
                    {
                        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                        "reason": "RATE_LIMIT_EXCEEDED",
                    },
                ],
            }
        }
    )
    assert body.error.retry_delay == pytest.approx(53.016342224)
    assert body.error.quota_ids == ["GenerateRequestsPerDayPerProjectPerModel-FreeTier"]
    assert body.error.reason == "RATE_LIMIT_EXCEEDED"


def test_models_list_round_trips() -> None:
    payload = {
        "models": [
            {
                "name": "models/gemini-2.5-flash",
                "inputTokenLimit": 1048576,
                "thinking": True,
                "newThing": 1,
            }
        ],
        "nextPageToken": "abc",
    }
    assert ListModelsResponse.model_validate(payload).to_wire() == payload
