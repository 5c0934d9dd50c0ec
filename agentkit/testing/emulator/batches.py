"""``batches``: the Batch API, kept by the emulator with Gemini's rules.

``models/{model}:batchGenerateContent`` makes a job of many generateContent requests, given
inline (``inputConfig.requests.requests[]``, each ``{"request": ..., "metadata": ...}``) or
as a JSONL file uploaded through the Files API (``inputConfig.fileName``, each line
``{"key": ..., "request": ...}``). The job is a long-running operation, ``batches/{id}``:

- it is ``BATCH_STATE_PENDING`` when made, ``RUNNING`` from half its time on, and done once
  its time (``EmulatorOptions.batch_seconds``, on the store's clock, which tests move on
  with ``advance``) has passed: ``SUCCEEDED`` with every request answered, or ``FAILED``
  when its input cannot be read (or a test asked for it with ``fail_next``); a job whose
  time is more than 48 hours ``EXPIRED`` at 48 hours, as Gemini's do;
- its requests are answered when it completes, each checked exactly as generateContent
  checks one: a request the API would refuse gets that refusal as its own ``error`` (an RPC
  status) and the rest of the job goes on;
- inline requests get inline responses, in order, each with the metadata it was sent; a
  file gets a responses file (``responsesFile``), one ``{"key", "response" | "error"}`` line
  per request, that the Files API's download serves;
- ``:cancel`` stops a job that is not done (``CANCELLED``, no output); ``DELETE`` forgets it.
"""

from __future__ import annotations

import datetime
import itertools
import json
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from agentkit.models.capabilities import ModelCapabilities
from agentkit.testing.emulator.errors import Rejection
from agentkit.testing.emulator.generation import generate
from agentkit.types.batches import BATCH_TYPE, OUTPUT_TYPE, http_to_rpc

if TYPE_CHECKING:
    from agentkit.testing.emulator.state import EmulatorState

EXPIRY_SECONDS = 48 * 3600.0
INLINE_LIMIT = 20 * 1024 * 1024  # bytes of a create request that holds its requests inline
_BATCH_FIELDS = {"displayName", "inputConfig", "priority", "model", "webhookConfig"}


@dataclass
class _Request:
    key: str | None
    metadata: dict[str, Any] | None  # inline requests: what was sent beside the request
    payload: Any
    problem: str | None = None  # a file line that is no request: why


@dataclass
class _Job:
    record: dict[str, Any]  # the batch as reported (the operation's metadata)
    served: ModelCapabilities
    requests: list[_Request] | None  # None until an input file is read
    input_file: str | None
    created: float
    seconds: float
    done: bool = False
    processing: bool = False
    error: dict[str, Any] | None = None
    output: dict[str, Any] | None = None


