"""``batches``: the Batch API's wire types (a batch of generateContent requests run later).

A batch is created with ``models/{model}:batchGenerateContent`` and lives as a long-running
operation (``batches/{id}``): its ``metadata`` is the batch itself (state, stats, output),
and once ``done`` its ``response`` (or ``error``) says how it ended. The requests go inline
(``inputConfig.requests.requests[]``, each with a ``metadata`` object of the caller's, such
as a ``key``) or in a JSONL file uploaded through the Files API (``inputConfig.fileName``,
one ``{"key": ..., "request": ...}`` per line). Inline requests get inline responses, in
the same order; a file gets a file of responses (``responsesFile``), one line per request.

A request that failed inside a batch carries a ``google.rpc.Status`` whose ``code`` is the
RPC code (3 for INVALID_ARGUMENT), not an HTTP status: ``rpc_to_http`` and ``http_to_rpc``
convert between the two, so a failed request can be raised as the same typed error a
generateContent call would have raised.
"""

from __future__ import annotations

from typing import Any

from agentkit.types._wire import OpenEnum, WireModel
from agentkit.types.request import GenerateContentRequest
from agentkit.types.response import GenerateContentResponse
from agentkit.types.status import ErrorStatus

BATCH_TYPE = "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch"
OUTPUT_TYPE = "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatchOutput"


class BatchState(OpenEnum):
    """Where a batch stands. The wire says ``BATCH_STATE_*``; Google's SDKs show the same
    states as ``JOB_STATE_*`` (``job_state``), and either spelling is understood."""

    BATCH_STATE_UNSPECIFIED = "BATCH_STATE_UNSPECIFIED"
    BATCH_STATE_PENDING = "BATCH_STATE_PENDING"
    BATCH_STATE_RUNNING = "BATCH_STATE_RUNNING"
    BATCH_STATE_SUCCEEDED = "BATCH_STATE_SUCCEEDED"
    BATCH_STATE_FAILED = "BATCH_STATE_FAILED"
    BATCH_STATE_CANCELLED = "BATCH_STATE_CANCELLED"
    BATCH_STATE_EXPIRED = "BATCH_STATE_EXPIRED"

    @property
    def short(self) -> str:
        """``succeeded``, ``running``, ...: the state without its prefix, for people."""
        return self.value.rsplit("_STATE_", 1)[-1].lower()

    @property
    def job_state(self) -> str:
        """The SDK's name for the state, ``JOB_STATE_SUCCEEDED``."""
        return f"JOB_STATE_{self.short.upper()}"

    @property
    def finished(self) -> bool:
        """Whether the batch will not change any more (succeeded, failed, cancelled or
        expired); an unknown state is taken as not finished, so it is polled again."""
        return self.short in ("succeeded", "failed", "cancelled", "expired")


def batch_state(value: str | None) -> BatchState:
    """The state a wire value names, ``JOB_STATE_*`` spellings included."""
    if value is None:
        return BatchState.BATCH_STATE_UNSPECIFIED
    if value.startswith("JOB_STATE_"):
        value = "BATCH_STATE_" + value.removeprefix("JOB_STATE_")
    return BatchState(value)


class InlinedRequest(WireModel):
    """One request of an inline batch; ``metadata`` comes back with its response."""

    request: GenerateContentRequest
    metadata: dict[str, Any] | None = None


class InlinedRequests(WireModel):
    requests: list[InlinedRequest]


class BatchInput(WireModel):
    """Exactly one of: the requests themselves, or the name of an uploaded JSONL file."""

    requests: InlinedRequests | None = None
    file_name: str | None = None


class InlinedResponse(WireModel):
    """The answer to one inline request: a response, or the error it met."""

    response: GenerateContentResponse | None = None
    error: ErrorStatus | None = None
    metadata: dict[str, Any] | None = None


class InlinedResponses(WireModel):
    inlined_responses: list[InlinedResponse] | None = None


class BatchOutput(WireModel):
    """How a finished batch answers: inline responses, or the name of a responses file."""

    inlined_responses: InlinedResponses | None = None
    responses_file: str | None = None


