"""A request body over the size Gemini accepts is refused before it is sent."""

from __future__ import annotations

import pytest

from agentkit.errors import BadRequestError, RequestTooLargeError
from agentkit.models import Gemini
from agentkit.models.capabilities import REQUEST_SIZE_LIMIT
from agentkit.models.gemini import encode
from agentkit.testing.emulator import Emulator
from agentkit.types import Content, GenerateContentRequest


def request_of(size: int) -> GenerateContentRequest:
    """A request whose encoded body is exactly ``size`` bytes."""
    overhead = len(encode(GenerateContentRequest(contents=[Content.user("")])))
    request = GenerateContentRequest(contents=[Content.user("x" * (size - overhead))])
    assert len(encode(request)) == size
    return request


def test_the_default_limit_is_geminis() -> None:
    assert Gemini("gemini-2.5-flash").max_request_bytes == REQUEST_SIZE_LIMIT == 104_857_600


async def test_generate_refuses_a_body_over_the_limit_without_sending(emulator: Emulator) -> None:
    emulator.script(["never served"])
    model = Gemini("gemini-2.5-flash", base_url=emulator.url, max_request_bytes=1000)
    with pytest.raises(RequestTooLargeError) as caught:
        await model.generate(request_of(1001))
    error = caught.value
    assert isinstance(error, BadRequestError)
    assert (error.size, error.limit, error.status_code, error.status) == (
        1001,
        1000,
        400,
        "INVALID_ARGUMENT",
    )
    assert str(error) == (
        "not sent: the request is 1,001 bytes and Gemini accepts at most 1,000 bytes per "
        "request; send large media through the Files API (a fileData part) instead of inline data"
    )
    assert emulator.requests == []


async def test_stream_refuses_before_sending_too(emulator: Emulator) -> None:
    model = Gemini("gemini-2.5-flash", base_url=emulator.url, max_request_bytes=1000)
    with pytest.raises(RequestTooLargeError, match="the request is 5,000 bytes"):
        async for _ in model.stream(request_of(5000)):
            pass
    assert emulator.requests == []


async def test_a_body_of_exactly_the_limit_is_sent(emulator: Emulator) -> None:
    emulator.script(["fits"])
    model = Gemini("gemini-2.5-flash", base_url=emulator.url, max_request_bytes=1000)
    response = await model.generate(request_of(1000))
    assert response.text == "fits"
    assert len(emulator.requests[0].body) == 1000


async def test_none_sends_anything_and_the_server_decides(emulator: Emulator) -> None:
    emulator.options.max_request_bytes = 1000
    emulator.script(["never served"])
    model = Gemini("gemini-2.5-flash", base_url=emulator.url, max_request_bytes=None)
    with pytest.raises(BadRequestError) as caught:
        await model.generate(request_of(1001))
    assert not isinstance(caught.value, RequestTooLargeError)
    assert caught.value.message == "Request payload size exceeds the limit: 1000 bytes."
    assert [r.rejection for r in emulator.requests] == [
        "Request payload size exceeds the limit: 1000 bytes."
    ]