@dataclass
class BatchStore:
    clock: Callable[[], float] = time.time
    offset: float = 0.0  # added to the clock: ``advance`` moves time on for tests
    _jobs: dict[str, _Job] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _failures: deque[str] = field(default_factory=deque)

    def now(self) -> float:
        return self.clock() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds

    def fail_next(self, message: str = "The batch could not be processed.") -> None:
        """The next job to complete ends ``BATCH_STATE_FAILED`` with this message."""
        self._failures.append(message)

    # -- the resource ---------------------------------------------------------------------

    def create(
        self, body: Any, model: str, served: ModelCapabilities, seconds: float
    ) -> dict[str, Any]:
        """A new job for ``models/{model}``; the operation, pending."""
        batch = _batch_of(body)
        source = batch.get("inputConfig")
        if not isinstance(source, dict) or ("requests" in source) == ("fileName" in source):
            raise Rejection(
                "* BatchGenerateContentRequest.batch.input_config: exactly one of requests "
                "and file_name must be set\n"
            )
        unknown = sorted(set(source) - {"requests", "fileName"})
        if unknown:
            raise Rejection(f'Invalid JSON payload received. Unknown name "{unknown[0]}".')
        requests = _inline_requests(source["requests"]) if "requests" in source else None
        file_name = source.get("fileName")
        if file_name is not None and not isinstance(file_name, str):
            raise Rejection(
                "* BatchGenerateContentRequest.batch.input_config.file_name: a file name is "
                "required\n"
            )
        now = self.now()
        name = f"batches/emu{next(self._ids):06d}"
        count = len(requests) if requests is not None else 0
        record: dict[str, Any] = {
            "model": f"models/{model.removeprefix('models/')}",
            "displayName": batch["displayName"],
            "createTime": _stamp(now),
            "updateTime": _stamp(now),
            "batchStats": {"requestCount": str(count), "pendingRequestCount": str(count)},
            "state": "BATCH_STATE_PENDING",
            "name": name,
        }
        if file_name is not None:
            record["inputConfig"] = {"fileName": file_name}
        if "priority" in batch:
            record["priority"] = str(batch["priority"])
        self._jobs[name] = _Job(record, served, requests, file_name, now, seconds)
        return self._operation(self._jobs[name])

    async def get(self, name: str, state: EmulatorState) -> dict[str, Any]:
        job = self._job(name)
        await self._settle(job, state)
        return self._operation(job)

    async def list(
        self, page_size: int | None, page_token: str | None, state: EmulatorState
    ) -> dict[str, Any]:
        names = list(self._jobs)
        start, size = int(page_token or 0), page_size or 10
        operations = [await self.get(name, state) for name in names[start : start + size]]
        page: dict[str, Any] = {"operations": operations}
        if start + size < len(names):
            page["nextPageToken"] = str(start + size)
        return page

    async def cancel(self, name: str, state: EmulatorState) -> None:
        job = self._job(name)
        await self._settle(job, state)
        if job.done:
            raise Rejection(
                f"The batch {name} has already ended ({job.record['state']}); only a pending "
                "or running batch can be cancelled.",
                status="FAILED_PRECONDITION",
            )
        self._end(job, "BATCH_STATE_CANCELLED", error={"code": 1, "message": "Cancelled."})

    def delete(self, name: str) -> None:
        self._job(name)
        del self._jobs[name]

    # -- a job's life ---------------------------------------------------------------------

    def _job(self, name: str) -> _Job:
        job = self._jobs.get(name)
        if job is None:
            raise Rejection("Requested entity was not found.", code=404, status="NOT_FOUND")
        return job

    async def _settle(self, job: _Job, state: EmulatorState) -> None:
        """Bring the job up to the clock: running, or done (its requests then answered)."""
        if job.done or job.processing:
            return
        age = self.now() - job.created
        if job.seconds > EXPIRY_SECONDS and age >= EXPIRY_SECONDS:
            message = "The batch expired: it did not finish within 48 hours."
            self._end(job, "BATCH_STATE_EXPIRED", error={"code": 4, "message": message})
        elif age >= job.seconds:
            job.processing = True  # a poll arriving meanwhile sees the job still running
            try:
                await self._complete(job, state)
            finally:
                job.processing = False
        elif age >= job.seconds / 2 and job.record["state"] != "BATCH_STATE_RUNNING":
            job.record["state"] = "BATCH_STATE_RUNNING"
            job.record["updateTime"] = _stamp(self.now())

    async def _complete(self, job: _Job, state: EmulatorState) -> None:
        try:
            requests = job.requests if job.requests is not None else _file_requests(job, state)
        except Rejection as refused:
            self._end(job, "BATCH_STATE_FAILED", error=_rpc_status(refused.body["error"]))
            return
        if self._failures:
            failure = {"code": 13, "message": self._failures.popleft()}
            self._end(job, "BATCH_STATE_FAILED", error=failure)
            return
        answers = [await _answer(item, job, state) for item in requests]
        failed = sum(1 for answer in answers if "error" in answer)
        stats = {"requestCount": str(len(answers))}
        if len(answers) - failed:
            stats["successfulRequestCount"] = str(len(answers) - failed)
        if failed:
            stats["failedRequestCount"] = str(failed)
        job.record["batchStats"] = stats
        if job.input_file is None:
            for answer, item in zip(answers, requests, strict=True):
                if item.metadata is not None:
                    answer["metadata"] = item.metadata
            output: dict[str, Any] = {"inlinedResponses": {"inlinedResponses": answers}}
        else:
            lines = [
                json.dumps({"key": item.key, **answer}, ensure_ascii=False)
                for answer, item in zip(answers, requests, strict=True)
            ]
            data = ("\n".join(lines) + "\n").encode() if lines else b""
            display = f"{job.record['name']}-responses"
            made = state.files.add_generated(data, "application/jsonl", display)
            output = {"responsesFile": made["name"]}
        self._end(job, "BATCH_STATE_SUCCEEDED", output=output)

    def _end(
        self,
        job: _Job,
        final: str,
        *,
        error: dict[str, Any] | None = None,
        output: dict[str, Any] | None = None,
    ) -> None:
        now = _stamp(self.now())
        job.record.update(state=final, endTime=now, updateTime=now)
        if output is None:
            stats = job.record["batchStats"]
            stats.pop("pendingRequestCount", None)
        else:
            job.record["output"] = output
        job.done, job.error, job.output = True, error, output

    def _operation(self, job: _Job) -> dict[str, Any]:
        operation: dict[str, Any] = {
            "name": job.record["name"],
            "metadata": {"@type": BATCH_TYPE, **json.loads(json.dumps(job.record))},
        }
        if job.done:
            operation["done"] = True
            if job.error is not None:
                operation["error"] = dict(job.error)
            else:
                operation["response"] = {"@type": OUTPUT_TYPE, **(job.output or {})}
        return operation


