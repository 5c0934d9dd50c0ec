"""Details of what is sent and kept that a user would otherwise trip over: a file part
without a mime type, a model turn that came without its role, structured output in the
OpenAPI dialect, and a typed answer written inside a Markdown fence."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from pydantic import BaseModel

from agentkit import Agent, Gemini, tool
from agentkit.testing.emulator import Emulator, call
from agentkit.types import GenerateContentRequest, GenerateContentResponse, Part


class Reading(BaseModel):
    room: str
    celsius: float


def test_a_file_part_without_a_mime_type_sends_none() -> None:
    assert Part.from_uri("https://example.com/a.pdf").to_wire() == {
        "fileData": {"fileUri": "https://example.com/a.pdf"}
    }
    assert Part.from_uri("gs://b/a.png", "image/png").to_wire() == {
        "fileData": {"fileUri": "gs://b/a.png", "mimeType": "image/png"}
    }


class RolelessModel:
    """Answers as a proxy might: the content of each answer has no ``role``."""

    name = "gemini-2.5-flash"

    def __init__(self, answers: list[dict[str, Any]]) -> None:
        self.answers = answers
        self.requests: list[GenerateContentRequest] = []

    async def generate(self, request: GenerateContentRequest) -> GenerateContentResponse:
        self.requests.append(request)
        parts = self.answers.pop(0)
        return GenerateContentResponse.model_validate(
            {"candidates": [{"content": {"parts": parts}, "finishReason": "STOP"}]}
        )

    async def stream(self, request: GenerateContentRequest) -> Any:
        yield await self.generate(request)


async def test_a_model_turn_without_a_role_is_kept_as_the_models() -> None:
    @tool
    def add(a: int, b: int) -> int:
        """Add."""
        return a + b

    model = RolelessModel([[{"functionCall": {"name": "add", "args": {"a": 1, "b": 2}}}], [{"text": "3"}]])
    for stream in (False, True):
        model.answers = [[{"functionCall": {"name": "add", "args": {"a": 1, "b": 2}}}], [{"text": "3"}]]
        agent = Agent(model, tools=[add])  # type: ignore[arg-type]
        if stream:
            events = [event async for event in agent.stream("add")]
            result = events[-1].result  # type: ignore[union-attr]
        else:
            result = await agent.run("add")
        assert result.text == "3"
        assert [turn["role"] for turn in result.history] == ["user", "model", "user", "model"]
    assert [c.role for c in model.requests[-1].contents] == ["user", "model", "user"]


async def test_structured_output_in_the_openapi_dialect_sends_response_schema(emulator: Emulator) -> None:
    emulator.script(['{"room": "hall", "celsius": 20.5}'])
    agent = Agent(
        Gemini("gemini-2.5-flash", base_url=emulator.url), output_type=Reading, schema_dialect="openapi"
    )
    result = await agent.run("the hall?")
    assert result.output == Reading(room="hall", celsius=20.5)
    config = emulator.requests[0].json["generationConfig"]
    assert "responseJsonSchema" not in config
    assert config["responseMimeType"] == "application/json"
    assert config["responseSchema"] == {
        "type": "OBJECT",
        "properties": {"room": {"type": "STRING"}, "celsius": {"type": "NUMBER"}},
        "required": ["room", "celsius"],
    }
    assert emulator.rejections == []


async def test_a_typed_answer_inside_a_markdown_fence_is_read_without_asking_again(emulator: Emulator) -> None:
    emulator.script(['```json\n{"room": "hall", "celsius": 19}\n```'])
    agent = Agent(Gemini("gemini-2.5-flash", base_url=emulator.url), output_type=Reading)
    result = await agent.run("the hall?")
    assert result.output == Reading(room="hall", celsius=19)
    assert len(emulator.requests) == 1


async def test_with_tools_a_fenced_final_answer_is_read_too(emulator: Emulator) -> None:
    @tool
    def thermometer(room: str) -> float:
        """Read a room's temperature."""
        return 19.0

    emulator.script([[call("thermometer", room="hall")], '```\n{"room": "hall", "celsius": 19}\n```'])
    agent = Agent(Gemini("gemini-2.5-flash", base_url=emulator.url), tools=[thermometer], output_type=Reading)
    result = await agent.run("the hall?")
    assert result.output == Reading(room="hall", celsius=19)
    assert len(emulator.requests) == 2


async def test_a_block_says_why_and_a_step_keeps_what_the_response_said(emulator: Emulator) -> None:
    import pytest

    from agentkit.errors import ConfigurationError, ResponseBlockedError

    ratings = [
        {"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "probability": "HIGH", "blocked": True},
        {"category": "HARM_CATEGORY_HARASSMENT", "probability": "NEGLIGIBLE"},
    ]
    emulator.script([{"candidates": [{"content": {"role": "model", "parts": [{"text": "Here is"}]},
                                      "finishReason": "SAFETY", "safetyRatings": ratings}]}])
    agent = Agent(Gemini("gemini-2.5-flash", base_url=emulator.url))
    with pytest.raises(ResponseBlockedError) as blocked:
        await agent.run("something risky")
    assert str(blocked.value) == (
        "the model stopped its answer: SAFETY (blocked: HARM_CATEGORY_DANGEROUS_CONTENT at HIGH)"
    )
    assert blocked.value.safety_ratings == ratings
    citations = [{"startIndex": 0, "endIndex": 5, "uri": "https://example.com/poem"}]
    emulator.script([{"candidates": [{"content": {"role": "model", "parts": [{"text": "Roses"}]},
                                      "finishReason": "STOP", "safetyRatings": ratings[1:],
                                      "citationMetadata": {"citations": citations},
                                      "avgLogprobs": -0.25}], "responseId": "resp-7"}])
    result = await agent.run("a poem")
    (step,) = result.steps
    assert (step.response_id, step.citations, step.avg_logprobs) == ("resp-7", citations, -0.25)
    assert step.safety_ratings == ratings[1:]
    with pytest.raises(ConfigurationError, match="candidate_count=2: an agent continues one answer"):
        Agent(Gemini("gemini-2.5-flash", base_url=emulator.url), generation_config={"candidate_count": 2})


@pytest.mark.parametrize(
    ("model", "inside"), [("gemini-3-flash-preview", True), ("gemini-2.5-flash", False)]
)
async def test_a_tools_image_goes_where_the_model_reads_it(emulator: Emulator, model: str, inside: bool) -> None:
    png = bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c63f8ffff3f0005fe02fea7d605f60000000049454e44ae426082"
    )

    @tool
    def snapshot(camera: str) -> bytes:
        """A still from a camera."""
        return png

    emulator.script([[call("snapshot", camera="hall")], "An empty hall."])
    result = await Agent(Gemini(model, base_url=emulator.url), tools=[snapshot]).run("Who is in the hall?")
    assert result.text == "An empty hall."
    turn = emulator.requests[1].json["contents"][2]
    blob = {"inlineData": {"mimeType": "image/png", "data": base64.b64encode(png).decode()}}
    response = {"name": "snapshot", "response": {"output": {"media": [{"mimeType": "image/png", "attached": True}]}}}
    if inside:
        assert turn["parts"] == [{"functionResponse": {**response, "parts": [blob]}}]
    else:
        assert turn["parts"] == [{"functionResponse": response}, {"text": "[what snapshot returned]"}, blob]
    assert emulator.rejections == []
