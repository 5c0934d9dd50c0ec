"""HTTP transport for REST model APIs: one pooled httpx client, retries, SSE streams.

Everything httpx can raise is turned into ``agentkit.errors`` here, so no layer above sees a
transport-library exception. Credentials arrive as headers from a callback (tokens may be
refreshed between attempts) together with the secret strings to scrub from error messages.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Awaitable, Callable
from contextlib import aclosing
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

import anyio
import httpx

from agentkit.errors import APIConnectionError, APIError, IncompleteStreamError, redact
from agentkit.logs import get_logger
from agentkit.models.http_errors import error_from_body, error_from_status
from agentkit.models.rate_limit import Admission
from agentkit.models.retry import RetryPolicy
from agentkit.models.sse import decode_event, iter_sse_data
from agentkit.models.urls import shown_url
from agentkit.types import ErrorStatus

log = get_logger()

T = TypeVar("T")

RetryListener = Callable[[str, int, float, BaseException], None]
# Set by the agent loop around a model call so HTTP retries also reach its event stream;
# a context variable keeps the Model protocol free of callbacks.
retry_listener: ContextVar[RetryListener | None] = ContextVar(
    "agentkit_retry_listener", default=None
)


@dataclass(frozen=True, slots=True)
class Credentials:
    """Headers to send and the secret values inside them (to scrub from any message)."""

    headers: dict[str, str]
    secrets: tuple[str, ...]


CredentialsFactory = Callable[[], Awaitable[Credentials]]


class RestTransport:
    """Sends JSON requests with retries; owns the connection pool.

    httpx connections belong to the event loop that opened them. ``run_sync`` and tests start
    fresh loops, so the pooled client is rebuilt when the running loop changes instead of
    failing with "Event loop is closed".
    """

    def __init__(
        self,
        *,
        credentials: CredentialsFactory,
        retry: RetryPolicy,
        timeout: float | None,
        http_client: httpx.AsyncClient | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        self._credentials = credentials
        self.retry = retry
        self.timeout = timeout
        self._extra_headers = dict(extra_headers or {})
        self._given_client = http_client
        self._client: httpx.AsyncClient | None = None
        self._client_loop: asyncio.AbstractEventLoop | None = None
        self._urls: dict[str, httpx.URL] = {}

    def _http(self) -> httpx.AsyncClient:
        if self._given_client is not None:
            return self._given_client
        loop = asyncio.get_running_loop()
        if self._client is None or self._client_loop is not loop or self._client.is_closed:
            self._client = httpx.AsyncClient(
                timeout=httpx.Timeout(self.timeout, connect=min(self.timeout or 30.0, 30.0)),
                limits=httpx.Limits(max_connections=512, max_keepalive_connections=128),
            )
            _skip_cookie_parsing_without_cookies(self._client)
            # Imported here: the pool module needs httpcore, which httpx itself loads only
            # when its first client is made; importing agentkit should not pay for it.
            from agentkit.models.pool import install_linear_pool

            install_linear_pool(self._client)
            self._client_loop = loop
        return self._client

    def _url(self, url: str) -> httpx.URL:
        """The parsed URL, kept: parsing one costs httpx ~10 µs, and a run asks for the same
        one or two endpoints every step."""
        parsed = self._urls.get(url)
        if parsed is None:
            if len(self._urls) >= 64:  # paged listings make new URLs; keep the cache small
                self._urls.clear()
            parsed = self._urls[url] = httpx.URL(url)
        return parsed

    async def aclose(self) -> None:
        if self._client is not None and not self._client.is_closed:
            await self._client.aclose()
        self._client = None

    async def _headers(self) -> Credentials:
        credentials = await self._credentials()
        headers = {**self._extra_headers, **credentials.headers}
        if self.timeout is not None:
            # Tells the server how long the client will wait, as Google's SDKs do.
            headers["x-server-timeout"] = str(int(-(-self.timeout // 1)))
        return Credentials(headers, credentials.secrets)

    async def request(
        self,
        method: str,
        url: str,
        body: bytes | None,
        operation: str,
        admission: Admission | None = None,
    ) -> bytes:
        """One request with retries; returns the body of a 2xx answer. With an ``admission``,
        every attempt first waits for the rate limiter and tells it of a 429."""

        async def attempt() -> bytes:
            credentials = await self._headers()
            try:
                response = await self._http().request(
                    method, self._url(url), content=body, headers=credentials.headers
                )
            except httpx.HTTPError as error:
                raise _connection_error(error, url, credentials.secrets) from None
            if response.status_code >= 400:
                raise error_from_body(
                    response.status_code,
                    response.content,
                    response.reason_phrase,
                    credentials.secrets,
                )
            return response.content

        return await self._retrying(operation, attempt, admission)

    async def exchange(
        self, method: str, url: str, body: bytes | None, headers: dict[str, str]
    ) -> httpx.Response:
        """One request, no retries, its response whatever the status (the Files API reads
        an upload's headers and decides itself what to send again). A transport failure
        is an ``APIConnectionError``; credentials never appear in it."""
        credentials = await self._headers()
        try:
            return await self._http().request(
                method, self._url(url), content=body, headers={**credentials.headers, **headers}
            )
        except httpx.HTTPError as error:
            raise _connection_error(error, url, credentials.secrets) from None

    async def error_for(self, response: httpx.Response) -> APIError:
        """The typed error for a failed response, as ``request`` raises it (the key is
        scrubbed from it)."""
        secrets = (await self._headers()).secrets
        return error_from_body(
            response.status_code, response.content, response.reason_phrase, secrets
        )

    async def _retrying(
        self,
        operation: str,
        attempt: Callable[[], Awaitable[bytes]],
        admission: Admission | None,
    ) -> bytes:
        started = time.monotonic()
        number = 1
        while True:
            if admission is not None:
                # Outside the ``try``: what the limiter raises (a per-day quota already met)
                # is final, never retried.
                await admission.wait()
            try:
                return await attempt()
            except (APIError, APIConnectionError) as error:
                delay = self._retry_delay(number, started, error)
                if admission is not None:
                    admission.refused(error, delay)
                if delay is None:
                    raise
                _log_retry(operation, number, delay, error)
                await anyio.sleep(delay)
                number += 1

    def _retry_delay(self, number: int, started: float, error: BaseException) -> float | None:
        """Seconds to wait before another try, or None when the error is final."""
        policy = self.retry
        if number >= policy.max_attempts or not policy.is_retryable(error):
            return None
        delay = policy.delay_before(number, error)
        if policy.deadline is not None and time.monotonic() - started + delay > policy.deadline:
            return None
        return delay

    async def stream(
        self,
        url: str,
        body: bytes,
        operation: str,
        parse: Callable[[Any], T],
        admission: Admission | None = None,
    ) -> AsyncGenerator[T, None]:
        """Yield the events of an SSE answer, each as ``parse`` makes it.

        ``parse`` receives an event's payload as bytes, or its decoded JSON when the
        transport had to decode it to look for an in-stream error; what it raises ends the
        stream (an ``IncompleteStreamError`` before any event is retried like a broken
        connection). A failure is retried only while nothing has been yielded: once a
        caller has seen a chunk, replaying the stream would hand it the same parts twice.
        """
        started = time.monotonic()
        number = 1
        delivered = 0
        while True:
            if admission is not None:
                await admission.wait()
            credentials = await self._headers()
            try:
                async with aclosing(self._stream_once(url, body, credentials, parse)) as events:
                    async for event in events:
                        delivered += 1
                        yield event
                return
            except (APIError, APIConnectionError) as error:
                delay = None if delivered else self._retry_delay(number, started, error)
                if admission is not None:
                    admission.refused(error, delay)
                if delay is None:
                    if delivered and isinstance(error, APIConnectionError):
                        raise IncompleteStreamError(
                            f"stream broke after {delivered} chunk(s): {error}",
                            received=delivered,
                        ) from None
                    raise
                _log_retry(operation, number, delay, error)
                await anyio.sleep(delay)
                number += 1

    async def _stream_once(
        self, url: str, body: bytes, credentials: Credentials, parse: Callable[[Any], T]
    ) -> AsyncGenerator[T, None]:
        secrets = credentials.secrets
        received = 0
        try:
            async with self._http().stream(
                "POST", self._url(url), content=body, headers=credentials.headers
            ) as response:
                if response.status_code >= 400:
                    content = await response.aread()
                    raise error_from_body(
                        response.status_code, content, response.reason_phrase, secrets
                    )
                async with aclosing(iter_sse_data(response.aiter_bytes())) as payloads:
                    async for payload in payloads:
                        event: Any = payload
                        if _may_hold_error(payload):
                            event = decode_event(payload)
                            error = event.get("error") if isinstance(event, dict) else None
                            if isinstance(error, dict):
                                status = ErrorStatus.model_validate(error)
                                raise error_from_status(status.code or 500, status, secrets)
                        parsed = parse(event)
                        received += 1
                        yield parsed
        except httpx.HTTPError as error:
            raise _connection_error(error, url, secrets) from None
        if received == 0:
            raise IncompleteStreamError("stream ended without any event", received=0)


def _may_hold_error(payload: bytes) -> bool:
    """Whether an event could carry an ``"error"`` key, in any spelling JSON allows.

    A key spelled with escapes (``"\\u0065rror"``) holds a backslash-u; a plain one holds
    the quoted word. Events with neither (nearly all) go to ``parse`` undecoded; the rest
    are decoded here first, so no spelling of an in-stream error passes for a chunk.
    """
    return b'"error"' in payload or b"\\u" in payload


class _CookiesOnlyWhenSet(httpx.Cookies):
    """httpx reads every response into its cookie jar through urllib compatibility objects,
    about 15 % of a client's CPU per request; Gemini sets no cookies. Skipping responses
    without a Set-Cookie header changes nothing else: any cookie sent is still kept."""

    def extract_cookies(self, response: httpx.Response) -> None:
        if "set-cookie" in response.headers:
            super().extract_cookies(response)


# httpx has no public switch for this; its client keeps the jar in this attribute and calls
# its ``extract_cookies`` for every response (``tests/models/test_shortcut_contracts.py``).
COOKIE_JAR_ATTRIBUTE = "_cookies"


def _skip_cookie_parsing_without_cookies(client: httpx.AsyncClient) -> bool:
    """Swap the client's jar for one that skips responses without Set-Cookie; False (and
    httpx left as it always behaves) when the jar is not where this expects it."""
    jar = getattr(client, COOKIE_JAR_ATTRIBUTE, None)
    if type(jar) is not httpx.Cookies or jar is not client.cookies:
        return False
    setattr(client, COOKIE_JAR_ATTRIBUTE, _CookiesOnlyWhenSet(jar))
    return True


def _connection_error(
    error: httpx.HTTPError, url: str, secrets: tuple[str, ...]
) -> APIConnectionError:
    """The failure, and the URL it happened on: "connection refused" alone does not say
    whether it was Google, a proxy or a local emulator that is down."""
    kind = "timed out" if isinstance(error, httpx.TimeoutException) else "failed"
    detail = redact(str(error) or type(error).__name__, secrets)
    where = redact(shown_url(url.split("?", 1)[0]), secrets)
    return APIConnectionError(f"request to {where} {kind}: {type(error).__name__}: {detail}")


def _log_retry(operation: str, number: int, delay: float, error: BaseException) -> None:
    listener = retry_listener.get()
    if listener is not None:
        listener(operation, number, delay, error)
    log.warning(
        "retry",
        operation=operation,
        attempt=number,
        delay=round(delay, 3),
        error=type(error).__name__,
        status=getattr(error, "status_code", None),
        message=str(error)[:300],
    )