def _batch_of(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict) or not isinstance(body.get("batch"), dict):
        raise Rejection("* BatchGenerateContentRequest.batch: batch is required\n")
    extra = sorted(set(body) - {"batch"})
    if extra:
        raise Rejection(f'Invalid JSON payload received. Unknown name "{extra[0]}".')
    batch: dict[str, Any] = body["batch"]
    unknown = sorted(set(batch) - _BATCH_FIELDS)
    if unknown:
        raise Rejection(f"Invalid JSON payload received. Unknown name \"{unknown[0]}\" at 'batch'.")
    if not isinstance(batch.get("displayName"), str) or not batch["displayName"].strip():
        raise Rejection(
            "* BatchGenerateContentRequest.batch.display_name: display_name is required\n"
        )
    return batch


def _inline_requests(container: Any) -> list[_Request]:
    items = container.get("requests") if isinstance(container, dict) else None
    if not isinstance(items, list) or not items:
        raise Rejection(
            "* BatchGenerateContentRequest.batch.input_config.requests.requests: at least "
            "one request is required\n"
        )
    found = []
    for index, item in enumerate(items):
        where = f"batch.input_config.requests.requests[{index}]"
        if not isinstance(item, dict) or not isinstance(item.get("request"), dict):
            raise Rejection(f"* BatchGenerateContentRequest.{where}.request: required\n")
        unknown = sorted(set(item) - {"request", "metadata"})
        if unknown:
            raise Rejection(
                f"Invalid JSON payload received. Unknown name \"{unknown[0]}\" at '{where}'."
            )
        metadata = item.get("metadata")
        if metadata is not None and not isinstance(metadata, dict):
            raise Rejection(f"* BatchGenerateContentRequest.{where}.metadata: not an object\n")
        key = metadata.get("key") if isinstance(metadata, dict) else None
        found.append(_Request(None if key is None else str(key), metadata, item["request"]))
    return found


def _file_requests(job: _Job, state: EmulatorState) -> list[_Request]:
    """The requests of an input file, read when the job runs: a line that is no JSON object
    fails the job (it cannot be answered under any key); a line whose request is wrong gets
    that request's error, as inline requests do."""
    assert job.input_file is not None
    data = state.files.contents(job.input_file)
    found = []
    for number, line in enumerate(data.decode("utf-8", errors="replace").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError:
            item = None
        if not isinstance(item, dict):
            raise Rejection(f"The input file's line {number} is not a JSON object.")
        key = item.get("key")
        request = item.get("request")
        problem = None if isinstance(request, dict) else f"line {number} has no request object"
        found.append(_Request(None if key is None else str(key), None, request, problem))
    job.record["batchStats"] = {
        "requestCount": str(len(found)),
        "pendingRequestCount": str(len(found)),
    }
    return found


async def _answer(item: _Request, job: _Job, state: EmulatorState) -> dict[str, Any]:
    """One request's answer: ``{"response": ...}`` or ``{"error": <RPC status>}``."""
    if item.problem is not None:
        return {"error": {"code": 3, "message": f"The request is missing: {item.problem}."}}
    payload = item.payload
    model = str(job.record["model"]).removeprefix("models/")
    asked = payload.get("model") if isinstance(payload, dict) else None
    if asked is not None:
        if str(asked).removeprefix("models/") != model:
            message = f"A request of this batch asks for {asked}; the batch runs models/{model}."
            return {"error": {"code": 3, "message": message}}
        payload = {key: value for key, value in payload.items() if key != "model"}
    size = len(json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode())
    try:
        generated = await generate(state, model, job.served, payload, size)
    except Rejection as refused:
        return {"error": _rpc_status(refused.body["error"])}
    fault = generated.fault
    if fault is not None:
        if fault.kind == "http_error":
            return {"error": _rpc_status(fault.body["error"])}
        return {"error": {"code": 13, "message": f"Internal error ({fault.kind})."}}
    return {"response": generated.response}


def _rpc_status(error: dict[str, Any]) -> dict[str, Any]:
    """An HTTP error body's status as a batch reports it: an RPC code and the message; no
    status name and no details (Google's SDK reads a batch error's details as strings)."""
    return {
        "code": http_to_rpc(error.get("status"), int(error.get("code") or 500)),
        "message": error.get("message", ""),
    }


def _stamp(moment: float) -> str:
    when = datetime.datetime.fromtimestamp(moment, tz=datetime.UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
