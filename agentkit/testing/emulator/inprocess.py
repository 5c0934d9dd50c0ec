"""The emulator without a server: the same strict checks and answers, as a ``Model``.

Used when the emulator's web server (the ``emulator`` extra: starlette, uvicorn) is not
installed, so an offline run still goes through every check the emulator makes: turn order,
pairing, schemas, thought signatures. Transport faults have no meaning without a transport;
an HTTP-error fault still raises the matching typed error.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from agentkit.errors import APIConnectionError
from agentkit.models.gemini import encode, model_resource
from agentkit.models.http_errors import error_from_status
from agentkit.models.parsing import parse_response
from agentkit.testing.answers import stream_events
from agentkit.testing.emulator.errors import Rejection
from agentkit.testing.emulator.faults import Fault
from agentkit.testing.emulator.state import EmulatorOptions, EmulatorState, RecordedRequest
from agentkit.types import ErrorStatus, GenerateContentRequest, GenerateContentResponse


def entry_action(stream: bool) -> str:
    return "streamGenerateContent" if stream else "generateContent"


class InProcessEmulator(EmulatorState):
    """An emulator answering ``generate``/``stream`` calls directly (a ``Model``)."""

    def __init__(
        self, script: Any = None, *, model: str = "gemini-2.5-flash", **options: Any
    ) -> None:
        super().__init__(options=EmulatorOptions(**options))
        self.model = model
        if script is not None:
            self.script(script)

    @property
    def name(self) -> str:
        return self.model

    async def _respond(self, request: GenerateContentRequest, *, stream: bool) -> dict[str, Any]:
        body = encode(request)
        action = entry_action(stream)
        entry = self.record(
            RecordedRequest(
                "POST",
                f"/v1beta/{model_resource(self.model)}:{action}",
                "alt=sse" if stream else "",
                {},
                body,
                json.loads(body),
                stream,
            )
        )
        try:
            self.check_size(body)
            served = self.served(self.model, version="v1beta", action=action)
            _, answer = await self.answer_request(entry.json, served, len(body))
        except Rejection as rejection:
            entry.status_code, entry.rejection = rejection.code, rejection.message
            status = ErrorStatus.model_validate(rejection.body["error"])
            raise error_from_status(rejection.code, status, ()) from None
        if isinstance(answer, Fault):
            if answer.kind == "http_error":
                raise error_from_status(
                    answer.status_code, ErrorStatus.model_validate(answer.body["error"]), ()
                )
            raise APIConnectionError(f"emulated fault {answer.kind!r} (no transport in process)")
        return self.finish_answer(answer, self.model.removeprefix("models/"), len(body))

    async def generate(self, request: GenerateContentRequest) -> GenerateContentResponse:
        return parse_response(await self._respond(request, stream=False))

    async def stream(
        self, request: GenerateContentRequest
    ) -> AsyncIterator[GenerateContentResponse]:
        response = await self._respond(request, stream=True)
        for event in stream_events(response, self.options.stream_chunk_chars):
            yield parse_response(event)
