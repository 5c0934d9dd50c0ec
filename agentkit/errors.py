"""Every exception agentkit raises, in one hierarchy rooted at ``AgentkitError``.

API errors carry what the server said (HTTP status, gRPC status, message, details) and never
the credentials used: messages are scrubbed of the key or token before the exception exists,
so no ``str()``, ``repr()`` or log line can leak them.
"""

from __future__ import annotations

from typing import Any


class AgentkitError(Exception):
    """Base of all agentkit errors.

    ``partial``: when the error ended an agent run, the ``RunResult`` of what the run did
    before it (history, executed tool calls, usage; ``stop_reason`` is ``failed``), so nothing
    the run did is lost. None when the error did not come out of a run.
    """

    partial: Any = None


class APIError(AgentkitError):
    """The model API answered with an error (or an error object inside a stream).

    Attributes:
        status_code: HTTP status (for an in-stream error, the ``code`` of the error object).
        status: gRPC status name, e.g. ``RESOURCE_EXHAUSTED``.
        message: the server's message, scrubbed of credentials.
        details: the ``google.rpc`` detail objects, as received.
    """

    def __init__(
        self,
        status_code: int,
        message: str,
        *,
        status: str | None = None,
        details: list[dict[str, Any]] | None = None,
        retry_delay: float | None = None,
        quota_ids: list[str] | None = None,
        reason: str | None = None,
    ) -> None:
        self.status_code = status_code
        self.status = status
        self.message = message
        self.details = details or []
        self.retry_delay = retry_delay
        self.quota_ids = quota_ids or []
        self.reason = reason
        super().__init__(self._summary())

    def _summary(self) -> str:
        label = f"{self.status_code} {self.status}" if self.status else str(self.status_code)
        return f"{label}: {self.message}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._summary()!r})"

    @property
    def is_per_day_quota(self) -> bool:
        """A per-day quota resets at midnight Pacific; retrying within a run cannot help."""
        return any("PerDay" in quota_id for quota_id in self.quota_ids)


class BadRequestError(APIError):
    """400: the request was malformed, or the API refused its content (schema, turn order,
    missing thought signature, invalid API key with reason ``API_KEY_INVALID``)."""


class AuthenticationError(APIError):
    """401 / 403: the credentials are missing, wrong, or lack access."""


class NotFoundError(APIError):
    """404: unknown model, version or resource."""


class RateLimitError(APIError):
    """429: a quota was exhausted. ``retry_delay`` and ``quota_ids`` say which and for how long."""


class ServerError(APIError):
    """5xx (and 408): the service failed or timed out; usually transient."""


class APIConnectionError(AgentkitError):
    """The request never got an HTTP answer: connection refused or dropped, or a timeout."""


class FileError(AgentkitError):
    """A file could not be uploaded or used: it failed processing (``state`` FAILED), did
    not become ACTIVE in time, or is of a type the API does not take. ``file`` is the
    file's name when it has one."""

    def __init__(self, message: str, *, file: str | None = None) -> None:
        self.file = file
        super().__init__(message)


class BatchJobError(AgentkitError):
    """A Batch API job ended without answers: it failed, expired, or was cancelled by
    someone else. ``job`` is its name, ``state`` how it ended (``BATCH_STATE_FAILED``...)."""

    def __init__(self, message: str, *, job: str, state: str) -> None:
        self.job = job
        self.state = state
        super().__init__(message)


class IncompleteStreamError(APIConnectionError):
    """A stream stopped before the model finished its turn. ``received`` counts the chunks
    already delivered; the partial turn must not be treated as a completed one."""

    def __init__(self, message: str, *, received: int = 0) -> None:
        self.received = received
        super().__init__(message)


class MalformedResponseError(AgentkitError):
    """The server answered 200 with something that is not a GenerateContentResponse (known
    fields of the wrong type, not JSON at all). ``raw`` holds the start of what it sent."""

    def __init__(self, message: str, *, raw: str = "") -> None:
        self.raw = raw
        super().__init__(message)


class ConfigurationError(AgentkitError, ValueError):
    """agentkit was set up in a way that cannot work (no API key, bad option values).

    Also a ``ValueError``: a bad value given to ``Limits``, ``RetryPolicy`` or ``Agent`` is
    caught by code that expects one."""


class ModelSettingError(ConfigurationError):
    """A generation setting the model refuses (Gemini would answer every request with a 400),
    caught when the agent is built. ``allowed`` says what the model accepts instead."""

    def __init__(self, model: str, setting: str, value: object, allowed: str) -> None:
        self.model = model
        self.setting = setting
        self.value = value
        self.allowed = allowed
        super().__init__(f"{model} does not accept {setting}={value!r} (allowed: {allowed})")


class RequestTooLargeError(BadRequestError):
    """A request body over the size Gemini accepts, refused before it is sent. It is the
    ``BadRequestError`` the API would answer, so code handling that handles this too."""

    def __init__(self, size: int, limit: int) -> None:
        self.size = size
        self.limit = limit
        super().__init__(
            400,
            f"the request is {size:,} bytes and Gemini accepts at most {limit:,} bytes per "
            "request; send large media through the Files API (a fileData part) instead of "
            "inline data",
            status="INVALID_ARGUMENT",
        )

    def _summary(self) -> str:
        return f"not sent: {self.message}"


