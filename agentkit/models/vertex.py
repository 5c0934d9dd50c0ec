"""Gemini on Vertex AI: the same wire format, a regional URL and OAuth bearer tokens."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from urllib.parse import quote, urlencode

import httpx

from agentkit.models.gemini import Gemini
from agentkit.models.rate_limit import RateLimit
from agentkit.models.rest import Credentials
from agentkit.models.retry import RetryPolicy

TokenProvider = Callable[[], str | Awaitable[str]]


def vertex_base_url(location: str) -> str:
    """``global`` has no regional prefix; ``us``/``eu`` are multi-region hosts."""
    if location == "global":
        return "https://aiplatform.googleapis.com/"
    if location in ("us", "eu"):
        return f"https://aiplatform.{location}.rep.googleapis.com/"
    return f"https://{location}-aiplatform.googleapis.com/"


class Vertex(Gemini):
    """A Gemini model on Vertex AI.

    Args:
        model: model id, e.g. ``"gemini-2.5-flash"``.
        project: Google Cloud project id.
        location: region such as ``us-central1``, or ``global``.
        token: a callable (sync or async) returning a current OAuth2 access token; it is asked
            before every attempt, so a refreshing credential object can sit behind it.
        quota_project: sent as ``x-goog-user-project`` when given.
    """

    def __init__(
        self,
        model: str,
        *,
        project: str,
        location: str = "us-central1",
        token: TokenProvider,
        quota_project: str | None = None,
        base_url: str | None = None,
        api_version: str = "v1beta1",
        timeout: float | None = 120.0,
        retry: RetryPolicy | None = None,
        http_client: httpx.AsyncClient | None = None,
        rate_limit: RateLimit | None = None,
    ) -> None:
        self.project = project
        self.location = location
        self._token = token
        self.quota_project = quota_project
        super().__init__(
            model,
            api_key=None,
            base_url=base_url or vertex_base_url(location),
            api_version=api_version,
            timeout=timeout,
            retry=retry,
            http_client=http_client,
            rate_limit=rate_limit,
        )

    def __repr__(self) -> str:
        return (
            f"Vertex(model={self.model!r}, project={self.project!r}, "
            f"location={self.location!r}, base_url={self.base_url!r})"
        )

    def _model_url(self, action: str, query: dict[str, str] | None = None) -> str:
        model = self.model.removeprefix("models/")
        path = (
            f"projects/{quote(self.project)}/locations/{quote(self.location)}"
            f"/publishers/google/models/{quote(model)}:{action}"
        )
        url = f"{self.base_url}{self.api_version}/{path}"
        return f"{url}?{urlencode(query)}" if query else url

    def _collection_url(self, path: str) -> str:
        return f"{self.base_url}{self.api_version}/publishers/google/{path}"

    async def _credentials(self) -> Credentials:
        token = self._token()
        if inspect.isawaitable(token):
            token = await token
        headers = {"authorization": f"Bearer {token}"}
        if self.quota_project:
            headers["x-goog-user-project"] = self.quota_project
        return Credentials(headers, (str(token),))
