"""The request encoder joins cached pieces into exactly the bytes pydantic writes for the
whole request, and encodes each turn and tool list once."""

from __future__ import annotations

import gc
from typing import Any

from agentkit.models.encoding import RequestEncoder
from agentkit.models.gemini import encode
from agentkit.types import (
    Content,
    FunctionCall,
    FunctionResponse,
    GenerateContentRequest,
    Part,
    Tool,
)


def request(**fields: Any) -> GenerateContentRequest:
    return GenerateContentRequest(**fields)


def test_the_joined_bytes_are_the_whole_requests_bytes() -> None:
    call = Content(
        role="model",
        parts=[
            Part(function_call=FunctionCall(name="f", args={"é": [1, 2]}), thought_signature="c2ln")
        ],
    )
    answer = Content(
        role="user",
        parts=[Part(function_response=FunctionResponse(name="f", response={"output": None}))],
    )
    tools = [
        Tool.model_validate(
            {"functionDeclarations": [{"name": "f", "parametersJsonSchema": {"type": "object"}}]}
        ),
        Tool(google_search={}),
    ]
    cases = [
        request(contents=[Content.user("hello")]),
        request(
            contents=[Content.user("a"), call, answer],
            tools=tools,
            system_instruction=Content.user("be brief"),
            tool_config={"function_calling_config": {"mode": "AUTO"}},
            generation_config={"temperature": 0.2},
        ),
        request(contents=[Content.user("x")], cached_content="cachedContents/a"),
        GenerateContentRequest.model_validate(
            {"contents": [{"role": "user", "parts": [{"text": "y"}]}], "newField": {"k": 1}}
        ),
        request(
            contents=[
                Content.model_validate({"role": "user", "parts": [{"text": "z", "unknownPart": 3}]})
            ]
        ),
    ]
    encoder = RequestEncoder()
    for case in cases:
        assert encoder.encode(case) == encode(case)
        assert encoder.encode(case) == encode(case)  # and again, from the kept pieces


def test_each_turn_is_encoded_once_and_forgotten_with_it() -> None:
    encoder = RequestEncoder()
    history = [Content.user(f"turn {n}") for n in range(50)]
    tools = [Tool(google_search={})]
    for size in range(1, 51):
        encoder.encode(request(contents=history[:size], tools=tools))
    assert len(encoder._turns._known) == 50 and len(encoder._tools) == 1
    del history
    gc.collect()
    assert encoder._turns._known == {} and not encoder._turns._sequences
