"""The Batch API on the model's own transport (``Gemini(...).batches``).

A batch is many generateContent requests answered later — within 24 hours, usually much
sooner — at half the price. ``create`` sends them inline while the create request stays
under 20 MB and otherwise uploads them as a JSONL file through the Files API and names the
file; either way each request carries a key of the caller's, and ``results`` gives each
key its response, or the typed error (``BadRequestError``, ``RateLimitError``...) the same
request would have raised on its own. ``wait`` polls a job with growing pauses until it has
ended. A job is the Developer API's: Vertex AI runs batch prediction jobs instead.
"""

from __future__ import annotations

import builtins
import json
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import anyio

from agentkit.errors import APIError, ConfigurationError, MalformedResponseError
from agentkit.models.http_errors import error_from_status
from agentkit.models.paging import every_item
from agentkit.types import (
    BatchOperation,
    BatchResponseLine,
    ErrorStatus,
    GenerateContentRequest,
    GenerateContentResponse,
    ListBatchesResponse,
)
from agentkit.types.batches import rpc_to_http

if TYPE_CHECKING:
    from agentkit.models.gemini import Gemini

# Gemini takes inline requests while the create request is under 20 MB; kept a little under
# the binary megabytes, so a body that is 20 MB either way goes in a file.
INLINE_LIMIT = 20_000_000


@dataclass(frozen=True)
class KeyedRequest:
    """One request of a batch, with the key its answer comes back under."""

    key: str
    request: GenerateContentRequest


@dataclass(frozen=True)
class BatchResult:
    """The answer to one request of a finished batch: its response, or its error."""

    key: str | None
    response: GenerateContentResponse | None
    error: APIError | MalformedResponseError | None


@dataclass(frozen=True)
class PollSchedule:
    """How often ``wait`` asks: ``first`` seconds after the job was made, then each pause
    ``factor`` times the last, never more than ``longest``."""

    first: float = 1.0
    factor: float = 1.5
    longest: float = 30.0

    def pauses(self) -> Iterator[float]:
        pause = self.first
        while True:
            yield min(pause, self.longest)
            pause = min(pause * self.factor, self.longest)


