"""What every route does with a request as it arrives: record it, check its key, read its
JSON (shared by the model routes and the resources: files, caches, batches)."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request

from agentkit.testing.emulator.errors import Rejection
from agentkit.testing.emulator.state import EmulatorState, RecordedRequest


def recorded(request: Request, body: bytes) -> RecordedRequest:
    return RecordedRequest(
        method=request.method,
        path=request.url.path,
        query=request.url.query,
        headers=dict(request.headers),
        body=body,
    )


def check_auth(state: EmulatorState, request: Request) -> None:
    expected = state.options.api_key
    if expected is None:
        return
    bearer = request.headers.get("authorization", "")
    given = (
        request.headers.get("x-goog-api-key")
        or request.query_params.get("key")
        or (bearer[7:] if bearer.lower().startswith("bearer ") else None)
    )
    if given is None:
        raise Rejection(
            "Method doesn't allow unregistered callers (callers without established identity). "
            "Please use API Key or other form of API consumer identity to call this API.",
            code=403,
            status="PERMISSION_DENIED",
        )
    if given != expected:
        raise Rejection(
            "API key not valid. Please pass a valid API key.",
            details=[
                {
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": "API_KEY_INVALID",
                    "domain": "googleapis.com",
                    "metadata": {"service": "generativelanguage.googleapis.com"},
                }
            ],
        )


def parse_json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError as error:
        raise Rejection(f"Invalid JSON payload received. {error}") from None
