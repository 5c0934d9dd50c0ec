"""Vertex AI: same wire format, regional path and bearer tokens, against the emulator."""

from __future__ import annotations

import pytest

from agentkit.errors import BadRequestError
from agentkit.models import Vertex
from agentkit.models.vertex import vertex_base_url
from agentkit.testing.emulator import Emulator, Fault
from agentkit.types import Content, GenerateContentRequest

from ..conftest import FAST_RETRY

HELLO = GenerateContentRequest(contents=[Content.user("Hello")])


@pytest.mark.parametrize(
    ("location", "url"),
    [
        ("us-central1", "https://us-central1-aiplatform.googleapis.com/"),
        ("global", "https://aiplatform.googleapis.com/"),
        ("eu", "https://aiplatform.eu.rep.googleapis.com/"),
    ],
)
def test_base_url_per_location(location: str, url: str) -> None:
    assert vertex_base_url(location) == url


async def test_vertex_path_and_token_asked_per_attempt(emulator: Emulator) -> None:
    tokens = iter(["ya29.first-token-abcdef", "ya29.second-token-abcdef"])

    async def token() -> str:
        return next(tokens)

    model = Vertex(
        "gemini-2.5-flash",
        project="my-proj",
        location="europe-west4",
        token=token,
        quota_project="billing-proj",
        base_url=emulator.url,
        retry=FAST_RETRY,
    )
    emulator.script([Fault.unavailable(), "from vertex"])
    response = await model.generate(HELLO)

    assert response.text == "from vertex"
    first, second = emulator.requests
    assert second.path == (
        "/v1beta1/projects/my-proj/locations/europe-west4/publishers/google/models/"
        "gemini-2.5-flash:generateContent"
    )
    assert first.headers["authorization"] == "Bearer ya29.first-token-abcdef"
    assert second.headers["authorization"] == "Bearer ya29.second-token-abcdef"
    assert second.headers["x-goog-user-project"] == "billing-proj"
    assert "x-goog-api-key" not in second.headers


async def test_vertex_stream_and_token_redaction(emulator: Emulator) -> None:
    secret = "ya29.secret-token-value-987"
    model = Vertex(
        "gemini-2.5-flash",
        project="p",
        token=lambda: secret,
        base_url=emulator.url,
        retry=FAST_RETRY,
    )
    emulator.script(["streamed", Fault.http_error(400, f"token {secret} is bad")])
    chunks = [c async for c in model.stream(HELLO)]
    assert [c.text for c in chunks] == ["streamed"]
    assert emulator.requests[0].path.endswith("/models/gemini-2.5-flash:streamGenerateContent")
    with pytest.raises(BadRequestError) as caught:
        await model.generate(HELLO)
    assert secret not in str(caught.value) and secret not in repr(caught.value)
    assert secret not in repr(model)
