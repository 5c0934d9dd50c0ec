"""The Batch API's HTTP surface: creating a job (a method of the model) and the
``batches`` resource (list, get, ``:cancel``, delete). The jobs themselves are the
``BatchStore``'s (``batches.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from agentkit.testing.emulator.errors import Rejection
from agentkit.testing.emulator.intake import check_auth, parse_json, recorded
from agentkit.testing.emulator.model_rules import check_size

if TYPE_CHECKING:
    from agentkit.testing.emulator.state import EmulatorState, RecordedRequest


def create_batch(
    state: EmulatorState, request: Request, model: str, body: bytes, entry: RecordedRequest
) -> Response:
    """``models/{model}:batchGenerateContent``: a new batch job, pending. A create request
    holding its requests inline is refused over the inline limit, as Gemini refuses it."""
    if state.options.strict:
        check_size(len(body), state.options.batch_inline_bytes)
    check_auth(state, request)
    entry.json = parse_json(body)
    version = request.path_params["version"]
    served = state.served(model, version=version, action="batchGenerateContent")
    source = _input_of(entry.json)
    if isinstance(source, dict) and isinstance(source.get("fileName"), str):
        state.files.contents(source["fileName"])  # the input file must be there, and live
    created = state.batches.create(entry.json, model, served, state.options.batch_seconds)
    return JSONResponse(created)


def batch_routes(state: EmulatorState) -> list[Route]:
    async def batches(request: Request) -> Response:
        body = await request.body()
        entry = state.record(recorded(request, body))
        try:
            check_auth(state, request)
            entry.json = parse_json(body) if body else None
            target = request.path_params.get("batch")
            store = state.batches
            if target is None:
                size = request.query_params.get("pageSize")
                token = request.query_params.get("pageToken")
                return JSONResponse(await store.list(int(size) if size else None, token, state))
            name, _, verb = target.partition(":")
            full = f"batches/{name}"
            if verb not in ("", "cancel") or (verb == "cancel") != (request.method == "POST"):
                raise Rejection(
                    f"Method not found: {request.method} {full}:{verb}.",
                    code=404,
                    status="NOT_FOUND",
                )
            if verb == "cancel":
                await store.cancel(full, state)
                return JSONResponse({})
            if request.method == "DELETE":
                store.delete(full)
                return JSONResponse({})
            return JSONResponse(await store.get(full, state))
        except Rejection as rejection:
            entry.status_code, entry.rejection = rejection.code, rejection.message
            return JSONResponse(rejection.body, status_code=rejection.code)

    return [
        Route("/{version}/batches", batches, methods=["GET"]),
        Route("/{version}/batches/{batch}", batches, methods=["GET", "POST", "DELETE"]),
    ]


def _input_of(body: Any) -> Any:
    batch = body.get("batch") if isinstance(body, dict) else None
    return batch.get("inputConfig") if isinstance(batch, dict) else None
