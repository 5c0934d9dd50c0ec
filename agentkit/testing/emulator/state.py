"""What the emulator remembers and decides: recorded requests, the answer source, signatures."""

from __future__ import annotations

import copy
import secrets
import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import anyio

from agentkit.testing.answers import complete
from agentkit.testing.emulator.errors import Rejection
from agentkit.testing.emulator.faults import Fault
from agentkit.testing.emulator.script import Answer, Responder, Script, answer_from, to_answer
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
        record: keep every request in ``requests`` (off for long benchmark runs).
        strict: check every request as the API would (off only to measure clients, where the
            server's own work must not be the bottleneck).
    """

    api_key: str | None = None
    signature_key: bytes | None = None
    issue_signatures: bool = True
    assign_call_ids: bool = False
    stream_chunk_chars: int = 24
    record: bool = True
    strict: bool = True


@dataclass
class EmulatorState:
    options: EmulatorOptions = field(default_factory=EmulatorOptions)
    requests: list[RecordedRequest] = field(default_factory=list)
    signatures: SignatureBook = field(default_factory=SignatureBook)
    _script: Script | None = None
    _responder: Responder | None = None
    _injected: deque[Fault] = field(default_factory=deque)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _ids: int = 0

    # -- configuring ------------------------------------------------------------------------

    def __post_init__(self) -> None:
        if self.options.signature_key is not None:
            self.signatures = SignatureBook(self.options.signature_key)

    def script(self, entries: Iterable[Any]) -> None:
        """Answer the next requests with these entries, in order (replaces any responder)."""
        self._script, self._responder = Script(entries), None

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
            return self._script.take()
        if self._responder is not None:
            return await answer_from(self._responder, request)
        raise Rejection(
            "the emulator has no script or responder for this request",
            status="FAILED_PRECONDITION",
        )

    async def answer_request(self, payload: Any) -> tuple[GenerateContentRequest, Answer]:
        """Check a generateContent body as the API would (raising ``Rejection``) and pick
        its answer; delays are waited out here, other faults are returned to act out."""
        if self.options.strict:
            check_generate_request(payload)
            self.signatures.check(payload["contents"])
        request = GenerateContentRequest.model_validate(payload)
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