class BatchStats(WireModel):
    """Request counts (int64 on the wire, so sent as strings)."""

    request_count: str | int | None = None
    pending_request_count: str | int | None = None
    successful_request_count: str | int | None = None
    failed_request_count: str | int | None = None

    @property
    def requests(self) -> int:
        return int(self.request_count or 0)

    @property
    def done(self) -> int:
        """Requests answered so far, successfully or not."""
        return int(self.successful_request_count or 0) + int(self.failed_request_count or 0)


class GenerateContentBatch(WireModel):
    """The batch itself: what the create request sends (display name, input) and what the
    API reports back about it (state, stats, times, output)."""

    name: str | None = None
    model: str | None = None
    display_name: str | None = None
    input_config: BatchInput | None = None
    output: BatchOutput | None = None
    create_time: str | None = None
    end_time: str | None = None
    update_time: str | None = None
    batch_stats: BatchStats | None = None
    state: BatchState | None = None
    priority: str | int | None = None


class BatchGenerateContentRequest(WireModel):
    """The body of ``models/{model}:batchGenerateContent``."""

    batch: GenerateContentBatch


class BatchOperation(WireModel):
    """A batch as the API returns it: a long-running operation whose metadata is the batch."""

    name: str | None = None
    metadata: GenerateContentBatch | None = None
    done: bool | None = None
    error: ErrorStatus | None = None
    response: BatchOutput | None = None

    @property
    def state(self) -> BatchState:
        found = self.metadata.state if self.metadata is not None else None
        return batch_state(found.value if found is not None else None)

    @property
    def output(self) -> BatchOutput | None:
        """The output, from the batch's metadata or the operation's response."""
        if self.metadata is not None and self.metadata.output is not None:
            return self.metadata.output
        return self.response

    @property
    def stats(self) -> BatchStats:
        found = self.metadata.batch_stats if self.metadata is not None else None
        return found or BatchStats()


class ListBatchesResponse(WireModel):
    operations: list[BatchOperation] | None = None
    next_page_token: str | None = None


class BatchRequestLine(WireModel):
    """One line of a JSONL input file."""

    key: str
    request: GenerateContentRequest


class BatchResponseLine(WireModel):
    """One line of a responses file: the request's key and its response or error."""

    key: str | None = None
    response: GenerateContentResponse | None = None
    error: ErrorStatus | None = None


# google.rpc.Code: the numbers a Status carries, and the HTTP status each stands for (the
# mapping Google's HTTP gateways apply).
_RPC_CODES = {
    "OK": (0, 200),
    "CANCELLED": (1, 499),
    "UNKNOWN": (2, 500),
    "INVALID_ARGUMENT": (3, 400),
    "DEADLINE_EXCEEDED": (4, 504),
    "NOT_FOUND": (5, 404),
    "ALREADY_EXISTS": (6, 409),
    "PERMISSION_DENIED": (7, 403),
    "RESOURCE_EXHAUSTED": (8, 429),
    "FAILED_PRECONDITION": (9, 400),
    "ABORTED": (10, 409),
    "OUT_OF_RANGE": (11, 400),
    "UNIMPLEMENTED": (12, 501),
    "INTERNAL": (13, 500),
    "UNAVAILABLE": (14, 503),
    "DATA_LOSS": (15, 500),
    "UNAUTHENTICATED": (16, 401),
}
_BY_NUMBER = {number: (name, http) for name, (number, http) in _RPC_CODES.items()}


def http_to_rpc(status: str | None, http_status: int) -> int:
    """The RPC code for an error's status name (or, without one, its HTTP status)."""
    if status in _RPC_CODES:
        return _RPC_CODES[status][0]
    for number, http in _RPC_CODES.values():
        if http == http_status:
            return number
    return 2  # UNKNOWN


def rpc_to_http(code: int | None) -> tuple[int, str]:
    """The HTTP status and status name of an RPC code. A code that already is an HTTP
    status (some gateways send those) is kept, with the name that status usually has."""
    if code is not None and code in _BY_NUMBER:
        name, http = _BY_NUMBER[code]
        return http, name
    if code is not None and 100 <= code < 600:
        for name, (_, http) in _RPC_CODES.items():
            if http == code:
                return code, name
        return code, "UNKNOWN"
    return 500, "UNKNOWN"
