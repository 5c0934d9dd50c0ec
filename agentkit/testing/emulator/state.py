"""What the emulator remembers and decides: recorded requests, the answer source, signatures."""

from __future__ import annotations

import copy
import secrets
import threading
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import anyio

from agentkit.models.capabilities import REQUEST_SIZE_LIMIT, ModelCapabilities
from agentkit.testing.answers import complete
from agentkit.testing.emulator.batches import INLINE_LIMIT, BatchStore
from agentkit.testing.emulator.caches import CacheStore, ImplicitCache
from agentkit.testing.emulator.catalog import DEFAULT_MODELS, served_model
from agentkit.testing.emulator.errors import Rejection
from agentkit.testing.emulator.faults import Fault
from agentkit.testing.emulator.files import FileStore
from agentkit.testing.emulator.model_rules import check_against_model, check_size
from agentkit.testing.emulator.quota import Quota
from agentkit.testing.emulator.script import (
    Answer,
    ConversationScript,
    Responder,
    Script,
    answer_from,
    to_answer,
)
from agentkit.testing.emulator.signatures import SignatureBook
from agentkit.testing.emulator.strict import check_generate_request
from agentkit.types import GenerateContentRequest


@dataclass
class RecordedRequest:
    """One request as it arrived: tests assert on ``body`` (the exact bytes) or ``json``."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    json: Any = None
    stream: bool = False
    status_code: int = 200
    rejection: str | None = None

    @property
    def accepted(self) -> bool:
        return self.rejection is None


@dataclass
class EmulatorOptions:
    """How the emulated model behaves.

    Attributes:
        api_key: when set, requests must carry it (header, ``?key=`` or bearer token).
        issue_signatures: sign the first functionCall part of each served turn (Gemini 3).
        signature_key: signs thought signatures reproducibly (default: a random key).
        assign_call_ids: give functionCall parts without an ``id`` one (Gemini 3 style).
        stream_chunk_chars: text is streamed in pieces of at most this many characters.
        stream_write_bytes: when set, a streamed answer's bytes are re-cut into writes of
            this many bytes (each its own HTTP chunk, so a client reads them apart): events
            then straddle reads anywhere, inside a UTF-8 character or between CR and LF.
        record: keep every request in ``requests`` (off for long benchmark runs).
        strict: check every request as the API would (off only to measure clients, where the
            server's own work must not be the bottleneck).
        models: the models served, by id, with the limits and settings each accepts (default:
            agentkit's capability table); any other model name gets Gemini's 404.
        max_request_bytes: a larger request body gets Gemini's "payload size" 400.
        implicit_cache: report a prefix repeated from an earlier request as cached tokens,
            as Gemini's implicit caching does (``caches.ImplicitCache``).
        quota: per-minute request and input-token limits, over which a generate request gets
            Gemini's 429 (``quota.Quota``; it also records when each request was admitted).
        batch_seconds: how long a batch job takes, on the batch store's clock (tests move
            it on with ``batches.advance``): pending for the first half, running for the
            second, then done; a job longer than 48 hours expires at 48 hours instead.
        batch_inline_bytes: a batch create request holding its requests inline may be at
            most this large (Gemini's 20 MB); larger batches go in an input file.
    """

    api_key: str | None = None
    signature_key: bytes | None = None
    issue_signatures: bool = True
    assign_call_ids: bool = False
    stream_chunk_chars: int = 24
    stream_write_bytes: int | None = None
    record: bool = True
    strict: bool = True
    models: Mapping[str, ModelCapabilities] = field(default_factory=lambda: DEFAULT_MODELS)
    max_request_bytes: int = REQUEST_SIZE_LIMIT
    implicit_cache: bool = False
    quota: Quota | None = None
    batch_seconds: float = 0.0
    batch_inline_bytes: int = INLINE_LIMIT


@dataclass
class EmulatorState:
    options: EmulatorOptions = field(default_factory=EmulatorOptions)
    requests: list[RecordedRequest] = field(default_factory=list)
    signatures: SignatureBook = field(default_factory=SignatureBook)
    caches: CacheStore = field(default_factory=CacheStore)
    implicit: ImplicitCache = field(default_factory=ImplicitCache)
    files: FileStore = field(default_factory=FileStore)
    batches: BatchStore = field(default_factory=BatchStore)
    _script: Script | ConversationScript | None = None
    _responder: Responder | None = None
    _injected: deque[Fault] = field(default_factory=deque)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _ids: int = 0

    # -- configuring ------------------------------------------------------------------------

    def __post_init__(self) -> None:
        if self.options.signature_key is not None:
            self.signatures = SignatureBook(self.options.signature_key)

    def script(self, entries: Iterable[Any], *, per_conversation: bool = False) -> None:
        """Answer the next requests with these entries, in order (replaces any responder).

        ``per_conversation`` serves the whole script to every conversation instead: a
        request holding N model turns gets entry N + 1, and nothing is used up.
        """
        self._script = ConversationScript(entries) if per_conversation else Script(entries)
        self._responder = None

    def respond_with(self, responder: Responder) -> None:
        """Answer every request by calling ``responder(request)`` (sync or async)."""
        self._script, self._responder = None, responder

    def inject(self, fault: Fault, times: int = 1) -> None:
        """Act out ``fault`` on the next ``times`` generate requests, before any script entry."""
        with self._lock:
            self._injected.extend([fault] * times)

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self._injected.clear()
            self._script = self._responder = None
            self._ids = 0
        self.signatures.clear()
        self.caches = CacheStore()
        self.implicit = ImplicitCache()
        self.files = FileStore()
        self.batches = BatchStore()

    @property
    def rejections(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.rejection is not None]

    @property
    def script_remaining(self) -> int:
        return self._script.remaining if self._script is not None else 0

    # -- serving ----------------------------------------------------------------------------

    def record(self, entry: RecordedRequest) -> RecordedRequest:
        if self.options.record:
            with self._lock:
                self.requests.append(entry)
        return entry

    async def next_answer(self, request: GenerateContentRequest) -> Answer:
        with self._lock:
            if self._injected:
                return self._injected.popleft()
        if self._script is not None:
            return self._script.take(request)
        if self._responder is not None:
            return await answer_from(self._responder, request)
        raise Rejection(
            "the emulator has no script or responder for this request",
            status="FAILED_PRECONDITION",
        )

    def served(
        self, model: str, *, version: str, action: str, vertex: str | None = None
    ) -> ModelCapabilities:
        """The capabilities of a served model; an unknown one is Gemini's 404."""
        return served_model(
            self.options.models, model, version=version, action=action, vertex_resource=vertex
        )

    def check_size(self, body: bytes) -> None:
        if self.options.strict:
            check_size(len(body), self.options.max_request_bytes)

    async def answer_request(
        self, payload: Any, model: ModelCapabilities, prompt_bytes: int
    ) -> tuple[GenerateContentRequest, Answer]:
        """Check a generateContent body as the API would (raising ``Rejection``), against the
        model asked too, and pick its answer; delays are waited out here, other faults are
        returned to act out."""
        if self.options.strict:
            check_generate_request(payload)
            self.signatures.check(payload["contents"])
        request = GenerateContentRequest.model_validate(payload)
        if self.options.strict:
            check_against_model(model, request, prompt_bytes)
        if self.options.quota is not None:
            over_quota = self.options.quota.admit(prompt_bytes)
            if over_quota is not None:
                return request, over_quota
        answer = await self.next_answer(request)
        while isinstance(answer, Fault) and answer.kind == "delay":
            await anyio.sleep(answer.seconds)
            answer = await self.answer_behind(answer, request)
        return request, answer

    async def answer_behind(self, fault: Fault, request: GenerateContentRequest) -> Answer:
        """What a fault that still answers serves: its own answer, else the next one."""
        if fault.answer is not None:
            return to_answer(fault.answer)
        return await self.next_answer(request)

    def finish_answer(
        self, answer: dict[str, Any], model: str, prompt_bytes: int
    ) -> dict[str, Any]:
        """Complete a scripted answer the way the API would send it: role, finish reason,
        ids and signatures on calls, usage, model version, response id."""
        response = copy.deepcopy(answer)
        for index, candidate in enumerate(response.get("candidates") or ()):
            content = candidate.get("content")
            if content is None:
                continue
            parts = content.get("parts")
            if parts:
                if self.options.assign_call_ids:
                    self._assign_ids(parts)
                if self.options.issue_signatures and index == 0:
                    self.signatures.sign_turn(parts)
        complete(response, model, prompt_bytes)
        response.setdefault("responseId", secrets.token_urlsafe(12))
        return response

    def _assign_ids(self, parts: list[dict[str, Any]]) -> None:
        for part in parts:
            call = part.get("functionCall")
            if isinstance(call, dict) and "id" not in call:
                with self._lock:
                    self._ids += 1
                    number = self._ids
                part["functionCall"] = {"id": f"call-{number:04d}", **call}
