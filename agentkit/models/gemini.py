"""The Gemini Developer API (generativelanguage, v1beta) over REST."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import aclosing
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

import httpx

from agentkit.errors import (
    ConfigurationError,
    IncompleteStreamError,
    RequestTooLargeError,
)
from agentkit.models.capabilities import REQUEST_SIZE_LIMIT
from agentkit.models.encoding import RequestEncoder
from agentkit.models.parsing import parse_event, parse_response
from agentkit.models.rate_limit import Admission, RateLimit
from agentkit.models.rest import Credentials, RestTransport
from agentkit.models.retry import RetryPolicy

if TYPE_CHECKING:
    from agentkit.models.batches import Batches
    from agentkit.models.caches import Caches
    from agentkit.models.files import Files
from agentkit.models.urls import checked_base_url, shown_url
from agentkit.types import (
    Content,
    CountTokensRequest,
    CountTokensResponse,
    GenerateContentRequest,
    GenerateContentResponse,
    ListModelsResponse,
    ModelInfo,
)

DEFAULT_BASE_URL = "https://generativelanguage.googleapis.com/"
CLIENT_HEADER = "agentkit/0.1.0"


def resolve_api_key(explicit: str | None = None) -> str | None:
    """The key to use: the argument, else ``GOOGLE_API_KEY``, else ``GEMINI_API_KEY``.

    ``GOOGLE_API_KEY`` wins over ``GEMINI_API_KEY`` when both are set, as in Google's SDKs.
    """
    for candidate in (explicit, os.environ.get("GOOGLE_API_KEY"), os.environ.get("GEMINI_API_KEY")):
        if candidate and candidate.strip():  # a blank value (an empty export) is no key
            return candidate.strip()
    return None


def model_resource(model: str) -> str:
    """``gemini-2.5-flash`` → ``models/gemini-2.5-flash``; full resource names pass through."""
    if model.startswith(("models/", "tunedModels/")):
        return model
    return f"models/{model}"


class Gemini:
    """A Gemini model reached over the Developer REST API.

    Args:
        model: model id, e.g. ``"gemini-2.5-flash"`` (``models/`` prefix optional).
        api_key: defaults to ``GOOGLE_API_KEY`` or ``GEMINI_API_KEY`` from the environment;
            needed only when a request is made to an endpoint that checks it.
        base_url: another server speaking the same API (the emulator, a proxy); defaults to
            ``GOOGLE_GEMINI_BASE_URL`` when set, as in Google's SDK.
        api_version: ``v1beta`` by default; newer fields land there first.
        timeout: seconds per HTTP request (None waits forever).
        retry: the retry policy; ``RetryPolicy.none()`` disables retries.
        http_client: an httpx.AsyncClient to use instead of the model's own pool.
        max_request_bytes: a request body larger than this is refused before it is sent
            (``RequestTooLargeError``), as Gemini would refuse it; None sends anything.
        rate_limit: requests and input tokens per minute for every run using this model (pass
            the same ``RateLimit`` to models that share a quota); a 429 then holds all of
            their requests for the delay the server asks. ``RateLimit()`` with no rates does
            only that. Without one, each request retries its 429s on its own.
    """

    def __init__(
        self,
        model: str = "gemini-2.5-flash",
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        api_version: str = "v1beta",
        timeout: float | None = 120.0,
        retry: RetryPolicy | None = None,
        http_client: httpx.AsyncClient | None = None,
        max_request_bytes: int | None = REQUEST_SIZE_LIMIT,
        rate_limit: RateLimit | None = None,
    ) -> None:
        if rate_limit is not None and not isinstance(rate_limit, RateLimit):
            raise ConfigurationError(
                f"Gemini(rate_limit=...) takes a RateLimit, not {type(rate_limit).__name__}"
            )
        self.model = model
        self.rate_limit = rate_limit
        self.max_request_bytes = max_request_bytes
        # Each turn and tool list is encoded once, however many requests repeat it.
        self._encoder = RequestEncoder()
        self._api_key = resolve_api_key(api_key)
        base_url = (base_url or os.environ.get("GOOGLE_GEMINI_BASE_URL") or "").strip()
        self.base_url = checked_base_url(base_url or DEFAULT_BASE_URL)
        self.api_version = api_version
        self._transport = RestTransport(
            credentials=self._credentials,
            retry=retry or RetryPolicy(),
            timeout=timeout,
            http_client=http_client,
            extra_headers={
                "content-type": "application/json",
                "x-goog-api-client": CLIENT_HEADER,
                "user-agent": f"{CLIENT_HEADER} httpx/{httpx.__version__}",
            },
        )

    # -- identity -----------------------------------------------------------------------------

    @property
    def name(self) -> str:
        return self.model

    @property
    def retry(self) -> RetryPolicy:
        return self._transport.retry

    @property
    def has_api_key(self) -> bool:
        return self._api_key is not None

    def __repr__(self) -> str:
        # The key is deliberately absent: reprs end up in logs and tracebacks.
        key = "set" if self._api_key else "missing"
        return (
            f"{type(self).__name__}(model={self.model!r}, base_url={shown_url(self.base_url)!r}, "
            f"api_key={key})"
        )

    # -- endpoint details (Vertex overrides these) --------------------------------------------

    def _model_url(self, action: str, query: dict[str, str] | None = None) -> str:
        url = f"{self.base_url}{self.api_version}/{quote(model_resource(self.model), safe='/')}"
        url += f":{action}"
        return f"{url}?{urlencode(query)}" if query else url

    def _collection_url(self, path: str) -> str:
        return f"{self.base_url}{self.api_version}/{path}"

    async def _credentials(self) -> Credentials:
        if self._api_key is None:
            if self.base_url == DEFAULT_BASE_URL:
                raise ConfigurationError(
                    "no Gemini API key: set GEMINI_API_KEY (or GOOGLE_API_KEY), pass "
                    "Gemini(api_key=...), or point base_url at the emulator"
                )
            return Credentials({}, ())
        return Credentials({"x-goog-api-key": self._api_key}, (self._api_key,))

    # -- operations ---------------------------------------------------------------------------

    async def generate(self, request: GenerateContentRequest) -> GenerateContentResponse:
        body = self._body(request)
        admission = self._admission(body)
        answer = await self._transport.request(
            "POST", self._model_url("generateContent"), body, "generateContent", admission
        )
        response = parse_response(answer)
        if admission is not None:
            admission.settle(_prompt_tokens(response))
        return response

    async def stream(
        self, request: GenerateContentRequest
    ) -> AsyncIterator[GenerateContentResponse]:
        """Yield the chunks of a streamed answer.

        Gemini ends a stream by closing it (no sentinel); the last chunk of a complete turn
        carries a finish reason or a prompt block. A stream that closes without either was cut
        off, and raises ``IncompleteStreamError`` rather than passing for a finished turn.
        """
        url = self._model_url("streamGenerateContent", {"alt": "sse"})
        body = self._body(request)
        finished = False
        delivered = 0
        admission = self._admission(body)
        chunks = self._transport.stream(url, body, "streamGenerateContent", parse_event, admission)
        async with aclosing(chunks):
            async for chunk in chunks:
                if _is_final(chunk):
                    finished = True
                    if admission is not None:
                        admission.settle(_prompt_tokens(chunk))
                delivered += 1
                yield chunk
        if not finished:
            raise IncompleteStreamError(
                f"stream closed after {delivered} chunk(s) without a finish reason",
                received=delivered,
            )

    def _admission(self, body: bytes) -> Admission | None:
        return None if self.rate_limit is None else Admission(self.rate_limit, len(body))

    def _body(self, request: GenerateContentRequest) -> bytes:
        """The request's bytes, refused here when Gemini would refuse them for their size:
        a 400 that costs a round trip (and an upload) teaches nothing a length check can't."""
        body = self._encoder.encode(request)
        if self.max_request_bytes is not None and len(body) > self.max_request_bytes:
            raise RequestTooLargeError(len(body), self.max_request_bytes)
        return body

    async def count_tokens(
        self, contents: list[Content] | GenerateContentRequest
    ) -> CountTokensResponse:
        """Count tokens of plain contents, or of a whole request (tools, instructions too)."""
        if isinstance(contents, GenerateContentRequest):
            wrapped = contents.model_copy(update={"model": model_resource(self.model)})
            request = CountTokensRequest(generate_content_request=wrapped)
        else:
            request = CountTokensRequest(contents=contents)
        body = await self._transport.request(
            "POST", self._model_url("countTokens"), encode(request), "countTokens"
        )
        return CountTokensResponse.model_validate_json(body)

    async def list_models(
        self, *, page_size: int | None = None, page_token: str | None = None
    ) -> ListModelsResponse:
        query = {
            key: str(value)
            for key, value in (("pageSize", page_size), ("pageToken", page_token))
            if value is not None
        }
        url = self._collection_url("models") + (f"?{urlencode(query)}" if query else "")
        body = await self._transport.request("GET", url, None, "listModels")
        return ListModelsResponse.model_validate_json(body)

    async def get_model(self, model: str | None = None) -> ModelInfo:
        resource = quote(model_resource(model or self.model), safe="/")
        body = await self._transport.request(
            "GET", self._collection_url(resource), None, "getModel"
        )
        return ModelInfo.model_validate_json(body)

    @property
    def files(self) -> Files:
        """The Files API for this model's key (see ``agentkit.models.files``)."""
        from agentkit.models.files import Files

        return Files(self)

    @property
    def batches(self) -> Batches:
        """The Batch API for this model (see ``agentkit.models.batches``)."""
        from agentkit.models.batches import Batches

        return Batches(self)

    @property
    def caches(self) -> Caches:
        """The ``cachedContents`` resource for this model (see ``agentkit.models.caches``)."""
        from agentkit.models.caches import Caches

        return Caches(self)

    async def aclose(self) -> None:
        """Close the connection pool (it is also rebuilt on demand after closing)."""
        await self._transport.aclose()


def encode(request: Any) -> bytes:
    """The compact JSON body of a wire model: camelCase, only the fields that were set."""
    # The serializer's bytes directly: model_dump_json returns str, and encoding a body that
    # holds the whole history again costs a copy per request.
    data: bytes = type(request).__pydantic_serializer__.to_json(
        request, by_alias=True, exclude_unset=True
    )
    return data


def _prompt_tokens(response: GenerateContentResponse) -> int | None:
    usage = response.usage_metadata
    return None if usage is None else usage.prompt_token_count


def _is_final(chunk: GenerateContentResponse) -> bool:
    if chunk.prompt_feedback is not None and chunk.prompt_feedback.block_reason is not None:
        return True
    return any(c.finish_reason is not None for c in chunk.candidates or ())