class Batches:
    def __init__(self, model: Gemini) -> None:
        from agentkit.models.vertex import Vertex

        if isinstance(model, Vertex):
            raise ConfigurationError(
                "the Batch API (batchGenerateContent) is the Gemini Developer API's; Vertex AI "
                "runs batch prediction jobs, which agentkit does not drive"
            )
        self._model = model

    async def create(
        self,
        requests: Sequence[KeyedRequest],
        *,
        display_name: str,
        inline_limit: int = INLINE_LIMIT,
    ) -> BatchOperation:
        """A new job of ``requests`` for this model: inline when the create request fits in
        ``inline_limit`` bytes, else from a JSONL file uploaded first.

        Sent once, without retries: a create whose answer was lost may have made the job,
        and sending it again would make (and bill) a second one. The caller can look for
        it by its display name (``list``) before trying again."""
        if not requests:
            raise ConfigurationError("a batch needs at least one request")
        encoded = [(item.key, _encode(item.request)) for item in requests]
        size = sum(len(key) + len(body) + 40 for key, body in encoded) + len(display_name) + 100
        if size <= inline_limit:
            lines = [
                b'{"request":' + body + b',"metadata":{"key":' + _json(key) + b"}}"
                for key, body in encoded
            ]
            body = (
                b'{"batch":{"displayName":'
                + _json(display_name)
                + b',"inputConfig":{"requests":{"requests":['
                + b",".join(lines)
                + b"]}}}}"
            )
            if len(body) <= inline_limit:
                return await self._create(body)
        data = b"".join(
            b'{"key":' + _json(key) + b',"request":' + body + b"}\n" for key, body in encoded
        )
        uploaded = await self._model.files.upload(
            data, mime_type="application/jsonl", display_name=f"{display_name} requests"
        )
        return await self.create_from_file(str(uploaded.name), display_name=display_name)

    async def create_from_file(self, file_name: str, *, display_name: str) -> BatchOperation:
        """A new job of the requests in an uploaded JSONL file (one ``{"key", "request"}``
        per line); sent once, as ``create`` is."""
        batch = {"displayName": display_name, "inputConfig": {"fileName": file_name}}
        return await self._create(json.dumps({"batch": batch}, ensure_ascii=False).encode())

    async def _create(self, body: bytes) -> BatchOperation:
        transport = self._model._transport
        answer = await transport.exchange(
            "POST", self._model._model_url("batchGenerateContent"), body, {}
        )
        if answer.status_code >= 400:
            raise await transport.error_for(answer)
        return _operation(answer.content)

    async def get(self, name: str) -> BatchOperation:
        return _operation(await self._send("GET", _resource(name), "getBatch"))

    def list(self, page_size: int = 100) -> AsyncIterator[BatchOperation]:
        """Every job of this API key, page by page."""

        async def page(path: str) -> tuple[list[BatchOperation], str | None]:
            listed = ListBatchesResponse.model_validate_json(
                await self._send("GET", path, "listBatches")
            )
            return listed.operations or [], listed.next_page_token

        return every_item("batches", page_size, page)

    async def cancel(self, name: str) -> None:
        """Ask the API to stop a pending or running job (it ends ``CANCELLED``)."""
        await self._send("POST", f"{_resource(name)}:cancel", "cancelBatch", b"{}")

    async def delete(self, name: str) -> None:
        """Forget a job (and its results)."""
        await self._send("DELETE", _resource(name), "deleteBatch")

    async def wait(
        self,
        name: str,
        *,
        schedule: PollSchedule | None = None,
        on_poll: Callable[[BatchOperation], None] | None = None,
    ) -> BatchOperation:
        """The job once it has ended (succeeded, failed, cancelled or expired), polled on
        ``schedule``; ``on_poll`` sees each state read on the way."""
        for pause in (schedule or PollSchedule()).pauses():
            operation = await self.get(name)
            if on_poll is not None:
                on_poll(operation)
            if operation.state.finished:
                return operation
            await anyio.sleep(pause)
        raise AssertionError("unreachable: the schedule never ends")

    async def results(self, operation: BatchOperation) -> builtins.list[BatchResult]:
        """The answers of a succeeded job, in the order of its requests: from the job
        itself (inline), or from its responses file, downloaded through the Files API."""
        output = operation.output
        if output is None:
            raise MalformedResponseError(
                f"{operation.name} has no output (state {operation.state.value})"
            )
        secrets = (await self._model._credentials()).secrets
        if output.responses_file:
            data = await self._model.files.download(output.responses_file)
            lines = [
                _line(text, number)
                for number, text in enumerate(data.split(b"\n"), 1)
                if text.strip()
            ]
            return [_result(line.key, line.response, line.error, secrets) for line in lines]
        inline = output.inlined_responses
        answers = inline.inlined_responses or [] if inline is not None else []
        return [
            _result(
                None
                if item.metadata is None or "key" not in item.metadata
                else str(item.metadata["key"]),
                item.response,
                item.error,
                secrets,
            )
            for item in answers
        ]

    async def _send(
        self, method: str, path: str, operation: str, body: bytes | None = None
    ) -> bytes:
        url = self._model._collection_url(path)
        return await self._model._transport.request(method, url, body, operation)


def request_error(status: ErrorStatus, secrets: tuple[str, ...] = ()) -> APIError:
    """The typed error of a request that failed inside a batch, as generateContent would
    have raised it: the status's RPC code (3) becomes its HTTP status (400)."""
    http, name = rpc_to_http(status.code)
    wire = ErrorStatus(code=http, message=status.message, status=status.status or name)
    if status.details:
        wire.details = status.details
    return error_from_status(http, wire, secrets)


def _result(
    key: str | None,
    response: GenerateContentResponse | None,
    error: ErrorStatus | None,
    secrets: tuple[str, ...],
) -> BatchResult:
    if error is not None:
        return BatchResult(key, None, request_error(error, secrets))
    if response is None:
        problem = f"the batch answered {key!r} with neither a response nor an error"
        return BatchResult(key, None, MalformedResponseError(problem))
    return BatchResult(key, response, None)


def _line(text: bytes, number: int) -> BatchResponseLine:
    try:
        return BatchResponseLine.model_validate_json(text)
    except ValueError:
        raise MalformedResponseError(
            f"line {number} of the batch's responses file is not a response line",
            raw=text[:300].decode("utf-8", errors="replace"),
        ) from None


def _operation(body: bytes) -> BatchOperation:
    try:
        return BatchOperation.model_validate_json(body)
    except ValueError:
        raise MalformedResponseError(
            "the API's answer is not a batch operation",
            raw=body[:300].decode("utf-8", errors="replace"),
        ) from None


def _encode(request: GenerateContentRequest) -> bytes:
    from agentkit.models.gemini import encode

    return encode(request)


def _json(value: str) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


def _resource(name: str) -> str:
    return name if name.startswith("batches/") else f"batches/{name}"