class RequestOverRateLimitError(RateLimitError):
    """A request with more input tokens than the client's tokens-per-minute limit: no minute
    can hold it, so it is refused before it is sent (Gemini would answer it with 429s until
    the retries ran out). It belongs to the request alone: others still go."""

    def __init__(self, tokens: int, limit: int) -> None:
        self.tokens = tokens
        self.limit = limit
        super().__init__(
            429,
            f"the request has about {tokens:,} input tokens and the rate limit allows "
            f"{limit:,} input tokens per minute",
            status="RESOURCE_EXHAUSTED",
        )

    def _summary(self) -> str:
        return f"not sent: {self.message}"


def redact(text: str, secrets: tuple[str, ...]) -> str:
    """Replace every occurrence of a secret in ``text`` with ``[REDACTED]``.

    Only secrets long enough to be real credentials are replaced, so a short or empty value
    cannot turn the whole message into asterisks.
    """
    for secret in secrets:
        if len(secret) >= 8:
            text = text.replace(secret, "[REDACTED]")
    return text


class SchemaDialectError(AgentkitError):
    """A JSON Schema uses something the target dialect cannot express.

    ``path`` is where in the schema (e.g. ``properties.address.properties.zip``); ``reason``
    says what and what to do instead.
    """

    def __init__(self, reason: str, path: str = "") -> None:
        self.reason = reason
        self.path = path
        super().__init__(f"{reason} (at {path})" if path else reason)


class ToolDefinitionError(AgentkitError):
    """A function cannot become a tool. Raised when the tool is defined, never mid-run.

    The message names the tool, the parameter (when one is at fault) and the reason.
    """

    def __init__(self, tool: str, reason: str, parameter: str | None = None) -> None:
        self.tool = tool
        self.parameter = parameter
        self.reason = reason
        where = f"tool {tool!r}" + (f", parameter {parameter!r}" if parameter else "")
        super().__init__(f"{where}: {reason}")


class MCPServerError(AgentkitError):
    """An MCP server could not be started, reached or understood. Names the server.

    Raised when a toolset is opened (a run or ``async with``), never for one call: a call
    whose server fails becomes a tool error the model sees.
    """

    def __init__(self, server: str, reason: str) -> None:
        self.server = server
        self.reason = reason
        super().__init__(f"MCP server {server!r}: {reason}")


class MCPToolError(ToolDefinitionError):
    """An MCP server's tool cannot be declared to Gemini; names the server, tool and reason."""

    def __init__(self, server: str, tool: str, reason: str) -> None:
        self.server = server
        super().__init__(tool, reason)
        self.args = (f"MCP server {server!r}, tool {tool!r}: {reason}",)

    def __str__(self) -> str:
        return str(self.args[0])


class HistoryError(AgentkitError):
    """The conversation history breaks Gemini's turn rules; caught before sending.

    ``index`` is the position of the offending content in the history.
    """

    def __init__(self, message: str, index: int | None = None) -> None:
        self.index = index
        super().__init__(message if index is None else f"history[{index}]: {message}")


class RunError(AgentkitError):
    """A run ended without an answer because of the model's answers (not the API)."""

    def __init__(self, message: str, *, partial: Any = None) -> None:
        self.partial = partial
        super().__init__(message)


class ResponseBlockedError(RunError):
    """The model stopped for safety, recitation or a blocklist (``finish_reason``), or the
    prompt itself was blocked (``block_reason``)."""

    def __init__(
        self,
        message: str,
        *,
        partial: Any = None,
        finish_reason: str | None = None,
        block_reason: str | None = None,
        partial_text: str | None = None,
        safety_ratings: list[dict[str, Any]] | None = None,
    ) -> None:
        self.finish_reason = finish_reason
        self.block_reason = block_reason
        self.partial_text = partial_text
        # Why, category by category (``{"category": ..., "probability": ..., "blocked": ...}``),
        # as the response gave it: what a person needs to see to understand the block.
        self.safety_ratings = list(safety_ratings or [])
        super().__init__(message, partial=partial)


class ToolExitError(RunError):
    """A tool called ``sys.exit()`` (or raised ``SystemExit``). The run stops there — an exit
    is not an error for the model to work around — but as a typed error with the partial
    run, not a ``SystemExit`` tearing through the event loop. ``code`` is the exit code."""

    def __init__(self, tool: str, code: object) -> None:
        self.tool = tool
        self.code = code
        super().__init__(f"tool {tool!r} called sys.exit({code!r}); the run stopped there")


class ModelBehaviorError(RunError):
    """The model kept answering in a way the loop cannot use (malformed or unexpected calls,
    empty answers, an unknown finish reason) after the bounded re-asks."""

    def __init__(
        self, message: str, *, partial: Any = None, finish_reason: str | None = None
    ) -> None:
        self.finish_reason = finish_reason
        super().__init__(message, partial=partial)


class OutputValidationError(RunError):
    """The final answer did not match ``output_type`` after the bounded re-asks."""


class SessionError(AgentkitError):
    """A session cannot be read or written: a damaged or foreign file, a bad name."""
