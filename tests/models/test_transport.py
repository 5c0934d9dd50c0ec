"""The transport's own shortcuts (cookie parsing, parsed URLs) change speed, never behaviour."""

from __future__ import annotations

import httpx
import pytest

from agentkit.models import Gemini
from agentkit.models.rest import RestTransport, _CookiesOnlyWhenSet
from agentkit.models.retry import RetryPolicy
from agentkit.testing.emulator import Emulator
from agentkit.types import Content, GenerateContentRequest

HELLO = GenerateContentRequest(contents=[Content.user("Hello")])


def response_with(headers: dict[str, str]) -> httpx.Response:
    request = httpx.Request("POST", "https://example.test/v1beta/models/m:generateContent")
    return httpx.Response(200, headers=headers, request=request)


def test_a_set_cookie_header_is_still_kept() -> None:
    jar = _CookiesOnlyWhenSet()
    jar.extract_cookies(response_with({"set-cookie": "session=abc; Path=/"}))
    assert dict(jar) == {"session": "abc"}


def test_a_response_without_cookies_never_reaches_the_jar(monkeypatch: pytest.MonkeyPatch) -> None:
    parsed: list[httpx.Response] = []
    monkeypatch.setattr(httpx.Cookies, "extract_cookies", lambda self, r: parsed.append(r))
    jar = _CookiesOnlyWhenSet()
    jar.extract_cookies(response_with({"content-type": "application/json"}))
    assert parsed == []
    with_cookie = response_with({"set-cookie": "a=b"})
    jar.extract_cookies(with_cookie)
    assert parsed == [with_cookie]


async def test_the_own_client_skips_cookie_parsing_and_a_given_client_is_left_alone(
    emulator: Emulator,
) -> None:
    emulator.script(["one", "two"])
    own = Gemini(base_url=emulator.url)
    await own.generate(HELLO)
    assert isinstance(own._transport._http().cookies, _CookiesOnlyWhenSet)
    await own.aclose()

    given_client = httpx.AsyncClient()
    given = Gemini(base_url=emulator.url, http_client=given_client)
    await given.generate(HELLO)
    assert type(given_client._cookies) is httpx.Cookies
    await given_client.aclose()


async def test_parsed_urls_are_reused_and_the_cache_stays_small(emulator: Emulator) -> None:
    emulator.script(["one", "two"])
    model = Gemini(base_url=emulator.url)
    await model.generate(HELLO)
    await model.generate(HELLO)
    transport = model._transport
    assert list(transport._urls) == [
        f"{emulator.url}/v1beta/models/gemini-2.5-flash:generateContent"
    ]
    assert [r.path for r in emulator.requests] == [
        "/v1beta/models/gemini-2.5-flash:generateContent"
    ] * 2
    await model.aclose()

    async def no_credentials() -> object:
        raise AssertionError("not called")

    bare = RestTransport(credentials=no_credentials, retry=RetryPolicy(), timeout=None)  # type: ignore[arg-type]
    first = bare._url("https://example.test/0")
    assert bare._url("https://example.test/0") is first
    for page in range(1, 70):
        bare._url(f"https://example.test/{page}")
    assert len(bare._urls) <= 64
